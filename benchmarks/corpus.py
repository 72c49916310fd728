"""Realistic synthetic knowledge bases and questions for the benchmarks.

A generated knowledge base is a directory of real memo YAML files in the documented format
(docs/knowledge-format.md) plus the bundled glossary, and passes ``memobot.load_knowledge``.
Its text is Danish-like: words drawn with a Zipf-Mandelbrot distribution from the bundled
memo's vocabulary (ranked by how often the memo uses them, so function words are frequent),
extended by compounds of the memo's own words (Danish makes new words that way, so the
vocabulary keeps growing with the corpus, as real text does), interleaved with verbatim
phrases of the memo (hyphenated and suspended compounds, "USA's", numbers). Each memo has
~30 passages under a few section headings, 2–4 roles, a central recommendation and concrete
ones quoted verbatim from its passages, and every passage supports one or two of them.

Everything is deterministic from the seed.

    .venv/bin/python benchmarks/corpus.py 10000 /tmp/kb10k      # write a knowledge base
    .venv/bin/python benchmarks/corpus.py 10000 --questions     # print the questions
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from memobot.analysis import DANISH_STOP_WORDS, words
from memobot.loader import bundled_knowledge_dir

__all__ = ["Vocabulary", "make_questions", "write_knowledge_base"]

_MEMO_FILE = "cms-us-defence-2023.yaml"
_PASSAGES_PER_MEMO = 30
_ZIPF_S = 1.15
_ZIPF_Q = 2.7
_COMPOUNDS = 80_000
_ENDINGS = ("en", "er", "erne", "et", "ene", "e", "s")
_SNIPPET_SHARE = 0.15
_EXTRA_ROLES = (
    "Arktisk brobygger",
    "Diplomatisk brobygger",
    "Økonomisk brobygger",
    "Nordisk samarbejdspartner",
    "Europæisk drivkraft",
    "Militær kapacitetsopbygger",
)
_OFF_TOPIC = (
    "Hvad koster rugbrød i Netto?",
    "Hvornår åbner svømmehallen i Valby?",
    "Hvem vandt Tour de France i 1996?",
    "Hvordan laver man flæskesteg med sprød svær?",
    "Hvad er opskriften på æblekage?",
    "Hvornår er der eksamen i matematik?",
    "Kan du anbefale en god cykelhjelm?",
    "Hvad er vejrudsigten for weekenden?",
    "What is the capital of Peru?",
    "How do I reset my password?",
    "What is the best pizza topping?",
    "Who wrote Hamlet?",
    "How tall is the Eiffel Tower?",
    "What time does the football match start?",
    "Recommend a good knitting pattern",
    "How many calories are in a banana?",
    "xyzzy plugh",
    "lorem ipsum dolor",
)
_DANISH_TEMPLATES = (
    "Hvad siger memoet om {a}?",
    "Hvad står der om {a} og {b}?",
    "Hvordan hænger {a} sammen med {b}?",
    "Hvorfor er {a} vigtig for Danmark?",
    "Hvilken rolle spiller {a}?",
    "{a} {b}",
    "{a}",
    "Fortæl om {a}, {b} og {c}",
)
_ENGLISH_TEMPLATES = (
    "What does the memo say about {a}?",
    "How can Denmark contribute to {a}?",
    "Why does {a} matter for {b}?",
    "{a} and {b}",
    "{a}",
    "What is recommended on {a}?",
)
_MIXED_TEMPLATES = (
    "What does the memo say about {a}?",
    "Tell me about {a} and {b}",
    "How is {a} related to {b}?",
)


@dataclass(frozen=True)
class _Source:
    """What the generator takes from the bundled memo."""

    ranked_words: tuple[str, ...]
    """The memo's words, most frequent first (ties alphabetical)."""
    sentences: tuple[tuple[str, ...], ...]
    """The memo's text as word sequences, for verbatim phrases."""
    headings: tuple[str, ...]
    """Its section headings."""
    roles: tuple[str, ...]
    """Its role names."""


def _load_source() -> _Source:
    data = yaml.safe_load((bundled_knowledge_dir() / _MEMO_FILE).read_text(encoding="utf-8"))
    texts = [p["text"] for p in data["passages"]] + [r["text"] for r in data["recommendations"]]
    counts: Counter[str] = Counter()
    sentences = []
    for text in texts:
        tokens = text.split()
        sentences.append(tuple(tokens))
        counts.update(w.lower() for w, _, _ in words(text) if w.isalpha())
    # The glossary's Danish words and synonyms join the vocabulary as rare words.
    glossary = yaml.safe_load((bundled_knowledge_dir() / "glossary.yaml").read_text(encoding="utf-8"))
    for entry in glossary["glossary"]:
        for phrase in (*entry["da"], *entry.get("synonyms", ())):
            for w, _, _ in words(phrase):
                if w.isalpha() and w.lower() not in counts:
                    counts[w.lower()] = 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    headings = sorted({h for p in data["passages"] for h in p["section"]})
    return _Source(tuple(ranked), tuple(sentences), tuple(headings), tuple(r["name"] for r in data["roles"]))


