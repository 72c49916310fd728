"""Block Kit rendering: answers, no-answer replies, help, refresh reports and the App Home.

Every function returns a :class:`Message` (or a view dict) that respects Slack's limits: at
most 50 blocks per message (100 per Home view), at most 3000 characters per section text, a
plain-text ``text`` fallback for notifications, and button values of at most 2000 characters.
Everything that comes from a user or from a knowledge file is escaped; text is cut on the plain
words first and only then marked up, so a cut never falls inside ``*bold*`` or ``&amp;``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from ..models import Answer, Hit, KnowledgeBase, Memo, Recommendation
from ..service import ReloadReport, Status
from .text import escape, is_user_id, truncate_words

__all__ = [
    "ACTION_FEEDBACK_DOWN",
    "ACTION_FEEDBACK_UP",
    "ACTION_MORE",
    "ACTION_SHARE",
    "MAX_BLOCKS",
    "MAX_BUTTON_VALUE",
    "MAX_HOME_BLOCKS",
    "MAX_SECTION_TEXT",
    "VOTES_BLOCK_ID",
    "ButtonValue",
    "Message",
    "answer_message",
    "error_message",
    "home_view",
    "notice_message",
    "parse_button_value",
    "refresh_message",
    "too_long_message",
    "usage_message",
    "with_votes",
]

MAX_BLOCKS = 50
"""Slack's limit on blocks in one message."""
MAX_HOME_BLOCKS = 100
"""Slack's limit on blocks in a Home tab view."""
MAX_SECTION_TEXT = 3000
"""Slack's limit on a section's (and a context element's) text."""
MAX_BUTTON_VALUE = 2000
"""Slack's limit on a button's value."""
MAX_FALLBACK_TEXT = 3000
"""Our own cap on the notification text (Slack truncates long ones anyway)."""
_EXCERPT_CHARS = 900
"""An excerpt longer than this is cut with "…": a reply should be read, not scrolled."""
_MAX_PROBLEMS_SHOWN = 40
"""Problems listed in a refresh report before "… and N more (see the log)"."""

_ANSWER_KEY = re.compile(r"[0-9a-f]{1,64}")
"""What an answer key looks like (``memobot.questionlog.new_answer_key``)."""

ACTION_SHARE = "memobot_share"
ACTION_MORE = "memobot_more"
ACTION_FEEDBACK_UP = "memobot_feedback_up"
ACTION_FEEDBACK_DOWN = "memobot_feedback_down"
VOTES_BLOCK_ID = "memobot_votes"
"""The context block that shows an answer's 👍 / 👎 tally (replaced on every vote)."""


@dataclass(frozen=True)
class Message:
    """A Slack message: blocks plus the plain-text fallback used for notifications."""

    text: str
    """Fallback text (notifications, screen readers, old clients)."""
    blocks: tuple[dict, ...] = ()
    """Block Kit blocks."""

    def as_kwargs(self) -> dict:
        """Keyword arguments for ``chat.postMessage``, ``respond`` or ``ack``."""
        return {"text": self.text, "blocks": list(self.blocks)}


@dataclass(frozen=True)
class ButtonValue:
    """What a More / Share / feedback button carries: all the state it needs, none on the server."""

    question: str
    """The question, as asked (markup already stripped)."""
    offset: int = 0
    """How many best hits the answer it belongs to skipped (More asks for the ones after it)."""
    passage_ids: tuple[str, ...] = ()
    """The passages the answer showed (recorded with feedback)."""
    answer_key: str = ""
    """The question log's key of the answer (votes are recorded against it); "" on old buttons."""
    earlier: str = ""
    """The earlier question of the thread that ``question`` was read with (a follow-up), or empty."""


def _button_value(value: ButtonValue) -> str | None:
    """The JSON a button carries, or None when it would exceed Slack's limit."""
    data: dict = {"q": value.question, "o": value.offset}
    if value.passage_ids:
        data["p"] = list(value.passage_ids)
    if value.answer_key:
        data["a"] = value.answer_key
    if value.earlier:
        data["e"] = value.earlier
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Markup a user typed never reaches Slack raw, not even inside a value Slack does not
    # render: JSON's own escapes, which json.loads turns back (only strings hold these).
    encoded = encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return encoded if len(encoded) <= MAX_BUTTON_VALUE else None


