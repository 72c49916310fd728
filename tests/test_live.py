"""Live refresh of a serving bot: SIGHUP, pid and status files, `memobot refresh` and `memobot status`."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from memobot import cli
from memobot.errors import ConfigError
from memobot.live import LiveSettings, default_state_dir, find_running_bot, start_live_refresh
from memobot.service import KnowledgeService
from tests.refresh_support import WAIT_SECONDS, memo_yaml, passage_texts, wait_for, write

_ARKTIS = "Arktis bliver vigtigere for forsvaret."
_DRONER = "Droner ændrer krigsførelsen."


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A knowledge directory with one memo."""
    directory = tmp_path / "knowledge"
    directory.mkdir()
    write(directory / "arktis.yaml", memo_yaml("arktis", [_ARKTIS]))
    return directory


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, kb: Path, tmp_path: Path) -> Path:
    """Point the CLI at ``kb`` and a state directory in tmp_path; returns the state directory."""
    state = tmp_path / "state"
    monkeypatch.setenv("MEMOBOT_KNOWLEDGE_DIR", str(kb))
    monkeypatch.setenv("MEMOBOT_STATE_DIR", str(state))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return state


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"XDG_STATE_HOME": "/x"}, LiveSettings(watch_interval=2.0, state_dir=Path("/x/memobot"))),
        ({"MEMOBOT_WATCH_INTERVAL": "0", "STATE_DIRECTORY": "/s"}, LiveSettings(0.0, Path("/s"))),
        ({"MEMOBOT_WATCH_INTERVAL": " 0.5 ", "STATE_DIRECTORY": "/s"}, LiveSettings(0.5, Path("/s"))),
        ({"MEMOBOT_STATE_DIR": "/run/memobot"}, LiveSettings(state_dir=Path("/run/memobot"))),
        ({"MEMOBOT_WATCH_INTERVAL": "soon"}, None),
        ({"MEMOBOT_WATCH_INTERVAL": "-1"}, None),
        ({"MEMOBOT_WATCH_INTERVAL": "nan"}, None),
        ({"MEMOBOT_WATCH_INTERVAL": "7200"}, None),
    ],
)
def test_live_settings_come_from_the_environment(environ: dict, expected: LiveSettings | None) -> None:
    """The watch interval and state directory are read from the environment; bad values are named."""
    if expected is not None:
        assert LiveSettings.from_env(environ) == expected
        return
    with pytest.raises(ConfigError) as exc:
        LiveSettings.from_env(environ)
    assert str(exc.value) == (
        "MEMOBOT_WATCH_INTERVAL must be a number of seconds from 0 to 3600 (0 turns the watcher off)"
    )


def test_the_default_state_directory_is_the_platforms_never_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MEMOBOT_STATE_DIR, pid and status files go to $XDG_STATE_HOME/memobot, wherever the
    knowledge directory is (the bundled one lives inside the installed package)."""
    import memobot
    from memobot.loader import bundled_knowledge_dir

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_state_dir(bundled_knowledge_dir()) == tmp_path / "xdg" / "memobot"
    assert LiveSettings().state_dir_for(bundled_knowledge_dir()) == tmp_path / "xdg" / "memobot"
    assert Path(memobot.__file__).resolve().parent not in default_state_dir().resolve().parents


def test_sighup_reloads_and_stop_restores_the_previous_handler(kb: Path, tmp_path: Path) -> None:
    """SIGHUP to the serving process reloads the knowledge; stopping puts the old handler back."""
    previous = signal.getsignal(signal.SIGHUP)
    service = KnowledgeService(kb)
    live = start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=tmp_path / "state"))
    try:
        assert live.signal_reloads and live.watcher is None
        write(kb / "droner.yaml", memo_yaml("droner", [_DRONER]))

        os.kill(os.getpid(), signal.SIGHUP)

        wait_for(lambda: service.ask("droner krigsførelsen").hits, "the SIGHUP reload")
        assert service.status().last_reload.trigger == "signal"
    finally:
        live.stop()
    assert signal.getsignal(signal.SIGHUP) is previous


def test_the_bot_registers_in_its_state_directory_and_unregisters_on_stop(kb: Path, tmp_path: Path) -> None:
    """bot.pid names the serving process; status.json follows every reload; both go on stop."""
    state = tmp_path / "state"
    service = KnowledgeService(kb)
    live = start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=state))
    try:
        assert (state / "bot.pid").read_text() == f"{os.getpid()}\n"
        bot = find_running_bot(state)
        assert bot is not None and bot.pid == os.getpid()
        assert bot.status["directory"] == str(kb.resolve())
        assert bot.status["status"]["version"] == service.kb.version

        write(kb / "droner.yaml", memo_yaml("droner", [_DRONER]))
        report = service.reload(trigger="slack")

        status = json.loads((state / "status.json").read_text(encoding="utf-8"))
        assert status["status"]["version"] == report.version
        assert status["recent_reloads"][-1]["summary"] == report.summary()
        assert status["recent_reloads"][-1]["trigger"] == "slack"
    finally:
        live.stop()
    assert sorted(p.name for p in state.iterdir()) == []
    assert find_running_bot(state) is None


def test_a_pid_file_left_by_a_killed_bot_is_not_a_running_bot(tmp_path: Path) -> None:
    """A pid file nobody holds the lock on (the bot died) is stale, whatever pid it names."""
    (tmp_path / "bot.pid").write_text(f"{os.getpid()}\n")
    assert find_running_bot(tmp_path) is None


def test_a_second_bot_on_the_same_state_directory_serves_without_claiming_it(
    kb: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two bots sharing a state directory: the second still serves, says why it is unreachable."""
    state = tmp_path / "state"
    first = start_live_refresh(KnowledgeService(kb), LiveSettings(watch_interval=0, state_dir=state))
    try:
        with caplog.at_level(logging.WARNING, logger="memobot.live"):
            second = start_live_refresh(KnowledgeService(kb), LiveSettings(watch_interval=0, state_dir=state))
        second.stop()
        assert second.state_dir is None
        assert caplog.messages == [
            f"another memobot holds {state / 'bot.pid'}: `memobot refresh` and `memobot status` talk to "
            "that one; set MEMOBOT_STATE_DIR to give this bot its own"
        ]
        assert find_running_bot(state) is not None  # the first one's files are untouched
    finally:
        first.stop()


