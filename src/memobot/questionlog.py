"""The question log and the feedback votes, on the shared store, with the privacy rules applied.

Every question the bot answers (or cannot answer) is logged with its answer key, which the
answer's buttons carry; a 👍/👎 click is a vote on that key, one per user (a second click
changes it). User ids are never stored: the log keeps a keyed hash of the asker (the key is a
random secret kept in the store, shared by the replicas), and votes are keyed by a hash of
(answer, user), which cannot be linked across answers. With ``MEMOBOT_LOG_QUESTIONS=off``
neither the question's text nor the asker's hash is stored — only what was found, and how fast.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable

from .models import Answer
from .store import VOTES, QuestionRecord, Store, StoreSettings, VoteOutcome

__all__ = ["QuestionLog", "new_answer_key"]

log = logging.getLogger(__name__)

_PURGE_EVERY = 3600.0
"""Seconds between retention sweeps (each replica sweeps; a sweep is idempotent)."""


def new_answer_key() -> str:
    """A fresh, unguessable answer key (it travels in buttons, so it must not be enumerable)."""
    return secrets.token_hex(12)


class QuestionLog:
    """Logs questions and votes to a :class:`~memobot.store.Store`."""

    def __init__(self, store: Store, settings: StoreSettings, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self._clock = clock
        self._secret: bytes | None = None
        self._lock = threading.Lock()
        self._last_purge = 0.0

    def _key(self) -> bytes:
        with self._lock:
            if self._secret is None:
                self._secret = self.store.secret()
            return self._secret

    def _hash(self, *parts: str) -> str:
        message = "\0".join(parts).encode("utf-8")
        return hmac.new(self._key(), message, hashlib.sha256).hexdigest()[:24]

    def record_question(
        self,
        key: str,
        *,
        question: str,
        user: object,
        channel_kind: str,
        answer: Answer | None,
        latency_ms: float,
    ) -> QuestionRecord:
        """Log one question (``answer`` None: it was refused before retrieval, e.g. too long)."""
        keep_text = self.settings.log_questions
        top = answer.hits[0].passage if answer is not None and answer.answered and answer.hits else None
        record = QuestionRecord(
            key=key,
            time=self._clock(),
            question=question if keep_text else None,
            user=self._hash("user", user) if keep_text and isinstance(user, str) and user else None,
            channel_kind=channel_kind,
            answered=top is not None,
            memo_id=top.memo_id if top else None,
            passage_id=top.id if top else None,
            section=top.section_label if top else None,
            latency_ms=round(latency_ms, 2),
        )
        self.store.log_question(record)
        self._maybe_purge(record.time)
        return record

    def record_vote(self, answer_key: str, user: str, vote: str) -> VoteOutcome:
        """Record ``user``'s 👍 ("up") or 👎 ("down") on the answer ``answer_key``: one vote per
        user per answer. Returns "new" (first vote), "changed" (the other vote before) or
        "same" (the same click again: nothing changed)."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        outcome = self.store.record_vote(
            answer_key, self._hash("vote", answer_key, user), vote, self._clock()
        )
        log.info("feedback %s on %s (%s)", vote, answer_key, outcome)
        return outcome

    def vote_counts(self, answer_key: str) -> tuple[int, int]:
        """(👍, 👎) standing on the answer ``answer_key``, one per user."""
        return self.store.vote_counts(answer_key)

    def recent(self, days: float) -> list[QuestionRecord]:
        """The questions of the last ``days`` days, oldest first, with their votes."""
        return self.store.questions(self._clock() - days * 86400)

    def _maybe_purge(self, now: float) -> None:
        with self._lock:
            if now - self._last_purge < _PURGE_EVERY:
                return
            self._last_purge = now
        try:
            gone = self.store.purge(now - self.settings.retention_days * 86400)
        except Exception:  # retention is housekeeping: the next sweep tries again
            log.exception("purging the question log failed")
            return
        if gone:
            log.info(
                "question log: %d question%s older than %d days deleted",
                gone,
                "" if gone == 1 else "s",
                self.settings.retention_days,
            )
