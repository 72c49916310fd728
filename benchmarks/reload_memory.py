"""Memory over reloads: RSS of a process whose knowledge base is reloaded again and again.

    .venv/bin/python benchmarks/reload_memory.py                  # 10 000 passages, 30 reloads
    .venv/bin/python benchmarks/reload_memory.py --passages 2000 --reloads 10

Each reload reads the same files and swaps in a new index, as the watcher, SIGHUP and
`/memo refresh` do; a question is asked between reloads, as a serving bot would. Prints RSS
after the first reload and after the last, their ratio (target: at most 1.3), and how many
indexes are alive at the end (1: only the serving one; more: superseded ones waiting for the
cyclic garbage collector).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import weakref
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT / "benchmarks"))

from corpus import write_knowledge_base  # noqa: E402

from memobot.service import KnowledgeService  # noqa: E402


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--reloads", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_knowledge_base(Path(tmp) / "kb", args.passages, seed=1)
        service = KnowledgeService(directory)
        indexes: list[weakref.ref] = []
        figures = []
        for n in range(1, args.reloads + 1):
            report = service.reload(trigger="benchmark")
            assert report.ok, report.problems
            indexes.append(weakref.ref(service.index))
            service.ask("Hvad siger notatet om samarbejde?")
            figures.append(rss_mb())
            if n == 1:
                print(f"RSS after reload 1: {figures[0]:.0f} MB")
        alive = sum(1 for ref in indexes if ref() is not None)
        print(f"RSS after reload {args.reloads}: {figures[-1]:.0f} MB (max {max(figures):.0f} MB)")
        print(f"ratio: {figures[-1] / figures[0]:.2f} (target: at most 1.30)")
        print(f"indexes alive: {alive} of {len(indexes)} made")
        gc.collect()
        alive = sum(1 for ref in indexes if ref() is not None)
        print(f"after a full collection: {alive} alive, RSS {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
