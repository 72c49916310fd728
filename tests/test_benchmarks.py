"""The benchmark scripts run, and the corpus generator writes loadable, deterministic knowledge bases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from memobot import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import make_questions, write_knowledge_base  # noqa: E402


def test_generated_knowledge_base_loads_and_is_deterministic(tmp_path: Path) -> None:
    first = write_knowledge_base(tmp_path / "a", 95, seed=3)
    second = write_knowledge_base(tmp_path / "b", 95, seed=3)
    kb = load_knowledge(first)
    assert len(kb.passages) == 95 and len(kb.memos) >= 3 and kb.glossary
    assert all(p.supports for p in kb.passages)
    assert load_knowledge(second).version == kb.version
    questions = make_questions(first, 50, seed=3)
    assert len(questions) == 50 and questions == make_questions(second, 50, seed=3)


@pytest.mark.slow
def test_retrieval_benchmark_quick_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "retrieval.py"), "--quick", "--no-memory"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| 1,000 |" in done.stdout


@pytest.mark.slow
def test_quality_baselines_run_on_a_bare_clone_without_shared(tmp_path: Path) -> None:
    """The README's reproduce command works without a ../shared checkout: the memo's text comes
    from tests/fixtures (it crashed with FileNotFoundError before)."""
    import shutil

    repo = tmp_path / "clone"
    shutil.copytree(ROOT / "benchmarks", repo / "benchmarks", ignore=shutil.ignore_patterns("data"))
    shutil.copytree(ROOT / "tests" / "fixtures", repo / "tests" / "fixtures")
    shutil.copy(ROOT / "tests" / "eval-questions.yaml", repo / "tests")
    done = subprocess.run(
        [sys.executable, str(repo / "benchmarks" / "quality_baselines.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=repo,
    )
    assert done.returncode == 0, done.stderr
    assert "blank-line chunks of tests/fixtures/cms-memo-us-defence-policy-in-change.da.txt" in done.stdout
    assert "eval-questions.yaml" in done.stdout and "memobot" in done.stdout


@pytest.mark.slow
def test_importer_benchmark_prints_a_row_per_kind() -> None:
    """benchmarks/importer.py runs on a clean clone (the dev corpus is in tests/) and prints one
    timing row for plain text and one for Markdown."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "importer.py"), "--sizes", "0.2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [(row[0], row[1]) for row in rows] == [("0.2M", "text"), ("0.2M", "markdown")]
    assert all(float(row[2]) > 0 and int(row[4]) > 0 for row in rows)