def parse_button_value(raw: object) -> ButtonValue | None:
    """The button's state, or None for anything we did not produce (old or forged payloads)."""
    if not isinstance(raw, str) or len(raw) > MAX_BUTTON_VALUE:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # a forged value of a thousand nested lists
        return None
    if not isinstance(data, dict):
        return None
    question, offset, ids, key = data.get("q"), data.get("o", 0), data.get("p", []), data.get("a", "")
    earlier = data.get("e", "")
    if not isinstance(question, str) or not question.strip() or not isinstance(earlier, str):
        return None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 1000:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    if not isinstance(key, str) or not _ANSWER_KEY.fullmatch(key or "0"):
        return None
    return ButtonValue(
        question=question, offset=offset, passage_ids=tuple(ids), answer_key=key, earlier=earlier
    )


# --- small builders -------------------------------------------------------------------------


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit_mrkdwn(text)}}


def _context(*texts: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit_mrkdwn(t)} for t in texts[:10]]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _fit_mrkdwn(text: str) -> str:
    """Last-resort guard for already marked-up text: cut before the last complete line."""
    if len(text) <= MAX_SECTION_TEXT:
        return text
    head = text[: MAX_SECTION_TEXT - 1]
    cut = head.rfind("\n")
    return (head[:cut] if cut > 0 else _strip_partial_markup(head)) + "…"


def _strip_partial_markup(text: str) -> str:
    """Drop a trailing, unfinished entity or link so a hard cut never leaves broken markup."""
    text = re.sub(r"&[a-z]*$", "", text)
    cut = text.rfind("<")
    if cut >= 0 and ">" not in text[cut:]:
        text = text[:cut]
    # An odd number of bold marks would leave bold open: drop everything from the last one.
    if text.count("*") % 2:
        text = text[: text.rfind("*")]
    return text


def _link(url: str, label: str) -> str:
    """``<url|label>`` for http(s) URLs (the URL made safe for Slack's link syntax), else the label."""
    if not re.match(r"https?://[^\s]+$", url or ""):
        return escape(label)
    safe_url = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._").replace("&", "&amp;")
    return f"<{safe_url}|{escape(label)}>"


def _quote_lines(text: str) -> str:
    return "\n".join(f">{line}" if line else ">" for line in text.split("\n"))


