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
    "clean_question",
    "escape",
    "is_ts",
    "is_user_id",
    "truncate_words",
]

ELLIPSIS = "…"

# One Slack markup token: <@U…>, <#C…|name>, <!here>, <!subteam^S…|@team>, <url|label>, <url>.
_MARKUP = re.compile(r"<([^<>\n]*)>")
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


def clean_question(text: str) -> str:
    """The words of a question as typed in Slack: mentions and markup gone, entities decoded,
    formatting marks and control characters dropped, whitespace collapsed."""
    # Until stable: "<<@U1>>" must not leave a new "< >" token behind. Slack escapes every
    # bracket a user types, so brackets left over after that are stray and go too.
    previous = None
    while previous != text:
        previous, text = text, _MARKUP.sub(lambda m: f" {_markup_words(m.group(1))} ", text)
    text = _unescape(text.replace("<", " ").replace(">", " "))
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
