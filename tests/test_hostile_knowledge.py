"""Hostile knowledge files (alias bombs, huge files, symbolic links out of the directory, an
unreadable directory): each refused at once with one line, the old index serving on, the
watcher still watching. Real files in tmp dirs, a real watcher thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from memobot.errors import ConfigError, KnowledgeError
from memobot.limits import LoadLimits
from memobot.loader import load_knowledge
from memobot.service import KnowledgeService
from memobot.watcher import Watcher
from tests.conftest import GLOSSARY, MEMO_A, MEMO_B, write_kb

_NO_ALIASES = "invalid YAML: anchors and aliases (&name, *name) are not allowed in a knowledge file"
SECRET = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _bomb(levels: int) -> str:
    """The "billion laughs": ``levels`` lists of ten aliases of the one before (10**levels)."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _reload_within(service: KnowledgeService, seconds: float):
    """Reload on a thread; the report, or None when it did not finish in ``seconds``."""
    done: list = []
    worker = threading.Thread(target=lambda: done.append(service.reload(trigger="test")), daemon=True)
    worker.start()
    worker.join(seconds)
    return done[0] if done else None


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A working two-memo knowledge base."""
    return write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "b.yaml": MEMO_B, "glossary.yaml": GLOSSARY})


def _damage(kind: str, kb: Path, outside: Path) -> str:
    """Break ``kb`` one way; the one problem expected."""
    bad = kb / "bad.yaml"
    if kind == "alias bomb 10**9":
        bad.write_text(_bomb(9), encoding="utf-8")
        return f"{bad}:1: {_NO_ALIASES}"
    if kind == "alias in a memo":
        (kb / "a.yaml").write_text(MEMO_A.replace("  year: 2024", "  year: &y 2024\n  subtitle: *y"))
        return f"{kb / 'a.yaml'}:6: {_NO_ALIASES}"
    if kind == "1 GB file":
        with bad.open("wb") as sparse:
            sparse.truncate(1024**3)  # sparse: a gigabyte by its size, nothing on the disk
        return f"{bad}: the file is 1024.0 MB, over the limit of 10.0 MB per file (MEMOBOT_MAX_FILE_MB)"
    if kind == "symlink out":
        secret = outside / "other-repo.yaml"
        secret.write_text(f"{SECRET}\n", encoding="utf-8")
        bad.symlink_to(secret)
        return f"{bad}: symbolic link to outside the knowledge directory (refused)"
    if kind == "symlink to /etc/passwd":
        bad.symlink_to("/etc/passwd")
        return f"{bad}: symbolic link to outside the knowledge directory (refused)"
    if kind == "dangling symlink":
        bad.symlink_to(kb / "gone.yaml")
        return f"{bad}: symbolic link to a file that does not exist"
    raise AssertionError(kind)


KINDS = [
    "alias bomb 10**9",
    "alias in a memo",
    "1 GB file",
    "symlink out",
    "symlink to /etc/passwd",
    "dangling symlink",
]


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_files_are_refused_at_once_and_the_old_index_serves(
    kb: Path, tmp_path: Path, kind: str
) -> None:
    """Each hostile file is refused within seconds (the alias bomb used to take over 200 s and
    5 GB) with one line naming it and the rule, never the content it points at; the index
    loaded before keeps answering."""
    service = KnowledgeService(kb)
    version = service.kb.version
    (tmp_path / "outside").mkdir()
    expected = _damage(kind, kb, tmp_path / "outside")
    report = _reload_within(service, 10.0)
    assert report is not None, "the reload did not finish within 10 s"
    assert (report.ok, report.problems, report.version) == (False, (expected,), version)
    assert service.status().stale is True
    assert service.ask("kvantecenter").answered
    assert SECRET not in repr(service.status().as_dict())


def test_a_symlink_inside_the_directory_is_followed(kb: Path) -> None:
    """A link to another place inside the knowledge directory is fine (a file kept once,
    linked from two folders)."""
    (kb / "shared").mkdir()
    shutil.move(kb / "b.yaml", kb / "shared" / "b.txt")
    (kb / "b.yaml").symlink_to(kb / "shared" / "b.txt")
    assert [m.id for m in load_knowledge(kb).memos] == ["memo-a", "memo-b"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"MEMOBOT_MAX_FILE_MB": "1"},
            "{bad}: the file is 1.5 MB, over the limit of 1.0 MB per file (MEMOBOT_MAX_FILE_MB)",
        ),
        (
            {"MEMOBOT_MAX_KNOWLEDGE_MB": "1"},
            "{kb}: the knowledge files add up to more than 1.0 MB, the limit for all files together "
            "(MEMOBOT_MAX_KNOWLEDGE_MB)",
        ),
        ({"MEMOBOT_MAX_FILE_MB": "2"}, None),
    ],
)
def test_size_limits_are_configurable(kb: Path, env: dict[str, str], expected: str | None) -> None:
    """The per-file and total limits come from the environment; under them the file loads."""
    bad = kb / "z-big.yaml"
    bad.write_text("glossary:\n" + "  - {en: [x], da: [y]}  # " + "x" * (1536 * 1024) + "\n")
    limits = LoadLimits.from_env(env)
    if expected is None:
        assert load_knowledge(kb, limits).memos
        return
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb, limits)
    assert caught.value.problems == [expected.format(bad=bad, kb=kb)]


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "lots", "100001", "²"])
def test_malformed_size_limits_are_refused_by_name(value: str) -> None:
    """A malformed limit is one line naming the variable and the rule, never the value."""
    with pytest.raises(ConfigError) as caught:
        LoadLimits.from_env({"MEMOBOT_MAX_FILE_MB": value})
    assert (
        str(caught.value)
        == "MEMOBOT_MAX_FILE_MB is malformed: expected a whole number of megabytes from 1 to 100000"
    )


@pytest.mark.slow
def test_the_watcher_survives_a_bomb_and_a_dangling_link(kb: Path, tmp_path: Path) -> None:
    """After an alias bomb and a dangling link (each refused, status stale) the watcher still
    reloads the repaired directory; a dangling link used to leave the status fresh."""
    service = KnowledgeService(kb)
    reports: list = []
    service.add_listener(reports.append)
    with Watcher(service, interval=0.05, quiet=0.05):
        for kind in ("alias bomb 10**9", "dangling symlink"):
            expected = _damage(kind, kb, tmp_path)
            deadline = time.monotonic() + 10
            while not (reports and reports[-1].problems == (expected,)) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert reports and reports[-1].problems == (expected,)
            assert service.status().stale is True
            (kb / "bad.yaml").unlink()
            deadline = time.monotonic() + 10
            while not (reports and reports[-1].ok) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert reports[-1].ok and service.status().stale is False


_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_an_unreadable_directory_says_permission_denied(tmp_path: Path) -> None:
    """A knowledge directory at mode 000 is "permission denied", not "no memo file found"
    (run as the nobody user when the tests run as root, who may read anything)."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="memobot-perm-"))
    try:
        base.chmod(0o755)
        kb = write_kb(base / "kb", {"a.yaml": MEMO_A})
        kb.chmod(0o000)
        code = (
            "import sys\n"
            "from memobot.errors import KnowledgeError\n"
            "from memobot.loader import load_knowledge\n"
            "try:\n    load_knowledge(sys.argv[1])\n"
            "except KnowledgeError as e:\n    print(*e.problems, sep='\\n')\n"
        )
        prefix = _NOBODY if os.geteuid() == 0 else []
        if prefix and shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot lose the right to read")
        done = subprocess.run(
            [*prefix, sys.executable, "-c", code, str(kb)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd="/",
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert done.stderr == ""
        assert done.stdout == f"{kb}: cannot list the directory: Permission denied\n"
    finally:
        (base / "kb").chmod(0o755)
        shutil.rmtree(base)
