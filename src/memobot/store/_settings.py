"""Which store to use and what the question log keeps, from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..paths import state_dir
from ._records import Store

__all__ = [
    "LOG_QUESTIONS_VAR",
    "RETENTION_VAR",
    "SQLITE_FILE",
    "STORE_VAR",
    "StoreSettings",
    "open_store",
]

STORE_VAR = "MEMOBOT_STORE"
LOG_QUESTIONS_VAR = "MEMOBOT_LOG_QUESTIONS"
RETENTION_VAR = "MEMOBOT_LOG_RETENTION_DAYS"
SQLITE_FILE = "memobot.sqlite3"

_REDIS = re.compile(r"(rediss?|unix)://\S+")
_SQLITE = re.compile(r"sqlite:///?(\S+)")
_ON, _OFF = ("on", "true", "yes", "1"), ("off", "false", "no", "0")


@dataclass(frozen=True)
class StoreSettings:
    """Where shared state lives and how much of it the question log keeps."""

    url: str
    """``redis://…``/``rediss://…``/``unix://…`` for Redis, else ``sqlite:///<path>``."""
    log_questions: bool = True
    """MEMOBOT_LOG_QUESTIONS: when False no question text and no user hash is stored."""
    retention_days: int = 90
    """MEMOBOT_LOG_RETENTION_DAYS: questions and votes older than this are deleted."""

    @property
    def is_redis(self) -> bool:
        """Whether the store is a Redis server."""
        return not self.url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, for the embedded store."""
        match = _SQLITE.fullmatch(self.url)
        return Path(("/" if self.url.startswith("sqlite:///") else "") + match.group(1)) if match else None

    def describe(self) -> str:
        """The store as it may be logged: a password in a Redis URL becomes ``***``."""
        from ._redis import _without_password

        return _without_password(self.url) if self.is_redis else str(self.sqlite_path)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreSettings:
        """Read MEMOBOT_STORE, MEMOBOT_LOG_QUESTIONS and MEMOBOT_LOG_RETENTION_DAYS (values never
        echoed in errors: a Redis URL can carry a password)."""
        env = os.environ if environ is None else environ
        url = env.get(STORE_VAR, "").strip()
        if not url:
            url = f"sqlite:///{(state_dir(env) / SQLITE_FILE).resolve().as_posix().lstrip('/')}"
        elif not (_REDIS.fullmatch(url) or _SQLITE.fullmatch(url)):
            raise ConfigError(
                f"{STORE_VAR} is malformed: expected redis://HOST:PORT/DB, rediss://…, "
                "unix:///PATH.sock or sqlite:///PATH"
            )
        raw = env.get(LOG_QUESTIONS_VAR, "").strip().lower() or "on"
        if raw not in (*_ON, *_OFF):
            raise ConfigError(f"{LOG_QUESTIONS_VAR} is malformed: expected on or off")
        retention = env.get(RETENTION_VAR, "").strip() or "90"
        if not retention.isdigit() or not 1 <= int(retention) <= 3650:
            raise ConfigError(f"{RETENTION_VAR} is malformed: expected a whole number of days from 1 to 3650")
        return cls(url=url, log_questions=raw in _ON, retention_days=int(retention))


def open_store(settings: StoreSettings) -> Store:
    """Connect to the store (a Redis server is pinged: a wrong URL stops here, not at the first
    question). Raises :class:`~memobot.errors.ConfigError` naming the store, never a password."""
    if not settings.is_redis:
        from ._sqlite import SqliteStore

        path = settings.sqlite_path
        assert path is not None
        try:
            return SqliteStore(path)
        except (OSError, Exception) as exc:  # sqlite3.Error and OSError: both are the operator's to fix
            raise ConfigError(f"cannot open the store {path}: {_reason(exc)}; set {STORE_VAR}") from None
    import redis

    from ._redis import RedisStore

    store = RedisStore(settings.url, retention_seconds=settings.retention_days * 86400)
    try:
        store.ping()
    except (redis.RedisError, ValueError) as exc:
        store.close()
        raise ConfigError(
            f"cannot reach the store {settings.describe()} ({type(exc).__name__}); "
            f"is redis-server running? ({STORE_VAR})"
        ) from None
    return store


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
