"""Whether a question is answered: how much of it the best passages cover.

Kept apart from ranking (``retrieval``): the ranking orders passages, this decides whether the
best of them answer at all, the same way for every memo and language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .analysis import Concept, asked_measure, states_measure
from .models import Passage

__all__ = ["AnswerDecision"]

# The share of a question's weight a passage must cover to be shown as a low-confidence closest
# passage when the question is not answered.
_TENTATIVE_COVERAGE = 0.3


class AnswerDecision:
    """The answered decision of one index."""

    def __init__(
        self,
        passages: Sequence[Passage],
        idf: Mapping[str, float],
        doc_terms: Sequence,
        ceiling: float,
        min_coverage: float,
        depth: int,
    ) -> None:
        self._passages = passages
        self._idf = idf
        self._doc_terms = doc_terms
        self._ceiling = ceiling
        self._min_coverage = min_coverage
        self._depth = depth

    def weight(self, concept: Concept, found: tuple[str, ...]) -> float:
        """What a question word weighs: its rarest indexed term; a word the index lacks, the
        rarest term of all: it is likely what the question is really about ("rugbrød")."""
        if found:
            return max(self._idf[t] for t in found)
        return self._ceiling

    def coverage(self, concepts: Sequence[tuple[Concept, tuple[str, ...]]], doc_id: int) -> float:
        """Share of the question's weight that a passage matches.

        Filler words ("help", "vigtige") weigh nothing, and so does a very common word the
        index does not know ("single", "thinking").
        """
        if not concepts:
            return 0.0
        total = matched = 0.0
        doc_terms = self._doc_terms[doc_id]
        for concept, found in concepts:
            if concept.filler or (concept.common and not found):
                continue
            weight = self.weight(concept, found)
            hit = any(t in doc_terms for t in found)
            # An answer-type noun ("hvilke lande") counts when the passage has it, but its
            # absence is no evidence: the passage names instances instead ("Japan").
            if concept.answer_type and not hit:
                continue
            total += weight
            if hit:
                matched += weight
        return matched / total if total else 0.0

    def answers(self, coverage: float, doc_id: int) -> bool:
        """Whether a passage covering this much of a question answers it: a strict majority,
        or all of the question for a colophon."""
        if self._passages[doc_id].kind == "colophon":
            return coverage >= 1.0
        return coverage > self._min_coverage

    def answered(
        self,
        question: str,
        concepts: Sequence[tuple[Concept, tuple[str, ...]]],
        ranking: Sequence[tuple[int, float]],
        coverages: Mapping[int, float],
    ) -> bool:
        """Whether the best passages answer the question: one of the top hits covers enough of
        it (BM25 may rank a passage that matches one rare word above one that matches them
        all), it names no number or name the index lacks, and a when/how-many question gets a
        hit that states a time or a number."""
        return (
            not self.asks_about_unknown(concepts)
            and any(self.answers(coverages[doc_id], doc_id) for doc_id, _ in ranking[: self._depth])
            and not self.quantity_unanswered(question, ranking)
        )

    def tentative(
        self,
        concepts: Sequence[tuple[Concept, tuple[str, ...]]],
        ranking: Sequence[tuple[int, float]],
        coverages: Mapping[int, float],
    ) -> bool:
        """Whether an unanswered question's best passages are still worth showing as the closest,
        with low confidence: one of the top hits covers at least ``_TENTATIVE_COVERAGE`` of it
        and the question names nothing the index lacks."""
        return not self.asks_about_unknown(concepts) and any(
            coverages[doc_id] >= _TENTATIVE_COVERAGE and self._passages[doc_id].kind != "colophon"
            for doc_id, _ in ranking[: self._depth]
        )

    def quantity_unanswered(self, question: str, ranking: Sequence[tuple[int, float]]) -> bool:
        """Whether a question asks when, how long or how many and none of the top hits states a
        time or a quantity (a digit, a month or period, a number word).

        "Hvornår blev Danmark medlem af NATO?": every word is in the memo, but a passage that
        names no time cannot answer "when". A colophon stands for the publication's metadata,
        year included ("When was the report published?").
        """
        measure = asked_measure(question)
        if measure is None:
            return False
        for doc_id, _ in ranking[: self._depth]:
            passage = self._passages[doc_id]
            if passage.kind == "colophon" or states_measure(passage.text, measure):
                return False
        return True

    @staticmethod
    def asks_about_unknown(concepts: Sequence[tuple[Concept, tuple[str, ...]]]) -> bool:
        """Whether the question names a number or a name that the index has never seen.

        "What is the Danish defence budget for 2030?", "soldater i Estland": whatever else
        matches, a question about a specific thing the knowledge base never mentions is not
        answered by it.
        """
        return any(concept.specific and not found for concept, found in concepts)
