"""What the shared store keeps: the records and the one small interface every backend provides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Protocol

__all__ = ["VOTES", "QuestionRecord", "Store", "VoteOutcome"]

VoteOutcome = Literal["new", "changed", "same"]
"""What :meth:`Store.record_vote` did: a first vote, a vote turned around, or the same click again."""

VOTES = ("up", "down")
"""The two votes a user can give an answer."""


@dataclass(frozen=True)
class QuestionRecord:
    """One question asked of the bot, as the question log keeps it."""

    key: str
    """The answer key: names this answer in its buttons, so votes find their question."""
    time: float
    """When it was asked, seconds since the epoch (UTC)."""
    question: str | None
    """The question as asked (markup stripped); None when question logging is off."""
    user: str | None
    """A keyed hash of the asker's user id (never the id); None when question logging is off."""
    channel_kind: str
    """Where it was asked: "channel", "im" (direct message), "command" (/memo) …"""
    answered: bool
    """Whether memobot found an answer."""
    memo_id: str | None = None
    """The memo of the top excerpt, when answered."""
    passage_id: str | None = None
    """The top excerpt's passage id, when answered."""
    section: str | None = None
    """The top excerpt's section path ("Anbefalinger › Alliancebrobygger"): the topic."""
    latency_ms: float = 0.0
    """Milliseconds from receiving the question to having the reply ready."""
    up: int = 0
    """👍 votes on this answer (filled in when read back; one per user)."""
    down: int = 0
    """👎 votes on this answer (filled in when read back; one per user)."""

    def with_votes(self, up: int, down: int) -> QuestionRecord:
        """This record with its vote counts."""
        return replace(self, up=up, down=down)

    def as_dict(self) -> dict:
        """JSON-ready form (what ``memobot report --json`` and the Redis backend use)."""
        return {
            "key": self.key,
            "time": self.time,
            "question": self.question,
            "user": self.user,
            "channel_kind": self.channel_kind,
            "answered": self.answered,
            "memo_id": self.memo_id,
            "passage_id": self.passage_id,
            "section": self.section,
            "latency_ms": self.latency_ms,
            "up": self.up,
            "down": self.down,
        }

    @classmethod
    def from_dict(cls, data: dict) -> QuestionRecord:
        """The inverse of :meth:`as_dict`."""
        return cls(
            key=str(data["key"]),
            time=float(data["time"]),
            question=data.get("question"),
            user=data.get("user"),
            channel_kind=str(data.get("channel_kind") or ""),
            answered=bool(data.get("answered")),
            memo_id=data.get("memo_id"),
            passage_id=data.get("passage_id"),
            section=data.get("section"),
            latency_ms=float(data.get("latency_ms") or 0.0),
            up=int(data.get("up") or 0),
            down=int(data.get("down") or 0),
        )


class Store(Protocol):
    """State every replica of the bot shares: claims, votes, the question log.

    Backends: :class:`~memobot.store.SqliteStore` (embedded, the default) and
    :class:`~memobot.store.RedisStore` (``MEMOBOT_STORE=redis://…``). Every method is safe to
    call from many threads and many processes at once.
    """

    def claim(self, key: str, ttl: float, *, attempt: int | None = None, owner: str = "") -> bool:
        """Atomically take ``key`` for ``ttl`` seconds; True when this caller got it.

        Without ``attempt`` the claim is final at once (a *kept* mark): the first caller wins,
        everyone else loses until it expires. With ``attempt`` (Slack's delivery attempt: 0 for
        the first delivery, 1, 2, 3 for its retries) it is a *lease* held by ``owner`` until
        :meth:`keep` turns it into a kept mark: a later claim wins when the key is free or
        expired, or when it holds only a lease taken at a lower attempt (the redelivery takes
        the unfinished work over); a lease at the same or a higher attempt, or a kept mark,
        makes it lose."""
        ...

    def keep(self, key: str, ttl: float, *, owner: str | None = None) -> bool:
        """Make ``key`` a kept mark for ``ttl`` seconds from now: no redelivery takes it over.

        With ``owner`` only while the key is still that owner's (or free): False, and nothing
        changed, when another delivery took the lease over or holds it, so the caller must not
        do what the claim was for. Without ``owner`` always (True), and the mark has no owner."""
        ...

    def pace(self, key: str, interval: float, burst: int, now: float) -> float:
        """Take the next posting slot under ``key`` (a generic cell rate shared by every
        replica: ``burst`` at once, then one per ``interval`` seconds); return the seconds until
        it opens. ``now`` is wall-clock time (replicas share no monotonic clock)."""
        ...

    def record_vote(self, answer_key: str, voter: str, vote: str, now: float) -> VoteOutcome:
        """Set ``voter``'s vote on ``answer_key`` (one per voter and answer: a second click
        replaces the first)."""
        ...

    def vote_counts(self, answer_key: str) -> tuple[int, int]:
        """(👍, 👎) standing on ``answer_key``: one per voter (what the answer's message shows)."""
        ...

    def log_question(self, record: QuestionRecord) -> None:
        """Append one question to the log."""
        ...

    def questions(self, since: float) -> list[QuestionRecord]:
        """The questions asked at or after ``since``, oldest first, with their vote counts."""
        ...

    def purge(self, before: float) -> int:
        """Forget questions and votes older than ``before``; returns how many questions went."""
        ...

    def secret(self) -> bytes:
        """A random key made once per store, shared by every replica: keys the user hashes."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
