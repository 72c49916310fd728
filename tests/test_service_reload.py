"""KnowledgeService.reload: whole swaps, refused broken directories, change reports, status."""

from __future__ import annotations

import itertools
import shutil
import threading
from pathlib import Path

import pytest

from memobot.loader import bundled_knowledge_dir
from memobot.service import Changes, KnowledgeService
from tests.refresh_support import memo_yaml, passage_texts, write

_TODO_RULE = "still holds a TODO marker: decide the value and remove the marker"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A knowledge directory with one memo about the Arctic."""
    directory = tmp_path / "knowledge"
    directory.mkdir()
    write(directory / "arktis.yaml", memo_yaml("arktis", ["Arktis bliver vigtigere for forsvaret."]))
    return directory


def _damage(kind: str, directory: Path) -> tuple[str, ...]:
    """Break ``directory`` in one way; return the problems a reload must report."""
    bad = directory / "bad.yaml"
    if kind == "bad yaml":
        bad.write_text("memo: [unclosed\n", encoding="utf-8")
        return (f"{bad}:2: invalid YAML: expected ',' or ']', but got '<stream end>'",)
    if kind == "failed rule":
        write(bad, memo_yaml("bad", ["Droner ændrer krigsførelsen."], year=1800))
        return (f"{bad}:5: memo.year: 1800 must be between 1900 and 2100",)
    if kind == "todo left":
        write(
            bad,
            memo_yaml("bad", ["Droner ændrer krigsførelsen."]).replace(
                "Testcentret", "TODO who published it"
            ),
        )
        return (f"{bad}:4: memo.publisher: {_TODO_RULE}",)
    if kind == "not utf-8":
        bad.write_bytes("memo:\n  title: Tr\u00e6ning\n".encode("latin-1"))
        return (f"{bad}: not UTF-8 text (byte 17)",)
    if kind == "unreadable (a folder)":
        bad.mkdir()
        return (f"{bad}: not a regular file",)
    if kind == "removed while loading":
        # Listed, then gone when read: what a file deleted in the middle of a reload looks like.
        bad.symlink_to(directory / "deleted-meanwhile.yaml")
        return (f"{bad}: symbolic link to a file that does not exist",)
    if kind == "directory gone":
        shutil.rmtree(directory)
        return (f"{directory}: not a directory",)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "bad yaml",
        "failed rule",
        "todo left",
        "not utf-8",
        "unreadable (a folder)",
        "removed while loading",
        "directory gone",
    ],
)
def test_a_broken_directory_is_refused_and_the_old_index_keeps_answering(kb: Path, kind: str) -> None:
    """Every kind of broken file leaves the old index serving, with every problem reported."""
    service = KnowledgeService(kb)
    version = service.kb.version
    expected = _damage(kind, kb)

    report = service.reload(trigger="test")

    assert (report.ok, report.problems, report.version, report.changes.empty) == (
        False,
        expected,
        version,
        True,
    )
    assert report.summary() == f"reload refused, 1 problem; still serving version {version}"
    assert passage_texts(service.ask("Arktis forsvaret")) == ["Arktis bliver vigtigere for forsvaret."]
    status = service.status()
    assert (status.version, status.last_error, status.stale) == (version, expected, True)
    assert status.last_error_at == report.finished_at


def test_a_repaired_directory_loads_again_and_keeps_the_last_failure_on_record(kb: Path) -> None:
    """After a refused reload, a good one swaps in; status keeps the failure but is no longer stale."""
    service = KnowledgeService(kb)
    problems = _damage("failed rule", kb)
    failed = service.reload(trigger="test")
    (kb / "bad.yaml").unlink()
    write(kb / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))

    report = service.reload(trigger="test")

    assert report.ok and report.number == failed.number + 1 == 2
    assert report.changes.added == {"memos": ("droner",), "passages": ("droner-p1",)}
    status = service.status()
    assert (status.stale, status.last_error, status.reloads, status.memos) == (False, problems, 2, 2)
    assert status.last_error_at == failed.finished_at
    assert status.loaded_at == report.finished_at


@pytest.mark.parametrize(
    ("edit", "found_question", "found", "gone_question", "gone"),
    [
        ("new memo", "droner krigsførelsen", "Droner ændrer krigsførelsen.", None, None),
        (
            "edited passage",
            "Grønland satellitter",
            "Grønland får nye satellitter.",
            "Arktis vigtigere",
            "Arktis bliver vigtigere for forsvaret.",
        ),
        (
            "deleted file",
            "Arktis vigtigere",
            "Arktis bliver vigtigere for forsvaret.",
            "droner krigsførelsen",
            "Droner ændrer krigsførelsen.",
        ),
    ],
)
def test_a_reload_serves_exactly_the_files_on_disk(
    kb: Path, edit: str, found_question: str, found: str, gone_question: str | None, gone: str | None
) -> None:
    """New text is found after a reload, and text that was edited or deleted is gone."""
    droner = kb / "droner.yaml"
    if edit == "deleted file":
        write(droner, memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
    service = KnowledgeService(kb)
    if gone_question:
        assert gone in passage_texts(service.ask(gone_question))
    if edit == "new memo":
        write(droner, memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
    elif edit == "edited passage":
        write(kb / "arktis.yaml", memo_yaml("arktis", ["Grønland får nye satellitter."]))
    else:
        droner.unlink()

    report = service.reload(trigger="test")

    assert report.ok
    assert found in passage_texts(service.ask(found_question))
    if gone_question:
        assert gone not in passage_texts(service.ask(gone_question))


@pytest.mark.parametrize(
    ("edit", "summary", "lines"),
    [
        ("nothing", "no changes", []),
        (
            "edit and add",
            "memos +1; passages +1 ~1",
            ["memos added: droner", "passages added: droner-p1", "passages changed: arktis-p1"],
        ),
        ("delete", "memos −1; passages −1", ["memos removed: arktis", "passages removed: arktis-p1"]),
    ],
)
def test_a_reload_reports_what_changed_by_kind_and_id(
    kb: Path, edit: str, summary: str, lines: list[str]
) -> None:
    """The report names added, removed and changed memos and passages, and how long it took."""
    if edit == "delete":
        write(kb / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
    service = KnowledgeService(kb)
    if edit == "edit and add":
        write(kb / "arktis.yaml", memo_yaml("arktis", ["Arktis bliver meget vigtigere."]))
        write(kb / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
    elif edit == "delete":
        (kb / "arktis.yaml").unlink()

    report = service.reload(trigger="test")

    assert (report.changes.summary(), report.changes.lines()) == (summary, lines)
    assert report.summary() == f"reloaded in {report.seconds:.2f} s: {summary} (version {report.version})"
    assert report.seconds > 0 and report.trigger == "test"


def test_changes_summary_counts_recommendations_too() -> None:
    """The one-line summary covers every kind, in a fixed order."""
    changes = Changes(
        added={"recommendations": ("r1", "r2")}, removed={"passages": ("p1",)}, changed={"memos": ("m",)}
    )
    assert changes.summary() == "memos ~1; passages −1; recommendations +2"
    assert changes.as_dict() == {
        "added": {"recommendations": ["r1", "r2"]},
        "removed": {"passages": ["p1"]},
        "changed": {"memos": ["m"]},
    }


def _versioned(directory: Path, marker: str) -> None:
    """Two memos whose every passage and recommendation carries ``marker``."""
    for memo in ("nord", "syd"):
        texts = [f"Forsvarsaftalen styrker samarbejdet om {marker} i afsnit {i}." for i in range(1, 5)]
        write(directory / f"{memo}.yaml", memo_yaml(memo, texts, rec=texts[0]))


def test_questions_during_reloads_see_one_whole_index_each(tmp_path: Path) -> None:
    """While reloads swap two versions, every answer comes entirely from one version, never a mix."""
    markers = ("alfaprojektet", "betaprojektet")
    _versioned(tmp_path, markers[0])
    service = KnowledgeService(tmp_path)
    done = threading.Event()
    seen: list[str] = []
    errors: list[BaseException] = []

    def ask_repeatedly() -> None:
        try:
            for _ in range(100_000):
                if done.is_set():
                    return
                answer = service.ask("forsvarsaftalen samarbejdet", k=8)
                texts = [*passage_texts(answer), answer.recommendation.text]
                versions = {m for m in markers for t in texts if m in t}
                assert len(versions) == 1 and len(answer.hits) == 8, texts
                seen.append(versions.pop())
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=ask_repeatedly) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for n in range(1, 9):
            _versioned(tmp_path, markers[n % 2])
            assert service.reload(trigger="test").ok
    finally:
        done.set()
        for reader in readers:
            reader.join(10)
    assert not errors, errors[0]
    assert set(seen) == set(markers), "the readers must have seen both versions"


def test_concurrent_reloads_are_serialised(tmp_path: Path) -> None:
    """Reloads asked for at once run one after the other, each numbered, none overlapping."""
    directory = tmp_path / "knowledge"
    shutil.copytree(bundled_knowledge_dir(), directory)
    service = KnowledgeService(directory)
    start = threading.Barrier(3)
    reports = []

    def reload() -> None:
        start.wait(10)
        reports.append(service.reload(trigger="test"))

    threads = [threading.Thread(target=reload) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    ordered = sorted(reports, key=lambda r: r.started_at)
    assert [r.number for r in ordered] == [1, 2, 3]
    for before, after in itertools.pairwise(ordered):
        assert before.finished_at <= after.started_at
    assert service.status().reloads == 3


def test_listeners_get_every_report_in_order_and_a_failing_listener_is_contained(kb: Path) -> None:
    """Listeners hear of each reload in order; one that raises neither stops the others nor the reload."""
    service = KnowledgeService(kb)
    heard: list[tuple[int, bool]] = []

    def broken_listener(_report) -> None:
        raise RuntimeError("listener bug")

    service.add_listener(broken_listener)
    service.add_listener(lambda report: heard.append((report.number, report.ok)))
    service.reload(trigger="test")
    _damage("bad yaml", kb)
    service.reload(trigger="test")
    service.remove_listener(broken_listener)

    assert heard == [(1, True), (2, False)]


def test_status_as_dict_has_the_documented_keys(kb: Path) -> None:
    """The JSON form of status carries version, size, load time, errors and the last reload."""
    service = KnowledgeService(kb)
    service.reload(trigger="watcher")
    data = service.status().as_dict()

    assert set(data) == {
        "version", "directory", "memos", "passages", "recommendations", "glossary_entries",
        "loaded_at", "load_seconds", "last_error", "last_error_at", "stale", "reloads",
        "last_reload", "memo_details",
    }  # fmt: skip
    assert (data["memos"], data["passages"], data["reloads"], data["last_error"]) == (1, 1, 1, None)
    assert data["last_reload"]["trigger"] == "watcher" and data["last_reload"]["ok"] is True
    assert data["memo_details"] == [
        {"id": "arktis", "title": "Notat arktis", "passages": 1, "recommendations": 0}
    ]


def test_assigning_an_index_swaps_it_in_with_its_load_time(kb: Path) -> None:
    """``service.index = new`` still swaps the index (the documented way for front ends' tests)."""
    service = KnowledgeService(kb)
    other = KnowledgeService(kb).index
    service.index = other
    assert service.index is other and service.status().load_seconds == other.load_seconds