def _bold_terms(text: str, terms: Sequence[str]) -> str:
    """Escape ``text`` and put matched whole words in bold."""
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"*{escape(match.group(0))}*")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _within(text: str, chars: int, room: int, render) -> str:
    """``render(cut)`` of the longest word-boundary cut of ``text`` (at most ``chars`` plain
    characters) whose rendering fits in ``room``: cutting before marking up means a cut never
    lands inside ``*bold*`` or an ``&amp;`` entity."""
    budget = min(chars, room)
    while True:
        rendered = render(truncate_words(text, budget))
        if len(rendered) <= room:
            return rendered
        if budget <= 1:
            return render("") if len(render("")) <= room else ""
        budget = max(1, budget - max(1, (len(rendered) - room) // 2))


def _excerpt(
    text: str, terms: Sequence[str], chars: int = _EXCERPT_CHARS, room: int = MAX_SECTION_TEXT
) -> str:
    """The quoted, escaped excerpt with matched terms in bold, within ``room`` characters."""
    return _within(text, chars, room, lambda cut: _quote_lines(_bold_terms(cut, terms)))


def _escaped(text: str, chars: int, room: int | None = None) -> str:
    """``text`` escaped, cut at a word boundary so that the escaped form fits ``room``."""
    return _within(" ".join(text.split()), chars, chars if room is None else room, escape)


def _memo_of(kb: KnowledgeBase, memo_id: str) -> Memo | None:
    try:
        return kb.memo(memo_id)
    except KeyError:
        return None


def _citation(kb: KnowledgeBase, hit: Hit, number: int) -> str:
    memo = _memo_of(kb, hit.passage.memo_id)
    if memo is None:
        return f"*{number}.* {_escaped(hit.citation, 600)}"
    page = hit.passage.page
    series = f"{_escaped(memo.series, 100)}: " if memo.series else ""
    title = _link(kb.source_link(hit.passage), truncate_words(memo.title, 300))
    section = _escaped(hit.passage.section_label, 300, 600)
    where = f" · p. {page}" if page is not None else ""
    return f"*{number}.* {series}{title} ({memo.year}) · {section} · ¶{hit.passage.position}{where}"


def _same_text(a: str, b: str) -> bool:
    """Whether two texts say the same words (spacing and case aside)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _recommendation_blocks(
    kb: KnowledgeBase, rec: Recommendation, shown: Sequence[tuple[int, Hit]] = ()
) -> list[dict]:
    memo = _memo_of(kb, rec.memo_id)
    role = _escaped(rec.role, 200)
    # Quoted once: when an excerpt above already is the recommendation, point at it instead.
    for number, hit in shown:
        if hit.passage.memo_id == rec.memo_id and _same_text(hit.passage.text, rec.text):
            link = _link(kb.source_link(hit.passage), "in the memo") if memo else ""
            where = f" ({link})" if link else ""
            return [
                _section(
                    f":bulb: *Matching recommendation — role: {role}:* excerpt {number} above is the "
                    f"memo's recommendation{where}."
                )
            ]
    source = f"From {_link(memo.source_url, truncate_words(memo.title, 300))}" if memo else ""
    head = f":bulb: *Matching recommendation — role: {role}*\n"
    blocks = [
        _section(head + _excerpt(rec.text, (), chars=MAX_SECTION_TEXT, room=MAX_SECTION_TEXT - len(head)))
    ]
    if source:
        blocks.append(_context(source))
    return blocks


def _question_context(question: str, shared_by: str | None = None, earlier: str = "") -> dict:
    texts = [f"*Question:* {_escaped(question, 1000, 2000)}"]
    if earlier:
        texts.append(f"Read with the earlier question “{_escaped(earlier, 300, 600)}”")
    if shared_by and is_user_id(shared_by):
        texts.append(f"Shared by <@{shared_by}>")
    return _context(*texts)


# --- messages -------------------------------------------------------------------------------


def answer_message(
    answer: Answer,
    kb: KnowledgeBase,
    *,
    examples: Sequence[str] = (),
    shareable: bool = False,
    shared_by: str | None = None,
    asked: str | None = None,
    earlier: str = "",
    answer_key: str = "",
) -> Message:
    """The reply to a question: excerpts with citations and the recommendation, or a no-answer
    reply with the closest topics and example questions; 👍 / 👎 on both. ``shareable`` adds
    "Share in channel" (for ephemeral answers); ``shared_by`` credits the user who shared it.
    A follow-up shows what was ``asked`` and says it was read with the ``earlier`` question
    (``answer.question`` is then the two together, as retrieval saw them). ``answer_key`` (the
    question log's) goes into the buttons, so votes and More pages find their question."""
    asked = answer.question if asked is None else asked
    if not answer.hits:
        return _no_answer_message(answer, examples, shared_by, asked, earlier, answer_key)
    blocks: list[dict] = [_question_context(asked, shared_by, earlier)]
    if answer.tentative:
        # Not an answer: the passages that match the question best, said to be no more.
        blocks.append(_section("No confident answer in the memos. *The closest passages (low confidence):*"))
    shown = list(enumerate(answer.hits[: (MAX_BLOCKS - 7) // 2], answer.offset + 1))
    for number, hit in shown:
        blocks.append(_section(_excerpt(hit.passage.text, hit.matched_terms)))
        blocks.append(_context(_citation(kb, hit, number)))
    # The recommendation belongs to the question, not to a page of results: shown once.
    if answer.recommendation is not None and answer.offset == 0:
        blocks.append({"type": "divider"})
        blocks.extend(_recommendation_blocks(kb, answer.recommendation, shown))
    actions = _answer_actions(answer, shareable, asked, earlier, answer_key)
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    first = answer.hits[0]
    lead = "Closest passages (low confidence) for" if answer.tentative else "Answer to"
    text = (
        f"{lead} “{_escaped(asked, 300)}”: "
        f"“{_escaped(first.passage.text, 600, 1200)}” ({_escaped(first.citation, 600)})"
    )
    return Message(text=text, blocks=tuple(blocks[:MAX_BLOCKS]))


def _answer_actions(
    answer: Answer, shareable: bool, asked: str, earlier: str, answer_key: str = ""
) -> list[dict]:
    ids = tuple(h.passage.id for h in answer.hits)
    buttons = []
    # A More page is part of the same answer: its votes count for the question asked.
    more = _button_value(
        ButtonValue(asked, answer.offset + len(answer.hits), (), answer_key, earlier=earlier)
    )
    if answer.has_more and more:
        buttons.append(_button("More results", ACTION_MORE, more))
    buttons += _feedback_buttons(ButtonValue(asked, answer.offset, ids, answer_key, earlier=earlier))
    share = _button_value(ButtonValue(asked, answer.offset, (), answer_key, earlier=earlier))
    if shareable and share:
        buttons.append(_button("Share in channel", ACTION_SHARE, share, style="primary"))
    return buttons


def _feedback_buttons(value: ButtonValue) -> list[dict]:
    encoded = _button_value(value)
    if not encoded:
        return []
    return [
        _button("👍 Helpful", ACTION_FEEDBACK_UP, encoded),
        _button("👎 Not helpful", ACTION_FEEDBACK_DOWN, encoded),
    ]


def _bullets(items: Iterable[str], code: bool = False) -> str:
    wrap = (lambda s: f"`{s}`") if code else (lambda s: s)
    return "\n".join(f"• {wrap(_escaped(item, 300))}" for item in items)


def _no_answer_message(
    answer: Answer,
    examples: Sequence[str],
    shared_by: str | None,
    asked: str,
    earlier: str,
    answer_key: str = "",
) -> Message:
    question = _escaped(asked, 1000, 2000)
    lines = [f"I found nothing in the memos that answers “{question}”."]
    if earlier:
        lines[0] += f" (I read it with the earlier question “{_escaped(earlier, 300, 600)}”.)"
    if answer.suggestions:
        lines.append(f"*Closest topics:*\n{_bullets(answer.suggestions[:5])}")
    if examples:
        lines.append(f"*You could ask, for example:*\n{_bullets(examples[:5], code=True)}")
    blocks: list[dict] = [_section("\n\n".join(lines))]
    if shared_by and is_user_id(shared_by):
        blocks.append(_context(f"Shared by <@{shared_by}>"))
    # A "no good answer" is feedback curators need most: a 👎 here is a gap in the memos or a miss.
    buttons = _feedback_buttons(ButtonValue(asked, 0, (), answer_key, earlier=earlier))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    text = f"No good answer in the memos for “{_escaped(asked, 300)}”."
    if answer.suggestions:
        text += " Closest topics: " + "; ".join(_escaped(s, 300) for s in answer.suggestions[:5])
    return Message(text=text, blocks=tuple(blocks))


def with_votes(blocks: Sequence[dict], up: int, down: int, mine: str | None = None) -> list[dict]:
    """``blocks`` with the 👍 / 👎 tally shown just above the buttons (replacing an older tally).

    ``mine`` ("up"/"down") adds "your vote is counted" — only for messages just one user sees."""
    line = f"Feedback: 👍 {up} · 👎 {down} — one vote per person; clicking the other button changes yours."
    if mine in ("up", "down"):
        line = f"Your {'👍' if mine == 'up' else '👎'} is counted. " + line
    tally = {"type": "context", "block_id": VOTES_BLOCK_ID, "elements": [{"type": "mrkdwn", "text": line}]}
    out = [b for b in blocks if not (isinstance(b, dict) and b.get("block_id") == VOTES_BLOCK_ID)]
    actions = [i for i, b in enumerate(out) if isinstance(b, dict) and b.get("type") == "actions"]
    at = actions[-1] if actions else len(out)
    out.insert(at, tally)
    return out[:MAX_BLOCKS]


def usage_message(examples: Sequence[str], *, admin: bool = False) -> Message:
    """How to ask: mentions, DMs, ``/memo``, with example questions from the knowledge base."""
    lines = [
        "*Ask me about the policy memos.* I answer with exact quotes from the memos, "
        "each with its source, and the memo's matching recommendation.",
        "• Mention me in a channel: `@memobot &lt;question&gt;` — I answer in a thread.\n"
        "• Send me a direct message with your question.\n"
        "• `/memo &lt;question&gt;` — only you see the answer; *Share in channel* posts it for everyone.\n"
        "• `/memo help` — this help.",
    ]
    if admin:
        lines[-1] += "\n• `/memo refresh` — reload the knowledge base (admins)."
    if examples:
        lines.append("*Examples:*\n" + "\n".join(f"• `/memo {_escaped(q, 300)}`" for q in examples[:6]))
    text = "Ask me about the policy memos: mention me, DM me, or use /memo &lt;question&gt;."
    return Message(text=text, blocks=(_section("\n\n".join(lines)),))


def too_long_message(length: int, limit: int) -> Message:
    """The refusal for a question over the length limit, stating the limit."""
    text = (
        f"Your question is {length:,} characters long; I take questions of up to {limit:,} "
        "characters. Please ask something shorter."
    )
    return Message(text=text, blocks=(_section(text),))


def notice_message(mrkdwn: str) -> Message:
    """A short message whose mrkdwn is ours: callers escape whatever they put into it."""
    shown = _fit_mrkdwn(mrkdwn)
    return Message(text=shown, blocks=(_section(shown),))


def error_message(text: str) -> Message:
    """A short plain message (apologies, refusals, failures to post); ``text`` is escaped."""
    shown = _escaped(text, MAX_FALLBACK_TEXT)
    return Message(text=shown, blocks=(_section(shown),))


def _problem_sections(problems: Sequence[str], room: int) -> list[dict]:
    """Problems as bullet sections, each under the text limit, at most ``room`` blocks."""
    shown = problems[:_MAX_PROBLEMS_SHOWN]
    blocks, current = [], ""
    for problem in shown:
        line = f"• {_escaped(problem, 1000, 2000)}"
        if current and len(current) + 1 + len(line) > MAX_SECTION_TEXT:
            blocks.append(_section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(_section(current))
    hidden = len(problems) - len(shown)
    if len(blocks) > room:
        hidden += sum(b["text"]["text"].count("\n• ") + 1 for b in blocks[room - 1 :])
        blocks = blocks[: room - 1]
    if hidden > 0:
        blocks.append(
            _context(f"… and {hidden} more problem{'s' if hidden != 1 else ''}; the bot's log has all.")
        )
    return blocks


def refresh_message(report: ReloadReport) -> Message:
    """The report of a ``/memo refresh``: what changed and how long it took, or every problem."""
    if report.ok:
        head = (
            f":white_check_mark: Knowledge base reloaded in {report.seconds:.2f} s — "
            f"{_escaped(report.changes.summary(), 500)} (version `{_escaped(report.version, 100)}`)."
        )
        lines = report.changes.lines()
        blocks = [_section(head)]
        if lines:
            blocks.append(_section(_bullets(lines)))
        return Message(text=_escaped(report.summary(), MAX_FALLBACK_TEXT), blocks=tuple(blocks))
    count = len(report.problems)
    head = (
        f":x: Reload refused: {count} problem{'s' if count != 1 else ''} in the knowledge files. "
        f"Still serving version `{_escaped(report.version, 100)}`; nothing changed for users."
    )
    blocks = [_section(head), *_problem_sections(report.problems, MAX_BLOCKS - 1)]
    text = _escaped(report.summary() + ": " + "; ".join(report.problems[:3]), MAX_FALLBACK_TEXT)
    return Message(text=text, blocks=tuple(blocks[:MAX_BLOCKS]))


def _date(moment: datetime) -> str:
    """Slack's date markup: shown in the reader's time zone, ISO text as the fallback."""
    fallback = moment.isoformat(timespec="seconds")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def home_view(status: Status, kb: KnowledgeBase, examples: Sequence[str]) -> dict:
    """The App Home tab: what the bot knows, when it was last refreshed, and how to ask."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "memobot", "emoji": True}},
        _section(
            "I answer questions about policy memos with *exact quotes*, each linked to its source, "
            "and the memo's matching recommendation. Nothing I show is paraphrased."
        ),
        {"type": "divider"},
        _section(
            f"*What I know:* {status.memos} memo{'s' if status.memos != 1 else ''}, "
            f"{status.passages} passages, {status.recommendations} recommendations."
        ),
    ]
    urls = {memo.id: memo for memo in kb.memos}
    memo_room = MAX_HOME_BLOCKS - 12
    for memo_id, title, passages, recs in status.memo_titles[:memo_room]:
        memo = urls.get(memo_id)
        label = _link(memo.source_url, truncate_words(title, 300)) if memo else _escaped(title, 300)
        extra = f" ({_escaped(memo.publisher, 200)}, {memo.year})" if memo else ""
        blocks.append(_section(f"{label}{extra}\n{passages} passages · {recs} recommendations"))
    if len(status.memo_titles) > memo_room:
        blocks.append(_context(f"… and {len(status.memo_titles) - memo_room} more memos."))
    blocks.append(
        _context(
            f"Last refresh: {_date(status.loaded_at)} (took {status.load_seconds:.2f} s) · "
            f"version `{_escaped(status.version, 100)}`"
        )
    )
    if status.last_error:
        when = _date(status.last_error_at) if status.last_error_at else "earlier"
        count = len(status.last_error)
        still = " The files on disk are still broken." if status.stale else " A later refresh succeeded."
        blocks.append(
            _section(
                f":warning: *Last failed refresh:* {when}, {count} problem{'s' if count != 1 else ''}; "
                f"the previous knowledge kept serving.{still}"
            )
        )
        blocks.extend(_problem_sections(status.last_error[:10], 4))
    else:
        blocks.append(_context("Last failed refresh: none."))
    blocks.append({"type": "divider"})
    blocks.extend(usage_message(examples).blocks)
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
