"""The inverted index behind ``Index``: flat posting arrays, rank-bm25's Okapi over them, and
lazily sorted rankings.

rank-bm25 keeps one dict of term frequencies per passage and scores a question by looking
each query term up in every one of them (``get_scores``) or in every candidate
(``get_batch_scores``): ~0.2 s a question and ~0.5 GB at 100 000 passages. ``InvertedOkapi``
is rank-bm25's ``BM25Okapi`` with the same statistics (document frequencies in the same
order, so the same IDFs and the same floor) and the same formula, evaluated in the same
order of floating-point operations, but only over the postings of the query terms, held as
numpy arrays. Its scores are bit for bit those of ``BM25Okapi.get_scores``
(tests/test_fast_path.py checks this on thousands of questions).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import numpy as np
from rank_bm25 import BM25Okapi

__all__ = ["InvertedOkapi", "Postings", "Ranking"]


class Postings:
    """For every term, the passages that contain it (ascending) and how often.

    Terms are numbered in the order they first occur in the corpus (passage by passage, word
    by word), the order in which rank-bm25 meets them, which fixes the summation order of its
    average IDF.
    """

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
        self.doc_len = lengths
        """Terms per passage, repeats included."""
        self.term_ids: dict[str, int] = dict.fromkeys(itertools.chain.from_iterable(documents), 0)
        for number, term in enumerate(self.term_ids):
            self.term_ids[term] = number
        total = int(lengths.sum())
        flat = np.fromiter(
            map(self.term_ids.__getitem__, itertools.chain.from_iterable(documents)),
            dtype=np.int64,
            count=total,
        )
        doc_of = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
        # One key per (term, passage), sorted by term then passage; its count is the frequency.
        keys, counts = np.unique(flat * max(1, len(documents)) + doc_of, return_counts=True)
        del flat, doc_of
        terms = keys // max(1, len(documents))
        self.docs = (keys - terms * max(1, len(documents))).astype(np.int32)
        """Passage numbers, term by term, ascending within a term."""
        tf_type = np.uint8 if counts.max(initial=0) <= 0xFF else np.uint32
        self.tfs = counts.astype(tf_type)
        """How often the term occurs in that passage."""
        self.df = np.bincount(terms, minlength=len(self.term_ids))
        """Passages per term."""
        self.starts = np.zeros(len(self.term_ids) + 1, dtype=np.int64)
        np.cumsum(self.df, out=self.starts[1:])

    def __len__(self) -> int:
        return len(self.doc_len)

    def span(self, term: str) -> tuple[int, int]:
        """Where a term's postings lie in ``docs``/``tfs``; (0, 0) for an unknown term."""
        number = self.term_ids.get(term)
        if number is None:
            return 0, 0
        return int(self.starts[number]), int(self.starts[number + 1])

    def docs_of(self, term: str) -> np.ndarray:
        start, end = self.span(term)
        return self.docs[start:end]

    def frequency(self, term: str, doc_id: int) -> int:
        """How often ``term`` occurs in passage ``doc_id`` (0 when it does not)."""
        start, end = self.span(term)
        at = start + int(np.searchsorted(self.docs[start:end], doc_id))
        return int(self.tfs[at]) if at < end and self.docs[at] == doc_id else 0

    def candidates(self, terms: Sequence[str]) -> np.ndarray:
        """Passages that contain at least one of the terms, ascending."""
        spans = [self.span(t) for t in terms]
        spans = [(s, e) for s, e in spans if e > s]
        if not spans:
            return np.zeros(0, dtype=np.int64)
        if len(spans) == 1:
            return self.docs[spans[0][0] : spans[0][1]].astype(np.int64)
        mask = np.zeros(len(self), dtype=bool)
        for start, end in spans:
            mask[self.docs[start:end]] = True
        return np.flatnonzero(mask)


class _DocTerms:
    """One passage's term frequencies, looked up in the postings (rank-bm25's ``doc_freqs[i]``)."""

    __slots__ = ("_doc", "_postings")

    def __init__(self, postings: Postings, doc_id: int) -> None:
        self._postings, self._doc = postings, doc_id

    def get(self, term: str, default: int | None = None) -> int | None:
        found = self._postings.frequency(term, self._doc)
        return found if found else default

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._postings.frequency(term, self._doc) > 0


class _DocFreqs(Sequence):
    """rank-bm25's ``doc_freqs`` (one mapping per passage), as views of the postings."""

    def __init__(self, postings: Postings) -> None:
        self._postings = postings

    def __len__(self) -> int:
        return len(self._postings)

    @overload
    def __getitem__(self, index: int) -> _DocTerms: ...
    @overload
    def __getitem__(self, index: slice) -> list[_DocTerms]: ...
    def __getitem__(self, index: int | slice) -> _DocTerms | list[_DocTerms]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return _DocTerms(self._postings, index % len(self))


