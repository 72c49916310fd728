"""The Danish-aware analyser: turns memo text and questions into BM25 terms.

Pipeline for a Danish word: Unicode normalisation, lower-casing, accent folding that keeps
æ/ø/å apart, Scandinavian folding (aa=å, ae/ä=æ, oe/ö=ø, as Lucene's
ScandinavianNormalizationFilter), stop words, Snowball Danish stemming, and decompounding
against a lexicon built from the knowledge base itself. English questions are matched against
the curated glossary, phrase by phrase, after English stemming.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from .languages import Language
from .lemmas import dictionary_lemma
from .models import GlossaryEntry
from .wordlists import data_text as _data_text
from .wordlists import general_words, word_list

__all__ = [
    "COMMON_WORDS",
    "DANISH_STOP_WORDS",
    "ENGLISH_STOP_WORDS",
    "FILLER_WORDS",
    "Analyzer",
    "Concept",
    "PlainAnalyzer",
    "analyzer_for",
    "fold",
    "is_english",
    "join_hyphenation",
    "lemma",
    "words",
]

# Snowball's Danish stop list, plus question words and words about the memo itself
# ("memoet siger"), which say nothing about what a question is after.
DANISH_STOP_WORDS = word_list("stop-da.txt")

ENGLISH_STOP_WORDS = word_list("stop-en.txt")


# Common words that say little about a topic. In a question, such a word that the knowledge
# base does not contain is no evidence that the question is off-topic ("help", "sammen"),
# unlike an unknown content word ("password", "rugbrød").
FILLER_WORDS = word_list("filler.txt")


COMMON_WORDS = word_list("common.txt")

# A word, or an initialism written with dots ("U.S.", "U.K."), one word without them: a
# question's "US" must meet a report's "U.S." (as Lucene's ClassicFilter joins "I.B.M.").
_WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+")
# An all-capital word this long is an acronym (English chain): "US", "IT", "NATO", "NOAA".
_ACRONYM_MIN, _ACRONYM_MAX = 2, 5


def _tokens(text: str) -> list[str]:
    """The words of a text, an initialism's dots removed."""
    found = _WORD_RE.findall(text)
    if "." in text:
        found = [w.replace(".", "") if "." in w else w for w in found]
    return found


# Interrogative determiners: the word after one names the answer's type.
_INTERROGATIVE_DETERMINERS = frozenset({"hvilke", "hvilken", "hvilket", "which", "what"})
_SENTENCE_END = frozenset('.?!:;"“”«»(')
# Words that Unicode normalisation and accent folding leave as they are, but for case.
_PLAIN_RE = re.compile(r"[a-zA-Z0-9æøåÆØÅ]*")
# A hyphen at a line end followed by a lower-case letter splits one word ("Stor-\nmagts…");
# before a conjunction it is a real hyphen ("alliance-\nog partnerskabspolitik").
_HYPHENATION_RE = re.compile(
    r"(?<=[^\W\d_])-[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*"
    r"(?!(?:og|eller|samt|and|or)\b)(?=[a-zæøåäöéü])"
)
# "alliance- og partnerskabspolitik", "udenrigs-, forsvars- og sikkerhedspolitik"
_SUSPENSION_GAP_RE = re.compile(r"-\s*([,/]?)\s*")
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "and", "or"})
_SCANDINAVIAN = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_STEM_ROUNDS = 3
# Danish inflectional endings (plural, definite, genitive). Snowball is repeated on its own
# result only after a round that stripped one of these and nothing else: the rest is then the
# word's base form, whose stem the inflected form should share.
_INFLECTIONS = frozenset("e er en et ene erne ens ets ers enes ernes es s".split())
_MIN_HEAD = 4
_SURE_HEAD = 6
_MIN_MODIFIER = 4
_CACHE_SIZE = 200_000
_VOWELS = frozenset("aeiouyæøå")
# Consonant clusters that begin Danish words (and common loans: "psykolog", "sfære", "chef"). A
# remainder that begins with any other cluster is no word ("udvide|lseskortets", "verden|sdele").
_ONSETS = frozenset(
    "bl br ch dj dr fj fl fr gj gl gn gr hj hv kj kl kn kr kv ph pj pl pr ps sc sf sh sj sk skr "
    "skv sl sm sn sp spl spr st stj str sv th tj tr tv vr".split()
)
_QUESTION_CACHE_SIZE = 20_000

