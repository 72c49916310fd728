"""Example questions taken from the knowledge base itself, for help texts and no-answer replies.

They are generated from the memos' recommendation roles and section headings (in each memo's
language) and the glossary (English), and only kept when the index really answers them from
inside that heading's section, so an
example a user copies always works. Cached per knowledge-base version, computed once (callers
arriving meanwhile wait for it), and the search stops as soon as it has enough: a knowledge base
of hundreds of memos would otherwise cost one question per role of every memo.
"""

from __future__ import annotations

import threading
from collections import Counter

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


def example_questions(index: Index, limit: int = 4, memos: frozenset[str] | None = None) -> tuple[str, ...]:
    """Up to ``limit`` questions the index answers well, Danish and English interleaved; with
    ``memos`` (a channel's knowledge), about those memos only and answered from them."""
    key = f"{index.kb.version}:{limit}:{','.join(sorted(memos)) if memos is not None else '*'}"
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _COMPUTE_LOCK:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        danish, english = _heading_questions(index, limit, memos), _glossary_questions(index, limit, memos)
        mixed = [q for pair in zip(danish, english, strict=False) for q in pair]
        mixed += danish[len(english) :] + english[len(danish) :]
        result = tuple(mixed[:limit])
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()  # versions only pile up across reloads; the current one is rebuilt once
            _CACHE[key] = result
    return result


# A question about a topic, per memo language: only stop words around the topic, so that the
# topic alone decides the answer.
_TOPIC_QUESTION = {"da": "Hvad står der om {topic}?", "en": "What is said about {topic}?"}


def _answered_in(index: Index, question: str, heading: str, memos: frozenset[str] | None) -> bool:
    """Whether the question is answered by a passage under ``heading`` (of ``memos``)."""
    answer = index.ask(question, k=1, memos=memos)
    return answer.answered and bool(answer.hits) and heading in answer.hits[0].passage.section


def _heading_questions(index: Index, want: int, memos: frozenset[str] | None = None) -> list[str]:
    """Up to ``want`` questions in a memo's language about its roles, then the headings of its
    sections of more than one passage (a topic it spends more than a paragraph on), one per
    distinct topic, each answered inside that role's or heading's section."""
    out: list[str] = []
    tried: set[str] = set()
    for memo in index.kb.memos:
        template = _TOPIC_QUESTION.get(memo.language)
        if template is None or (memos is not None and memo.id not in memos):
            continue
        sections = Counter(p.section[-1] for p in index.kb.passages if p.memo_id == memo.id and p.section)
        headings = [role.name for role in memo.roles] + [h for h, n in sections.items() if n > 1]
        for heading in dict.fromkeys(headings):
            if len(out) >= want or len(tried) >= _MAX_TRIES:
                return out
            if heading in tried:
                continue
            tried.add(heading)
            question = template.format(topic=heading.lower())
            if _answered_in(index, question, heading, memos):
                out.append(question)
    return out


def _glossary_questions(index: Index, want: int, memos: frozenset[str] | None = None) -> list[str]:
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
        role = _role_answering(index, question, memos)
        if role and role not in seen:
            seen.add(role)
            out.append(question)
    return out


def _role_answering(index: Index, question: str, memos: frozenset[str] | None = None) -> str | None:
    """The role heading the top hit sits under, when the question is answered (None otherwise)."""
    answer = index.ask(question, k=1, memos=memos)
    if not answer.answered or not answer.hits:
        return None
    passage = answer.hits[0].passage
    roles = {role.name for role in index.kb.memo(passage.memo_id).roles}
    return next((heading for heading in passage.section if heading in roles), None)
