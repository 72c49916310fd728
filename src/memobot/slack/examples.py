"""Example questions taken from the knowledge base itself, for help texts and no-answer replies.

They are generated from the memos' recommendation roles (Danish) and the glossary (English),
and only kept when the index really answers them from inside that role's section, so an
example a user copies always works. Cached per knowledge-base version.
"""

from __future__ import annotations

import threading

from ..retrieval import Index

__all__ = ["example_questions"]

_CACHE: dict[str, tuple[str, ...]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def example_questions(index: Index, limit: int = 4) -> tuple[str, ...]:
    """Up to ``limit`` questions the index answers well, Danish and English interleaved."""
    key = f"{index.kb.version}:{limit}"
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    danish, english = _role_questions(index), _glossary_questions(index)
    mixed = [q for pair in zip(danish, english, strict=False) for q in pair]
    mixed += danish[len(english) :] + english[len(danish) :]
    result = tuple(mixed[:limit])
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()  # versions only pile up across reloads; the current one is rebuilt once
        _CACHE[key] = result
    return result


def _answered_in(index: Index, question: str, heading: str | None = None) -> str | None:
    """The role section the top hit sits in, when the question is answered (None otherwise)."""
    answer = index.ask(question, k=1)
    if not answer.answered or not answer.hits:
        return None
    section = answer.hits[0].passage.section
    if heading is not None:
        return heading if heading in section else None
    return " › ".join(section) if len(section) >= 2 else None


def _role_questions(index: Index) -> list[str]:
    out = []
    for memo in index.kb.memos:
        for role in memo.roles:
            question = f"Hvad kan Danmark gøre som {role.name.lower()}?"
            if _answered_in(index, question, heading=role.name):
                out.append(question)
    return out


def _glossary_questions(index: Index) -> list[str]:
    """One English question per recommendation subsection, from multi-word glossary phrases."""
    out, seen = [], set()
    for entry in index.kb.glossary:
        phrase = entry.en[0] if entry.en else ""
        if len(phrase.split()) < 2:
            continue
        question = f"What does the memo say about {phrase}?"
        section = _answered_in(index, question)
        if section and section not in seen:
            seen.add(section)
            out.append(question)
    return out