# Danish strong and irregular verbs: infinitive, then its irregular forms (past, participle,
# the participle's inflected -e/-ne forms, and for verbs whose stem ends in a vowel the present
# and passive, which Snowball leaves apart: "får", "fås"). Snowball only strips endings, so it
# cannot relate "gav" to "give" or "skrev" to "skrive"; these forms are mapped to the
# infinitive before stemming, in documents and questions alike. Written from general knowledge
# of Danish grammar (the verbs of any grammar's table of strong and irregular verbs), not from
# any question file. Left out: forms that are also a common noun whose own inflections would
# then part ("begreb", "angreb", "indgreb" are nouns of "gribe"'s past), forms that are also
# another verb's regular form ("talte" of "tale" and "tælle"), and "så", a stop word.
_IRREGULAR_VERBS = _data_text("verbs-da.txt")  # one verb a line: "infinitive: forms"
_VERB_FORMS: dict[str, str] = {
    form: infinitive.strip()
    for line in _IRREGULAR_VERBS.splitlines()
    for infinitive, forms in [line.split(":")]
    for form in forms.split()
}
# Forms that on their own are likelier another word: English ("set", "sat", "sad", "red",
# "led", "bed", "bad", "bar", "sang", "hang") or a Danish noun ("bar"). They count only after a
# verb prefix ("udsat", "forudset", "frembar").
_PREFIXED_ONLY = frozenset("bad bar bed hang led red sad sang sat set".split())
# Forms whose prefixed look-alikes are other words ("bevar", "fraværet", "bevidst"), and
# look-alikes of other forms: "fraser" (phrases), "genser" (sweater), "bered" (ready),
# "delbar" (divisible).
_BARE_ONLY = frozenset("var været vidst vidste".split())
_NOT_VERB_FORMS = frozenset("bered biser delbar fraser frases genser".split())
# Separable and inseparable verb prefixes: "udgav" = "ud" + "gav" (udgive), "vedtog" = "ved" +
# "tog", "fastsatte", "iværksat", "tilbagetrak". Not "sam" ("samfundet") nor "mis" ("misser").
_VERB_PREFIXES = frozenset(
    """
    af an be bi del efter fast for fore forud frem fra gen gennem hen igennem ind iværk løs med mod ned
    om op over på sammen til tilbage ud under ved
    """.split()
)
_LONGEST_VERB_PREFIX = max(map(len, _VERB_PREFIXES))
# The last three letters of every form (two-letter forms whole): most words end otherwise and
# skip the prefix search.
_VERB_FORM_ENDS = frozenset(form[-3:] for form in _VERB_FORMS)


def lemma(folded: str) -> str:
    """The infinitive of a strong or irregular verb form of the table ("gav" → "give", "tog" →
    "tage": the dictionary takes "tog" for the noun), else the word's dictionary lemma
    (simplemma: "byer" → "by", "børnene" → "barn"), else the infinitive of a prefixed form
    ("udgav" → "udgive", "vedtog" → "vedtage"); any other (folded) word as it is."""
    infinitive = _VERB_FORMS.get(folded)
    if infinitive is not None and folded not in _PREFIXED_ONLY:
        return infinitive
    found = dictionary_lemma(folded, "da")
    if found is not None:
        return found
    ends = _VERB_FORM_ENDS
    if (folded[-3:] not in ends and folded[-2:] not in ends) or folded in _NOT_VERB_FORMS:
        return folded
    for i in range(2, min(_LONGEST_VERB_PREFIX, len(folded) - 2) + 1):
        infinitive = _VERB_FORMS.get(folded[i:])
        if infinitive is not None and folded[:i] in _VERB_PREFIXES and folded[i:] not in _BARE_ONLY:
            return folded[:i] + infinitive
    return folded


# Weak verbs: past tense in -ede/-te, participle in -et/-t ("anbefalede", "nævnte", "nævnt").
# Snowball leaves these apart from the infinitive ("anbefaled" vs "anbefal", "nævnt" vs
# "nævn"), and a blind rule would also cut nouns and adjectives ("billede", "fremmede",
# "forberede"); so these are only candidates, which the index accepts where the
# question's own form is unknown to it and the infinitive's stem is known (``Index.resolve``).
_WEAK_ENDINGS = (("ede", "e"), ("te", "e"), ("et", "e"), ("t", "e"))
_WEAK_MIN_STEM = 3


def weak_infinitives(folded: str) -> tuple[str, ...]:
    """Infinitives a weak past-tense or participle form may belong to ("anbefalede" →
    "anbefale", "nævnte"/"nævnt" → "nævne"); () for other words."""
    out = []
    for ending, replacement in _WEAK_ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= _WEAK_MIN_STEM:
            stem = folded[: -len(ending)]
            if stem[-1] not in _VOWELS:
                out.append(stem + replacement)
    return tuple(dict.fromkeys(out))


# Questions that ask for a time ("Hvornår …", "What year …") or a quantity ("How many …",
# "Hvad koster …"): their first words. A passage answers one only if it states a time (a
# digit, a month, a period) or a quantity (a digit, a number word) respectively.
_TIME_OPENINGS = (
    ("hvornår",),
    ("when",),
    ("hvor", "længe"),
    ("hvor", "gammel"),
    ("hvilket", "år"),
    ("how", "long"),
    ("how", "old"),
    ("what", "year"),
    ("which", "year"),
)
# Not "hvor meget"/"how much": as often a degree ("How much influence can Denmark get?").
_QUANTITY_OPENINGS = (
    ("hvor", "mange"),
    ("hvad", "koster"),
    ("how", "many"),
)
_TIME_WORDS = frozenset(
    """
    år årene årtier årti årligt måned måneder uge uger
    januar februar marts april maj juni juli august september oktober november december
    year years decade decades annual month months week weeks
    january february march june july october
    """.split()
)
_NUMBER_WORDS = frozenset(
    """
    to tre fire fem seks syv otte ni ti elleve tolv tyve tredive fyrre halvtreds hundrede tusind
    million millioner milliard milliarder procent halvdelen kroner
    two three four five six seven eight nine ten twelve twenty hundred thousand million millions
    billion billions percent half dollars euro
    """.split()
)