def test_memobot_refresh_reloads_the_running_bot_and_prints_its_report(
    env: Path, kb: Path, capsys: pytest.CaptureFixture
) -> None:
    """`memobot refresh` validates, signals the bot, and prints what the bot's reload changed."""
    service = KnowledgeService(kb)
    with start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=env)):
        write(kb / "droner.yaml", memo_yaml("droner", [_DRONER]))
        version = KnowledgeService(kb).kb.version

        code = cli.main(["refresh", "--wait", str(WAIT_SECONDS)])

        out = capsys.readouterr().out.splitlines()
        report = service.status().last_reload
    assert code == 0
    assert out == [
        f"OK: {kb}: 2 memos, 2 passages, 0 recommendations (version {version})",
        f"Asked memobot (pid {os.getpid()}) to reload {kb}.",
        report.summary(),
        f"memobot now serves version {version}.",
        "  memos added: droner",
        "  passages added: droner-p1",
    ]
    assert report.trigger == "signal" and passage_texts(service.ask("droner krigsførelsen")) == [_DRONER]


def test_memobot_refresh_does_not_signal_when_the_directory_is_invalid(
    env: Path, kb: Path, capsys: pytest.CaptureFixture
) -> None:
    """A broken directory is reported like `memobot validate` and the bot is left alone."""
    service = KnowledgeService(kb)
    with start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=env)):
        write(kb / "droner.yaml", memo_yaml("droner", [_DRONER], year=1800))

        code = cli.main(["refresh"])

        captured = capsys.readouterr()
        assert service.status().reloads == 0
    assert code == 1
    assert captured.out == f"{kb / 'droner.yaml'}:5: memo.year: 1800 must be between 1900 and 2100\n"
    assert captured.err == f"Error: {kb}: 1 problem; the bot was not asked to reload\n"


