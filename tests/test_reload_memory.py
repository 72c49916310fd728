"""Memory over reloads, in a fresh process: superseded indexes must not pile up."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_rss_after_30_reloads_stays_within_1_3_times_the_first() -> None:
    """30 reloads of an unchanged 3 000-passage base, a question between each: RSS at the end
    is at most 1.3× RSS after the first reload (it grew 1.8× and more: superseded indexes
    waited in reference cycles for a full collection that seldom came)."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "reload_memory.py"),
            "--passages",
            "3000",
            "--reloads",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    ratio = float(re.search(r"ratio: ([0-9.]+)", done.stdout).group(1))
    alive = re.search(r"indexes alive: (\d+) of", done.stdout).group(1)
    assert ratio <= 1.3, done.stdout
    assert alive == "1", done.stdout


def test_a_dropped_index_is_freed_without_the_cyclic_collector(tmp_path: Path) -> None:
    """An index and every part of it, analysers and their caches included, are freed by
    reference counting alone once dropped: no reference cycle waits for a full collection
    (service.py no longer runs one after each reload)."""
    import gc
    import weakref

    from memobot import Index, load_knowledge

    from .conftest import MEMO_A, write_kb
    from .test_multi_memo import MEMO_EN

    kb = load_knowledge(write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "en.yaml": MEMO_EN}))
    gc.collect()
    gc.disable()
    try:
        index = Index(kb)
        index.ask("Hvad med kystvagten?")
        index.ask("Which businesses depend on the Strait?")
        refs = [weakref.ref(index)]
        for part in index.parts:
            refs += [weakref.ref(part), weakref.ref(part.analyzer)]
        del index, part
        alive = [type(r()).__name__ for r in refs if r() is not None]
    finally:
        gc.enable()
    assert alive == []
