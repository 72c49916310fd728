"""Live refresh of a serving bot: file watcher, SIGHUP, and the state files `memobot refresh` uses.

Serving side — call once from the process that serves Slack (Socket or HTTP mode), in the main
thread, after the KnowledgeService is built::

    from memobot.live import start_live_refresh

    live = start_live_refresh(service)          # settings from the environment
    try:
        handler.start()                          # Bolt's SocketModeHandler / HTTP server
    finally:
        live.stop()

``start_live_refresh``:

- starts the file watcher (``memobot.watcher.Watcher``) unless ``MEMOBOT_WATCH_INTERVAL`` is 0;
- installs a SIGHUP handler (main thread, POSIX only) that reloads on a worker thread;
- writes ``bot.pid`` (locked with ``flock`` for the life of the process) and ``status.json``
  into the state directory, and rewrites ``status.json`` after every reload.

Every trigger ends in ``service.reload(trigger=...)`` ("watcher", "signal"; the Slack front end
uses "slack"), which logs the outcome, every problem and the changed ids.

Client side — ``memobot refresh`` and ``memobot status`` use ``find_running_bot`` (the pid file
exists *and* is locked: a stale file left by a killed bot is never mistaken for a live one) and
``request_reload`` (SIGHUP, then wait for the matching report in ``status.json``). Signals and
files work the same whatever transport the bot serves Slack with.

Settings (environment or `.env`):

- ``MEMOBOT_WATCH_INTERVAL``: seconds between polls of the knowledge directory (default 2; a
  change is acted on after the same time of quiet); 0 turns the watcher off.
- ``MEMOBOT_STATE_DIR``: where ``bot.pid`` and ``status.json`` live; default the platform's state
  directory (:mod:`memobot.paths`: systemd's ``$STATE_DIRECTORY``, else ``~/.local/state/memobot``
  on Linux), never inside the installed package. Bot and CLI find each other through it, so a
  CLI run by another user must set the bot's ``MEMOBOT_STATE_DIR``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import paths
from .errors import ConfigError, MemobotError
from .paths import STATE_DIR_VAR
from .service import KnowledgeService, ReloadReport
from .watcher import Watcher

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has neither flock nor SIGHUP
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "PID_FILE",
    "STATE_DIR_VAR",
    "STATUS_FILE",
    "WATCH_INTERVAL_VAR",
    "LiveRefresh",
    "LiveSettings",
    "RunningBot",
    "default_state_dir",
    "find_running_bot",
    "request_reload",
    "start_live_refresh",
]

log = logging.getLogger(__name__)

WATCH_INTERVAL_VAR = "MEMOBOT_WATCH_INTERVAL"
PID_FILE = "bot.pid"
STATUS_FILE = "status.json"
DEFAULT_WATCH_INTERVAL = 2.0
_RECENT_REPORTS = 20
_SIGHUP = getattr(signal, "SIGHUP", None)


def default_state_dir(knowledge_dir: str | os.PathLike | None = None) -> Path:
    """The platform's state directory (:func:`memobot.paths.state_dir`). It no longer depends
    on the knowledge directory: next to a wheel's bundled knowledge it was inside site-packages."""
    return paths.state_dir({k: v for k, v in os.environ.items() if k != STATE_DIR_VAR})


