"""Questions in, text out: strip Slack markup from what users type, escape what we echo.

Slack sends message text with its own markup (``<@U123>``, ``<!channel>``, ``<https://x|y>``)
and with ``&``, ``<`` and ``>`` escaped as entities. Retrieval wants the words only; anything
shown back must be escaped again so a typed ``<!channel>`` can never ping or render.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ELLIPSIS",
    "RAW_FACTOR",
    "clean_question",
    "escape",
    "is_ts",
    "is_user_id",
    "truncate_words",
]

ELLIPSIS = "…"

# Slack markup tokens: <@U…>, <#C…|name>, <!here>, <!subteam^S…|@team>, <url|label>, <url>.
_BRACKET = re.compile(r"[<>\n]")
# Slack sends emoji as :shortcode: text (":wave:", ":+1::skin-tone-3:"); a colon glued to a word
# or digit ("kl. 10:30:45", "NB:obs:") is not an emoji, so both sides must be free.
_EMOJI = re.compile(r"(?<![\w:]):[a-z0-9_+'-]+:(?::skin-tone-[2-6]:)?(?![\w])")
RAW_FACTOR = 8
"""A text more than this many times the question limit is refused before it is cleaned:
markup (a mention, a link) explains some overhead, not forty thousand characters."""
_FORMATTING = re.compile(r"(?<!\w)[*_~`]+|[*_~`]+(?!\w)")
_SPACE = re.compile(r"\s+")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,9}")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack requires for any text it should show verbatim."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:  # &amp; last, so "&amp;lt;" stays the literal "&lt;"
        text = text.replace(entity, char)
    return text


def _markup_words(token: str) -> str:
    """What a markup token contributes to a question: a link's or channel's label, else nothing."""
    target, _, label = token.partition("|")
    if target.startswith(("@", "!")):
        return ""  # people, @here/@channel, user groups, dates: not what a question is about
    if target.startswith("#"):
        return label
    return label  # a link: its visible label; a bare URL says nothing about the memos


def _strip_markup(text: str) -> str:
    """Every ``<…>`` token replaced by the words it contributes, innermost first, in one pass.

    The same as replacing innermost tokens (no ``<``, ``>`` or newline inside) until nothing
    changes, so "<<@U1>>" leaves no new "< >" behind, but linear: the repeated replacing took
    seconds on 20 000 nested brackets. A token's words are kept without the whitespace around
    them (the caller collapses whitespace anyway), so an enclosing token re-reads only what its
    inner tokens left: linear, except for labels nested in labels (``<|a<|b<|c>>>``), which
    grow with the depth; callers cap the length first (``RAW_FACTOR``). Brackets that close
    nothing are left for the caller.
    """
    if "<" not in text:
        return text
    out: list[str] = []  # pieces of the result; each "<" is a piece of its own
    opened: list[int] = []  # where in ``out`` each still-open "<" is
    done = 0
    for match in _BRACKET.finditer(text):
        at, char = match.start(), match.group()
        if at > done:
            out.append(text[done:at])
        done = at + 1
        if char == "<":
            opened.append(len(out))
            out.append(char)
        elif char == ">" and opened:
            start = opened.pop()
            token = "".join(out[start + 1 :])
            del out[start:]
            out.append(f" {_markup_words(token).strip()} ")
        else:
            if char == "\n":
                opened.clear()  # a token never spans lines
            out.append(char)
    out.append(text[done:])
    return "".join(out)


def clean_question(text: str) -> str:
    """The words of a question as typed in Slack: mentions, markup and emoji shortcodes gone,
    entities decoded, formatting marks and control characters dropped, whitespace collapsed.
    Linear in the text's length; callers refuse texts far over their question limit before
    calling it."""
    # Slack escapes every bracket a user types, so brackets left after the markup are stray.
    text = _strip_markup(text)
    text = _unescape(text.replace("<", " ").replace(">", " "))
    text = _EMOJI.sub(" ", text)
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = _FORMATTING.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def is_user_id(value: object) -> bool:
    """Whether ``value`` looks like a Slack user id (safe to render as ``<@…>``)."""
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


def is_ts(value: object) -> bool:
    """Whether ``value`` looks like a Slack message timestamp ("1700000000.000100"): only such a
    value is passed on as a ``ts`` or ``thread_ts`` (a forged payload may put anything there)."""
    return isinstance(value, str) and _TS.fullmatch(value) is not None


def truncate_words(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else cut at a word boundary with "…".

    The result, ellipsis included, never exceeds ``limit``. A single word longer than the
    limit is cut hard: there is no boundary to honour.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit] if limit > 0 else ""
    room = limit - len(ELLIPSIS)
    cut = text[: room + 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    head = text[:boundary] if boundary > 0 else text[:room]
    return head.rstrip(" \n,;:–-") + ELLIPSIS
