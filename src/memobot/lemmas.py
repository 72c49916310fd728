"""Dictionary lemmas from simplemma's shipped data (Danish 788 000 forms, English 182 000).

Only the dictionary is used, not simplemma's rules for unknown words: a lookup costs ~2 µs,
its guessing ~100 µs, and an unknown word is left to Snowball as before.
"""

from __future__ import annotations

from functools import cache

__all__ = ["dictionary_lemma"]


@cache
def _dictionary(language: str):  # -> Mapping[str, str]
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary(language)


def dictionary_lemma(word: str, language: str) -> str | None:
    """The lemma simplemma's dictionary gives a lower-case word form, in lower case, or None.

    simplemma capitalises some lemmas ("covid" → "COVID", names): a term is lower case."""
    try:
        found = _dictionary(language).get(word)
    except (KeyError, ValueError):  # a language simplemma has no dictionary for
        return None
    return found.lower() if found else found