class InvertedOkapi(BM25Okapi):
    """rank-bm25's ``BM25Okapi`` over ``Postings``: the same scores, from the query terms'
    postings only."""

    def __init__(self, postings: Postings, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.postings = postings
        super().__init__(postings, k1=k1, b=b, epsilon=epsilon)
        # k1 · (1 − b + b · |d| / avgdl) per passage, computed as rank-bm25 computes it.
        self._length_norm = self.k1 * (1 - self.b + self.b * self.postings.doc_len / self.avgdl)

    def _initialize(self, corpus: Postings) -> dict[str, int]:  # type: ignore[override]
        # What BM25._initialize computes, from the postings: doc_len, avgdl, corpus_size and
        # the document frequencies, in first-occurrence order.
        self.corpus_size = len(corpus)
        self.doc_len = corpus.doc_len
        self.doc_freqs = _DocFreqs(corpus)
        self.avgdl = int(corpus.doc_len.sum()) / max(1, self.corpus_size)
        return dict(zip(corpus.term_ids, corpus.df.tolist(), strict=True))

    def term_scores(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(passages, score of the term in each): the term's share of ``get_scores``."""
        start, end = self.postings.span(term)
        docs = self.postings.docs[start:end]
        tf = self.postings.tfs[start:end]
        idf = self.idf.get(term) or 0
        return docs, idf * (tf * (self.k1 + 1) / (tf + self._length_norm[docs]))

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        score = np.zeros(self.corpus_size)
        for term in query:
            docs, part = self.term_scores(term)
            # A passage without the term gets 0 from rank-bm25, and x + 0.0 == x.
            score[docs] += part
        return score

    def get_batch_scores(self, query: Sequence[str], doc_ids: Sequence[int]) -> list[float]:
        return self.get_scores(query)[np.asarray(doc_ids, dtype=np.int64)].tolist()

    def group_scores(self, group: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(passages, score) of several terms scored as ONE term: Pirkola's structured query.

        A question word's translations are alternatives, not more evidence: their frequencies
        in a passage add up, and their document frequency is that of their union, so a word
        with five translations weighs no more than a word with one.
        """
        spans = [self.postings.span(t) for t in group]
        docs = np.concatenate([self.postings.docs[s:e] for s, e in spans]) if spans else np.zeros(0, np.int32)
        tfs = (
            np.concatenate([self.postings.tfs[s:e].astype(np.float64) for s, e in spans])
            if spans
            else np.zeros(0)
        )
        if len(docs) == 0:
            return docs, tfs
        unique, inverse = np.unique(docs, return_inverse=True)
        tf = np.bincount(inverse, weights=tfs)
        df = len(unique)
        idf = math.log(self.corpus_size - df + 0.5) - math.log(df + 0.5)
        floor = min(self.idf.values(), default=0.0)
        idf = max(idf, floor)
        return unique, idf * (tf * (self.k1 + 1) / (tf + self._length_norm[unique]))

    def ranking(
        self,
        query: Sequence[str],
        weights: np.ndarray | None = None,
        groups: Sequence[Sequence[str]] = (),
    ) -> Ranking:
        """Every passage with a query term, best first, ties by passage number; ``weights``
        (one factor per passage) scale the scores first; each of ``groups`` is scored as one
        term (``group_scores``)."""
        ids = self.postings.candidates([*query, *(t for g in groups for t in g)])
        if len(ids) == 0:
            return Ranking(ids, np.zeros(0))
        if groups:
            full = self.get_scores(query)
            for group in groups:
                docs, part = self.group_scores(group)
                full[docs] += part
            scores = full[ids]
        else:
            scores = self.term_scores(query[0])[1] if len(query) == 1 else self.get_scores(query)[ids]
        return Ranking(ids, scores if weights is None else scores * weights[ids])


class Ranking(Sequence):
    """(passage, score) pairs best first, ties by passage number, sorted only as far as read.

    A question usually reads three to six of tens of thousands of candidates: those come from
    a partial selection, and the whole order is sorted only when iterated past them.
    """

    def __init__(self, ids: np.ndarray, scores: np.ndarray) -> None:
        self._ids = ids
        self._scores = scores
        self._sorted: list[tuple[int, float]] = []

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> np.ndarray:
        """The passages, ascending (unsorted by score)."""
        return self._ids

    @property
    def scores(self) -> np.ndarray:
        """Their scores, in the order of ``ids``."""
        return self._scores

    def _ensure(self, count: int) -> None:
        count = min(count, len(self))
        if count <= len(self._sorted):
            return
        ids, scores = self._ids, self._scores
        if count < len(self) // 2:
            # The count-th best score, then everything above it and enough of its ties, in
            # passage order (ids ascend, so the first ties are the earliest passages).
            threshold = -np.partition(-scores, count - 1)[count - 1]
            above = np.flatnonzero(scores > threshold)
            ties = np.flatnonzero(scores == threshold)[: count - len(above)]
            chosen = np.concatenate((above, ties))
        else:
            chosen = np.arange(len(ids))
        order = chosen[np.lexsort((ids[chosen], -scores[chosen]))]
        self._sorted = list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))

    @overload
    def __getitem__(self, index: int) -> tuple[int, float]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, float]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, float] | list[tuple[int, float]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1 or start < 0:
                self._ensure(len(self))
            else:
                self._ensure(stop)
            return self._sorted[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        self._ensure(index + 1)
        return self._sorted[index]

    def __iter__(self) -> Iterator[tuple[int, float]]:
        read = 0
        while read < len(self):
            self._ensure(max(8, 4 * read))
            while read < len(self._sorted):
                yield self._sorted[read]
                read += 1

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ranking | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class TermWeights(Mapping):
    """Unfloored Okapi IDF of every indexed term, computed when asked (``Index._idf``)."""

    def __init__(self, postings: Postings) -> None:
        self._postings = postings

    def __getitem__(self, term: str) -> float:
        number = self._postings.term_ids[term]
        n, df = len(self._postings), int(self._postings.df[number])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def __iter__(self) -> Iterator[str]:
        return iter(self._postings.term_ids)

    def __len__(self) -> int:
        return len(self._postings.term_ids)
