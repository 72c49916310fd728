"""BM25 retrieval over a knowledge base, and the decision whether a question is answered."""

from __future__ import annotations

import bisect
import itertools
import math
import re
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from ._decision import AnswerDecision
from .analysis import (
    DANISH_STOP_WORDS,
    ENGLISH_STOP_WORDS,
    Analyzer,
    Concept,
    analyzer_for,
    fold,
    is_english,
    weak_infinitives,
    words,
)
from .gcpause import gc_paused
from .languages import LANGUAGES
from .lexicon import Lexicon, bundled_lexicon, is_everyday_word, is_word
from .models import Answer, GlossaryEntry, Hit, KnowledgeBase, Passage, Recommendation
from .postings import InvertedOkapi, Postings, Ranking, TermWeights
from .wordlists import abbreviations, word_list

__all__ = ["DEFAULT_SETTINGS", "Index", "IndexSettings", "LanguageIndex"]


@dataclass(frozen=True)
class IndexSettings:
    """How the index scores and decides. The defaults were chosen by measurement (README)."""

    variant: str = "okapi"
    """rank-bm25 class: "okapi", "l" (BM25L) or "plus" (BM25+). Okapi ranked best on both
    question files; BM25+ also scores every non-matching passage above zero, which would
    blur the "did anything match" signal."""
    k1: float = 1.2
    """Term-frequency saturation (1.2–1.5 measured equal; 0.9 worse)."""
    b: float = 0.75
    """Length normalisation (0.75 beat 0.3 and 0.5 on hit@1)."""
    delta: float = 0.5
    """BM25L/BM25+'s delta (unused by Okapi)."""
    min_coverage: float = 0.5
    """Share of a question's weight that one of the top hits must match, strictly more than,
    to count as an answer: a strict majority. Measured on the three question files (dev, the
    repo's own, the held-out one) from 0.3 to 0.65: at 0.4 off-topic questions that match one
    word of two ("indbyggere" + "Japan", "exams" + "University of Copenhagen") were answered;
    0.55 and above refused more on-topic questions phrased in words the memo does not use
    than it rejected off-topic ones. Exactly half is refused: the half a passage misses is as
    much of the question as the half it matches."""
    heading_terms: bool = True
    """Add each passage's section headings and role names to its terms, once each."""
    window: float = 0.0
    """Share of each neighbouring passage's score (same memo and section, before and after) that a
    passage adds to its own: a speech says in three short paragraphs what a memo says in one,
    and the passage that matches best should win with the context that answers the rest. Only
    passages that match the question themselves are ranked; 0 turns it off."""
    colophon_weight: float = 0.5
    """Score factor of publication metadata (kind "colophon"). A colophon repeats the title
    and says "rapporten", so it matches content questions by their most generic words while
    it answers none of them; as a prior it ranks below content, and it answers a question
    only when it covers all of it ("Who published the memo?", not "eksamen på Københavns
    Universitet"). 0.5–0.7 measured best; 0.3 and below lost a question about the title,
    which only the introduction and the colophon quote."""


DEFAULT_SETTINGS = IndexSettings()

_BM25 = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}
_PREFIX_MIN = 5
_PREFIX_SHARE = 0.6
_MAX_EXTENSIONS = 3
_RECOMMENDATION_HITS = 3
# How many of BM25's best passages the coordination factor re-orders: enough to hold every
# passage a reader pages to, few enough that a question over 100 000 passages stays cheap.
_COORDINATION_DEPTH = 50
# How much a score earned through the lexicon counts beside one earned by the question's own
# words, when hits of indexes of several languages are merged.
_TRANSLATED_WEIGHT = 0.7


