"""What the bot remembers about its conversations: the threads it is part of, the question each
thread is about, and where it answered each question (for edits).

In this process's memory, bounded and forgetful: after a restart, or on another replica, the
listeners read the conversation back from Slack instead (a thread with ``conversations.replies``,
a DM's last half hour with ``conversations.history``, for a follow-up only), and every answer
carries its question in its message metadata.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["DM_TOPIC_SECONDS", "AnswerRef", "Conversations", "Recent"]

DM_TOPIC_SECONDS = 1_800.0
"""How long a DM's last question is its topic: a question asked after lunch is a new
conversation, not a follow-up."""


class Recent:
    """A bounded, thread-safe mapping that forgets entries ``ttl`` seconds after their last write."""

    def __init__(
        self, ttl: float, capacity: int = 20_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: Hashable, value: object) -> None:
        """Remember ``value`` under ``key`` (the oldest entries go beyond ``capacity``)."""
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, key: Hashable, default: object = None) -> object:
        """The value under ``key``, or ``default`` when unknown or forgotten."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return default
            if self._clock() - found[0] >= self.ttl:
                del self._items[key]
                return default
            return found[1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass(frozen=True)
class AnswerRef:
    """Where the bot answered one question, and how it read it."""

    channel: str
    """Channel of the answer."""
    ts: str
    """The answer message's ts (``chat.update`` edits it)."""
    earlier: str = ""
    """The earlier question the answered one was read with, or empty."""


@dataclass(frozen=True)
class Topic:
    """The question a thread (or a DM) is about: follow-ups are read with it."""

    question: str
    """The last question that stood on its own."""


class Conversations:
    """Threads the bot is in, their topics, and the answers to edit when a question changes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # A day covers a working conversation; a DM's topic is shorter-lived: a question asked
        # after lunch is a new conversation, not a follow-up.
        self._threads = Recent(ttl=86_400.0, clock=clock)
        self._topics = Recent(ttl=86_400.0, clock=clock)
        self._dm_topics = Recent(ttl=DM_TOPIC_SECONDS, clock=clock)
        self._answers = Recent(ttl=86_400.0, clock=clock)
        self._pending: dict[tuple[str, str], threading.Event] = {}
        self._pending_lock = threading.Lock()

    def join(self, channel: str, thread_ts: str) -> None:
        """The bot started, or was mentioned in, this thread: untagged replies are for it."""
        self._threads.put((channel, thread_ts), True)

    def leave_unknown(self, channel: str, thread_ts: str) -> None:
        """Slack showed the bot is not in this thread: no need to ask again for a while."""
        self._threads.put((channel, thread_ts), False)

    def in_thread(self, channel: str, thread_ts: str) -> bool | None:
        """True when the bot is in the thread, False when known not to be, None when unknown."""
        found = self._threads.get((channel, thread_ts))
        return found if isinstance(found, bool) else None

    def topic(self, channel: str, thread_ts: str | None) -> str | None:
        """The question the thread (``thread_ts``) or the DM (None) is about, if remembered."""
        store = self._topics if thread_ts else self._dm_topics
        found = store.get((channel, thread_ts))
        return found.question if isinstance(found, Topic) else None

    def set_topic(self, channel: str, thread_ts: str | None, question: str) -> None:
        """Remember what the thread or DM is about now."""
        store = self._topics if thread_ts else self._dm_topics
        store.put((channel, thread_ts), Topic(question))

    def answering(self, channel: str, question_ts: str) -> None:
        """The question at ``question_ts`` is being answered: an edit arriving meanwhile waits."""
        with self._pending_lock:
            self._pending.setdefault((channel, question_ts), threading.Event())

    def answered(self, channel: str, question_ts: str, ref: AnswerRef | None) -> None:
        """The question at ``question_ts`` was answered by ``ref`` (None: the post failed)."""
        if ref is not None:
            self._answers.put((channel, question_ts), ref)
        with self._pending_lock:
            pending = self._pending.pop((channel, question_ts), None)
        if pending is not None:
            pending.set()

    def answer_to(self, channel: str, question_ts: str, wait: float = 0.0) -> AnswerRef | None:
        """Where the question at ``question_ts`` was answered, if remembered; when it is still
        being answered, wait up to ``wait`` seconds for the answer to be posted."""
        with self._pending_lock:
            pending = self._pending.get((channel, question_ts))
        if pending is not None and wait > 0:
            pending.wait(wait)
        found = self._answers.get((channel, question_ts))
        return found if isinstance(found, AnswerRef) else None
