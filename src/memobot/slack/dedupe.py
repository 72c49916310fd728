"""Remembering what was already answered, so Slack's retries and double deliveries get one reply.

Slack redelivers an event when it did not see our ack in time (``X-Slack-Retry-Num`` over
HTTP, ``retry_attempt`` in Socket Mode) with the same ``event_id``; a mention in a DM arrives
twice, as ``app_mention`` and as ``message.im``, with different event ids but the same
(channel, ts). Both keys are claimed atomically: the first claimant answers, the rest do not.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["SeenKeys"]


class SeenKeys:
    """A bounded, thread-safe set of recently seen keys that forgets them after ``ttl`` seconds."""

    def __init__(
        self, ttl: float = 3600.0, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # An hour covers Slack's retry schedule (immediately, 1 min, 5 min) with room to spare.
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, *keys: Hashable) -> bool:
        """True (and remember all ``keys``) when none was seen recently; False otherwise.

        ``None`` keys are ignored, so callers can pass keys an event may not have.
        """
        wanted = [k for k in keys if k is not None]
        now = self._clock()
        with self._lock:
            self._expire(now)
            if any(k in self._seen for k in wanted):
                return False
            for key in wanted:
                self._seen[key] = now
                self._seen.move_to_end(key)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True

    def _expire(self, now: float) -> None:
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.ttl:
                break
            del self._seen[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)