def test_memobot_refresh_says_so_when_no_bot_is_running(
    env: Path, kb: Path, capsys: pytest.CaptureFixture
) -> None:
    """With no live pid file, refresh validates and then reports that there is nothing to reload."""
    code = cli.main(["refresh"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        f"Error: no running memobot found (no live {env / 'bot.pid'}); "
        "the directory is valid and will be loaded when the bot starts\n"
    )


def test_memobot_refresh_never_signals_a_bot_that_does_not_handle_sighup(
    env: Path, kb: Path, capsys: pytest.CaptureFixture
) -> None:
    """A bot whose live refresh started outside the main thread has no handler; refresh refuses."""
    received: list[int] = []
    previous = signal.signal(signal.SIGHUP, lambda signum, _frame: received.append(signum))
    try:
        started: list = []
        worker = threading.Thread(
            target=lambda: started.append(
                start_live_refresh(KnowledgeService(kb), LiveSettings(watch_interval=0, state_dir=env))
            )
        )
        worker.start()
        worker.join(WAIT_SECONDS)
        live = started[0]
        try:
            assert not live.signal_reloads and find_running_bot(env) is not None
            code = cli.main(["refresh"])
        finally:
            live.stop()
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert (code, received) == (1, [])
    assert capsys.readouterr().err == (
        f"Error: memobot (pid {os.getpid()}) does not reload on SIGHUP (live refresh was started outside "
        "the main thread); its file watcher or /memo refresh reloads it\n"
    )


def test_memobot_status_reads_the_running_bot(env: Path, kb: Path, capsys: pytest.CaptureFixture) -> None:
    """With a bot running, status shows what it serves, its last reload and its last error."""
    service = KnowledgeService(kb)
    with start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=env)):
        (kb / "bad.yaml").write_text("memo: [unclosed\n", encoding="utf-8")
        report = service.reload(trigger="watcher")

        assert cli.main(["status", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert cli.main(["status"]) == 0
        text = capsys.readouterr().out.splitlines()
    problem = f"{kb / 'bad.yaml'}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"
    assert (data["source"], data["pid"], data["version"], data["passages"]) == (
        "running-bot",
        os.getpid(),
        service.kb.version,
        1,
    )
    assert (data["last_error"], data["stale"]) == ([problem], True)
    assert text[0].startswith(f"memobot status: running memobot (pid {os.getpid()}); status as of ")
    assert text[1:4] == [
        f"  knowledge  {kb.resolve()}",
        f"  version    {service.kb.version}",
        "  size       1 memo, 1 passages, 0 recommendations, 0 glossary entries",
    ]
    assert text[5:] == [
        f"  last reload #1 (watcher): {report.summary()}",
        f"  last error {data['last_error_at']}, 1 problem(s):",
        f"    {problem}",
        "  WARNING    the files on disk were refused; the bot serves the last good version",
    ]


@pytest.mark.parametrize(("broken", "code"), [(False, 0), (True, 1)])
def test_memobot_status_without_a_bot_loads_the_directory_now(
    env: Path, kb: Path, capsys: pytest.CaptureFixture, broken: bool, code: int
) -> None:
    """With no bot running, status loads the directory itself and says so; a broken one is an error."""
    if broken:
        (kb / "bad.yaml").write_text("memo: [unclosed\n", encoding="utf-8")

    assert cli.main(["status", "--json"]) == code

    captured = capsys.readouterr()
    if broken:
        assert captured.err == (
            f"Error: {kb / 'bad.yaml'}:2: invalid YAML: expected ',' or ']', but got '<stream end>'\n"
        )
        return
    data = json.loads(captured.out)
    assert (data["source"], data["pid"], data["state_dir"], data["passages"]) == (
        "loaded-now",
        None,
        str(env),
        1,
    )


_CHILD = textwrap.dedent(
    """
    import logging, sys
    from memobot.live import start_live_refresh
    from memobot.service import KnowledgeService

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    service = KnowledgeService(sys.argv[1])
    live = start_live_refresh(service)  # settings from the environment, as `memobot serve` does
    print("serving", flush=True)
    sys.stdin.read()  # until the test closes our standard input
    live.stop()
    """
)


def _memobot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "memobot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_memobot_refresh_reaches_a_bot_in_another_process(kb: Path, tmp_path: Path) -> None:
    """The real CLI refreshes a real serving process, and finds none once it has stopped or died."""
    state = tmp_path / "state"
    env = {
        **os.environ,
        "MEMOBOT_KNOWLEDGE_DIR": str(kb),
        "MEMOBOT_STATE_DIR": str(state),
        "MEMOBOT_WATCH_INTERVAL": "0",
    }
    script = tmp_path / "child.py"
    script.write_text(_CHILD, encoding="utf-8")

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(script), str(kb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            cwd=tmp_path,
        )

    child = start()
    try:
        bot = wait_for(lambda: find_running_bot(state), "the child to register")
        assert bot.pid == child.pid
        write(kb / "droner.yaml", memo_yaml("droner", [_DRONER]))

        refreshed = _memobot("refresh", "--wait", str(WAIT_SECONDS), env=env)

        assert refreshed.returncode == 0, refreshed.stderr
        assert f"Asked memobot (pid {child.pid}) to reload {kb}." in refreshed.stdout
        assert "  memos added: droner" in refreshed.stdout
        status = json.loads(_memobot("status", "--json", env=env).stdout)
        assert (status["source"], status["pid"], status["memos"]) == ("running-bot", child.pid, 2)
    finally:
        child.stdin.close()
        log = child.stderr.read()
        child.stderr.close()
        assert child.wait(timeout=WAIT_SECONDS) == 0, log
    assert "SIGHUP received; reloading" in log
    assert "knowledge reloaded in" in log and "memos +1; passages +1" in log

    stopped = _memobot("refresh", env=env)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("Error: no running memobot found")

    # A bot killed outright leaves its pid file behind, but not its lock.
    child = start()
    try:
        wait_for(lambda: find_running_bot(state), "the second child to register")
    finally:
        child.kill()
        child.wait(timeout=WAIT_SECONDS)
        child.stdin.close()
        child.stderr.close()
    assert (state / "bot.pid").exists()
    died = _memobot("refresh", env=env)
    assert (died.returncode, died.stderr.startswith("Error: no running memobot found")) == (1, True)
