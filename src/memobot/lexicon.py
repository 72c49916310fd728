"""A general Danish↔English lexicon (data/lexicon/), for structured query translation.

A question word in one language is looked up by its Snowball stem and stands for all its
translations at once (Pirkola's structured query: the index scores them as one term). A Danish
compound the lexicon lacks is translated by its head ("børnefattigdom" → "poverty"): Danish
makes new words that way, English does not. FreeDict's Danish–English pairs come first; pairs
pivoted through Norwegian and Swedish (English dictionaries of those, and Apertium's
translators into Danish) answer for the words FreeDict lacks.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache

import Stemmer

from .lemmas import dictionary_lemma
from .wordlists import data_text

__all__ = ["Lexicon", "bundled_lexicon", "is_everyday_word", "is_word"]

_SNOWBALL = {"da": "danish", "en": "english"}
_MIN_PART = 4
# A common English word has dozens of senses; beyond a few translations it matches everything.
_MAX_TRANSLATIONS = 4
_MAX_HEAD_TRANSLATIONS = 2
# Languages near Danish whose English dictionaries lead to Danish words (bundled_lexicon).
_PIVOTS = ("nb", "sv")


# (source language, target language) -> stem -> [(source word, translation)]
_Table = dict[tuple[str, str], dict[str, list[tuple[str, str]]]]


class Lexicon:
    """Translations between two languages, looked up by stem. Immutable; thread-safe."""

    def __init__(
        self,
        pairs: Sequence[tuple[str, str]],
        languages: tuple[str, str] = ("da", "en"),
        fallback: Sequence[tuple[str, str]] = (),
        fallback_adds: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``fallback`` pairs (less sure ones) are consulted only for a word ``pairs`` lack,
        except in the directions ``fallback_adds`` names ((source, target) languages), where
        their translations follow those of ``pairs``."""
        self.languages = languages
        self._fallback_adds = frozenset(fallback_adds)
        self._local = threading.local()
        # One table per tier: pairs, then fallback.
        self._tiers = [self._table(pairs), self._table(fallback)]
        self.translate = lru_cache(maxsize=20_000)(self._translate)
        # Asked for every two neighbouring words of a question, by every index.
        self.has_entry = lru_cache(maxsize=20_000)(self._has_entry)

    def _table(self, pairs: Sequence[tuple[str, str]]) -> _Table:
        first, second = self.languages
        table: _Table = {
            (first, second): defaultdict(list),
            (second, first): defaultdict(list),
        }
        keys: dict[tuple[str, str], str] = {}  # (language, phrase) -> key: the words recur
        for one, other in pairs:
            for source, target, word, translation in (
                (first, second, one, other),
                (second, first, other, one),
            ):
                key = keys.get((source, word))
                if key is None:
                    key = keys[source, word] = self._key(source, word)
                entry = (word, translation)
                if key and entry not in table[source, target][key]:
                    table[source, target][key].append(entry)
        return table

    def _key(self, language: str, phrase: str) -> str:
        stemmer = getattr(self._local, language, None)
        if stemmer is None:
            stemmer = Stemmer.Stemmer(_SNOWBALL[language])
            setattr(self._local, language, stemmer)
        return " ".join(stemmer.stemWord(w) for w in phrase.lower().split())

    def _has_entry(self, word: str, source: str, target: str) -> bool:
        """Whether the lexicon has the (lower-case) word itself, not only a compound's head."""
        return bool(self._entries(word, source, target))

    def _entries(self, word: str, source: str, target: str) -> list[tuple[str, str]]:
        """The word's (source word, translation) entries, from the first tier that has any.

        A form whose stem is not there is looked up by its dictionary lemma too ("women" →
        "woman": Snowball leaves irregular forms apart). Stems join words the lexicon keeps apart
        ("security" and "secure" are "secur"): the entries of the word itself come first.
        """
        lemma = dictionary_lemma(word, source)
        keys = [self._key(source, word)]
        if lemma and lemma != word:
            keys.append(self._key(source, lemma))
        adds = (source, target) in self._fallback_adds
        entries: list[tuple[str, str]] = []
        for tier, tables in enumerate(self._tiers):
            table = tables.get((source, target), {})
            for key in keys:
                found = table.get(key, ())
                if tier:
                    # A less sure pair needs the word itself or a form of its lemma: Snowball's
                    # stem joins derivations too ("digital" and "digit" are "digit").
                    found = [e for e in found if (dictionary_lemma(e[0], source) or e[0]) in (word, lemma)]
                if found:
                    found = sorted(found, key=lambda entry: entry[0] not in (word, lemma))
                    if not adds:
                        return found
                    known = {t for _, t in entries}
                    entries += [e for e in found if e[1] not in known]
                    break
        return entries

    def _translate(self, word: str, source: str, target: str) -> tuple[str, ...]:
        """Translations of a (lower-case) word; for a noun made of a verb that the lexicon lacks,
        of the verb; for a Danish compound it lacks, of its head.

        The first tier that knows the word answers (pairs, then fallback), or, in a direction
        of ``fallback_adds``, both in turn.
        """
        found = self._entries(word, source, target)
        if found:
            return _translations(found, _MAX_TRANSLATIONS)
        base = _verb_of_noun(word, source)
        if base and is_word(base, source):
            found = self._entries(base, source, target)
            if found:
                # "afskedigelsen" is an act of "afskedige" (discharge), "cooperation" of
                # "cooperate": nouns made of a verb with -else/-ing, -ation/-ment.
                return _translations(found, _MAX_HEAD_TRANSLATIONS)
        if source != "da" or len(word) < 2 * _MIN_PART or is_word(word, source):
            return ()  # only an unknown Danish word may be a compound to take apart
        for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head = self._entries(word[i:], source, target)
            if head:
                # The head carries a compound's meaning ("børne|fattigdom" is a poverty); its
                # modifier alone would match what the compound is not ("æble|skiver": apple).
                return _translations(head, _MAX_HEAD_TRANSLATIONS)
        return ()


