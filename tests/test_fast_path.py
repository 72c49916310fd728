"""The fast path ranks exactly as plain rank-bm25 does.

``Index`` scores with ``InvertedOkapi`` (postings as arrays, only the query terms' passages)
and reads rankings lazily. Here a generated knowledge base of a few thousand passages is
ranked for thousands of random questions both ways: the plain way is rank-bm25's own
``BM25Okapi.get_scores`` over every passage (with memobot's IDF floor), sorted by score,
ties by file order. Scores must be equal to the bit, so the order is the same.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from memobot import load_knowledge
from memobot.analysis import words
from memobot.postings import Ranking
from memobot.retrieval import LanguageIndex, _floor_idf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from corpus import make_questions, write_knowledge_base

PASSAGES = 1_500
QUESTIONS = 2_000


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[LanguageIndex, BM25Okapi, list[list[str]], Path]:
    directory = write_knowledge_base(tmp_path_factory.mktemp("kb"), PASSAGES, seed=7)
    index = LanguageIndex(load_knowledge(directory))
    documents = [index._passage_terms(p) for p in index.passages]
    plain = BM25Okapi(documents, k1=index.settings.k1, b=index.settings.b)
    _floor_idf(plain)
    return index, plain, documents, directory


def _queries(index: LanguageIndex, documents: list[list[str]], directory: Path) -> list[tuple[str, ...]]:
    """Resolved generated questions, plus random term sets: common terms (drawn from passage
    text, so frequent ones come often and ties abound), rare ones, unknown ones, repeats."""
    rng = random.Random(11)
    queries = [index.resolve(q).terms for q in make_questions(directory, 500, seed=5)]
    vocabulary = index._vocabulary
    while len(queries) < QUESTIONS:
        doc = rng.choice(documents)
        terms = [rng.choice(doc) for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.3:
            terms.append(rng.choice(vocabulary))
        if rng.random() < 0.1:
            terms.append("ikke-et-indekseret-ord")
        if rng.random() < 0.1:
            terms.append(terms[0])
        queries.append(tuple(terms))
    return queries


def _plain_ranking(plain: BM25Okapi, terms: tuple[str, ...]) -> list[tuple[int, float]]:
    """Every passage that holds a query term (read from rank-bm25's own term frequencies),
    by get_scores, best first, ties by file order."""
    scores = plain.get_scores(list(terms))
    holders = _holders(plain)
    matching = np.array(sorted(set().union(*(holders.get(t, ()) for t in terms))), dtype=np.int64)
    if not len(matching):
        return []
    order = matching[np.lexsort((matching, -scores[matching]))]
    return list(zip(order.tolist(), scores[order].tolist(), strict=True))


def _holders(plain: BM25Okapi, cache: dict[int, dict[str, list[int]]] = {}) -> dict[str, list[int]]:  # noqa: B006
    if id(plain) not in cache:
        found: dict[str, list[int]] = {}
        for i, freqs in enumerate(plain.doc_freqs):
            for term in freqs:
                found.setdefault(term, []).append(i)
        cache[id(plain)] = found
    return cache[id(plain)]


def test_statistics_equal_rank_bm25(setup: tuple[LanguageIndex, BM25Okapi, list[list[str]], Path]) -> None:
    index, plain, _, _ = setup
    fast = index._bm25
    assert fast.idf == plain.idf and list(fast.idf) == list(plain.idf)
    assert fast.average_idf == plain.average_idf and fast.avgdl == plain.avgdl
    assert list(fast.doc_len) == plain.doc_len and fast.corpus_size == plain.corpus_size


def test_fast_path_ranks_as_plain_get_scores(
    setup: tuple[LanguageIndex, BM25Okapi, list[list[str]], Path],
) -> None:
    index, plain, documents, directory = setup
    for terms in _queries(index, documents, directory):
        expected = _plain_ranking(plain, terms)
        # Read as `ask` reads it: the first few, then the rest, on fresh rankings.
        assert index.ranked(terms)[:3] == expected[:3], terms
        assert index.ranked(terms)[2:7] == expected[2:7], terms
        assert len(index.ranked(terms)) == len(expected), terms
        assert list(index.ranked(terms)) == expected, terms
        assert index.candidates(terms) == sorted(i for i, _ in expected)


def test_answer_parts_equal_plain_lookups(
    setup: tuple[LanguageIndex, BM25Okapi, list[list[str]], Path],
) -> None:
    """Coverage (the answered decision) and matched words read the same facts as before:
    passage term sets and every surface word's terms."""
    index, plain, _, directory = setup
    ceiling = max(index._term_weight_of_df(len(plain.doc_freqs)), *(index._idf[t] for t in plain.idf))
    assert index._ceiling == ceiling
    for question in make_questions(directory, 300, seed=9):
        query = index.resolve(question)
        for doc_id, _ in index.ranked(query.terms)[:3]:
            freqs, fast = plain.doc_freqs[doc_id], index._bm25.doc_freqs[doc_id]
            for _, found in query.concepts:
                assert any(t in fast for t in found) == any(t in freqs for t in found)
            wanted = set(query.terms)
            surfaces = [(w, index.analyzer.word_terms(w)) for w, _, _ in words(index.passages[doc_id].text)]
            eager = tuple(dict.fromkeys(w for w, terms in surfaces if wanted.intersection(terms)))
            assert index._hit(doc_id, 1.0, query).matched_terms == eager


def test_ranking_reads_ties_in_passage_order() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        size = int(rng.integers(1, 60))
        ids = np.sort(rng.choice(1000, size=size, replace=False))
        scores = rng.integers(0, 4, size=size).astype(float)  # many ties
        expected = sorted(zip(ids.tolist(), scores.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
        for stop in (1, 3, size // 2, size):
            assert Ranking(ids, scores)[:stop] == expected[:stop]
        assert Ranking(ids, scores)[-1] == expected[-1]
        assert list(Ranking(ids, scores)) == expected


def test_decompounding_skips_only_what_cannot_match(
    setup: tuple[LanguageIndex, BM25Okapi, list[list[str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """split_compound skips stemming a head that no lexicon entry starts: every word of the
    corpus and of the bundled memo gets the same terms with the shortcut as without it."""
    from memobot.analysis import Analyzer
    from memobot.loader import bundled_knowledge_dir

    index, _, _, _ = setup
    texts = [p.text for p in index.passages]
    texts += [p.text for p in load_knowledge(bundled_knowledge_dir()).passages]
    distinct = {w for text in texts for w, _, _ in words(text)}
    fast = Analyzer(index.analyzer.lexicon, (), index.analyzer.known_words)
    expected = {w: fast.word_terms(w) for w in distinct}
    monkeypatch.setattr(Analyzer, "_may_start_with_stem", lambda self, word: True)
    slow = Analyzer(index.analyzer.lexicon, (), index.analyzer.known_words)
    # split_compound inlines the test: a key set that holds everything turns it off there too.
    slow._stem_keys = _Everything()  # type: ignore[assignment]
    assert {w: slow.word_terms(w) for w in distinct} == expected


class _Everything:
    """A set that contains everything."""

    def __contains__(self, item: object) -> bool:
        return True