def _opens_with(question: str, openings: tuple[tuple[str, ...], ...]) -> bool:
    opening = tuple(fold(w, scandinavian=False) for w, _, _ in words(question)[:2])
    return any(opening[: len(o)] == o for o in openings)


def asked_measure(question: str) -> frozenset[str] | None:
    """The words (besides digits) a passage must state to answer a question that opens by
    asking when or how long (time words) or how many or what it costs (number words); None
    for any other question."""
    if _opens_with(question, _TIME_OPENINGS):
        return _TIME_WORDS
    if _opens_with(question, _QUANTITY_OPENINGS):
        return _NUMBER_WORDS
    return None


def states_measure(text: str, measure: frozenset[str]) -> bool:
    """Whether a text states a digit or one of the measure's words."""
    return any(ch.isdigit() for ch in text) or any(
        fold(w, scandinavian=False) in measure for w, _, _ in words(text)
    )


def join_hyphenation(text: str) -> str:
    """Join words split by line-end hyphenation, keeping real hyphens."""
    return _HYPHENATION_RE.sub("", text) if "-" in text else text


def fold(word: str, *, scandinavian: bool = True) -> str:
    """Lower-case, fold accents (é→e, ä→æ, ö→ø) but keep æ, ø, å; optionally aa→å, ae→æ, oe→ø."""
    # A plain word has nothing to normalise or fold but case (most words): ~10× sooner.
    word = word.lower() if _PLAIN_RE.fullmatch(word) else _fold_unicode(word)
    if scandinavian:
        for digraph, letter in _SCANDINAVIAN:
            word = word.replace(digraph, letter)
    return word


def _fold_unicode(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).lower().replace("ä", "æ").replace("ö", "ø")
    decomposed = unicodedata.normalize("NFD", word)
    kept = []
    for i, ch in enumerate(decomposed):
        # The ring of å is a combining mark in NFD; every other mark is an accent to drop.
        if unicodedata.combining(ch) and not (ch == "\u030a" and i and decomposed[i - 1] == "a"):
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


# Words are compared with the stop list after folding, and Scandinavian folding turns the
# "o|e" where a stem meets its ending into "ø" ("memoet" → "memøt"), so the list is folded too.
# A form of a stop verb is a stop word too ("sagde", "gjort", "blevet").
_FOLDED_DANISH_STOPS = (
    DANISH_STOP_WORDS
    | frozenset(fold(w) for w in DANISH_STOP_WORDS)
    | frozenset(form for form, infinitive in _VERB_FORMS.items() if infinitive in DANISH_STOP_WORDS)
)


@lru_cache(maxsize=1)
def _general_danish() -> frozenset[str]:
    """The folded words of the general Danish word list that may head a compound."""
    return frozenset(
        folded
        for folded in map(fold, general_words("da"))
        if folded not in _FOLDED_DANISH_STOPS and len(folded) >= _MIN_HEAD and folded.isalpha()
    )


