"""The knowledge directory watcher: debouncing, and real reloads from a real polling thread."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from memobot.service import KnowledgeService, ReloadReport
from memobot.watcher import Watcher, _Debouncer, snapshot
from tests.refresh_support import memo_yaml, passage_texts, wait_for, write

A = frozenset({("a.yaml", 1, 100, 10)})
B = frozenset({("a.yaml", 1, 200, 12)})
C = frozenset({("a.yaml", 1, 300, 14)})


@pytest.mark.parametrize(
    ("polls", "expected"),
    [
        # (snapshot, monotonic time, start of the latest reload made by someone else)
        ([(A, 1.0, None)], [False]),
        ([(B, 1.0, None), (B, 1.4, None)], [False, False]),
        ([(B, 1.0, None), (B, 1.5, None)], [False, True]),
        # a burst: every save restarts the quiet period, so one reload at the end
        (
            [(B, 1.0, None), (C, 1.3, None), (B, 1.6, None), (B, 2.0, None), (B, 2.1, None)],
            [False] * 4 + [True],
        ),
        # changed and changed back before the quiet period ended: nothing to do
        ([(B, 1.0, None), (A, 1.2, None), (A, 2.0, None)], [False, False, False]),
        # a SIGHUP or /memo refresh reload that began after the change was seen covers it
        ([(B, 1.0, None), (B, 1.5, 1.2)], [False, False]),
        # one that began before the change was seen may have read older files
        ([(B, 1.0, None), (B, 1.5, 0.9)], [False, True]),
    ],
)
def test_the_debouncer_reloads_once_the_directory_has_been_quiet(polls: list, expected: list[bool]) -> None:
    """A change is acted on only after `quiet` seconds without further change, and only once."""
    debouncer = _Debouncer(baseline=A, quiet=0.5)
    decisions = []
    for current, now, other in polls:
        decision = debouncer.observe(current, now, float("-inf") if other is None else other)
        if decision:
            debouncer.reloaded(current)
        decisions.append(decision)
    assert decisions == expected


def test_after_a_reload_only_a_further_change_triggers_another() -> None:
    """Once reloaded from a snapshot, the same snapshot never triggers again."""
    debouncer = _Debouncer(baseline=A, quiet=0.0)
    assert debouncer.observe(B, 1.0) is True
    debouncer.reloaded(B)
    assert [debouncer.observe(B, t) for t in (2.0, 3.0)] == [False, False]
    assert debouncer.observe(C, 4.0) is True


def test_a_snapshot_sees_what_the_loader_reads_and_nothing_else(tmp_path: Path) -> None:
    """Knowledge files count; hidden files (editor swap files, our own temp files) and others do not."""
    write(tmp_path / "a.yaml", "x: 1\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "b.yml", "x: 1\n")
    before = snapshot(tmp_path)
    (tmp_path / ".a.yaml.swp").write_text("junk")
    (tmp_path / "notes.txt").write_text("junk")
    assert snapshot(tmp_path) == before
    assert sorted(path for path, *_ in before) == ["a.yaml", "sub/b.yml"]
    assert snapshot(tmp_path / "missing") == frozenset()


@pytest.mark.parametrize(
    ("interval", "error"),
    [(0, "the watch interval must be positive"), (-1, "the watch interval must be positive")],
)
def test_a_watcher_needs_a_positive_interval(tmp_path: Path, interval: float, error: str) -> None:
    """The watcher is either on with a real interval or not created at all."""
    write(tmp_path / "a.yaml", memo_yaml("a", ["Arktis bliver vigtigere."]))
    with pytest.raises(ValueError) as exc:
        Watcher(KnowledgeService(tmp_path), interval=interval)
    assert str(exc.value) == error


@pytest.fixture
def watched(tmp_path: Path):
    """A service on a one-memo directory, a watcher polling it fast, and the reports it makes."""
    write(tmp_path / "arktis.yaml", memo_yaml("arktis", ["Arktis bliver vigtigere for forsvaret."]))
    service = KnowledgeService(tmp_path)
    reports: list[ReloadReport] = []
    service.add_listener(reports.append)
    watcher = Watcher(service, interval=0.02, quiet=0.1).start()
    try:
        yield tmp_path, service, reports
    finally:
        watcher.stop()
        assert not watcher.running


def test_a_new_memo_dropped_in_is_found_after_the_watcher_fires(watched) -> None:
    """A memo file copied into the directory is served without anyone asking for a reload."""
    directory, service, reports = watched
    write(directory / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))

    answer = wait_for(lambda: service.ask("droner krigsførelsen").hits, "the new memo to be served")

    assert [h.passage.text for h in answer] == ["Droner ændrer krigsførelsen."]
    assert [(r.trigger, r.ok, r.changes.summary()) for r in reports] == [
        ("watcher", True, "memos +1; passages +1")
    ]


def test_an_edited_passage_replaces_the_old_text(watched) -> None:
    """After an edit the new words are found and the old text is gone."""
    directory, service, _ = watched
    write(directory / "arktis.yaml", memo_yaml("arktis", ["Grønland får nye satellitter."]))

    wait_for(lambda: service.ask("Grønland satellitter").hits, "the edited passage to be served")

    assert "Arktis bliver vigtigere for forsvaret." not in passage_texts(service.ask("Arktis forsvaret"))


def test_a_deleted_memo_file_disappears_from_answers(watched) -> None:
    """Deleting a memo file removes its passages once the watcher has reloaded."""
    directory, service, reports = watched
    write(directory / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
    wait_for(lambda: service.ask("droner krigsførelsen").hits, "the memo to be served")

    (directory / "droner.yaml").unlink()

    wait_for(lambda: not service.ask("droner krigsførelsen").hits, "the deleted memo to be gone")
    assert reports[-1].changes.removed == {"memos": ("droner",), "passages": ("droner-p1",)}


def test_a_broken_file_dropped_in_is_refused_and_reported(watched) -> None:
    """A broken file leaves the old index answering; the error is in the report and in status."""
    directory, service, reports = watched
    bad = directory / "bad.yaml"
    # In one rename: a loaded machine could otherwise let the watcher see the file empty first.
    write(bad, "memo: [unclosed\n")

    # Listeners hear of a reload just after status shows it: wait for the report itself.
    wait_for(lambda: reports, "the broken file to be refused")

    problem = f"{bad}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"
    assert [(r.trigger, r.ok, r.problems) for r in reports] == [("watcher", False, (problem,))]
    assert service.status().last_error == (problem,)
    assert passage_texts(service.ask("Arktis forsvaret")) == ["Arktis bliver vigtigere for forsvaret."]

    bad.unlink()
    wait_for(lambda: len(reports) == 2, "the repaired directory to load")
    assert reports[-1].ok and not service.status().stale


def test_a_burst_of_saves_gives_one_reload(tmp_path: Path) -> None:
    """Saving a file several times in quick succession reloads once, from the final content."""
    write(tmp_path / "arktis.yaml", memo_yaml("arktis", ["Arktis bliver vigtigere."]))
    service = KnowledgeService(tmp_path)
    reports: list[ReloadReport] = []
    service.add_listener(reports.append)
    with Watcher(service, interval=0.02, quiet=0.5):
        for n in range(1, 6):
            write(tmp_path / "arktis.yaml", memo_yaml("arktis", [f"Arktis bliver vigtigere{'!' * n}"]))
            time.sleep(0.01)  # saves 10 ms apart, well inside the quiet period
        wait_for(lambda: reports, "the reload after the burst")
    assert len(reports) == 1
    assert passage_texts(service.ask("Arktis vigtigere")) == ["Arktis bliver vigtigere!!!!!"]


def test_a_reload_from_elsewhere_is_not_repeated_by_the_watcher(tmp_path: Path) -> None:
    """When SIGHUP or /memo refresh already loaded the change, the watcher does not reload again."""
    write(tmp_path / "arktis.yaml", memo_yaml("arktis", ["Arktis bliver vigtigere."]))
    service = KnowledgeService(tmp_path)
    reports: list[ReloadReport] = []
    service.add_listener(reports.append)
    with Watcher(service, interval=0.02, quiet=0.3) as watcher:
        write(tmp_path / "droner.yaml", memo_yaml("droner", ["Droner ændrer krigsførelsen."]))
        # Once the watcher has seen the change, a reload from elsewhere starts after it.
        wait_for(lambda: watcher_saw_change(watcher), "the watcher to notice the change")
        service.reload(trigger="slack")
        # Wait past the quiet period plus several polls for a second reload that must not come.
        wait_for(lambda: watcher_idle(watcher), "the watcher to settle")
    assert [r.trigger for r in reports] == ["slack"]


def watcher_saw_change(watcher: Watcher) -> bool:
    """Whether the watcher's debouncer is waiting on a changed snapshot."""
    return watcher._debouncer is not None and watcher._debouncer.pending is not None


def watcher_idle(watcher: Watcher) -> bool:
    """Whether the watcher has nothing pending and its baseline is the directory as it is now."""
    debouncer = watcher._debouncer
    return (
        debouncer is not None
        and debouncer.pending is None
        and debouncer.baseline == snapshot(watcher.service.directory)
    )
