"""The live knowledge base: one current index, replaced whole by serialised reloads.

Every way of refreshing (the file watcher, SIGHUP, `memobot refresh`, `/memo refresh`) ends in
``KnowledgeService.reload(trigger=...)``: one code path, one lock, one log format.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import KnowledgeError
from .loader import load_knowledge
from .models import Answer, KnowledgeBase
from .retrieval import DEFAULT_SETTINGS, Index, IndexSettings

__all__ = ["Changes", "KnowledgeService", "ReloadReport", "Status", "diff"]

log = logging.getLogger(__name__)

_KINDS = ("memos", "passages", "recommendations")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso_seconds(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


@dataclass(frozen=True)
class Changes:
    """What a reload changed, by id."""

    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind ("memos", "passages", "recommendations") → ids that are new."""
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind → ids that are gone."""
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind → ids whose content differs."""

    @property
    def empty(self) -> bool:
        """True when nothing was added, removed or changed."""
        return not any((*self.added.values(), *self.removed.values(), *self.changed.values()))

    def summary(self) -> str:
        """One line: "passages +2 −1 ~3; recommendations ~1", or "no changes"."""
        parts = []
        for kind in _KINDS:
            counts = [
                f"{sign}{len(group.get(kind, ()))}"
                for sign, group in (("+", self.added), ("−", self.removed), ("~", self.changed))
                if group.get(kind)
            ]
            if counts:
                parts.append(f"{kind} {' '.join(counts)}")
        return "; ".join(parts) or "no changes"

    def lines(self) -> list[str]:
        """One line per kind and change, naming the ids: "passages added: a, b"."""
        out = []
        for kind in _KINDS:
            for verb, group in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
                if group.get(kind):
                    out.append(f"{kind} {verb}: {', '.join(group[kind])}")
        return out

    def as_dict(self) -> dict:
        """JSON-ready form: {"added": {kind: [ids]}, "removed": …, "changed": …}."""
        return {
            name: {kind: list(ids) for kind, ids in group.items()}
            for name, group in (("added", self.added), ("removed", self.removed), ("changed", self.changed))
        }