@lru_cache(maxsize=1)
def _general_danish_keys() -> frozenset[str]:
    """The first four letters of the general Danish words: what a general head must start with."""
    return frozenset(w[:4] for w in _general_danish())


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of a text with their character spans (start, end) in it."""
    return [(m.group().replace(".", ""), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def is_english(tokens: Iterable[str]) -> bool:
    """Guess whether folded question tokens are English rather than Danish."""
    english = danish = 0
    for token in tokens:
        if any(ch in token for ch in "æøå"):
            danish += 2
        in_en, in_da = token in ENGLISH_STOP_WORDS, token in DANISH_STOP_WORDS
        english += in_en and not in_da
        danish += in_da and not in_en
    return english > danish


def _is_specific(text: str, word: tuple[str, int, int]) -> bool:
    """Whether a word is a number, or a name: capitalised where a sentence does not start."""
    token, start, _ = word
    if any(ch.isdigit() for ch in token):
        return True
    if not token[:1].isupper():
        return False
    before = text[:start].rstrip()
    return bool(before) and before[-1] not in _SENTENCE_END


def _closeness(one: str, other: str) -> int:
    """How alike two words are spelt: their common prefix, one more when they are equal (so
    "office" is closer to "office" than to "officer")."""
    if one == other:
        return len(one) + 1
    shorter = min(len(one), len(other))
    return next((i for i in range(shorter) if one[i] != other[i]), shorter)


def _may_begin_head(rest: str, linked: bool) -> bool:
    """Whether the rest of a word after a known modifier can be an (unknown) compound head.

    It must begin as a Danish word can: with a vowel, one consonant or a cluster of
    ``_ONSETS`` ("verden|sdele" and "udvide|lseskortets" are cut one letter off). Without a
    linking -s-/-e- it must not begin with "e" or "i" either: Danish derivational suffixes that
    begin with a vowel mostly begin with one of those (-er, -ere, -eri, -ering, -el, -else, -en,
    -isk, -isme, -ist, -itet, -il, -ig, -ion), so such a rest is likelier the end of a longer
    stem ("stab|ilitet", "aktiv|itet", "fokus|eredes") than a head. Measured on 60 000 words of
    the Danish DSDO word list (wdanish) that take this split, judging a split right when the rest
    is itself a word of the list: 633 splits, 378 right (0.60) → 540 splits, 376 right (0.70);
    91 of the 93 refused were wrong.
    """
    onset = next((i for i, ch in enumerate(rest) if ch in _VOWELS), len(rest))
    if onset > 1 and rest[:onset] not in _ONSETS:
        return False
    return linked or rest[:1] not in ("e", "i")


@dataclass(frozen=True)
class Concept:
    """One thing a question asks about: a word, or a glossary phrase, and its index terms."""

    source: str
    """The words of the question it stands for."""
    terms: tuple[str, ...]
    """Index terms, any of which matches it (stem first, then compound parts)."""
    filler: bool = False
    """A common word that says little about the topic ("help", "sammen")."""
    answer_type: bool = False
    """The noun after an interrogative determiner ("hvilke *lande*", "which *university*"):
    it names the kind of thing the answer is, which a passage shows by instances ("Japan,
    Australien") more often than by the word itself."""
    common: bool = False
    """A very common word of everyday English or Danish (``COMMON_WORDS``: "single", "read",
    "thinking", "stadig"): if the index does not know it, it is no evidence that the question
    is off-topic; if it does, it counts as any word."""
    specific: bool = False
    """A number or a name (capitalised inside the sentence, "2030", "Estland"): a question
    about one that the knowledge base never mentions is not about the knowledge base."""
    curated: bool = False
    """Matched through a glossary phrase: its terms are the curator's, not to be translated."""


def _word_concept(
    text: str,
    found: tuple[str, int, int],
    word: str,
    terms: tuple[str, ...],
    after_determiner: bool,
    *,
    weak_past: bool,
) -> Concept:
    """The concept of one question word (``found`` in ``text``, folded ``word``) with its terms.

    A form of a filler or common verb is one too ("gav", "tog", "stod"); with ``weak_past``
    (Danish) so is a weak past tense of one ("mente", "viste"), not a form in -t, which is
    mostly an adjective's ("godt" is not "gode"). A capitalised common word is emphasis or
    Slack style ("Hey Bot"), not a name.
    """
    infinitive = lemma(word)
    filler = (
        word in FILLER_WORDS
        or infinitive in FILLER_WORDS
        or (weak_past and word.endswith("te") and any(w in FILLER_WORDS for w in weak_infinitives(word)))
    )
    common = word in COMMON_WORDS or infinitive in COMMON_WORDS
    return Concept(
        found[0],
        terms,
        filler=filler,
        answer_type=after_determiner and not filler,
        common=common,
        specific=not common and _is_specific(text, found),
    )


def _cached(method: Callable, size: int) -> Callable:
    """An LRU cache over a bound method that does not keep its object alive.

    ``lru_cache(self._stem)`` is a reference cycle (object → cache → bound method → object):
    a superseded index's analysers then wait for a full garbage collection, ~0.1–0.6 s at each
    reload. Through a weak reference the analyser is freed as soon as its index is."""
    ref = weakref.WeakMethod(method)

    def call(*args):  # type: ignore[no-untyped-def]
        return ref()(*args)  # type: ignore[misc]

    return lru_cache(maxsize=size)(call)


class Analyzer:
    """Turns text into terms. Immutable once built, so one instance serves many threads."""

    def __init__(
        self,
        lexicon: Iterable[str] = (),
        glossary: Iterable[GlossaryEntry] = (),
        known_words: Iterable[str] = (),
    ) -> None:
        self._danish = threading.local()
        self._english = threading.local()
        # Decompounding stems every suffix of every new word, and compounds share heads.
        self.stem = _cached(self._stem, _CACHE_SIZE)
        self.lexicon = frozenset(lexicon)
        """Stems of known words: what a compound's head must be."""
        # A lexicon entry's first four letters (or the whole entry when shorter): what a word
        # must start with for one of them to be its stem (see _may_start_with_stem).
        self._stem_keys = frozenset(s[:4] for s in self.lexicon if len(s) >= 4)
        self._short_stems = frozenset(s for s in self.lexicon if len(s) < 4)
        self.known_words = frozenset(known_words)
        """Folded words seen in the corpus: short heads must be one of these."""
        # Glossary phrases keyed by their stems: English phrases by English stems, Danish
        # synonyms by Danish stems, so that inflected forms in a question still match.
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        # English stems join words the glossary keeps apart ("competing" and "competence" are
        # both "compet"): for such a key, each phrase's own words and Danish terms, so that the
        # phrase closest to the question's words wins (see _closest_phrases).
        self._stem_variants: dict[tuple[str, ...], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for entry in glossary:
            for table, phrases, key_of in (
                (self._phrases, entry.en, self._english_key),
                (self._synonyms, entry.synonyms, self._danish_key),
            ):
                for phrase in phrases:
                    found = [w for w, _, _ in words(phrase)]
                    key = tuple(key_of(w) for w in found)
                    if key:
                        table[key] = table.get(key, ()) + tuple(entry.da)
                        if table is self._phrases:
                            surface = tuple(fold(w, scandinavian=False) for w in found)
                            self._stem_variants.setdefault(key, []).append((surface, tuple(entry.da)))
        self._stem_variants = {
            key: variants
            for key, variants in self._stem_variants.items()
            if len({da for _, da in variants}) > 1
        }
        self._longest_phrase = max((len(k) for k in (*self._phrases, *self._synonyms)), default=0)
        self.word_terms = _cached(self._word_terms, _CACHE_SIZE)
        self._corpus_words: dict[str, list[str]] = {}
        """The words of the corpus texts (``for_corpus``), by text, until ``trim_caches``."""

    def trim_caches(self, size: int = _QUESTION_CACHE_SIZE) -> None:
        """Swap the caches filled while indexing (every word of the corpus, ~40 % of an index's
        memory) for small empty ones, which the words of questions and hits fill."""
        self.stem = _cached(self._stem, size)
        self.word_terms = _cached(self._word_terms, size)
        self._corpus_words = {}

    @classmethod
    def for_corpus(cls, texts: Iterable[str], glossary: Iterable[GlossaryEntry] = ()) -> Analyzer:
        """An analyser whose decompounding lexicon is the stems of the corpus and glossary."""
        glossary = tuple(glossary)
        probe = cls()
        known: set[str] = set()
        danish_glossary = (t for entry in glossary for t in entry.da)
        distinct: set[str] = set()
        # The words of each text, kept for ``document_terms`` of the same texts (the index's
        # passages), which would otherwise find them again; dropped by ``trim_caches``.
        found: dict[str, list[str]] = {}
        for text in (*texts, *danish_glossary):
            text_words = found.get(text)
            if text_words is None:
                text_words = found[text] = _tokens(join_hyphenation(text))
            distinct.update(text_words)
        for word in distinct:
            folded = fold(word)
            if folded not in _FOLDED_DANISH_STOPS and len(folded) >= _MIN_HEAD:
                known.add(folded)
        analyzer = cls({probe.stem(w) for w in known}, glossary, known)
        analyzer.stem = probe.stem  # the same function; its cache already holds every word's stem
        analyzer._probe = probe  # whose method that cache calls (it holds the probe weakly)
        analyzer._corpus_words = found
        return analyzer

    # -- stems -------------------------------------------------------------------------

    def _stem(self, folded: str) -> str:
        """Snowball Danish stem, repeated while a round strips only an inflection (``stem`` is
        its cached form).

        One round leaves inflections apart ("dagsorden"→"dagsord" but "dagsordener"→"dagsorden",
        "attache"→"attach" but "attacheer"→"attache"); another round brings them together. It
        is repeated only after a round that cut a plain inflectional ending: a round that cut a
        derivational suffix or changed the stem ("sikkerhed"→"sikker", "indsigt"→"indsig",
        "interesse"→"interes") left no base form, and a second round over-stems it ("sik",
        "ind", "int"). Measured on the 36 678 inflection groups of four or more forms in the
        Danish DSDO word list (wdanish): groups whose forms do not meet 977 → 1 175 (one round
        only: 2 265), pairs of unrelated base words on one stem 2 854 → 2 378 (one round: 2 291).
        """
        stemmer = self._stemmer(self._danish, "danish")
        folded = lemma(folded)
        for _ in range(_STEM_ROUNDS):
            shorter = stemmer.stemWord(folded)
            if shorter == folded:
                break
            stripped = folded[len(shorter) :] if folded.startswith(shorter) else None
            folded = shorter
            if stripped not in _INFLECTIONS:
                break
        return folded

    def _english_key(self, word: str) -> str:
        return self._english_stem(fold(word, scandinavian=False))

    def _danish_key(self, word: str) -> str:
        return self.stem(fold(word))

    def _english_stem(self, word: str) -> str:
        return self._stemmer(self._english, "english").stemWord(word)

    @staticmethod
    def _stemmer(local: threading.local, language: str) -> Stemmer.Stemmer:
        # PyStemmer objects are not thread-safe; one per thread is cheap.
        stemmer = getattr(local, "stemmer", None)
        if stemmer is None:
            stemmer = local.stemmer = Stemmer.Stemmer(language)
            if language == "danish":
                # `stem` caches; PyStemmer's own cache would cost 2 µs on each of its misses.
                stemmer.maxCacheSize = 0
        return stemmer

    # -- documents ---------------------------------------------------------------------

    def _word_terms(self, word: str) -> tuple[str, ...]:
        """Terms of one surface word: its stem, then its compound parts; () for stop words."""
        folded = fold(word)
        if len(folded) < 2 or folded in _FOLDED_DANISH_STOPS:
            return ()
        stem = self.stem(folded)
        return tuple(dict.fromkeys((stem, *self.split_compound(folded))))

    def split_compound(self, folded: str, depth: int = 0) -> tuple[str, ...]:
        """Stems of a compound's parts when its head is a known word.

        "kvantecenter" → ("kvant", "cent"). The head is the longest known word that ends the
        compound; the modifier loses a linking -s/-e where that yields a known word, and is
        split again.
        """
        if len(folded) < _MIN_MODIFIER + _MIN_HEAD:
            return ()  # no room for a modifier and a head (nor for _split_after_known_modifier)
        whole = self.stem(folded)
        keys, short = self._stem_keys, self._short_stems
        general_words, general_keys = _general_danish(), _general_danish_keys()
        for i in range(_MIN_MODIFIER, len(folded) - _MIN_HEAD + 1):
            # A long head may also be a word of the language the corpus lacks (the general
            # word list), so that "forsvarsudgifter" ends in "udgifter", not in the corpus's
            # "gifter". Its first four letters are tested first (speed only).
            general = (
                len(folded) - i >= _SURE_HEAD
                and folded[i : i + 4] in general_keys
                and folded[i:] in general_words
            )
            # No stem of the rest can be in the lexicon: skip the stemming (speed only). This
            # is _may_start_with_stem, inlined (the rest has at least four letters).
            if (
                not general
                and folded[i : i + 4] not in keys
                and folded[i : i + 3] not in short
                and folded[i : i + 2] not in short
                and folded[i] not in short
            ):
                continue
            head_word = folded[i:]
            head = self.stem(head_word)
            # A head must stem to a word of its own: "militærrådgivere" ends in "givere", which
            # stems to "giv" (of "give"), but its head is "rådgivere"; a three-letter stem
            # would match every "give" and "giver" of a question.
            if (head not in self.lexicon and not general) or head == whole or len(head) < _MIN_HEAD:
                continue
            # A short head must be a word seen on its own: "oner" ends "dimensioner" by chance.
            if len(head_word) < _SURE_HEAD and head_word not in self.known_words:
                continue
            modifier = self._modifier(folded[:i])
            if modifier is None:
                continue
            parts = [modifier, head]
            if depth < 2:
                parts[1:1] = self.split_compound(folded[:i], depth + 1)
            return tuple(dict.fromkeys(parts))
        return self._split_after_known_modifier(folded, whole)

    def _may_start_with_stem(self, word: str) -> bool:
        """Whether a lexicon entry could be ``word``'s stem, i.e. a prefix of it.

        Snowball only removes endings, so a stem is always a prefix of its word (checked on
        ~800 000 words and suffixes); a word no lexicon entry starts need not be stemmed. The
        one exception, an irregular verb form ("gav" → "giv", see ``lemma``), only loses a rare
        split whose head is such a form.
        """
        if word[:4] in self._stem_keys:
            return True
        short = self._short_stems
        return bool(short) and (word[:3] in short or word[:2] in short or word[:1] in short)

    def _split_after_known_modifier(self, folded: str, whole: str) -> tuple[str, ...]:
        """Split after the longest known word that starts the compound, when the head is unknown:
        "afskrækkelsesinstrumenter" → ("afskræk", "instrument").

        The unknown head must look like the start of a word (see ``_may_begin_head``), so
        "stabilitet" is not "stab" + "ilitet".
        """
        for i in range(len(folded) - _SURE_HEAD + 1, _MIN_MODIFIER - 1, -1):
            raw = folded[:i]
            linked = raw[-1] in "se" and raw[:-1] in self.known_words
            plain = raw[:-1] if linked else raw
            if plain not in self.known_words or plain in _FOLDED_DANISH_STOPS:
                continue
            if not _may_begin_head(folded[i:], linked):
                continue
            head = self.stem(folded[i:])
            if len(head) >= _MIN_HEAD and head != whole:
                return (self.stem(plain), head)
        return ()

    def _modifier(self, raw: str) -> str | None:
        candidates = [raw[:-1]] if raw[-1:] in ("s", "e") and len(raw) > _MIN_MODIFIER else []
        candidates.append(raw)
        stems = [self.stem(c) for c in candidates]
        for stem in stems:
            if stem in self.lexicon:
                return stem
        best = stems[0]
        return best if len(raw) >= 5 and raw not in _FOLDED_DANISH_STOPS else None

    def document_terms(self, text: str) -> list[str]:
        """Every term of a text, in order, with repeats (for BM25 term frequencies).

        A suspended compound ("erfarings- og informationsudveksling") also yields the
        compound it stands for ("erfaringsudveksling").
        """
        if "-" not in text:
            # No suspended compound possible (nor hyphenation): the common case, without word
            # spans, and for a corpus text with the words ``for_corpus`` found.
            found_words = self._corpus_words.get(text)
            if found_words is None:
                found_words = _tokens(text)
            return list(itertools.chain.from_iterable(map(self.word_terms, found_words)))
        text = join_hyphenation(text)
        found = words(text)
        out: list[str] = []
        for i, (word, _, end) in enumerate(found):
            out.extend(self.word_terms(word))
            if text.startswith("-", end):
                completed = self._complete_suspended(text, found, i)
                if completed:
                    out.extend(self.word_terms(completed))
        return out

    def _complete_suspended(self, text: str, found: list[tuple[str, int, int]], i: int) -> str | None:
        """The compound that "word-" stands for in "word- og headcompound", or None."""
        if i + 1 >= len(found):
            return None
        gap = text[found[i][2] : found[i + 1][1]]
        joined = _SUSPENSION_GAP_RE.fullmatch(gap)
        if not joined or (not joined.group(1) and fold(found[i + 1][0]) not in _CONJUNCTIONS):
            return None
        for word, _, end in found[i + 1 : i + 6]:
            if fold(word) in _CONJUNCTIONS or text.startswith("-", end):
                continue
            head = self._head_word(fold(word))
            return found[i][0] + head if head else None
        return None

    def _head_word(self, folded: str) -> str | None:
        """The head of a compound: a known word ending it, else what follows a linking -s-
        (or, after a modifier in -er, what begins with the "s")."""
        for i in range(_MIN_MODIFIER, len(folded) - _MIN_HEAD + 1):
            if self.stem(folded[i:]) in self.lexicon and self.stem(folded[i:]) != self.stem(folded):
                return folded[i:]
        for i in range(len(folded) - _SURE_HEAD - 1, _MIN_MODIFIER - 1, -1):
            if folded[i] == "s":
                # After a modifier in -er the "s" mostly begins the head ("rådgiver|stillinger",
                # "under|skrift"); after -ing, -hed, -else, -tion it links (DSDO word list: of
                # splits where only one reading leaves words, -er: 1 030 head-initial to 221
                # linking; -ing: 82 to 5 726).
                return folded[i:] if folded.endswith("er", 0, i) else folded[i + 1 :]
        return None

    # -- questions ---------------------------------------------------------------------

    def concepts(self, question: str, known: frozenset[str] | set[str] = frozenset()) -> list[Concept]:
        """What a question asks about, word by word, with glossary phrases for English.

        ``known`` is the index vocabulary: a Danish question only consults the glossary for
        words whose own terms are unknown there.
        """
        text = join_hyphenation(question)
        found = words(text)
        tokens = [w for w, _, _ in found]
        if not tokens:
            return []
        plain = [fold(t, scandinavian=False) for t in tokens]
        english = is_english(plain)
        keys = ([self._english_stem(t) for t in plain], [self._danish_key(t) for t in tokens])
        out: list[Concept] = []
        after_determiner = False
        i = 0
        while i < len(tokens):
            span = self._glossary_match(keys, tokens, plain, i, english, known)
            if span:
                end, terms = span
                if terms:
                    out.append(Concept(" ".join(tokens[i:end]), terms, curated=True))
                i = end
                after_determiner = False
                continue
            token, word = tokens[i], plain[i]
            i += 1
            if word in _INTERROGATIVE_DETERMINERS:
                after_determiner = True
                continue
            if word in ENGLISH_STOP_WORDS and (english or len(word) < 2):
                after_determiner = False  # "what *is*": no noun follows the determiner
                continue
            terms = self.word_terms(token)
            if terms:
                concept = _word_concept(text, found[i - 1], word, terms, after_determiner, weak_past=True)
                out.append(concept)
                after_determiner = after_determiner and concept.filler
        return out

    def _closest_phrases(self, key: tuple[str, ...], plain: list[str]) -> tuple[str, ...] | None:
        """The Danish terms of the English glossary phrases with this stem key, or of those
        among them whose words share the longest prefixes with the question's words.

        English stemming joins words the glossary keeps apart: "competing" (konkurrence) and
        "competence" (kompetence) both stem to "compet", "planning" and "plan", "officer" and
        "office". An exact word wins; else the phrase closest in spelling ("competitor" is
        nearer "competing" than "competence"); a tie keeps them all.
        """
        variants = self._stem_variants.get(key)
        if variants is None:
            return self._phrases.get(key)
        scores = [sum(map(_closeness, plain, surface)) for surface, _ in variants]
        best = max(scores)
        return tuple(t for (_, da), score in zip(variants, scores, strict=True) if score == best for t in da)

    def _glossary_match(
        self,
        keys: tuple[list[str], list[str]],
        tokens: list[str],
        plain: list[str],
        start: int,
        english: bool,
        known: frozenset[str] | set[str],
    ) -> tuple[int, tuple[str, ...]] | None:
        """The longest acceptable glossary phrase starting at ``start``: (end, index terms).

        Shorter phrases are tried when a longer one is refused, so "fylder mest" refused still
        leaves "fylder". A phrase of stop words only is no match. English keys are consulted in
        Danish questions too, which mix in English terms ("cyber", "deterrence"); measured, that
        beats skipping them. In a Danish question a glossary phrase applies only where the memo
        lacks the question's own words: a curated synonym
        beats the parts of a compound the memo lacks as a whole ("hovedanbefaling" is "centrale
        anbefaling", not "hoved" + "anbefaling").
        """
        english_keys, danish_keys = keys
        for length in range(min(self._longest_phrase, len(english_keys) - start), 0, -1):
            end = start + length
            key = tuple(english_keys[start:end])
            danish = self._closest_phrases(key, plain[start:end]) or (
                self._synonyms.get(tuple(danish_keys[start:end]))
            )
            if not danish:
                continue
            if all(t in ENGLISH_STOP_WORDS or t in DANISH_STOP_WORDS for t in plain[start:end]):
                continue
            own = [self.word_terms(tok)[:1] for tok in tokens[start:end]]
            if not english and any(t in known for terms in own for t in terms):
                continue
            terms = [t for phrase in danish for t in self.document_terms(phrase)]
            return end, tuple(dict.fromkeys(terms))
        return None


class PlainAnalyzer:
    """The chain of a language without Danish morphology (English, and the other table entries
    of ``memobot.languages``): tokenizer, folding, the language's stop words, Snowball.

    Folding keeps a word's own letters (no Scandinavian digraphs: "Boeing" stays "boeing").
    Questions drop the stop words of every language the knowledge base holds, since a question
    may be written in another language than the memo ("hvad siger rapporten om …").
    """

    def __init__(self, language: Language, known_words: Iterable[str] = ()) -> None:
        self.language = language
        self._local = threading.local()
        self._stops = language.stop_words
        self._question_stops = self._stops | _FOLDED_DANISH_STOPS | ENGLISH_STOP_WORDS
        self.stem = _cached(self._stem, _CACHE_SIZE)
        self.word_terms = _cached(self._word_terms, _CACHE_SIZE)
        self.lexicon: frozenset[str] = frozenset()
        self.known_words = frozenset(known_words)

    @classmethod
    def for_corpus(cls, language: Language, texts: Iterable[str]) -> PlainAnalyzer:
        """An analyser for a corpus in ``language``."""
        known = {fold(w, scandinavian=False) for text in texts for w in _tokens(text)}
        return cls(language, known)

    def trim_caches(self, size: int = _QUESTION_CACHE_SIZE) -> None:
        """Swap the caches filled while indexing for small empty ones."""
        self.stem = _cached(self._stem, size)
        self.word_terms = _cached(self._word_terms, size)

    def _stem(self, folded: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer(self.language.snowball)
        # Snowball knows no irregular forms ("women", "children", "held"): the dictionary
        # lemma first, where simplemma has one for the word.
        return stemmer.stemWord(dictionary_lemma(folded, self.language.code) or folded)

    def _word_terms(self, word: str) -> tuple[str, ...]:
        folded = fold(word, scandinavian=False)
        if _ACRONYM_MIN <= len(word) <= _ACRONYM_MAX and word.isupper() and word.isalpha():
            # An acronym is no stop word and has no lemma: "US" is not "us" (we), "IT" not "it".
            return (folded,)
        if len(folded) < 2 or folded in self._stops:
            return ()
        return (self.stem(folded),)

    def document_terms(self, text: str) -> list[str]:
        """Every term of a text, in order, with repeats."""
        found = _tokens(join_hyphenation(text) if "-" in text else text)
        if found and text.isupper():
            found = [w.lower() for w in found]  # a heading in capitals has no acronyms
        return list(itertools.chain.from_iterable(map(self.word_terms, found)))

    def concepts(self, question: str, known: frozenset[str] | set[str] = frozenset()) -> list[Concept]:
        """What a question asks about, word by word."""
        text = join_hyphenation(question)
        if text.isupper():
            text = text.lower()  # a question in capitals has no acronyms
        found = words(text)
        out: list[Concept] = []
        after_determiner = False
        for i, (token, _, _) in enumerate(found):
            word = fold(token, scandinavian=False)
            if word in _INTERROGATIVE_DETERMINERS:
                after_determiner = True
                continue
            if word in self._question_stops or len(word) < 2:
                after_determiner = False
                continue
            terms = self.word_terms(token) or (self.stem(word),)
            concept = _word_concept(text, found[i], word, terms, after_determiner, weak_past=False)
            out.append(concept)
            after_determiner = after_determiner and concept.filler
        return out


def analyzer_for(language: Language, texts: Iterable[str], glossary: Iterable[GlossaryEntry] = ()):
    """The analysis chain of ``language`` built for a corpus (and, for Danish, its glossary)."""
    if language.code == "da":
        return Analyzer.for_corpus(texts, glossary)
    return PlainAnalyzer.for_corpus(language, texts)