@dataclass(frozen=True)
class LiveSettings:
    """How a serving bot refreshes its knowledge."""

    watch_interval: float = DEFAULT_WATCH_INTERVAL
    """Seconds between polls of the knowledge directory; 0 turns the watcher off."""
    state_dir: Path | None = None
    """Where the pid and status files go; None: the platform's state directory."""
    watch_quiet: float | None = None
    """Seconds of quiet before a change is acted on; None: the watch interval."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> LiveSettings:
        """Read MEMOBOT_WATCH_INTERVAL and MEMOBOT_STATE_DIR (values never echoed in errors)."""
        env = os.environ if environ is None else environ
        raw = env.get(WATCH_INTERVAL_VAR, "").strip()
        interval = DEFAULT_WATCH_INTERVAL
        if raw:
            try:
                interval = float(raw)
            except ValueError:
                interval = -1.0
            if not 0 <= interval <= 3600 or interval != interval:
                raise ConfigError(
                    f"{WATCH_INTERVAL_VAR} must be a number of seconds from 0 to 3600 "
                    "(0 turns the watcher off)"
                )
        return cls(watch_interval=interval, state_dir=paths.state_dir(env))

    def state_dir_for(self, knowledge_dir: str | os.PathLike) -> Path:
        """The state directory to use for a bot serving ``knowledge_dir``."""
        return self.state_dir if self.state_dir is not None else default_state_dir(knowledge_dir)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _write_json_atomically(path: Path, data: dict) -> None:
    """Replace ``path`` in one rename, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; `memobot status` may run as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _PidLock:
    """``bot.pid``, holding an exclusive flock for as long as the bot serves."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def acquire(cls, path: Path) -> _PidLock | None:
        """Lock and fill the pid file; None when another live process holds it."""
        if fcntl is None:  # pragma: no cover
            return None
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(path, fd)

    def release(self) -> None:
        """Remove the file, then drop the lock."""
        self.path.unlink(missing_ok=True)
        os.close(self._fd)


class _SignalReloads:
    """SIGHUP → reload, on a worker thread: a signal handler must not do the work itself."""

    def __init__(self, service: KnowledgeService) -> None:
        self.service = service
        self._wake = threading.Event()
        self._stopping = False
        self._previous: object = signal.SIG_DFL
        self._thread = threading.Thread(target=self._run, name="memobot-sighup", daemon=True)

    def install(self) -> None:
        self._thread.start()
        self._previous = signal.signal(_SIGHUP, self._handle)

    def _handle(self, _signum: int, _frame: object) -> None:
        # Only set a flag: logging or loading here could deadlock on locks the main thread holds.
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            log.info("SIGHUP received; reloading %s", self.service.directory)
            self.service.reload(trigger="signal")

    def stop(self) -> None:
        # Restore the handler first, so no SIGHUP can interrupt the wake-up below.
        if threading.current_thread() is threading.main_thread():
            signal.signal(_SIGHUP, self._previous if self._previous is not None else signal.SIG_DFL)
        else:
            log.warning("live refresh stopped outside the main thread; the SIGHUP handler stays installed")
        self._stopping = True
        self._wake.set()
        self._thread.join(30)


class LiveRefresh:
    """What ``start_live_refresh`` started; ``stop()`` undoes all of it (idempotent)."""

    def __init__(self, service: KnowledgeService, settings: LiveSettings) -> None:
        self.service = service
        self.settings = settings
        self.state_dir: Path | None = None
        """Where the pid and status files are, or None when this bot could not claim them."""
        self.watcher: Watcher | None = None
        """The running watcher, or None when it is off."""
        self.signal_reloads = False
        """Whether SIGHUP reloads."""
        self.started_at = _now_iso()
        self._pid_lock: _PidLock | None = None
        self._signals: _SignalReloads | None = None
        self._recent: list[dict] = []
        self._write_lock = threading.Lock()
        self._listener: Callable[[ReloadReport], None] | None = None

    @property
    def status_path(self) -> Path | None:
        """The status file, when this process owns one."""
        return self.state_dir / STATUS_FILE if self.state_dir and self._pid_lock else None

    def write_status(self) -> None:
        """Rewrite the status file from the service's current status."""
        path = self.status_path
        if path is None:
            return
        directory = str(self.service.directory.resolve())
        data = {
            "pid": os.getpid(),
            "directory": directory,
            "state_dir": str(self.state_dir),
            "started_at": self.started_at,
            "updated_at": _now_iso(),
            "watch_interval": self.watcher.interval if self.watcher else 0,
            "sighup": self.signal_reloads,
            "status": {**self.service.status().as_dict(), "directory": directory},
            "recent_reloads": list(self._recent),
        }
        with self._write_lock:
            try:
                _write_json_atomically(path, data)
            except OSError as exc:
                log.warning("cannot write %s: %s", path, exc.strerror or exc)

    def _on_reload(self, report: ReloadReport) -> None:
        self._recent = [*self._recent, report.as_dict()][-_RECENT_REPORTS:]
        self.write_status()

    def stop(self) -> None:
        """Stop the watcher, remove the pid and status files, restore SIGHUP's handler."""
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self._listener is not None:
            self.service.remove_listener(self._listener)
            self._listener = None
        if self._pid_lock is not None:
            # Unregister before the handler goes: `memobot refresh` must not find a bot that
            # no longer handles SIGHUP.
            status = self.status_path
            if status is not None:
                status.unlink(missing_ok=True)
            self._pid_lock.release()
            self._pid_lock = None
        if self._signals is not None:
            self._signals.stop()
            self._signals = None
            self.signal_reloads = False

    def __enter__(self) -> LiveRefresh:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_live_refresh(service: KnowledgeService, settings: LiveSettings | None = None) -> LiveRefresh:
    """Start the watcher, install SIGHUP, write the pid and status files. See the module doc.

    Never fails for lack of a state directory: the bot serves anyway and the log says why
    `memobot refresh` cannot reach it.
    """
    settings = settings if settings is not None else LiveSettings.from_env()
    live = LiveRefresh(service=service, settings=settings)
    try:
        # The handler goes in before the pid file appears: `memobot refresh` must never send
        # SIGHUP, whose default action ends the process, to a bot that does not handle it.
        if _SIGHUP is not None and threading.current_thread() is threading.main_thread():
            live._signals = _SignalReloads(service)
            live._signals.install()
            live.signal_reloads = True
        else:
            log.info("SIGHUP reload not installed (not the main thread, or no SIGHUP on this platform)")
        if settings.watch_interval > 0:
            live.watcher = Watcher(service, settings.watch_interval, settings.watch_quiet).start()
        live._listener = live._on_reload
        service.add_listener(live._listener)
        _claim_state_dir(live, settings.state_dir_for(service.directory))
        live.write_status()
    except BaseException:
        live.stop()
        raise
    return live


