"""👍 / 👎 feedback on answers, appended as JSON lines (one object per click)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["FeedbackLog", "FeedbackRecord"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedbackRecord:
    """One verdict on one answer."""

    question: str
    """The question the answer was for."""
    passage_ids: tuple[str, ...]
    """The passages the answer showed."""
    verdict: str
    """"up" or "down"."""
    user: str
    """Slack user id of whoever clicked."""
    time: str
    """When, ISO 8601 in UTC."""
    offset: int = 0
    """How many better hits the answer skipped ("More results" pages are > 0)."""
    channel: str = ""
    """Channel id the answer was in, if known."""

    def as_dict(self) -> dict:
        """The JSON object written for this record."""
        return {
            "time": self.time,
            "user": self.user,
            "verdict": self.verdict,
            "question": self.question,
            "passage_ids": list(self.passage_ids),
            "offset": self.offset,
            "channel": self.channel,
        }


class FeedbackLog:
    """Appends records to one file; safe to use from many threads at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(
        self,
        *,
        question: str,
        passage_ids: Sequence[str],
        verdict: str,
        user: str,
        offset: int = 0,
        channel: str = "",
    ) -> FeedbackRecord:
        """Append one record (creating the file and its directory if needed) and return it."""
        entry = FeedbackRecord(
            question=question,
            passage_ids=tuple(passage_ids),
            verdict=verdict,
            user=user,
            time=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            offset=offset,
            channel=channel,
        )
        line = json.dumps(entry.as_dict(), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write() of one line in append mode: lines from other processes never interleave.
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
        log.info("feedback %s from %s on %s", verdict, user, ",".join(entry.passage_ids) or "-")
        return entry
