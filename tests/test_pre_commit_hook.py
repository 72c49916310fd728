"""scripts/pre-commit: a commit with knowledge files that do not validate is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memobot.loader import bundled_knowledge_dir

HOOK = Path(__file__).resolve().parents[1] / "scripts" / "pre-commit"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the bundled knowledge base, staged."""
    shutil.copytree(bundled_knowledge_dir(), tmp_path / "knowledge")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "knowledge")
    return tmp_path


def _run_hook(repo: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(HOOK)], cwd=repo, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("staged", "unstaged", "code", "stderr"),
    [
        ("good", "good", 0, ""),
        ("good", "broken", 0, ""),  # only what is committed counts
        (
            "broken",
            "good",
            1,
            "knowledge/glossary.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'\n"
            "Error: knowledge: 1 problem; nothing was loaded\n"
            "pre-commit: fix the knowledge files above (memobot validate knowledge), then commit again\n",
        ),
    ],
)
def test_the_hook_validates_the_staged_knowledge_files(
    repo: Path, staged: str, unstaged: str, code: int, stderr: str
) -> None:
    """The hook runs `memobot validate` on the staged files and blocks the commit on any problem."""
    glossary = repo / "knowledge" / "glossary.yaml"
    good = glossary.read_text(encoding="utf-8")
    broken = "glossary: [unclosed\n\n"
    glossary.write_text(good if staged == "good" else broken, encoding="utf-8")
    _git(repo, "add", "knowledge")
    glossary.write_text(good if unstaged == "good" else broken, encoding="utf-8")

    result = _run_hook(repo)

    assert (result.returncode, result.stderr) == (code, stderr)
