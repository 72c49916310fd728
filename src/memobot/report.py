"""``memobot report``: what the question log says, for curators.

The unanswered questions and the 👎 answers of the last N days, each grouped by wording (case,
spacing and punctuation do not count), the most asked topics (the top excerpt's section), and
how often each memo gave the top excerpt. The App Home shows admins the same summary, shorter.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import MemobotError
from .store import QuestionRecord

__all__ = ["Group", "Report", "build_report", "format_report", "register", "wording"]

_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NO_TEXT = "(text not logged: MEMOBOT_LOG_QUESTIONS=off)"


def wording(question: str | None) -> str:
    """The key questions are grouped by: case-folded, punctuation and extra spaces gone."""
    if question is None:
        return ""
    text = unicodedata.normalize("NFKC", question).casefold()
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


@dataclass(frozen=True)
class Group:
    """Questions that share one wording."""

    question: str
    """The wording as most often typed (or a note that the text was not logged)."""
    count: int
    """How many times it was asked."""
    last_asked: float
    """When it was last asked, seconds since the epoch."""
    down: int = 0
    """👎 votes on its answers."""
    up: int = 0
    """👍 votes on its answers."""
    memo_id: str | None = None
    """The memo of the top excerpt most often shown for it (None when unanswered)."""
    passage_id: str | None = None
    """The top excerpt most often shown for it."""


@dataclass(frozen=True)
class Report:
    """The question log of a period, summed up."""

    days: float
    """The period: the last this many days."""
    questions: int
    """Questions asked."""
    answered: int
    """Of those, answered."""
    up: int
    """👍 votes on them."""
    down: int
    """👎 votes on them."""
    latency_p50_ms: float
    """Median milliseconds from question to reply ready."""
    latency_p95_ms: float
    """95th percentile of the same."""
    unanswered: tuple[Group, ...]
    """Unanswered questions by wording, most asked first."""
    disliked: tuple[Group, ...]
    """Answers with a 👎, by wording, most 👎 first."""
    topics: tuple[tuple[str, int], ...]
    """(memo id › section, questions) for answered questions, most asked first."""
    memo_hits: tuple[tuple[str, int], ...]
    """(memo id, answered questions whose top excerpt it gave), most first."""

    def as_dict(self) -> dict:
        """JSON-ready form (``memobot report --json``)."""
        return {
            "days": self.days,
            "questions": self.questions,
            "answered": self.answered,
            "up": self.up,
            "down": self.down,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            "unanswered": [g.__dict__ for g in self.unanswered],
            "disliked": [g.__dict__ for g in self.disliked],
            "topics": [{"topic": t, "questions": n} for t, n in self.topics],
            "memo_hits": [{"memo_id": m, "questions": n} for m, n in self.memo_hits],
        }


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def _groups(records: Iterable[QuestionRecord]) -> list[Group]:
    by_wording: dict[str, list[QuestionRecord]] = {}
    for record in records:
        by_wording.setdefault(wording(record.question), []).append(record)
    groups = []
    for key, members in by_wording.items():
        typed = Counter(r.question for r in members if r.question is not None)
        shown = Counter((r.memo_id, r.passage_id) for r in members if r.passage_id)
        memo_id, passage_id = shown.most_common(1)[0][0] if shown else (None, None)
        groups.append(
            Group(
                question=typed.most_common(1)[0][0] if key and typed else _NO_TEXT,
                count=len(members),
                last_asked=max(r.time for r in members),
                down=sum(r.down for r in members),
                up=sum(r.up for r in members),
                memo_id=memo_id,
                passage_id=passage_id,
            )
        )
    return groups


def build_report(records: Sequence[QuestionRecord], days: float, limit: int = 10) -> Report:
    """Sum up ``records`` (the log of the last ``days`` days); lists keep ``limit`` entries."""
    answered = [r for r in records if r.answered]
    unanswered = sorted(
        _groups(r for r in records if not r.answered), key=lambda g: (-g.count, -g.last_asked)
    )
    disliked = sorted(_groups(r for r in records if r.down), key=lambda g: (-g.down, -g.count, -g.last_asked))
    topics = Counter(f"{r.memo_id} › {r.section}" if r.section else str(r.memo_id) for r in answered)
    memos = Counter(str(r.memo_id) for r in answered)
    latencies = [r.latency_ms for r in records]
    return Report(
        days=days,
        questions=len(records),
        answered=len(answered),
        up=sum(r.up for r in records),
        down=sum(r.down for r in records),
        latency_p50_ms=_percentile(latencies, 0.5),
        latency_p95_ms=_percentile(latencies, 0.95),
        unanswered=tuple(unanswered[:limit]),
        disliked=tuple(disliked[:limit]),
        topics=tuple(sorted(topics.items(), key=lambda t: (-t[1], t[0]))[:limit]),
        memo_hits=tuple(sorted(memos.items(), key=lambda t: (-t[1], t[0]))),
    )


def _shown(text: str, width: int = 90) -> str:
    """A question as the terminal may show it: control characters made visible, long ones cut."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _date(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M")