def _with_prefix(sorted_terms: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(sorted_terms, prefix)
    found = []
    for candidate in sorted_terms[start:]:
        if not candidate.startswith(prefix):
            break
        found.append(candidate)
    return found


def _floor_idf(bm25: BM25Okapi) -> None:
    """Give every term at least rank-bm25's epsilon floor.

    rank-bm25 floors only negative IDFs (terms in more than half the passages), so a term
    in exactly half gets 0 and one just under half a tiny positive IDF, both below the floor
    that a commoner term gets (rank-bm25 issue #39). On a small corpus that inverts rarity.
    """
    # rank-bm25 averages the IDFs before flooring them; in a knowledge base of a handful of
    # passages most terms sit in half or more of them, the average turns negative, and so
    # would the floor: matching more question words would then lower a score.
    positive = [idf for idf in bm25.idf.values() if idf > 0]
    base = bm25.average_idf if bm25.average_idf > 0 else sum(positive) / len(positive) if positive else 1.0
    floor = bm25.epsilon * base
    for term, idf in bm25.idf.items():
        if idf < floor:
            bm25.idf[term] = floor


class _Coordinated(Sequence):
    """A ranking whose head was re-ordered; the tail is read from the (lazy) ranking only when
    a reader pages past the head, so a question over 100 000 passages never sorts them all."""

    def __init__(
        self,
        head: list[tuple[int, float]],
        ranking: Sequence[tuple[int, float]],
        coverages: dict[int, float],
    ) -> None:
        self._head = head
        self._ranking = ranking
        self.coverages = coverages
        """Coverage of each head passage, as computed for the re-ordering."""

    def __len__(self) -> int:
        return len(self._ranking)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1 and stop <= len(self._head):
                return self._head[start:stop]
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if index < len(self._head):
            return self._head[index]
        return self._ranking[index]


class _Citations(Sequence):
    """Each passage's citation, made when asked (a string per passage is ~15 MB per 100 000)."""

    def __init__(self, kb: KnowledgeBase, passages: Sequence[Passage]) -> None:
        self._kb = kb
        self._passages = passages

    def __len__(self) -> int:
        return len(self._passages)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._kb.citation(self._passages[index])


@dataclass(frozen=True)
class _Query:
    """A question resolved against the index vocabulary."""

    concepts: tuple[tuple[Concept, tuple[str, ...]], ...]
    """Each concept with the index terms that stand for it (empty: nothing in the index)."""
    terms: tuple[str, ...]
    """Distinct index terms to score with, in question order."""
    groups: tuple[tuple[str, ...], ...] = ()
    """Translations of one question word each: scored as one term (Pirkola), not in ``terms``."""
    language: str = ""
    """The language the question is written in, when the lexicon was consulted ("da", "en")."""


@dataclass(frozen=True)
class _Search:
    """One index's ranking for a question and its decision."""

    index: LanguageIndex
    query: _Query
    ranking: _Coordinated
    answered: bool
    tentative: bool
    """Not answered, but its best passages are worth showing with low confidence."""
    scale: float
    """The index's best possible score for the question (``LanguageIndex._best_possible``)."""
    memos: frozenset[str] | None = None
    """The memos the question was limited to (None: all)."""


class LanguageIndex:
    """An immutable, searchable snapshot of the passages of one language (by default, all of a
    knowledge base's passages, analysed as Danish)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: IndexSettings = DEFAULT_SETTINGS,
        *,
        passages: Sequence[Passage] | None = None,
        language: str = "da",
        glossary: Sequence[GlossaryEntry] | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        with gc_paused():
            self._build(kb, settings, passages, language, glossary, lexicon)

    def _build(
        self,
        kb: KnowledgeBase,
        settings: IndexSettings,
        passages: Sequence[Passage] | None,
        language: str,
        glossary: Sequence[GlossaryEntry] | None,
        lexicon: Lexicon | None,
    ) -> None:
        started = time.perf_counter()
        self.kb = kb
        self.settings = settings
        self.language = LANGUAGES[language]
        self.lexicon = lexicon
        self.passages: tuple[Passage, ...] = tuple(kb.passages if passages is None else passages)
        self.memo_ids = frozenset(p.memo_id for p in self.passages)
        self._memo_numbers = {
            memo_id: n for n, memo_id in enumerate(dict.fromkeys(p.memo_id for p in self.passages))
        }
        self._memo_of = np.fromiter(
            (self._memo_numbers[p.memo_id] for p in self.passages), dtype=np.int32, count=len(self.passages)
        )
        self.analyzer = analyzer_for(
            self.language, self._corpus_texts(self.passages), kb.glossary if glossary is None else glossary
        )
        self.citations = _Citations(kb, self.passages)
        self._label_terms: dict[tuple[str, ...], list[str]] = {}
        documents = [self._passage_terms(p) for p in self.passages]
        # Each passage's neighbours in its memo and section (len(passages): none), for the window.
        none = len(self.passages)
        self._before = np.full(none, none, dtype=np.int64)
        self._after = np.full(none, none, dtype=np.int64)
        for i in range(1, none if settings.window else 0):
            one, other = self.passages[i - 1], self.passages[i]
            if one.memo_id == other.memo_id and one.section == other.section:
                self._before[i], self._after[i - 1] = i - 1, i
        self._label_terms = {}  # only needed while building: free it
        self._postings = Postings(documents)
        self._vocabulary = sorted(self._postings.term_ids)
        self._reversed_vocabulary = sorted(t[::-1] for t in self._postings.term_ids)
        self._vocabulary_set = self._postings.term_ids.keys()
        self._bm25: BM25Okapi | BM25L | BM25Plus
        if settings.variant == "okapi":
            # rank-bm25's BM25Okapi over the inverted index: the same scores, from postings.
            self._bm25 = InvertedOkapi(self._postings, k1=settings.k1, b=settings.b)
            _floor_idf(self._bm25)
        else:
            cls = _BM25[settings.variant]
            self._bm25 = cls(documents, k1=settings.k1, b=settings.b, delta=settings.delta)
        self._idf = TermWeights(self._postings)
        # The weight of the rarest term: the most an unknown content word weighs (coverage).
        self._ceiling = self._term_weight_of_df(int(self._postings.df.min())) if self._idf else 1.0
        self.decision = AnswerDecision(
            self.passages,
            self._idf,
            self._bm25.doc_freqs,
            self._ceiling,
            settings.min_coverage,
            _RECOMMENDATION_HITS,
        )
        prior = np.array([settings.colophon_weight if p.kind == "colophon" else 1.0 for p in self.passages])
        # None when every factor is 1, so the common case scores exactly as rank-bm25 does.
        self._prior = prior if (prior != 1.0).any() else None
        self.analyzer.trim_caches()
        # `ask` shows the top hits twice (excerpts, recommendation votes): match their words once.
        # Through a weak reference: a cache holding the bound method would keep the index in a
        # cycle, alive after a reload until a full garbage collection (RSS grew per reload).
        find = weakref.WeakMethod(self._find_matched_words)
        self._matched_words = lru_cache(maxsize=256)(lambda doc_id, terms: find()(doc_id, terms))
        self.load_seconds = time.perf_counter() - started

    # -- building ----------------------------------------------------------------------

    @staticmethod
    def _corpus_texts(passages: Sequence[Passage]) -> list[str]:
        headings = {h for p in passages for h in p.section}
        return [p.text for p in passages] + sorted(headings)

    def _passage_terms(self, passage: Passage) -> list[str]:
        terms = self.analyzer.document_terms(passage.text)
        if self.settings.heading_terms:
            labels = (*passage.section, *(self.kb.recommendation(r).role for r in passage.supports))
            # Passages of a section share their labels: analyse each combination once.
            extra = self._label_terms.get(labels)
            if extra is None:
                found = dict.fromkeys(t for label in labels for t in self.analyzer.document_terms(label))
                extra = self._label_terms[labels] = list(found)
            terms += extra
        return terms

    def _term_weight_of_df(self, df: int) -> float:
        # As TermWeights computes it, so that the maximum is exactly the rarest term's weight.
        n = len(self.passages)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    # -- questions ---------------------------------------------------------------------

    def resolve(self, question: str) -> _Query:
        """Analyse a question and map its terms onto the index vocabulary."""
        resolved = []
        for concept in self.analyzer.concepts(question, self._vocabulary_set):
            # Only the whole word may fall back to related forms; a compound part must match
            # as it is ("hoved" of "hovedanbefaling" must not become "hovedpointer").
            stem, *parts = concept.terms
            forms = (
                self._known_forms(stem)
                if stem in self._vocabulary_set or not isinstance(self.analyzer, Analyzer)
                else self._weak_verb_forms(concept, stem)
            )
            found = forms + [p for p in parts if p in self._vocabulary_set]
            resolved.append((concept, tuple(dict.fromkeys(found))))
        groups: list[tuple[str, ...]] = []
        asked = ""
        if self.lexicon is not None:
            asked = question_language(question)
            resolved = self._translated(asked, self._phrases(question, asked, resolved), groups)
        grouped = {t for g in groups for t in g}
        terms = tuple(dict.fromkeys(t for _, found in resolved for t in found if t not in grouped))
        return _Query(tuple(resolved), terms, tuple(groups), asked)

    def _phrases(
        self, question: str, asked: str, resolved: list[tuple[Concept, tuple[str, ...]]]
    ) -> list[tuple[Concept, tuple[str, ...]]]:
        """Two neighbouring question words the lexicon translates as one ("Faroe Islands" →
        Færøerne, "United Kingdom" → Storbritannien) joined into one concept, in a question of
        another language than the index's: word by word they would translate as islands and a
        kingdom."""
        mine = self.language.code
        if asked == mine or mine not in self.lexicon.languages:
            return resolved
        other = next(lang for lang in self.lexicon.languages if lang != mine)
        out: list[tuple[Concept, tuple[str, ...]]] = []
        i = 0
        while i < len(resolved):
            concept, found = resolved[i]
            if i + 1 < len(resolved) and not concept.curated:
                following = resolved[i + 1][0]
                phrase = f"{concept.source} {following.source}"
                entry = fold(phrase, scandinavian=False)
                if (
                    not following.curated
                    and re.search(
                        rf"(?<!\w){re.escape(concept.source)}\s+{re.escape(following.source)}(?!\w)", question
                    )
                    and self.lexicon.has_entry(entry, other, mine)
                    # Joined only where the index has the phrase's translation: "welfare state"
                    # → velfærdsstat, where a memo says velfærd, is better as its two words.
                    and any(self._translation_terms(t) for t in self.lexicon.translate(entry, other, mine))
                ):
                    joined = Concept(
                        source=phrase,
                        terms=concept.terms,
                        specific=concept.specific or following.specific,
                    )
                    out.append((joined, ()))
                    i += 2
                    continue
            out.append((concept, found))
            i += 1
        return out

    def _translated(
        self,
        asked: str,
        resolved: list[tuple[Concept, tuple[str, ...]]],
        groups: list[tuple[str, ...]],
    ) -> list[tuple[Concept, tuple[str, ...]]]:
        """Question words matched through the lexicon: structured query translation.

        In a question of another language than the index's, every content word stands for its
        translations (its own form only where it is a name or number, the same in both
        languages, or where the lexicon has no translation); in a question of the index's own
        language, only a word the index lacks is looked up in the other language ("cyber",
        "deterrence" in a Danish question). A word and its translations are one term
        (``InvertedOkapi.group_scores``). ``asked`` is the question's language.
        """
        mine = self.language.code
        if mine not in self.lexicon.languages:
            return resolved
        other = next(lang for lang in self.lexicon.languages if lang != mine)
        out = []
        for concept, found in resolved:
            foreign = asked != mine
            # In the index's own language, only a word that is no word of that language is
            # looked up in the other ("deterrence" in a Danish question, not "pizza").
            source_word = fold(concept.source, scandinavian=False)
            if (
                concept.curated
                or concept.filler
                or concept.common
                or source_word in _STOP_WORDS
                or (not foreign and (found or is_word(concept.source, mine)))
            ):
                out.append((concept, found))
                continue
            translations = self.lexicon.translate(source_word, other, mine)
            senses = _senses(translations, name=concept.specific)
            terms = [t for phrase in senses for t in self._translation_terms(phrase)]
            if foreign:
                # This index's analyser took a word of another language apart as if it were
                # one of its own compounds ("Greenland" → green + land): its parts mean nothing.
                parts = set(concept.terms[1:])
                found = () if terms and not concept.specific else tuple(t for t in found if t not in parts)
            group = tuple(dict.fromkeys([*found, *terms]))
            if terms:
                groups.append(group)
            modifier = self._compound_modifier(source_word, other, mine) if foreign and translations else ()
            if modifier:
                # The modifier of a Danish compound translated by its head is often a name
                # ("Hormuz|strædet", "Trump|administrationen"): it is a second term of the same
                # concept, found in this index as it is.
                groups.append(modifier)
                group = tuple(dict.fromkeys([*group, *modifier]))
            out.append((concept, group))
        return out

    def _translation_terms(self, phrase: str) -> list[str]:
        """This index's terms for a translation: each word's own term where the index has it,
        its compound parts only where it has not. A translation is one sense already; its parts
        as alternatives ("landmand" → land, mand) match passages about something else."""
        out = []
        for word, _, _ in words(phrase):
            terms = self.analyzer.word_terms(word)
            if not terms:
                continue
            if terms[0] in self._vocabulary_set:
                out.append(terms[0])
            else:
                out.extend(t for t in terms[1:] if t in self._vocabulary_set)
        return out

    def _compound_modifier(self, word: str, source: str, target: str) -> tuple[str, ...]:
        """This index's terms for the modifier of a compound the lexicon translated by its head,
        when the index has the modifier as it is (a name: "Hormuz", "Trump"), or ().

        A modifier that must itself be translated is left out: measured, "Kinas største
        eksportvare" then matched a report's "China … export" and an off-topic question was
        answered."""
        lexicon = self.lexicon
        if lexicon is None or source != "da" or lexicon.has_entry(word, source, target):
            return ()
        for i in range(_MIN_MODIFIER, len(word) - _MIN_MODIFIER + 1):
            if not lexicon.has_entry(word[i:], source, target):
                continue
            stem = word[:i]
            # Danish may join with -s- or -e- ("Bidens|administrationen").
            for modifier in dict.fromkeys((stem, stem[:-1] if stem[-1] in "se" else stem)):
                if is_word(modifier, source) and not is_word(modifier, target):
                    continue  # a Danish word, not a name both languages share
                own = [t for t in self.analyzer.document_terms(modifier) if t in self._vocabulary_set]
                if own:
                    return tuple(own)
            return ()
        return ()

    def _weak_verb_forms(self, concept: Concept, stem: str) -> list[str]:
        """Known forms of a question word the index lacks, through its infinitive when it is a
        weak verb's past tense or participle ("anbefalede" → "anbefale", "nævnt" → "nævne").

        The infinitive is used only where its stem is indexed, or where the word's own stem
        finds nothing: a noun in -ede/-te the index knows ("billede") keeps its own stem.
        """
        own = self._known_forms(stem)
        if " " in concept.source:
            return own
        for infinitive in weak_infinitives(fold(concept.source)):
            verb = self.analyzer.stem(infinitive)
            if verb == stem:
                continue
            if verb in self._vocabulary_set:
                return [verb]
            if not own:
                own = self._known_forms(verb)
        return own

    def _known_forms(self, term: str) -> list[str]:
        """The term if indexed; else the indexed words it derives from or that derive from it.

        Snowball leaves derivations apart ("digitalisering" vs "digitalis" of
        "digitaliserede"), so an unknown term falls back to its longest indexed prefix, else
        to the few indexed terms that start with it, else (in a language that compounds) to
        those that end with it.
        """
        if term in self._vocabulary_set:
            return [term]
        floor = max(_PREFIX_MIN, math.ceil(_PREFIX_SHARE * len(term)))
        for end in range(len(term) - 1, floor - 1, -1):
            if term[:end] in self._vocabulary_set:
                return [term[:end]]
        if len(term) < _PREFIX_MIN:
            return []
        longer = _with_prefix(self._vocabulary, term)
        if not longer:
            # Danish compounds end in their head: "konkurrenc" → "stormagtskonkurrenc".
            longer = [t[::-1] for t in _with_prefix(self._reversed_vocabulary, term[::-1])]
            if not self.language.compounds:
                # English joins words less often, and only whole ones ("sea|floor"): "train" is
                # no "con|strain", "minister" no "admini|ster".
                longer = [t for t in longer if t[: len(t) - len(term)] in self._vocabulary_set]
        return sorted(longer, key=lambda t: (len(t), t))[:_MAX_EXTENSIONS]

    def candidates(self, terms: tuple[str, ...]) -> list[int]:
        """Passages that contain at least one of the terms."""
        return self._postings.candidates(terms).tolist()

    def ranked(
        self, terms: tuple[str, ...], groups: tuple[tuple[str, ...], ...] = ()
    ) -> Ranking | list[tuple[int, float]]:
        """(passage index, score) of every matching passage, best first, ties by file order.

        With Okapi, a lazily sorted sequence: reading the first few costs a partial selection.
        ``groups`` (Okapi only) are scored as one term each.
        """
        if isinstance(self._bm25, InvertedOkapi):
            return self._bm25.ranking(terms, self._prior, groups)
        terms = (*terms, *(t for g in groups for t in g))
        ids = self.candidates(terms)
        if not ids:
            return []
        scores = self._bm25.get_batch_scores(list(terms), ids)
        if self._prior is not None:
            scores = [s * float(self._prior[i]) for i, s in zip(ids, scores, strict=True)]
        return sorted(zip(ids, scores, strict=True), key=lambda pair: (-pair[1], pair[0]))

    def _only(
        self, ranking: Sequence[tuple[int, float]], memos: frozenset[str]
    ) -> Sequence[tuple[int, float]]:
        """The ranking's passages of ``memos`` only (one array mask, not a walk of the ranking)."""
        if not isinstance(ranking, Ranking):
            return [(i, s) for i, s in ranking if self.passages[i].memo_id in memos]
        allowed = np.zeros(len(self._memo_numbers), dtype=bool)
        allowed[[self._memo_numbers[m] for m in memos if m in self._memo_numbers]] = True
        keep = allowed[self._memo_of[ranking.ids]]
        return Ranking(ranking.ids[keep], ranking.scores[keep])

    def _windowed(self, ranking: Sequence[tuple[int, float]]) -> Ranking:
        """The ranking with each passage's score raised by ``window`` times its neighbours'."""
        if isinstance(ranking, Ranking):
            ids, scores = ranking.ids, ranking.scores
        else:
            ids = np.fromiter((i for i, _ in ranking), dtype=np.int64, count=len(ranking))
            scores = np.fromiter((s for _, s in ranking), dtype=np.float64, count=len(ranking))
        full = np.zeros(len(self.passages) + 1)  # the last slot stands for "no neighbour"
        full[ids] = scores
        context = full[self._before[ids]] + full[self._after[ids]]
        return Ranking(ids, scores + self.settings.window * context)

    def coordinated(self, query: _Query, ranking: Sequence[tuple[int, float]]) -> _Coordinated:
        """Re-order BM25's best passages by score × coverage: Lucene's classic coordination factor.

        BM25 sums term scores, so one rare word repeated can outrank a passage that matches the
        whole question ("fordele og ulemper … prioritering for NATO" found "allianceprioriteter"
        ahead of "muligheder og udfordringer … NATO"). Scaling by the share of the question a
        passage covers prefers the passage that answers all of it. Measured on the three question
        files: hit@1 on the repo's own file 0.860 → 0.895, the others unchanged; a square or
        cube of the coverage measured the same, so the plain factor stays.
        """
        coverages = {
            doc_id: self.decision.coverage(query.concepts, doc_id)
            for doc_id, _ in ranking[:_COORDINATION_DEPTH]
        }
        head = [(doc_id, score * coverages[doc_id]) for doc_id, score in ranking[:_COORDINATION_DEPTH]]
        head.sort(key=lambda pair: (-pair[1], pair[0]))
        return _Coordinated(head, ranking, coverages)

    def search(self, question: str, memos: frozenset[str] | None = None) -> _Search:
        """Rank the passages for a question (only those of ``memos``, when given) and decide
        whether the best of them answer it."""
        query = self.resolve(question)
        ranking: Sequence[tuple[int, float]] = self.ranked(query.terms, query.groups)
        if self.settings.window and len(ranking) > 1:
            ranking = self._windowed(ranking)
        if memos is not None and not self.memo_ids <= memos:
            ranking = self._only(ranking, memos)
        ranking = self.coordinated(query, ranking)
        # A question counts as answered when one of the top hits covers enough of it; BM25
        # may rank a passage that matches one rare word above one that matches them all.
        answered = self.decision.answered(question, query.concepts, ranking, ranking.coverages)
        tentative = not answered and self.decision.tentative(query.concepts, ranking, ranking.coverages)
        scale = self._best_possible(query)
        if query.groups and query.language != self.language.code:
            # Evidence through translation is weaker than the question's own words: a Danish
            # question that a Danish memo answers should not be answered from an English one
            # that shares a translated word ("pension").
            scale /= _TRANSLATED_WEIGHT
        return _Search(self, query, ranking, answered, tentative, scale, memos)

    def _best_possible(self, query: _Query) -> float:
        """What a passage matching every question word would score at most, by the weights of
        the answered decision (a word this index lacks counts too, at what it would weigh):
        the scale on which scores of different indexes are compared, so that an index that
        knows one word of a question does not look as good as one that knows them all."""
        total = 0.0
        for concept, found in query.concepts:
            if concept.filler or (concept.common and not found):
                continue
            total += self.decision.weight(concept, found)
        return (self.settings.k1 + 1) * total or 1.0

    def ask(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """Answer a question with up to ``k`` excerpts, skipping the ``offset`` best."""
        return self.answer(self.search(question), question, k, offset)

    def answer(self, found: _Search, question: str, k: int = 3, offset: int = 0) -> Answer:
        """The answer a search gives."""
        query, ranking = found.query, found.ranking
        if not found.answered:
            closest = ranking[offset : offset + k] if found.tentative else []
            return Answer(
                question=question,
                answered=False,
                hits=tuple(self._hit(doc_id, score, query) for doc_id, score in closest),
                recommendation=None,
                suggestions=self.suggestions(ranking, memos=found.memos),
                offset=offset if closest else 0,
                has_more=bool(closest) and len(ranking) > offset + k,
                tentative=bool(closest),
            )
        hits = tuple(self._hit(doc_id, score, query) for doc_id, score in ranking[offset : offset + k])
        top = tuple(self._hit(doc_id, score, query) for doc_id, score in ranking[:_RECOMMENDATION_HITS])
        return Answer(
            question=question,
            answered=True,
            hits=hits,
            recommendation=self.recommendation_for(top),
            offset=offset,
            has_more=len(ranking) > offset + k,
        )

    def _hit(self, doc_id: int, score: float, query: _Query) -> Hit:
        return Hit(
            passage=self.passages[doc_id],
            score=float(score),
            citation=self.citations[doc_id],
            matched_terms=self._matched_words(doc_id, (*query.terms, *(t for g in query.groups for t in g))),
        )

    def _find_matched_words(self, doc_id: int, terms: tuple[str, ...]) -> tuple[str, ...]:
        """Words of a passage whose terms are among ``terms``, in text order, once each."""
        wanted = set(terms)
        word_terms = self.analyzer.word_terms
        matched = dict.fromkeys(
            word for word, _, _ in words(self.passages[doc_id].text) if wanted.intersection(word_terms(word))
        )
        return tuple(matched)

    def recommendation_for(self, hits: tuple[Hit, ...]) -> Recommendation | None:
        """The recommendation of the best hit; when it supports several, the one the other top
        hits support most (by summed score), then the most specific, then the first named."""
        if not hits or not hits[0].passage.supports:
            return None
        candidates = hits[0].passage.supports
        votes = {
            rec_id: sum(hit.score for hit in hits if rec_id in hit.passage.supports) for rec_id in candidates
        }
        best = max(candidates, key=lambda r: (votes[r], self._depth(r), -candidates.index(r)))
        return self.kb.recommendation(best)

    def _depth(self, rec_id: str) -> int:
        depth, rec = 0, self.kb.recommendation(rec_id)
        while rec.parent_id is not None and depth < 10:
            depth, rec = depth + 1, self.kb.recommendation(rec.parent_id)
        return depth

    def suggestions(
        self, ranking: Sequence[tuple[int, float]], limit: int = 3, memos: frozenset[str] | None = None
    ) -> tuple[str, ...]:
        """Closest topics: the sections of the best partial matches, else the roles of the memos
        (of ``memos`` only, when the question was limited to them), each memo's first role
        before any memo's second: with many memos loaded, not three roles of the first one."""
        labels: dict[str, None] = {}
        for i, _ in ranking:
            if len(labels) >= limit:
                break  # the first `limit` distinct labels are all that is shown
            labels.setdefault(
                f"{self.kb.memo(self.passages[i].memo_id).title}: {self.passages[i].section_label}"
            )
        # Round by round, stopping as soon as enough are found: a knowledge base may hold
        # thousands of memos, and this runs for every question not answered.
        for depth in itertools.count():
            deeper = False
            for memo in self.kb.memos:
                if len(labels) >= limit:
                    return tuple(labels)
                if (memos is None or memo.id in memos) and depth < len(memo.roles):
                    labels.setdefault(f"{memo.title}: {memo.roles[depth].name}")
                    deeper = True
            if not deeper:
                break
        return tuple(list(labels)[:limit])


_STOP_WORDS = DANISH_STOP_WORDS | ENGLISH_STOP_WORDS
# A compound's modifier shorter than this is no word to look up ("eu" of "eu-landene" is split
# at the hyphen before it gets here).
_MIN_MODIFIER = 4


def _senses(translations: Sequence[str], name: bool = False) -> Sequence[str]:
    """The translations that stand for a word. A phrase is a qualified or looser sense
    ("kvindelig sekretær" for secretary, "foreign country" for udlandet) whose every word
    would stand for the word ("kvindelig" matches every passage about women): a common word
    keeps its one-word translations where it has any. A name's phrase is often the name itself
    ("United States" for USA) and is kept, unless it qualifies another translation."""
    single = [t for t in translations if " " not in t]
    if not name:
        return single or translations
    words_of = {t.lower() for t in single}
    return [t for t in translations if " " not in t or not words_of.intersection(t.lower().split())]


def expand_abbreviations(question: str, table: Mapping[str, str] | None = None) -> str:
    """The question with each abbreviation of ``table`` (by default data/words/abbreviations.tsv)
    written out ("the PM's speech" → "the prime minister's speech"): texts spell out what a
    question abbreviates. Whole, case-sensitive words, and not a time of day ("3 PM")."""
    table = abbreviations() if table is None else table
    if not table:
        return question
    return _abbreviation_pattern(tuple(sorted(table, key=len, reverse=True))).sub(
        lambda m: table[m.group(1)], question
    )


@lru_cache(maxsize=64)
def _abbreviation_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])(?<!\d )(" + "|".join(map(re.escape, keys)) + r")(?!\w)")


