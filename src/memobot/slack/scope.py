"""Per-channel knowledge: a channel named in MEMOBOT_CHANNEL_KNOWLEDGE only sees its memos.

Every answer path (mentions, thread follow-ups, DMs, ``/memo``, buttons, the shortcut and the
assistant) asks through :func:`ask_within`, so the rule holds everywhere at once.
"""

from __future__ import annotations

from ..models import Answer
from ..retrieval import Index
from .settings import ChannelScope

__all__ = ["allowed_memos", "ask_within"]


def allowed_memos(index: Index, scope: ChannelScope | None) -> frozenset[str] | None:
    """The ids of the memos ``scope`` lets a channel see in ``index`` (None: all of them)."""
    if scope is None:
        return None
    return frozenset(m.id for m in index.kb.memos if scope.allows(m.id, m.series))


def ask_within(
    index: Index, question: str, *, k: int, offset: int = 0, memos: frozenset[str] | None = None
) -> Answer:
    """``index.ask`` limited to the memos in ``memos`` (None: every memo): the one place every
    Slack answer path asks through."""
    return index.ask(question, k=k, offset=offset, memos=memos)