def format_report(report: Report) -> str:
    """The report as text for a terminal."""
    share = f"{report.answered / report.questions:.0%}" if report.questions else "–"
    lines = [
        f"Questions of the last {report.days:g} days: {report.questions}, "
        f"answered {report.answered} ({share}); "
        f"👍 {report.up}, 👎 {report.down}; reply ready in {report.latency_p50_ms:g} ms median, "
        f"{report.latency_p95_ms:g} ms p95",
        "",
        "Unanswered, by wording (times asked, last asked):",
    ]
    lines += [f"  {g.count:>4}  {_date(g.last_asked)}  {_shown(g.question)}" for g in report.unanswered] or [
        "  none"
    ]
    lines += ["", "👎 answers, by wording (👎, 👍, times asked, top excerpt):"]
    lines += [
        f"  {g.down:>4} {g.up:>4} {g.count:>4}  {_shown(g.question, 60)}  [{g.passage_id or 'no answer'}]"
        for g in report.disliked
    ] or ["  none"]
    lines += ["", "Most asked topics (answered questions):"]
    lines += [f"  {n:>4}  {_shown(topic)}" for topic, n in report.topics] or ["  none"]
    lines += ["", "Top excerpts per memo:"]
    lines += [f"  {n:>4}  {memo}" for memo, n in report.memo_hits] or ["  none"]
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the command line."""
    report = sub.add_parser(
        "report",
        help="what the question log says: unanswered and 👎 questions, topics, memo hits",
        description=(
            "Sum up the question log of the last N days from the store a bot writes to "
            "(MEMOBOT_STORE, else the SQLite file in MEMOBOT_STATE_DIR)."
        ),
    )
    report.add_argument("--days", type=_days, default=7.0, metavar="N", help="period in days (7)")
    report.add_argument("--limit", type=_limit, default=10, metavar="N", help="entries per list (10)")
    report.add_argument("--json", action="store_true", help="print the report as one JSON object")
    report.set_defaults(run=_cmd_report)


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < value <= 3650:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0 and at most 3650")
    return value


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number from 1 to 1000")
    return int(text)


def _cmd_report(args: argparse.Namespace) -> int:
    from .questionlog import QuestionLog
    from .store import StoreSettings, open_store

    settings = StoreSettings.from_env()
    path = settings.sqlite_path
    if path is not None and not path.is_file():
        raise MemobotError(
            f"no question log at {path}: no bot has run with this store "
            "(set MEMOBOT_STORE, or MEMOBOT_STATE_DIR, as the bot has them)"
        )
    store = open_store(settings)
    try:
        records = QuestionLog(store, settings).recent(args.days)
    finally:
        store.close()
    report = build_report(records, args.days, args.limit)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print(format_report(report))
    sys.stdout.flush()
    return 0
