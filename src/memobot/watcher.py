"""Watch a knowledge directory and reload the service when its files change, debounced.

The watcher polls: every ``interval`` seconds it takes a snapshot of the directory's YAML files
as (path, inode, mtime_ns, size) — the same files the loader reads, hidden ones skipped — and
compares it with the snapshot the last reload was made from. A change is acted on only once the
directory has looked the same for ``quiet`` seconds, so a burst of saves (an editor writing a
file twice, a ``git pull`` touching ten files) gives one reload. Polling needs no dependency,
works on every platform and file system (network mounts and bind mounts included, where inotify
events do not arrive), and costs a handful of ``stat`` calls per interval.

If the files change while a reload is reading them, the next poll sees a snapshot different
from the one the reload started from and reloads again; a half-saved file that was refused is
therefore retried as soon as it is complete. A reload from elsewhere (SIGHUP, `/memo refresh`)
that began after the watcher first saw the change has read it already, so the watcher takes it
as done instead of reloading a second time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .loader import knowledge_files
from .service import KnowledgeService, ReloadReport

__all__ = ["Snapshot", "Watcher", "snapshot"]

log = logging.getLogger(__name__)

Snapshot = frozenset[tuple[str, int, int, int]]
"""(relative path, inode, mtime in ns, size) of every knowledge file."""


def snapshot(directory: Path) -> Snapshot:
    """What the knowledge files of ``directory`` look like now (empty when it is missing)."""
    try:
        files = knowledge_files(directory)
    except OSError:
        return frozenset()
    entries = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            try:
                # A dangling symbolic link is a change too (the reload refuses it, and the
                # status says stale); only a file that vanished since the listing is skipped.
                st = path.lstat()
            except OSError:
                continue
        entries.append((path.relative_to(directory).as_posix(), st.st_ino, st.st_mtime_ns, st.st_size))
    return frozenset(entries)


@dataclass
class _Debouncer:
    """Decides when a changed directory has been quiet long enough to reload."""

    baseline: Snapshot
    """The snapshot the serving index (or the last refused attempt) was loaded from."""
    quiet: float
    """Seconds the directory must stay unchanged before a reload."""
    pending: Snapshot | None = None
    """The changed snapshot being waited on, if any."""
    since: float = 0.0
    """When ``pending`` was first seen (monotonic seconds)."""

    def observe(self, current: Snapshot, now: float, other_reload: float = float("-inf")) -> bool:
        """Record a poll; True when it is time to reload from ``current``.

        ``other_reload`` is when the latest reload not made by the watcher began (monotonic).
        """
        if current == self.baseline:
            self.pending = None
            return False
        if current != self.pending:
            self.pending, self.since = current, now
            return self.quiet <= 0
        if other_reload >= self.since:
            # Someone else reloaded after these files were on disk: nothing left to do.
            self.reloaded(current)
            return False
        return now - self.since >= self.quiet

    def reloaded(self, current: Snapshot) -> None:
        """The reload was made from ``current``: only a further change triggers another."""
        self.baseline, self.pending = current, None


class Watcher:
    """A daemon thread that reloads ``service`` (trigger "watcher") when its files change.

    Use as ``with Watcher(service, interval=2.0): ...`` or call ``start()`` and ``stop()``;
    ``stop()`` wakes the thread and joins it (after the reload in progress, if any).
    """

    def __init__(self, service: KnowledgeService, interval: float = 2.0, quiet: float | None = None) -> None:
        if interval <= 0:
            raise ValueError("the watch interval must be positive")
        self.service = service
        self.interval = interval
        self.quiet = interval if quiet is None else quiet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._other_reload = float("-inf")
        self._debouncer: _Debouncer | None = None

    def start(self) -> Watcher:
        """Take the baseline snapshot and start polling."""
        if self._thread is not None:
            raise RuntimeError("the watcher is already started")
        self._debouncer = _Debouncer(snapshot(self.service.directory), self.quiet)
        self.service.add_listener(self._on_reload)
        self._thread = threading.Thread(
            target=self._run, args=(self._debouncer,), name="memobot-watcher", daemon=True
        )
        self._thread.start()
        log.info(
            "watching %s for changes every %.2g s (reload after %.2g s of quiet)",
            self.service.directory,
            self.interval,
            self.quiet,
        )
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        self.service.remove_listener(self._on_reload)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _on_reload(self, report: ReloadReport) -> None:
        if report.trigger != "watcher":
            self._other_reload = max(self._other_reload, report.started_monotonic)

    @property
    def running(self) -> bool:
        """Whether the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self, debouncer: _Debouncer) -> None:
        directory = self.service.directory
        while not self._stop.wait(self.interval):
            try:
                current = snapshot(directory)
                if not debouncer.observe(current, time.monotonic(), self._other_reload):
                    continue
                log.info("knowledge files in %s changed; reloading", directory)
                # The baseline is what was on disk before reading: a change made during the
                # reload differs from it and triggers the next one.
                debouncer.reloaded(current)
                self.service.reload(trigger="watcher")
            except Exception:
                # Keep watching whatever happened; the reload itself never raises for bad files.
                log.exception("the knowledge watcher failed to poll %s", os.fspath(directory))
