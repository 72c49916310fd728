"""A general Danish↔English lexicon (FreeDict, data/lexicon/), for structured query translation.

A question word in one language is looked up by its Snowball stem and stands for all its
translations at once (Pirkola's structured query: the index scores them as one term). A Danish
compound the lexicon lacks is translated by its head ("børnefattigdom" → "poverty"): Danish
makes new words that way, English does not.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from functools import cache, lru_cache

import Stemmer

from .wordlists import data_text

__all__ = ["Lexicon", "bundled_lexicon", "is_word"]

_SNOWBALL = {"da": "danish", "en": "english"}
_MIN_PART = 4
# A common English word has dozens of senses; beyond a few translations it matches everything.
_MAX_TRANSLATIONS = 4
_MAX_HEAD_TRANSLATIONS = 2


class Lexicon:
    """Translations between two languages, looked up by stem. Immutable; thread-safe."""

    def __init__(self, pairs: list[tuple[str, str]], languages: tuple[str, str] = ("da", "en")) -> None:
        self.languages = languages
        self._local = threading.local()
        # (source language, target language) -> stem -> [(source word, translation)]
        self._table: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {
            (languages[0], languages[1]): defaultdict(list),
            (languages[1], languages[0]): defaultdict(list),
        }
        first, second = languages
        for one, other in pairs:
            for source, target, word, translation in (
                (first, second, one, other),
                (second, first, other, one),
            ):
                key = self._key(source, word)
                entry = (word, translation)
                if key and entry not in self._table[source, target][key]:
                    self._table[source, target][key].append(entry)
        self.translate = lru_cache(maxsize=20_000)(self._translate)

    def _key(self, language: str, phrase: str) -> str:
        stemmer = getattr(self._local, language, None)
        if stemmer is None:
            stemmer = Stemmer.Stemmer(_SNOWBALL[language])
            setattr(self._local, language, stemmer)
        return " ".join(stemmer.stemWord(w) for w in phrase.lower().split())

    def has_entry(self, word: str, source: str, target: str) -> bool:
        """Whether the lexicon has the (lower-case) word itself, not only a compound's head."""
        table = self._table.get((source, target))
        return bool(table and table.get(self._key(source, word)))

    def _translate(self, word: str, source: str, target: str) -> tuple[str, ...]:
        """Translations of a (lower-case) word; for a Danish compound the lexicon lacks, of its head."""
        table = self._table.get((source, target))
        if table is None:
            return ()
        found = table.get(self._key(source, word))
        if found:
            # Stems join words the lexicon keeps apart ("security" and "secure" are "secur"):
            # the translations of the word itself come first.
            ordered = sorted(found, key=lambda entry: entry[0] != word)
            return tuple(dict.fromkeys(t for _, t in ordered))[:_MAX_TRANSLATIONS]
        if source != "da" or len(word) < 2 * _MIN_PART or is_word(word, source):
            return ()  # only an unknown Danish word may be a compound to take apart
        for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head = table.get(self._key(source, word[i:]))
            if head:
                # The head carries a compound's meaning ("børne|fattigdom" is a poverty); its
                # modifier alone would match what the compound is not ("æble|skiver": apple).
                return tuple(dict.fromkeys(t for _, t in head))[:_MAX_HEAD_TRANSLATIONS]
        return ()


@cache
def bundled_lexicon() -> Lexicon:
    """The shipped FreeDict Danish–English lexicon."""
    pairs = []
    for line in data_text("da-en.tsv", "lexicon").splitlines():
        danish, _, english = line.partition("\t")
        pairs.extend((danish, e) for e in english.split("; ") if e)
    return Lexicon(pairs)


@lru_cache(maxsize=20_000)
def is_word(word: str, language: str) -> bool:
    """Whether a word is in the general word list of a language (wordfreq's)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), language) > 0
