"""Shared state: claim-once de-duplication, feedback votes and the question log.

One small interface (:class:`Store`), two backends: embedded SQLite (the default, so a single
bot needs no server) and Redis (``MEMOBOT_STORE=redis://…``, for replicas)::

    store = open_store(StoreSettings.from_env())
    if store.claim("event:Ev123", ttl=3600):
        ...  # only one replica gets here
"""

from __future__ import annotations

from ._records import VOTES, QuestionRecord, Store, VoteOutcome
from ._redis import RedisStore
from ._settings import LOG_QUESTIONS_VAR, RETENTION_VAR, STORE_VAR, StoreSettings, open_store
from ._sqlite import SqliteStore

__all__ = [
    "LOG_QUESTIONS_VAR",
    "RETENTION_VAR",
    "STORE_VAR",
    "VOTES",
    "QuestionRecord",
    "RedisStore",
    "SqliteStore",
    "Store",
    "StoreSettings",
    "VoteOutcome",
    "open_store",
]