class Vocabulary:
    """A Zipf-distributed Danish-like vocabulary, deterministic from a seed."""

    def __init__(self, seed: int = 0, compounds: int = _COMPOUNDS) -> None:
        self.source = _load_source()
        rng = random.Random(seed)
        known = dict.fromkeys(self.source.ranked_words)
        content = [w for w in known if len(w) >= 4 and w not in DANISH_STOP_WORDS]
        # Inflected forms of the memo's words, then compounds of them (frequent parts more often).
        made: dict[str, None] = {}
        for word in content:
            for ending in rng.sample(_ENDINGS, 3):
                if word + ending not in known:
                    made[word + ending] = None
        target = len(made) + compounds
        while len(made) < target:
            modifier = content[int(len(content) * rng.random() ** 2)]
            head = content[int(len(content) * rng.random() ** 2)]
            if modifier == head:
                continue
            link = "s" if rng.random() < 0.4 and not modifier.endswith(("s", "e")) else ""
            word = modifier + link + head
            if word not in known:
                made[word] = None
        self.words = list(known) + list(made)
        # Zipf-Mandelbrot: weight of rank r is 1 / (r + q)^s.
        self._cumulative = list(
            itertools.accumulate(1.0 / (r + _ZIPF_Q) ** _ZIPF_S for r in range(len(self.words)))
        )

    def sample(self, rng: random.Random, count: int) -> list[str]:
        total = self._cumulative[-1]
        cum = self._cumulative
        return [self.words[bisect.bisect_left(cum, rng.random() * total)] for _ in range(count)]

    def snippet(self, rng: random.Random, length: int) -> list[str]:
        sentence = rng.choice(self.source.sentences)
        start = rng.randrange(max(1, len(sentence) - length + 1))
        return list(sentence[start : start + length])

    def passage_text(self, rng: random.Random) -> str:
        """1–4 sentences, 15–120 words, as long as the memo's passages are."""
        length = max(15, min(120, int(rng.lognormvariate(3.6, 0.45))))
        out: list[str] = []
        while len(out) < length:
            if rng.random() < _SNIPPET_SHARE:
                out.extend(self.snippet(rng, rng.randint(3, 8)))
            else:
                out.extend(self.sample(rng, rng.randint(4, 10)))
        out = out[:length]
        sentences, start = [], 0
        while start < len(out):
            end = min(len(out), start + rng.randint(8, 25))
            chunk = out[start:end]
            chunk[0] = chunk[0][:1].upper() + chunk[0][1:]
            body = " ".join(chunk).rstrip(".,;:")
            sentences.append(body + ".")
            start = end
        return " ".join(sentences)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.) ", text, maxsplit=1)[0]


