"""Retrieval quality with every memo loaded: per memo, per question file, tuned-on and held-out
apart, next to bm25s over the same texts, in one run.

Run: .venv/bin/python benchmarks/quality_multi.py [--misses] [--alone]

The knowledge base is the bundled one (the CMS memo and its glossary) plus the six dev-corpus
memos in tests/dev-corpus/knowledge/, copied together into a temporary directory. Question
files: the CMS memo's own files (tuned on: the repo's file and held-out 1–4, whose misses were
looked at; held out: held-out 5 and 6, never looked at; the shared dev file when ../shared is
there) and, per dev-corpus memo, tests/dev-corpus/questions/<memo>.yaml (tuned on) and
<memo>.heldout.yaml (held out; scored in earlier sessions), <memo>.fresh.yaml (held out,
written after those sessions' tuning, stop 17) and <memo>.fresh2.yaml (held out, written at the
start of stop 19 before its changes). ``--misses`` prints the misses of tuned-on files only: a
held-out file's misses are never printed. ``--alone`` also scores each memo loaded alone.

Baselines (no answered decision; off-topic questions are left out of their hit@k):
- bm25s-all: bm25s over the blank-line chunks of all seven raw texts, each chunk stemmed with
  Snowball in its own language and stripped of that language's stop words; a question is
  tokenized in both languages (it may be either).
- bm25s-alone: bm25s over the memo's own raw text only, in the memo's language (the issue's
  baseline).
A hit needs the expected phrase in a passage of the file's memo, as `memobot eval` counts it;
hit@k counts the excerpts shown, which for a question memobot does not answer are its
low-confidence closest passages (Answer.tentative); sure@1 counts answered questions only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from memobot.analysis import DANISH_STOP_WORDS, ENGLISH_STOP_WORDS, join_hyphenation
from memobot.evaluate import EvalQuestion, QuestionFile, evaluate, load_question_file, normalise_for_match
from memobot.loader import load_knowledge
from memobot.retrieval import DEFAULT_SETTINGS, Index, IndexSettings

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "dev-corpus"
SHARED = next(
    (d / "shared" for d in ROOT.parents if (d / "shared" / "sources").is_dir()), ROOT.parent / "shared"
)
CMS = "cms-us-defence-2023"
# Raw text of each memo (what the baselines index), relative to the repository.
SOURCES = {
    CMS: "tests/fixtures/cms-memo-us-defence-policy-in-change.da.txt",
    "aabningstale-2019": "tests/dev-corpus/sources/da-aabningstale-2019.txt",
    "aabningstale-2021": "tests/dev-corpus/sources/da-aabningstale-2021.txt",
    "aabningstale-2022": "tests/dev-corpus/sources/da-aabningstale-2022.txt",
    "crs-r47324": "tests/dev-corpus/sources/en-crs-R47324.md",
    "crs-r48903": "tests/dev-corpus/sources/en-crs-R48903.md",
    "crs-r48907": "tests/dev-corpus/sources/en-crs-R48907.md",
}
_SNOWBALL = {"da": "danish", "en": "english"}
# The baseline's own tokenizer (letters and digits), not memobot's: a change to memobot's
# analysis must not move the baseline it is compared with.
_BASELINE_WORD = re.compile(r"[^\W_]+")
_STOPS = {"da": DANISH_STOP_WORDS, "en": ENGLISH_STOP_WORDS}


@dataclass(frozen=True)
class QFile:
    path: Path
    memo: str
    split: str
    """"tuned" (misses may be read), "held-out" (never read), "fresh" or "fresh2" (held out,
    written after the earlier sessions' tuning: <memo>.fresh.yaml, <memo>.fresh2.yaml)."""
    questions: tuple[EvalQuestion, ...]

    @property
    def held_out(self) -> bool:
        return self.split != "tuned"


def question_files() -> list[QFile]:
    out = []
    cms_tuned = ["eval-questions.yaml", *(f"holdout{n}-questions.yaml" for n in ("", "2", "3", "4"))]
    for name in cms_tuned:
        out.append((ROOT / "tests" / name, CMS, "tuned"))
    for name in ("holdout5-questions.yaml", "holdout6-questions.yaml"):
        out.append((ROOT / "tests" / name, CMS, "held-out"))
    if (SHARED / "eval" / "dev-questions.yaml").exists():
        out.append((SHARED / "eval" / "dev-questions.yaml", CMS, "held-out"))
    for path in sorted((DEV / "questions").glob("*.yaml")):
        split = next((s for s in ("heldout", "fresh", "fresh2") if path.name.endswith(f".{s}.yaml")), "tuned")
        memo = path.name.split(".")[0]
        out.append((path, memo, {"heldout": "held-out"}.get(split, split)))
    files = []
    for path, memo, split in out:
        if path.exists():
            qf: QuestionFile = load_question_file(path)
            files.append(QFile(path, qf.memo or memo, split, qf.questions))
    return files


def knowledge_dir(target: Path, memos: set[str] | None = None, dev: Path = DEV / "knowledge") -> Path:
    """The bundled knowledge base plus the dev-corpus memos (or only ``memos``), in one directory."""
    target.mkdir(parents=True, exist_ok=True)
    for source in [*sorted((ROOT / "knowledge").glob("*.yaml")), *sorted(dev.glob("*.yaml"))]:
        # The bundled glossary belongs to the CMS memo (its `memos` key).
        owner = CMS if source.stem.startswith("glossary") else source.stem
        if memos is not None and owner not in memos:
            continue
        shutil.copy(source, target / source.name)
    return target


def chunks(text: str) -> list[str]:
    return [c.strip() for c in join_hyphenation(text).split("\n\n") if c.strip()]


class Bm25sBaseline:
    """bm25s over raw-text chunks, each tokenized in its own language."""

    def __init__(self, docs: list[tuple[str, str, str]]) -> None:
        # docs: (memo id, language, text)
        self.docs = docs
        self.stemmers = {lang: Stemmer.Stemmer(name) for lang, name in _SNOWBALL.items()}
        corpus = [self.tokens(text, (lang,)) for _, lang, text in docs]
        vocab = {t: i for i, t in enumerate(sorted({t for doc in corpus for t in doc}))}
        self.vocab = vocab
        self.retriever = bm25s.BM25()
        ids = [[vocab[t] for t in doc] for doc in corpus]
        self.retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        self.languages = tuple(sorted({lang for _, lang, _ in docs}))

    def tokens(self, text: str, languages: tuple[str, ...]) -> list[str]:
        out = []
        for word in _BASELINE_WORD.findall(text.lower()):
            for lang in languages:
                if word not in _STOPS[lang] and len(word) > 1:
                    out.append(self.stemmers[lang].stemWord(word))
        return out

    def top(self, question: str, k: int = 3) -> list[tuple[str, str]]:
        query = [t for t in dict.fromkeys(self.tokens(question, self.languages)) if t in self.vocab]
        if not query:
            return []
        scores = self.retriever.get_scores(query)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.docs[i][0], self.docs[i][2]) for i in order if scores[i] > 0]