def _translations(entries: list[tuple[str, str]], limit: int) -> tuple[str, ...]:
    """The distinct translations of (source word, translation) entries, at most ``limit``."""
    return tuple(dict.fromkeys(t for _, t in entries))[:limit]


# Endings of a noun made of a verb, inflected forms first, and what the verb ends in instead:
# Danish -else and -ing (afskedigelse, afskedige), English -ation and -ment (cooperation,
# cooperate; assessment, assess).
_NOUN_OF_VERB = {
    "da": (
        ("elserne", "e"),
        ("elsen", "e"),
        ("elser", "e"),
        ("else", "e"),
        ("ingerne", "e"),
        ("ingen", "e"),
        ("inger", "e"),
        ("ing", "e"),
    ),
    "en": (("ations", "ate"), ("ation", "ate"), ("ments", ""), ("ment", "")),
}


def _verb_of_noun(word: str, language: str) -> str:
    """The verb a noun is made of ("afskedigelsen" → "afskedige", "behandlingen" → "behandle",
    "cooperation" → "cooperate"), or ""."""
    for ending, verb_ending in _NOUN_OF_VERB.get(language, ()):
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_PART:
            return word[: -len(ending)] + verb_ending
    return ""


def _rows(name: str) -> list[tuple[str, list[str]]]:
    """A lexicon file's lines: a word, a tab, its translations separated by '; '."""
    rows = []
    for line in data_text(name, "lexicon").splitlines():
        word, _, translations = line.partition("\t")
        rows.append((word, [t for t in translations.split("; ") if t]))
    return rows


@cache
def country_names() -> list[tuple[str, str]]:
    """(Danish, English) names of the world's countries and territories, from ISO 3166 as
    pycountry ships it with the Debian iso-codes translations (Færøerne, Faroe Islands; Tyskland,
    Germany). FreeDict has 26 of the 121 that differ. A name written with a comma ("Korea,
    Republic of") is the register's, not what anyone types, and is left out."""
    import gettext

    import pycountry

    danish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["da"], fallback=True)
    pairs = []
    for country in pycountry.countries:
        name = danish.gettext(country.name)
        for english in dict.fromkeys((country.name, getattr(country, "common_name", country.name))):
            if name != english and not any(c in name + english for c in ",()"):
                pairs.append((name, english))
    return pairs


@cache
def bundled_lexicon() -> Lexicon:
    """The shipped Danish–English lexicon: FreeDict's, then what pivots through Norwegian and Swedish add.

    A pivot language comes as two files, English → pivot (en-nb.tsv: WikDict; en-sv.tsv: FreeDict)
    and pivot → Danish (nb-da.tsv, sv-da.tsv: Apertium), joined here: kept apart, each file stays
    under its own source's licence (data/lexicon/README.md). Pivoted pairs are less sure (two
    dictionaries, two chances of a wrong sense), so they answer only for words FreeDict lacks;
    from English, where FreeDict is weakest, they are added after FreeDict's translations.
    """
    direct = [(danish, english) for danish, englishes in _rows("da-en.tsv") for english in englishes]
    direct += country_names()
    pivoted = []
    for pivot in _PIVOTS:
        to_danish = dict(_rows(f"{pivot}-da.tsv"))
        for english, words in _rows(f"en-{pivot}.tsv"):
            pivoted.extend((danish, english) for word in words for danish in to_danish.get(word, ()))
    # FreeDict's English side is its Danish dictionary read backwards (eng-dan has 411
    # headwords): an English word finds the Danish words that list it among their senses
    # ("research" → undersøge, undersøgelse), not its own translations (forskning). WikDict's
    # and FreeDict's English-Swedish dictionaries have English headwords, so from English
    # their translations are added after FreeDict's, not only for words FreeDict lacks.
    return Lexicon(direct, fallback=list(dict.fromkeys(pivoted)), fallback_adds=[("en", "da")])


# wordfreq's Zipf scale: 4.5 is about thirty uses per million words ("brief", "statsminister";
# "research" 5.4, "tale" 5.5), where a word stops being a name and becomes everyday vocabulary.
_EVERYDAY_ZIPF = 4.5


@lru_cache(maxsize=20_000)
def is_everyday_word(word: str, languages: tuple[str, ...] = ("da", "en")) -> bool:
    """Whether a word is an everyday word of one of ``languages`` (wordfreq's Zipf ≥ 4.5)."""
    from wordfreq import zipf_frequency

    return any(zipf_frequency(word.lower(), language) >= _EVERYDAY_ZIPF for language in languages)


@lru_cache(maxsize=20_000)
def is_word(word: str, language: str) -> bool:
    """Whether a word is in the general word list of a language (wordfreq's)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), language) > 0
