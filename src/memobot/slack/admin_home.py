"""The admins' part of the App Home: the question log of the last week, in short."""

from __future__ import annotations

from ..report import Report
from .blocks import _context, _escaped, _section

__all__ = ["SUMMARY_DAYS", "admin_summary_blocks"]

SUMMARY_DAYS = 7
"""The period the App Home summary covers."""
_SHOWN = 5
"""Questions listed per list (the full lists are in `memobot report`)."""


def admin_summary_blocks(report: Report) -> list[dict]:
    """Blocks summing up ``report`` for an admin: counts, the most asked unanswered questions and
    the most disliked answers (escaped: they are what users typed)."""
    share = f" ({report.answered / report.questions:.0%})" if report.questions else ""
    blocks: list[dict] = [
        {"type": "divider"},
        _section(
            f"*Question log, last {report.days:g} days* (only admins see this)\n"
            f"{report.questions} question{'s' if report.questions != 1 else ''}, "
            f"{report.answered} answered{share} · 👍 {report.up} · 👎 {report.down} · "
            f"reply ready in {report.latency_p50_ms:g} ms (median)"
        ),
    ]
    if report.unanswered:
        lines = [f"• {_escaped(g.question, 200)} ({g.count}×)" for g in report.unanswered[:_SHOWN]]
        blocks.append(_section("*Asked but not answered:*\n" + "\n".join(lines)))
    if report.disliked:
        lines = [f"• {_escaped(g.question, 200)} (👎 {g.down})" for g in report.disliked[:_SHOWN]]
        blocks.append(_section("*Answers marked 👎:*\n" + "\n".join(lines)))
    blocks.append(_context("The full report: `memobot report --days 30` on the bot's server."))
    return blocks
