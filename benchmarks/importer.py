"""`memobot import` timings on large texts: the dev corpus repeated to 1 MB and 10 MB.

Run: .venv/bin/python benchmarks/importer.py [--sizes 1,10] [--baseline SECONDS_PER_MB]

Each size is made of the six dev-corpus texts (tests/dev-corpus/sources), Danish speeches and
Markdown CRS reports, repeated until the text has that many megabytes; the CRS files are read
as Markdown, the speeches as plain text. The figure is the wall time of `import_memo` (read,
draft, render, write) in a temporary directory, best of ``--repeat`` runs.

Baseline (before issue 12 item 8 was fixed, same machine): 1 MB in 2.9 s, 10 MB in 325 s
(quadratic); the goal is 10 MB in under 10 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from memobot.importer import import_memo

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "dev-corpus" / "sources"
BASELINE = {1: 2.9, 10: 325.0}


def corpus_text(megabytes: float, suffix: str) -> str:
    """The dev-corpus texts of one kind (".txt" or ".md") repeated to ``megabytes`` MB of UTF-8."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob(f"*{suffix}"))]
    unit = "\n\n".join(texts)
    target = int(megabytes * 1_000_000)
    copies = max(1, target // len(unit.encode("utf-8")) + 1)
    return "\n\n".join([unit] * copies)


def time_import(text: str, suffix: str, repeat: int) -> tuple[float, int]:
    """Best wall time of importing ``text`` from a file ending in ``suffix``, and its passages."""
    best, passages = float("inf"), 0
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"big{suffix}"
        source.write_text(text, encoding="utf-8")
        for n in range(repeat):
            start = time.perf_counter()
            draft, _ = import_memo(source, Path(tmp) / f"out{n}.yaml", "big", force=True)
            best = min(best, time.perf_counter() - start)
            passages = len(draft.passages)
    return best, passages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10", help="sizes in MB, comma-separated (1,10)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best is shown (1)")
    args = parser.parse_args()
    print(f"{'size':>6} {'input':>9} {'seconds':>8} {'s/MB':>6} {'passages':>9}  baseline")
    for size in (float(s) for s in args.sizes.split(",")):
        for suffix, kind in ((".txt", "text"), (".md", "markdown")):
            text = corpus_text(size, suffix)
            seconds, passages = time_import(text, suffix, args.repeat)
            mb = len(text.encode("utf-8")) / 1_000_000
            base = BASELINE.get(int(size)) if size.is_integer() else None
            base_text = f"{base:g} s (plain text, before the fix)" if base and kind == "text" else ""
            print(f"{size:>5g}M {kind:>9} {seconds:>8.2f} {seconds / mb:>6.2f} {passages:>9}  {base_text}")


if __name__ == "__main__":
    main()