def baseline_hits(
    baseline: Bm25sBaseline, questions: tuple[EvalQuestion, ...], memo: str
) -> tuple[float, float]:
    on_topic = [q for q in questions if q.expect]
    h1 = h3 = 0
    for q in on_topic:
        phrases = [normalise_for_match(p) for p in q.expect]
        ranks = [
            i
            for i, (m, text) in enumerate(baseline.top(q.q), 1)
            if m == memo and any(p in normalise_for_match(text) for p in phrases)
        ]
        h1 += bool(ranks) and ranks[0] == 1
        h3 += bool(ranks)
    n = len(on_topic) or 1
    return h1 / n, h3 / n


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print the misses of tuned-on files")
    parser.add_argument("--alone", action="store_true", help="also score each memo loaded alone")
    parser.add_argument(
        "--tuned-only", action="store_true", help="while developing: do not even score the held-out files"
    )
    parser.add_argument(
        "--ranking-only", action="store_true", help="score the ranking as if every question were answered"
    )
    parser.add_argument(
        "--dev-knowledge",
        type=Path,
        default=DEV / "knowledge",
        help="the dev-corpus memo files (a directory)",
    )
    args = parser.parse_args(argv)
    files = [f for f in question_files() if not (args.tuned_only and f.held_out)]
    with tempfile.TemporaryDirectory() as tmp:
        kb = load_knowledge(knowledge_dir(Path(tmp) / "all", dev=args.dev_knowledge))
        index = Index(kb, IndexSettings(min_coverage=-1.0) if args.ranking_only else DEFAULT_SETTINGS)
        alone: dict[str, Index] = {}
        if args.alone:
            for memo in kb.memos:
                alone[memo.id] = Index(
                    load_knowledge(knowledge_dir(Path(tmp) / memo.id, {memo.id}, dev=args.dev_knowledge))
                )
    language = {m.id: m.language for m in kb.memos}
    raw = {}
    for memo, path in SOURCES.items():
        source = ROOT / path
        if not source.exists():  # before the dev corpus was copied into the repository
            source = SHARED / "sources" / "dev-corpus" / source.name
        if memo in language and source.exists():
            raw[memo] = chunks(source.read_text(encoding="utf-8"))
    all_docs = [(memo, language.get(memo, "da"), c) for memo, cs in raw.items() for c in cs]
    every = Bm25sBaseline(all_docs)
    own = {memo: Bm25sBaseline([(memo, language.get(memo, "da"), c) for c in cs]) for memo, cs in raw.items()}

    print(
        f"{len(kb.memos)} memos, {len(kb.passages)} passages loaded together; load+index {index.load_seconds:.2f} s"
    )
    head = f"{'memo':20} {'file':34} {'split':8} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'mrr@5':>6} {'sure@1':>6} {'role':>5} {'offtop':>7}"
    head += f" | {'bm25s-all':>11} | {'bm25s-alone':>11}"
    if args.alone:
        head += f" | {'alone h@1/h@3':>13}"
    print(head)
    cross = {split: [0, 0, 0] for split in ("tuned", "held-out", "fresh", "fresh2")}  # -> [n, hit1, hit3]
    totals: dict[tuple[str, str], list[float]] = {}
    loaded = {m.id for m in kb.memos}
    for f in files:
        if f.memo not in loaded:
            print(f"{f.memo:20} {f.path.name:34} (memo not in the knowledge base: skipped)")
            continue
        report = evaluate(index, f.questions, memo=f.memo)
        s = report.scores
        b_all = baseline_hits(every, f.questions, f.memo)
        b_own = baseline_hits(own[f.memo], f.questions, f.memo) if f.memo in own else (float("nan"),) * 2
        split = f.split
        line = (
            f"{f.memo:20} {f.path.name:34} {split:8} {report.on_topic:>4} {s['hit@1']:6.3f} {s['hit@3']:6.3f}"
            f" {s['mrr@5']:6.3f} {s['confident_hit@1']:6.3f} {s['role_accuracy']:5.2f} {report.rejected:>3}/{report.off_topic:<3}"
            f" | {b_all[0]:5.3f} {b_all[1]:5.3f} | {b_own[0]:5.3f} {b_own[1]:5.3f}"
        )
        if args.alone and f.memo in alone:
            a = evaluate(alone[f.memo], f.questions, memo=f.memo).scores
            line += f" | {a['hit@1']:6.3f} {a['hit@3']:6.3f}"
        print(line)
        t = totals.setdefault((f.memo, f.split), [0, 0, 0, 0, 0, 0, 0])
        t[0] += report.on_topic
        t[1] += report.hit1
        t[2] += report.hit3
        t[3] += report.rejected
        t[4] += report.off_topic
        t[5] += b_all[0] * report.on_topic
        t[6] += b_own[0] * report.on_topic
        memo_lang = language.get(f.memo)
        foreign = [q for q in f.questions if q.expect and q.lang and q.lang != memo_lang]
        if foreign:
            r = evaluate(index, foreign, memo=f.memo)
            c = cross[f.split]
            c[0] += r.on_topic
            c[1] += r.hit1
            c[2] += r.hit3
        if args.misses and not f.held_out:
            for miss in report.misses:
                print(f"    {miss}")
    print("\nPer memo (all files of a split together):")
    print(
        f"{'memo':20} {'split':8} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'offtop':>7} {'bm25s-all@1':>11} {'bm25s-alone@1':>13}"
    )
    for (memo, split), t in sorted(totals.items()):
        n = t[0] or 1
        print(
            f"{memo:20} {split:8} {t[0]:>4} {t[1] / n:6.3f} {t[2] / n:6.3f}"
            f" {t[3]:>3}/{t[4]:<3} {t[5] / n:11.3f} {t[6] / n:13.3f}"
        )
    for split, (n, h1, h3) in cross.items():
        if n:
            print(f"cross-language questions ({split}): n={n} hit@1 {h1 / n:.3f} hit@3 {h3 / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
