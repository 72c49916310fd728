"""Per-channel knowledge: a channel named in MEMOBOT_CHANNEL_KNOWLEDGE only sees its memos.

Every answer path (mentions, thread follow-ups, DMs, ``/memo``, buttons, the shortcut and the
assistant) asks through :func:`ask_within`, so the rule holds everywhere at once.
"""

from __future__ import annotations

from dataclasses import replace

from ..models import Answer
from ..retrieval import Index
from .settings import ChannelScope

__all__ = ["allowed_memos", "ask_within"]

_WIDE = 200
"""Extra hits fetched when filtering here: enough that a channel's memos are found below the
others' best ones without building a Hit for every passage of a large knowledge base."""


def allowed_memos(index: Index, scope: ChannelScope | None) -> frozenset[str] | None:
    """The ids of the memos ``scope`` lets a channel see in ``index`` (None: all of them)."""
    if scope is None:
        return None
    return frozenset(m.id for m in index.kb.memos if scope.allows(m.id, m.series))


def ask_within(
    index: Index, question: str, *, k: int, offset: int = 0, memos: frozenset[str] | None = None
) -> Answer:
    """``index.ask`` limited to the memos in ``memos`` (None: every memo).

    Filters the index's ranking here until ``Index.ask(..., memos=...)`` exists; then this
    becomes ``index.ask(question, k=k, offset=offset, memos=memos)``.
    """
    if memos is None:
        return index.ask(question, k=k, offset=offset)
    wide = index.ask(question, k=offset + k + _WIDE)
    if not wide.answered:
        return wide
    kept = tuple(hit for hit in wide.hits if hit.passage.memo_id in memos)
    if not kept:
        return replace(wide, answered=False, hits=(), recommendation=None, suggestions=())
    hits = kept[offset : offset + k]
    if not hits:
        return replace(wide, hits=(), recommendation=None, offset=offset, has_more=False)
    return replace(
        wide,
        hits=hits,
        recommendation=index.recommendation_for(kept[:3]) if offset == 0 else None,
        offset=offset,
        has_more=len(kept) > offset + k,
    )
