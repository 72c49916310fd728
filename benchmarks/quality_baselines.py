"""Retrieval-quality baselines against memobot, on the question files.

Run: .venv/bin/python benchmarks/quality_baselines.py [QUESTIONS.yaml ...]
(bm25s comes with the `dev` extra that the README installs)

Baselines, as the issue describes them, over the raw memo text (shared/sources) split at
blank lines, with no answered decision (every question gets its top chunks):

- plain: rank-bm25 BM25Okapi with ``str.split()`` tokens;
- bm25s: bm25s with a Snowball Danish stemmer (PyStemmer) and Danish stop words.

A chunk counts as relevant as in `memobot eval`: its normalised text contains an expected
phrase. Off-topic questions are left out of hit@k (the baselines cannot reject anything) and
memobot's own rejection rate is printed beside its figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rank_bm25 import BM25Okapi

from memobot.analysis import DANISH_STOP_WORDS, join_hyphenation
from memobot.evaluate import EvalQuestion, evaluate, load_questions, normalise_for_match
from memobot.loader import bundled_knowledge_dir, load_knowledge
from memobot.retrieval import Index

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the checkout; a git worktree may be one level further down.
SHARED = next(
    (d / "shared" for d in ROOT.parents[:2] if (d / "shared" / "sources").is_dir()), ROOT.parent / "shared"
)
# The memo's text: shared/sources when it is beside the checkout, else the copy the tests keep
# (a bare clone has no shared/).
_MEMO = "cms-memo-us-defence-policy-in-change.da.txt"
SOURCE = next(
    (p for p in (SHARED / "sources" / _MEMO, ROOT / "tests" / "fixtures" / _MEMO) if p.is_file()),
    ROOT / "tests" / "fixtures" / _MEMO,
)
DEFAULT_FILES = [
    SHARED / "eval" / "dev-questions.yaml",
    ROOT / "tests" / "eval-questions.yaml",
    ROOT / "tests" / "holdout-questions.yaml",
    ROOT / "tests" / "holdout2-questions.yaml",
]


def chunks(text: str) -> list[str]:
    """The memo split at blank lines, as a naive pipeline would."""
    return [c.strip() for c in text.split("\n\n") if c.strip()]


def hits(ranked: list[list[str]], questions: list[EvalQuestion]) -> tuple[float, float]:
    """hit@1 and hit@3 of ranked chunk texts, one list per on-topic question."""
    h1 = h3 = 0
    for texts, q in zip(ranked, questions, strict=True):
        phrases = [normalise_for_match(p) for p in q.expect]
        first = next(
            (i for i, t in enumerate(texts, 1) if any(p in normalise_for_match(t) for p in phrases)), None
        )
        h1 += first == 1
        h3 += first is not None and first <= 3
    n = len(questions) or 1
    return h1 / n, h3 / n


def plain(docs: list[str], questions: list[EvalQuestion]) -> tuple[float, float]:
    bm25 = BM25Okapi([d.split() for d in docs])
    ranked = []
    for q in questions:
        scores = bm25.get_scores(q.q.split())
        order = sorted(range(len(docs)), key=lambda i: -scores[i])
        ranked.append([docs[i] for i in order[:3]])
    return hits(ranked, questions)


def with_bm25s(docs: list[str], questions: list[EvalQuestion]) -> tuple[float, float]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("danish")
    stop = sorted(DANISH_STOP_WORDS)
    retriever = bm25s.BM25()
    corpus = bm25s.tokenize(docs, stopwords=stop, stemmer=stemmer, show_progress=False)
    retriever.index(corpus, show_progress=False)
    ranked = []
    for q in questions:
        tokens = bm25s.tokenize([q.q], stopwords=stop, stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            ranked.append([])
            continue
        ids, _ = retriever.retrieve(tokens, k=min(3, len(docs)), show_progress=False)
        ranked.append([docs[i] for i in ids[0]])
    return hits(ranked, questions)


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or [f for f in DEFAULT_FILES if f.exists()]
    docs = chunks(join_hyphenation(SOURCE.read_text(encoding="utf-8")))
    index = Index(load_knowledge(bundled_knowledge_dir()))
    print(f"{len(docs)} blank-line chunks of {SOURCE.relative_to(SOURCE.parents[2])}\n")
    print(f"{'file':28} {'system':34} {'hit@1':>6} {'hit@3':>6} {'off-topic':>9}")
    for path in files:
        questions = load_questions(path)
        on_topic = [q for q in questions if q.expect]
        rows = [
            ("rank-bm25 + str.split()", *plain(docs, on_topic), "-"),
            ("bm25s + Snowball + stop words", *with_bm25s(docs, on_topic), "-"),
        ]
        scores = evaluate(index, questions).scores
        rows.append(
            ("memobot", scores["hit@1"], scores["hit@3"], f"{scores['off_topic_rejection']:.3f}"),
        )
        for name, h1, h3, off in rows:
            print(f"{path.name:28} {name:34} {h1:6.3f} {h3:6.3f} {off:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