def _claim_state_dir(live: LiveRefresh, state_dir: Path) -> None:
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        live._pid_lock = _PidLock.acquire(state_dir / PID_FILE)
    except OSError as exc:
        log.warning(
            "cannot use state directory %s (%s): `memobot refresh` and `memobot status` will not "
            "find this bot; set %s",
            state_dir,
            exc.strerror or exc,
            STATE_DIR_VAR,
        )
        return
    if live._pid_lock is None:
        log.warning(
            "another memobot holds %s: `memobot refresh` and `memobot status` talk to that one; "
            "set %s to give this bot its own",
            state_dir / PID_FILE,
            STATE_DIR_VAR,
        )
    else:
        live.state_dir = state_dir


@dataclass(frozen=True)
class RunningBot:
    """A serving memobot found through its state directory."""

    pid: int
    """Its process id."""
    state_dir: Path
    """The state directory it registered in."""
    status: dict | None
    """Its status file, or None when it cannot be read yet."""

    def reload_count(self) -> int:
        """Reloads the bot had done when its status file was last written."""
        return int((self.status or {}).get("status", {}).get("reloads", 0))


def _read_status(state_dir: Path) -> dict | None:
    try:
        data = json.loads((state_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def find_running_bot(state_dir: Path) -> RunningBot | None:
    """The bot serving with this state directory, or None when none is running."""
    if fcntl is None:  # pragma: no cover
        raise MemobotError("finding a running bot needs a POSIX system (flock)")
    path = state_dir / PID_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MemobotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            content = os.read(fd, 64).decode("ascii", "replace").strip()
        else:
            return None  # nobody holds the lock: a file left behind by a bot that was killed
    finally:
        os.close(fd)
    if not content.isdigit():
        raise MemobotError(f"{path} is locked but holds no process id yet; try again in a moment")
    return RunningBot(pid=int(content), state_dir=state_dir, status=_read_status(state_dir))


def request_reload(bot: RunningBot, wait: float = 30.0, poll: float = 0.05) -> dict | None:
    """Send SIGHUP to the bot; return its report of that reload (None if ``wait`` runs out).

    With ``wait`` 0 the signal is sent and None returned at once.
    """
    if _SIGHUP is None:  # pragma: no cover
        raise MemobotError("this platform has no SIGHUP; the bot's file watcher reloads instead")
    if bot.status is None:
        raise MemobotError(f"memobot (pid {bot.pid}) has not written its status yet; try again in a moment")
    if not bot.status.get("sighup"):
        # SIGHUP's default action would end that process.
        raise MemobotError(
            f"memobot (pid {bot.pid}) does not reload on SIGHUP (live refresh was started outside "
            "the main thread); its file watcher or /memo refresh reloads it"
        )
    before = bot.reload_count()
    try:
        os.kill(bot.pid, _SIGHUP)
    except ProcessLookupError:
        raise MemobotError(f"memobot (pid {bot.pid}) is no longer running") from None
    except PermissionError:
        raise MemobotError(
            f"not allowed to signal memobot (pid {bot.pid}); "
            "run `memobot refresh` as the user the bot runs as"
        ) from None
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        status = _read_status(bot.state_dir) or {}
        for report in status.get("recent_reloads", []):
            if report.get("trigger") == "signal" and report.get("number", 0) > before:
                return report
        time.sleep(poll)
    return None
