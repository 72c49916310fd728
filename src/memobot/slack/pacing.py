"""Posting at Slack's pace: about one message per second per channel, short bursts allowed.

Slack answers a faster stream into one channel with 429s (and, worse, may drop messages
silently); a thread full of follow-ups or a busy channel during a meeting gets there quickly.
:class:`ChannelPacer` hands out posting slots per channel (a generic cell rate: ``burst``
posts at once, then one per ``interval``) and says how long to wait for the next one. Given
the bot's store, the slots are the store's, shared by every replica posting into the channel
(two replicas pacing apart would post twice as fast); when the store cannot be reached, each
process paces on its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..store import Store

__all__ = ["ChannelPacer"]

log = logging.getLogger("memobot.slack")


class ChannelPacer:
    """Posting slots per channel; thread-safe. ``interval`` 0 never waits."""

    def __init__(
        self,
        interval: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        capacity: int = 10_000,
        store: Store | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.interval = interval
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._capacity = capacity
        self._next: dict[str, float] = {}  # channel → theoretical time of the next free slot
        self._lock = threading.Lock()
        self._store = store
        self._wall_clock = wall_clock

    def reserve(self, channel: str) -> float:
        """Take the next slot in ``channel``; return how many seconds until it opens."""
        if self.interval <= 0:
            return 0.0
        if self._store is not None:
            try:
                return self._store.pace(f"channel:{channel}", self.interval, self.burst, self._wall_clock())
            except Exception as exc:  # the store's outage must not stop the answer
                log.warning(
                    "pacing %s on this process alone: the store failed (%s)", channel, type(exc).__name__
                )
        now = self._clock()
        with self._lock:
            theoretical = max(self._next.get(channel, now), now)
            # A slot opens once the backlog ahead of it is under the burst allowance.
            wait = max(0.0, theoretical - now - (self.burst - 1) * self.interval)
            self._next[channel] = theoretical + self.interval
            if len(self._next) > self._capacity:
                self._forget(now)
        return wait

    def wait_turn(self, channel: str) -> float:
        """Block until ``channel`` may be posted to; returns the seconds waited."""
        wait = self.reserve(channel)
        if wait > 0:
            self._sleep(wait)
        return wait

    def _forget(self, now: float) -> None:
        for channel in [c for c, t in self._next.items() if t <= now]:
            del self._next[channel]
