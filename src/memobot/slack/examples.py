"""Example questions taken from the knowledge base itself, for help texts and no-answer replies.

They are generated from the memos' recommendation roles (Danish) and the glossary (English),
and only kept when the index really answers them from inside that role's section, so an
example a user copies always works. Cached per knowledge-base version, computed once (callers
arriving meanwhile wait for it), and the search stops as soon as it has enough: a knowledge base
of hundreds of memos would otherwise cost one question per role of every memo.
"""

from __future__ import annotations

import threading

from ..retrieval import Index

__all__ = ["example_questions"]

_CACHE: dict[str, tuple[str, ...]] = {}
_CACHE_LOCK = threading.Lock()
# Held while one thread computes, so a burst of no-answer replies computes once, not per thread.
_COMPUTE_LOCK = threading.Lock()
_CACHE_SIZE = 8
_MAX_TRIES = 40
"""Most candidate questions asked per language: bounds the cost on a knowledge base whose
roles or glossary phrases rarely answer from their own section."""


def example_questions(index: Index, limit: int = 4) -> tuple[str, ...]:
    """Up to ``limit`` questions the index answers well, Danish and English interleaved."""
    key = f"{index.kb.version}:{limit}"
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _COMPUTE_LOCK:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        danish, english = _role_questions(index, limit), _glossary_questions(index, limit)
        mixed = [q for pair in zip(danish, english, strict=False) for q in pair]
        mixed += danish[len(english) :] + english[len(danish) :]
        result = tuple(mixed[:limit])
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()  # versions only pile up across reloads; the current one is rebuilt once
            _CACHE[key] = result
    return result


def _answered_in(index: Index, question: str) -> str | None:
    """The role heading the top hit sits under, when the question is answered (None otherwise)."""
    answer = index.ask(question, k=1)
    if not answer.answered or not answer.hits:
        return None
    passage = answer.hits[0].passage
    roles = {role.name for role in index.kb.memo(passage.memo_id).roles}
    return next((heading for heading in passage.section if heading in roles), None)


def _role_questions(index: Index, want: int) -> list[str]:
    """Up to ``want`` Danish questions, one per distinct role name, answered inside that role."""
    out: list[str] = []
    tried: set[str] = set()
    for memo in index.kb.memos:
        for role in memo.roles:
            if len(out) >= want:
                return out
            if role.name in tried:
                continue
            if len(tried) >= _MAX_TRIES:
                return out
            tried.add(role.name)
            question = f"Hvad kan Danmark gøre som {role.name.lower()}?"
            if _answered_in(index, question) == role.name:
                out.append(question)
    return out


def _glossary_questions(index: Index, want: int) -> list[str]:
    """Up to ``want`` English questions from multi-word glossary phrases, each answered inside a
    different role. Phrases that start with a capital are names ("University of Copenhagen"):
    they make odd examples, so only common-noun phrases ("alliance priorities") are tried."""
    out: list[str] = []
    seen: set[str] = set()
    tries = 0
    for entry in index.kb.glossary:
        if len(out) >= want or tries >= _MAX_TRIES:
            break
        phrase = entry.en[0] if entry.en else ""
        if len(phrase.split()) < 2 or not phrase[:1].islower():
            continue
        tries += 1
        question = f"What does the memo say about {phrase}?"
        role = _answered_in(index, question)
        if role and role not in seen:
            seen.add(role)
            out.append(question)
    return out