def question_language(question: str) -> str:
    """ "en" or "da": the language a question is written in, by its stop words."""
    return "en" if is_english([fold(w, scandinavian=False) for w, _, _ in words(question)]) else "da"


_DOCUMENT_WORDS = word_list("document.txt")
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
# How much a passage of a memo is preferred per word of its title the question uses.
_NAMED_MEMO_BONUS = 0.25
# A word of a memo's title, series or publisher names the memo when at most this share of its
# passages use it ("statsministeren", "CRS", not "Hormuz", which the report is about).
_NAMING_SHARE = 0.05


@dataclass(frozen=True)
class _MemoNames:
    """The words that name one memo, as index terms of each language."""

    memo_id: str
    naming: frozenset[str]
    """Terms of its title, subtitle, series and publisher that its text hardly uses ("tale",
    "statsminister", "CRS"): a question using one is about this memo (or its kind)."""
    title: frozenset[str]
    """Every term of its metadata: a question using one prefers it."""


class Index:
    """An immutable, searchable snapshot of a knowledge base of memos in any of the table's
    languages (``memobot.languages``).

    Passages are indexed in their memo's language, one ``LanguageIndex`` per language; a memo
    with a glossary of its own gets an index of its own, so that its glossary (and its corpus
    statistics) act on it alone. A question is asked of every index (each analyses it in its
    own language and translates it through the lexicon where needed), and the hits of the
    indexes that answer it are merged on one scale: each score divided by the best score that
    index could give the question. A question that names memos ("talen", "the CRS report",
    "i 2021") is answered from them.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: IndexSettings = DEFAULT_SETTINGS,
        lexicon: Lexicon | None = None,
    ) -> None:
        started = time.perf_counter()
        self.kb = kb
        self.settings = settings
        lexicon = bundled_lexicon() if lexicon is None else lexicon
        self._lexicon = lexicon
        scoped = {m for entry in kb.glossary for m in entry.memos}
        shared = tuple(e for e in kb.glossary if not e.memos)
        groups: dict[tuple[str, str], list[Passage]] = {}
        for passage in kb.passages:
            memo = kb.memo(passage.memo_id)
            key = (memo.language, memo.id if memo.id in scoped else "")
            groups.setdefault(key, []).append(passage)
        self.parts: tuple[LanguageIndex, ...] = tuple(
            LanguageIndex(
                kb,
                settings,
                passages=passages,
                language=language,
                glossary=shared + tuple(e for e in kb.glossary if memo_id in e.memos) if memo_id else shared,
                # A memo with a glossary of its own is matched across languages by that curated
                # glossary; the general lexicon serves the others (measured: with both, the CMS
                # memo answered near misses such as "the population of Australia").
                lexicon=None if memo_id else lexicon,
            )
            for (language, memo_id), passages in groups.items()
        )
        self._names = self._memo_names()
        # Term -> the memos it names / whose title it is in; year -> its memos.
        self._naming: dict[str, list[str]] = {}
        self._titled: dict[str, list[str]] = {}
        for names in self._names:
            for term in names.naming:
                self._naming.setdefault(term, []).append(names.memo_id)
            for term in names.title:
                self._titled.setdefault(term, []).append(names.memo_id)
        # An abbreviation a memo itself uses ("PM" in a memo that writes it) is matched as it
        # is; only the others are read as what they stand for.
        self._abbreviations: dict[str, str] = {
            short: full
            for short, full in abbreviations().items()
            if not any(set(part.analyzer.word_terms(short)[:1]) & part._vocabulary_set for part in self.parts)
        }
        self._by_year: dict[int, list[str]] = {}
        for memo in kb.memos:
            self._by_year.setdefault(memo.year, []).append(memo.id)
        self.load_seconds = time.perf_counter() - started

    def _memo_names(self) -> tuple[_MemoNames, ...]:
        """Each memo's naming and title terms, found with its own index's analyser.

        A term of several memos' metadata ("CRS", "Research" of "Congressional Research
        Service") names all of them or none: it names them when their passages together hardly
        use it. Judged memo by memo, a publisher's word would name the one report that happens
        not to use it, and a question about "the CRS report" would go to that report alone.
        """
        titled: dict[str, set[str]] = {}
        # term -> [passages of the memos titled with it that use it, passages of those memos]
        usage: dict[str, list[int]] = {}
        for part in self.parts:
            # A memo's passages are contiguous in its index (knowledge-base order).
            spans: dict[str, list[int]] = {}
            for i, passage in enumerate(part.passages):
                spans.setdefault(passage.memo_id, [i, i])[1] = i + 1
            for memo_id, (lo, hi) in spans.items():
                memo = self.kb.memo(memo_id)
                words_of = " ".join((memo.title, memo.subtitle, memo.series, memo.publisher))
                terms = {
                    t
                    for w, _, _ in words(words_of)
                    if not w.isdigit()
                    for t in part.analyzer.word_terms(w)[:1]
                }
                titled[memo_id] = terms
                for term in terms:
                    docs = part._postings.docs_of(term)
                    used = int(np.searchsorted(docs, hi) - np.searchsorted(docs, lo))
                    counts = usage.setdefault(term, [0, 0])
                    counts[0] += used
                    counts[1] += hi - lo
        return tuple(
            _MemoNames(
                memo_id,
                frozenset(t for t in terms if usage[t][0] <= _NAMING_SHARE * usage[t][1]),
                frozenset(terms),
            )
            for memo_id, terms in titled.items()
        )

    def _question_terms(self, question: str) -> tuple[set[str], dict[str, str]]:
        """The question's words as terms of every index's language (translations included),
        and for each term the word it came from."""
        terms: dict[str, str] = {}
        plain = [(w, fold(w, scandinavian=False)) for w, _, _ in words(question)]
        for part in self.parts:
            code = part.language.code
            translated = code in self._lexicon.languages
            for word, folded in plain:
                for term in part.analyzer.word_terms(word)[:1]:
                    terms.setdefault(term, word)
                if translated:
                    for term in self._translation_heads(part, folded):
                        terms.setdefault(term, word)
            if translated:
                # Two neighbouring words the lexicon has as one ("prime minister" → statsminister).
                for (first, one), (second, two) in itertools.pairwise(plain):
                    for term in self._translation_heads(part, f"{one} {two}", whole_only=True):
                        terms.setdefault(term, f"{first} {second}")
        return set(terms), terms

    def _translation_heads(self, part: LanguageIndex, folded: str, whole_only: bool = False) -> list[str]:
        """The first term of each of a (folded) word's translations into ``part``'s language;
        with ``whole_only``, only where the lexicon has the word itself (a phrase), not a
        compound's head."""
        code = part.language.code
        other = next(lang for lang in self._lexicon.languages if lang != code)
        if whole_only and not self._lexicon.has_entry(folded, other, code):
            return []
        return [
            term
            for phrase in self._lexicon.translate(folded, other, code)
            for term in part.analyzer.document_terms(phrase)[:1]
        ]

    def named(self, question: str) -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
        """(memos the question names, the words that name them, title words matched per memo)."""
        if not self._names:
            return frozenset(), frozenset(), {}
        asked, source = self._question_terms(question)
        tokens = [fold(w, scandinavian=False) for w, _, _ in words(question)]
        about_a_document = any(w in _DOCUMENT_WORDS for w in tokens)
        named: set[str] = set()
        naming_words: set[str] = set()
        preferred: dict[str, int] = {}
        for term in asked:
            if not about_a_document and is_everyday_word(source[term]):
                # "green research" is about research, not the Congressional Research Service:
                # an everyday word of a memo's name names it only in a question about a document.
                naming = ()
            else:
                naming = self._naming.get(term, ())
            for memo_id in naming:
                named.add(memo_id)
                naming_words.add(source[term])
            for memo_id in self._titled.get(term, ()):
                preferred[memo_id] = preferred.get(memo_id, 0) + 1
        years = {int(w) for w in tokens if _YEAR_RE.match(w) and int(w) in self._by_year}
        by_year = {memo_id for year in years for memo_id in self._by_year[year]}
        if by_year and about_a_document:
            # "talen i 2021", "the 2026 report": the year names the memos of that year.
            named = (named & by_year) or named or by_year
            naming_words.update(str(y) for y in years)
        else:
            # A year alone may be what the question is about ("hvad skete der i 2020?"): it
            # prefers the memos of that year, as two title words would.
            for memo_id in by_year:
                preferred[memo_id] = preferred.get(memo_id, 0) + 2
        return frozenset(named), frozenset(naming_words), preferred

    def ask(self, question: str, k: int = 3, offset: int = 0, memos: frozenset[str] | None = None) -> Answer:
        """Answer a question with up to ``k`` excerpts, skipping the ``offset`` best; with
        ``memos``, from those memos only."""
        expanded = expand_abbreviations(question, self._abbreviations)
        named, naming_words, preferred = self.named(expanded)
        if named and memos is None:
            answer = self._ask(expanded, question, k, offset, memos, named, naming_words, preferred)
            if answer.answered or answer.tentative:
                return answer
            # The memos a question names have nothing close: the question may name them by
            # accident ("studier" of Center for Militære Studier in "arbejdspladser og
            # studier"), or the asker misremembers which memo says it. The closest passages
            # of all memos are shown, with low confidence at most.
            unnamed = self._ask(expanded, question, k, offset, None, frozenset(), frozenset(), preferred)
            if not (unnamed.answered or unnamed.tentative):
                return answer
            return replace(unnamed, answered=False, tentative=True, recommendation=None)
        return self._ask(expanded, question, k, offset, memos, named, naming_words, preferred)

    def _ask(
        self,
        expanded: str,
        question: str,
        k: int,
        offset: int,
        memos: frozenset[str] | None,
        named: frozenset[str],
        naming_words: frozenset[str],
        preferred: dict[str, int],
    ) -> Answer:
        asked = expanded
        if named:
            memos = named if memos is None else (memos & named) or memos
            if naming_words:
                # The words that name the memo are about which memo, not about its content.
                pattern = (
                    r"\b(?:"
                    + "|".join(re.escape(w) for w in sorted(naming_words, key=len, reverse=True))
                    + r")\b"
                )
                stripped = re.sub(pattern, " ", expanded)
                # Unless nothing else is left: then the question is about the naming words
                # themselves ("Which university is behind the memo?").
                content = [w for w, _, _ in words(stripped) if fold(w, scandinavian=False) not in _STOP_WORDS]
                asked = stripped if content else expanded
        parts = [p for p in self.parts if memos is None or p.memo_ids & memos]
        searches = [part.search(asked, memos) for part in parts]
        if len(searches) == 1:
            return searches[0].index.answer(searches[0], question, k, offset)
        answering = [s for s in searches if s.answered]
        closest = [s for s in searches if s.tentative]
        if answering and closest and self._head(closest, preferred) > self._head(answering, preferred):
            # An index that answers through a few loosely translated words must not outvote
            # one that matches the question better in its own words but not quite enough.
            answering = []
        if not answering:
            if len(closest) == 1:
                return closest[0].index.answer(closest[0], question, k, offset)
            best = max(
                searches, key=lambda s: s.ranking[0][1] / s.scale if len(s.ranking) else 0.0, default=None
            )
            if best is None:
                return Answer(question=question, answered=False, hits=(), recommendation=None)
            if not closest:
                return best.index.answer(best, question, k, offset)
            merged = self._merged(closest, preferred, offset + k)
            return Answer(
                question=question,
                answered=False,
                hits=tuple(s.index._hit(d, score, s.query) for _, s, d, score in merged[offset : offset + k]),
                recommendation=None,
                suggestions=best.index.suggestions(best.ranking, memos=memos),
                offset=offset,
                has_more=len(merged) > offset + k,
                tentative=True,
            )
        merged = self._merged(answering, preferred, offset + k)
        top_search = merged[0][1]
        hits = tuple(s.index._hit(d, score, s.query) for _, s, d, score in merged[offset : offset + k])
        best = [(d, score) for _, s, d, score in merged if s is top_search][:_RECOMMENDATION_HITS]
        top = tuple(top_search.index._hit(d, score, top_search.query) for d, score in best)
        return Answer(
            question=question,
            answered=True,
            hits=hits,
            recommendation=top_search.index.recommendation_for(top),
            offset=offset,
            has_more=sum(len(s.ranking) for s in answering) > offset + k,
        )

    @classmethod
    def _head(cls, searches: list[_Search], preferred: dict[str, int]) -> float:
        """The best merged key among several indexes' rankings."""
        merged = cls._merged(searches, preferred, 1)
        return merged[0][0] if merged else 0.0

    @staticmethod
    def _merged(
        searches: list[_Search], preferred: dict[str, int], wanted: int
    ) -> list[tuple[float, _Search, int, float]]:
        """The heads of several indexes' rankings on one scale (score ÷ the index's best
        possible score for the question), a memo whose title the question uses preferred."""
        depth = max(_COORDINATION_DEPTH, wanted + _RECOMMENDATION_HITS)
        merged = []
        for search in searches:
            for doc_id, score in search.ranking[:depth]:
                key = score / search.scale
                key *= 1 + _NAMED_MEMO_BONUS * preferred.get(search.index.passages[doc_id].memo_id, 0)
                merged.append((key, search, doc_id, score))
        merged.sort(key=lambda m: -m[0])
        return merged