@dataclass(frozen=True)
class ReloadReport:
    """The outcome of one reload."""

    ok: bool
    """Whether the new index was swapped in."""
    seconds: float
    """How long loading and indexing took."""
    version: str
    """Version of the index serving after the reload."""
    problems: tuple[str, ...] = ()
    """Every validation problem when not ok."""
    changes: Changes = field(default_factory=Changes)
    """What changed (empty when not ok)."""
    trigger: str = ""
    """What asked for it ("slack", "watcher", "signal", "cli", …)."""
    number: int = 0
    """1 for the service's first reload, 2 for the next, …"""
    started_at: datetime | None = None
    """When the reload got the reload lock and began loading (UTC)."""
    finished_at: datetime | None = None
    """When the reload was done, swapped in or refused (UTC)."""
    started_monotonic: float = 0.0
    """``time.monotonic()`` when it began, to order it against other events of this process."""

    def summary(self) -> str:
        """One line for logs and replies."""
        if self.ok:
            return f"reloaded in {self.seconds:.2f} s: {self.changes.summary()} (version {self.version})"
        count = len(self.problems)
        return (
            f"reload refused, {count} problem{'s' if count != 1 else ''}; "
            f"still serving version {self.version}"
        )

    def as_dict(self) -> dict:
        """JSON-ready form, for the status file and /healthz."""
        return {
            "number": self.number,
            "trigger": self.trigger,
            "ok": self.ok,
            "summary": self.summary(),
            "seconds": round(self.seconds, 4),
            "version": self.version,
            "problems": list(self.problems),
            "changes": self.changes.as_dict(),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


@dataclass(frozen=True)
class Status:
    """What the live knowledge base is, for /healthz, `memobot status` and the App Home."""

    version: str
    """Content hash of the files the serving index was loaded from."""
    directory: str
    """The knowledge directory."""
    memos: int
    """Number of memos serving."""
    passages: int
    """Number of passages serving."""
    recommendations: int
    """Number of recommendations serving."""
    loaded_at: datetime
    """When the serving index was loaded: the last successful load (UTC)."""
    load_seconds: float
    """How long loading the files and building the serving index took."""
    last_error: tuple[str, ...] = ()
    """Every problem of the last refused reload (kept after later successes), or empty."""
    last_error_at: datetime | None = None
    """When the last refused reload happened, or None."""
    memo_titles: tuple[tuple[str, str, int, int], ...] = ()
    """(id, title, passages, recommendations) per memo."""
    glossary: int = 0
    """Number of glossary entries serving."""
    reloads: int = 0
    """How many reloads were attempted since start-up."""
    last_reload: ReloadReport | None = None
    """The most recent reload's report, or None before the first."""

    @property
    def stale(self) -> bool:
        """True when the latest reload was refused: the files on disk are newer than what serves."""
        return self.last_reload is not None and not self.last_reload.ok

    def as_dict(self) -> dict:
        """JSON-ready form (the keys of /healthz and `memobot status --json`)."""
        return {
            "version": self.version,
            "directory": self.directory,
            "memos": self.memos,
            "passages": self.passages,
            "recommendations": self.recommendations,
            "glossary_entries": self.glossary,
            "loaded_at": self.loaded_at.isoformat(timespec="seconds"),
            "load_seconds": round(self.load_seconds, 4),
            "last_error": list(self.last_error) or None,
            "last_error_at": self.last_error_at.isoformat(timespec="seconds") if self.last_error_at else None,
            "stale": self.stale,
            "reloads": self.reloads,
            "last_reload": self.last_reload.as_dict() if self.last_reload else None,
            "memo_details": [
                {"id": memo_id, "title": title, "passages": passages, "recommendations": recs}
                for memo_id, title, passages, recs in self.memo_titles
            ],
        }


@dataclass(frozen=True)
class _Serving:
    """The index that answers, with when it was loaded: replaced together, in one assignment."""

    index: Index
    """The current index."""
    loaded_at: datetime
    """When it was loaded (UTC)."""
    seconds: float
    """How long loading the files and building the index took."""


@dataclass(frozen=True)
class _History:
    """What reloads did so far: replaced whole after each reload."""

    reloads: int = 0
    """Reloads attempted."""
    last_reload: ReloadReport | None = None
    """The latest report."""
    last_error: tuple[str, ...] = ()
    """Problems of the latest refused reload."""
    last_error_at: datetime | None = None
    """When it was refused."""


class KnowledgeService:
    """Holds the current index. Readers take ``service.index`` once per question and keep it;
    a reload builds a new index off to the side and swaps it in with one assignment."""

    def __init__(self, directory: str | Path, settings: IndexSettings = DEFAULT_SETTINGS) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self._reload_lock = threading.Lock()
        # Held from the end of one reload through its listeners, so listeners see reports in
        # order; re-entrant so that a listener may itself reload.
        self._notify_lock = threading.RLock()
        self._listeners: list[Callable[[ReloadReport], None]] = []
        self._history = _History()
        self._health: tuple[_Serving, _History, dict] | None = None
        # A broken directory at start-up is fatal: there is no working index to keep.
        started = time.perf_counter()
        index = Index(load_knowledge(self.directory), settings)
        self._serving = _Serving(index, _now(), time.perf_counter() - started)

    @property
    def index(self) -> Index:
        """The index answering now. Take it once per question and keep using that one."""
        return self._serving.index

    @index.setter
    def index(self, new: Index) -> None:
        self._serving = _Serving(new, _now(), new.load_seconds)

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base of the current index."""
        return self.index.kb

    def ask(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """Answer from the current index (one snapshot for the whole question)."""
        return self.index.ask(question, k=k, offset=offset)

    def add_listener(self, callback: Callable[[ReloadReport], None]) -> None:
        """Call ``callback(report)`` after every reload, successful or not, in reload order."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[ReloadReport], None]) -> None:
        """Stop calling ``callback``; no error if it was not registered."""
        if callback in self._listeners:
            self._listeners.remove(callback)

    def reload(self, trigger: str = "") -> ReloadReport:
        """Load the directory again; swap the new index in only if it is entirely valid.

        Never raises for a bad knowledge directory: the report says what went wrong, the log
        gets every problem, and the old index keeps serving.
        """
        with self._reload_lock:
            report = self._reload_locked(trigger)
            self._notify_lock.acquire()
        try:
            for callback in list(self._listeners):
                try:
                    callback(report)
                except Exception:
                    log.exception("reload listener failed")
        finally:
            self._notify_lock.release()
        # No full collection here: the superseded index is freed by reference counting once
        # the last question using it is answered (the analysers' caches hold them weakly:
        # analysis._cached). Measured, 30 reloads of 10 000 passages: RSS ratio 1.22 with a
        # gc.collect() after each reload, 1.23 without; before the weak caches, 2.36 without.
        return report

    def _reload_locked(self, trigger: str) -> ReloadReport:
        old = self._serving.index
        number = self._history.reloads + 1
        started_at = _now()
        started_monotonic = time.monotonic()
        started = time.perf_counter()
        problems: tuple[str, ...] = ()
        try:
            new = Index(load_knowledge(self.directory), self.settings)
        except KnowledgeError as exc:
            problems = tuple(exc.problems)
        except Exception as exc:
            # A loader bug or an OS error must not kill the watcher or the signal thread.
            log.exception("unexpected error while reloading %s", self.directory)
            problems = (f"{self.directory}: unexpected error while loading: {type(exc).__name__}: {exc}",)
        seconds = time.perf_counter() - started
        finished_at = _now()
        label = trigger or "manual"
        if problems:
            report = ReloadReport(
                ok=False,
                seconds=seconds,
                version=old.kb.version,
                problems=problems,
                trigger=trigger,
                number=number,
                started_at=started_at,
                finished_at=finished_at,
                started_monotonic=started_monotonic,
            )
            self._history = _History(number, report, problems, finished_at)
            log.error("knowledge %s (%s)", report.summary(), label)
            for problem in problems:
                log.error("  %s", problem)
            return report
        self._serving = _Serving(new, finished_at, seconds)
        report = ReloadReport(
            ok=True,
            seconds=seconds,
            version=new.kb.version,
            changes=diff(old.kb, new.kb),
            trigger=trigger,
            number=number,
            started_at=started_at,
            finished_at=finished_at,
            started_monotonic=started_monotonic,
        )
        history = self._history
        self._history = _History(number, report, history.last_error, history.last_error_at)
        log.info("knowledge %s (%s)", report.summary(), label)
        for line in report.changes.lines():
            log.info("  %s", line)
        return report

    def health(self) -> dict:
        """What ``GET /healthz`` shows: sizes, version, freshness; no path, no problem text.

        Anyone who can reach the port may ask, often (load balancers poll every few seconds),
        so it is made once per serving index and reload and then only looked up; the details
        (directory, every problem) stay in :meth:`status`, which `memobot status` shows locally.
        """
        serving, history = self._serving, self._history
        cached = self._health
        if cached is not None and cached[0] is serving and cached[1] is history:
            return cached[2]
        kb = serving.index.kb
        last = history.last_reload
        health = {
            "version": kb.version,
            "memos": len(kb.memos),
            "passages": len(kb.passages),
            "recommendations": len(kb.recommendations),
            "glossary_entries": len(kb.glossary),
            "loaded_at": serving.loaded_at.isoformat(timespec="seconds"),
            "load_seconds": round(serving.seconds, 4),
            "stale": last is not None and not last.ok,
            "reloads": history.reloads,
            # The latest reload without its problems or changes (those name files and ids).
            "last_reload": None
            if last is None
            else {
                "number": last.number,
                "trigger": last.trigger,
                "ok": last.ok,
                "seconds": round(last.seconds, 4),
                "version": last.version,
                "finished_at": _iso(last.finished_at),
            },
            "last_error_at": _iso_seconds(history.last_error_at),
        }
        self._health = (serving, history, health)
        return health

    def status(self) -> Status:
        """A consistent snapshot of what is serving and what the last reloads did."""
        serving, history = self._serving, self._history
        kb = serving.index.kb
        # Counted in one pass each: a sum per memo was memos × passages, a minute at 100 000.
        passages = Counter(p.memo_id for p in kb.passages)
        recommendations = Counter(r.memo_id for r in kb.recommendations)
        per_memo = tuple((m.id, m.title, passages[m.id], recommendations[m.id]) for m in kb.memos)
        return Status(
            version=kb.version,
            directory=str(self.directory),
            memos=len(kb.memos),
            passages=len(kb.passages),
            recommendations=len(kb.recommendations),
            loaded_at=serving.loaded_at,
            load_seconds=serving.seconds,
            last_error=history.last_error,
            last_error_at=history.last_error_at,
            memo_titles=per_memo,
            glossary=len(kb.glossary),
            reloads=history.reloads,
            last_reload=history.last_reload,
        )


def diff(old: KnowledgeBase, new: KnowledgeBase) -> Changes:
    """What differs between two knowledge bases, by kind and id."""
    added: dict[str, tuple[str, ...]] = {}
    removed: dict[str, tuple[str, ...]] = {}
    changed: dict[str, tuple[str, ...]] = {}
    for kind in _KINDS:
        before = {item.id: item for item in getattr(old, kind)}
        after = {item.id: item for item in getattr(new, kind)}
        for target, ids in (
            (added, [i for i in after if i not in before]),
            (removed, [i for i in before if i not in after]),
            (changed, [i for i in after if i in before and after[i] != before[i]]),
        ):
            if ids:
                target[kind] = tuple(ids)
    return Changes(added, removed, changed)
