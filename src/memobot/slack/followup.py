"""Follow-up questions: when a short or elliptic question is read together with the earlier one.

"og i Japan?", "what about cyber?" or "Hvad koster det?" mean little alone; after "Hvad kan
Danmark gøre som alliancebrobygger?" they mean a lot. The words below are the function words of
Danish and English (conjunctions that open an ellipsis, pronouns that point back), not
knowledge about any memo.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SHORT_WORDS", "is_elliptic", "read_with"]

MAX_SHORT_WORDS = 3
"""A question of at most this many words is read together with the earlier one."""

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_OPENERS = (
    ("og",),
    ("men",),
    ("samt",),
    ("eller",),
    ("også",),
    ("hvad", "med"),
    ("hvad", "så", "med"),
    ("and",),
    ("but",),
    ("or",),
    ("also",),
    ("what", "about"),
    ("how", "about"),
    ("and", "what", "about"),
)
"""Words that open an ellipsis: the question continues the previous one."""
_POINTING_BACK = frozenset(
    {
        "det",
        "dette",
        "disse",
        "dem",
        "deres",
        "dets",
        "it",
        "its",
        "that",
        "those",
        "they",
        "them",
        "their",
    }
)
"""Pronouns that point back to what the earlier question was about."""


def is_elliptic(question: str) -> bool:
    """Whether ``question`` needs the earlier one to be understood: short, opened by "og"/"and"
    or "hvad med"/"what about", or pointing back with "det"/"it"."""
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return False
    if len(words) <= MAX_SHORT_WORDS:
        return True
    if any(tuple(words[: len(opener)]) == opener for opener in _OPENERS):
        return True
    return any(word in _POINTING_BACK for word in words)


def read_with(earlier: str, question: str) -> str:
    """What retrieval is asked: the follow-up after the earlier question it continues."""
    earlier = earlier.strip()
    return f"{earlier} {question}".strip() if earlier else question
