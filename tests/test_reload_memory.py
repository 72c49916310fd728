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