def _memo_yaml(vocab: Vocabulary, rng: random.Random, memo_no: int, passages: int) -> tuple[str, int]:
    """One memo file's text and the number of recommendations in it."""
    memo_id = f"gen-m{memo_no:06d}"
    role_names = rng.sample(vocab.source.roles[1:] + _EXTRA_ROLES, rng.randint(1, 3))
    roles = [("central", "Central anbefaling")] + [(f"r{i}", n) for i, n in enumerate(role_names)]
    headings = rng.sample(vocab.source.headings, min(len(vocab.source.headings), rng.randint(2, 5)))
    sections = [[h] for h in headings] + [["Anbefalinger", name] for _, name in roles[1:]]
    texts = [vocab.passage_text(rng) for _ in range(passages)]
    # Recommendations quote a sentence of a passage; the central one comes first.
    rec_count = min(passages, len(roles) + rng.randint(0, 4))
    quoted = rng.sample(range(passages), rec_count)
    recs = []
    for n, passage_no in enumerate(quoted):
        role_id = "central" if n == 0 else roles[1 + (n - 1) % (len(roles) - 1)][0]
        parent = None if n == 0 else f"{memo_id}-r{rng.randrange(n):02d}"
        recs.append((f"{memo_id}-r{n:02d}", role_id, parent, _first_sentence(texts[passage_no])))
    lines = [
        "memo:",
        f"  id: {memo_id}",
        f"  title: {_q(' '.join(vocab.sample(rng, 4)).capitalize())}",
        "  series: GEN-memo",
        "  publisher: Center for Militære Studier, Københavns Universitet",
        f"  year: {2000 + memo_no % 25}",
        "  language: da",
        f"  source_url: https://example.org/memos/{memo_id}",
        "roles:",
    ]
    for role_id, name in roles:
        lines += [f"  - id: {role_id}", f"    name: {_q(name)}"]
    lines.append("recommendations:")
    for rec_id, role_id, parent, text in recs:
        lines += [f"  - id: {rec_id}", f"    role: {role_id}"]
        if parent:
            lines.append(f"    parent: {parent}")
        lines.append(f"    text: {_q(text)}")
    lines.append("passages:")
    quoted_by = {passage_no: n for n, passage_no in enumerate(quoted)}
    for i, text in enumerate(texts):
        section = sections[min(len(sections) - 1, i * len(sections) // passages)]
        supports = {recs[quoted_by[i]][0]} if i in quoted_by else set()
        while not supports or rng.random() < 0.3:
            supports.add(rng.choice(recs)[0])
            if len(supports) == len(recs):
                break
        lines += [
            f"  - id: {memo_id}-p{i:03d}",
            f"    section: [{', '.join(_q(s) for s in section)}]",
        ]
        if section[0] == "Anbefalinger":
            lines.append("    kind: bullet")
        lines += [f"    text: {_q(text)}", f"    supports: [{', '.join(sorted(supports))}]"]
    return "\n".join(lines) + "\n", len(recs)


def write_knowledge_base(directory: str | Path, passages: int, seed: int = 0) -> Path:
    """Write a knowledge base of exactly ``passages`` passages (memos of ~30) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # The bundled glossary applies to the CMS memo only (its `memos` key); the generated memos
    # stand in for that memo, so their copy of it applies to every memo.
    glossary = (bundled_knowledge_dir() / "glossary.yaml").read_text(encoding="utf-8")
    (directory / "glossary.yaml").write_text(re.sub(r"(?m)^memos:.*\n", "", glossary), encoding="utf-8")
    vocab = Vocabulary(seed)
    rng = random.Random(seed + 1)
    memo_no = written = 0
    while written < passages:
        size = min(passages - written, rng.randint(_PASSAGES_PER_MEMO - 10, _PASSAGES_PER_MEMO + 10))
        if passages - written - size < 5:
            size = passages - written
        text, _ = _memo_yaml(vocab, rng, memo_no, size)
        sub = directory / f"m{memo_no // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"memo-{memo_no:06d}.yaml").write_text(text, encoding="utf-8")
        written += size
        memo_no += 1
    return directory


def make_questions(directory: str | Path, count: int = 300, seed: int = 0) -> list[str]:
    """Mixed Danish/English questions about a generated knowledge base, ~12 % off-topic.

    Danish questions take words and phrases from its passages; English ones take phrases of
    the glossary; mixed ones put Danish words in an English question.
    """
    directory = Path(directory)
    rng = random.Random(seed + 2)
    files = sorted(p for p in directory.rglob("memo-*.yaml"))
    glossary = yaml.safe_load((directory / "glossary.yaml").read_text(encoding="utf-8"))["glossary"]
    english = [phrase for entry in glossary for phrase in entry.get("en", ())]
    sample_files = [files[rng.randrange(len(files))] for _ in range(min(count, 40))]
    texts = []
    for path in sample_files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        texts += [p["text"] for p in data["passages"]]
    questions = []
    for n in range(count):
        kind = n % 25
        if kind < 3:
            questions.append(rng.choice(_OFF_TOPIC))
            continue
        text = rng.choice(texts)
        content = [w for w, _, _ in words(text) if w.lower() not in DANISH_STOP_WORDS and len(w) > 3]
        content = content or ["Danmark"]
        if kind < 8:
            phrase = text.split()
            start = rng.randrange(max(1, len(phrase) - 4))
            questions.append(" ".join(phrase[start : start + rng.randint(2, 5)]).strip(".,"))
        elif kind < 16:
            a, b, c = (rng.choice(content) for _ in range(3))
            questions.append(rng.choice(_DANISH_TEMPLATES).format(a=a.lower(), b=b.lower(), c=c.lower()))
        elif kind < 22:
            a, b = rng.choice(english), rng.choice(english)
            questions.append(rng.choice(_ENGLISH_TEMPLATES).format(a=a, b=b))
        else:
            a, b = rng.choice(content).lower(), rng.choice(english)
            questions.append(rng.choice(_MIXED_TEMPLATES).format(a=a, b=b))
    return questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("passages", type=int)
    parser.add_argument("directory", nargs="?", help="where to write the knowledge base")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--questions", action="store_true", help="also print the questions")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.directory or tmp)
        write_knowledge_base(directory, args.passages, args.seed)
        print(f"wrote {args.passages} passages to {directory}")
        if args.questions:
            print("\n".join(make_questions(directory, seed=args.seed)))


if __name__ == "__main__":
    main()
