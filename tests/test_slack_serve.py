"""`memobot serve` as a real process: settings checked first, HTTP mode serving signed requests
and /healthz, Socket Mode connecting and answering, SIGTERM stopping cleanly."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.slack_fakes import FakeSlackAPI
from tests.slack_payloads import app_mention, event_callback, json_body, signed_headers
from tests.slack_socket_fakes import FakeSocketModeServer

pytestmark = pytest.mark.slow

SECRET = "0123456789abcdef0123456789abcdef"


def _env(fake: FakeSlackAPI, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MEMOBOT_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-serve-test",
            "SLACK_API_URL": fake.api_url,
            "MEMOBOT_STATE_DIR": str(tmp_path / "state"),
            "MEMOBOT_WATCH_INTERVAL": "0",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@contextmanager
def _serve(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[tuple[subprocess.Popen, queue.Queue]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "memobot.cli", "serve", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        reader.join(timeout=5)
        process.stdout.close()


def _wait_line(lines: queue.Queue, pattern: str, timeout: float = 15) -> re.Match:
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line matching {pattern!r}; got {seen}") from None
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match


def test_serve_stops_on_a_missing_setting_naming_it(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """`memobot serve --http` without a signing secret exits 1 with one line naming the variable."""
    env = _env(fake_slack, tmp_path, SLACK_BOT_TOKEN="xoxb-do-not-print-me")
    result = subprocess.run(
        [sys.executable, "-m", "memobot.cli", "serve", "--http"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: SLACK_SIGNING_SECRET is not set: expected the app's Signing Secret "
        "(16 to 128 letters and digits; Slack's has 32)"
    ]
    assert fake_slack.calls() == []


def test_serve_http_answers_signed_mentions_and_health_then_stops_on_sigterm(
    fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """The HTTP server started by the CLI serves /healthz and signed events, and SIGTERM stops it
    with status 0 after removing its pid file."""
    env = _env(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET)
    with _serve(["--http", "--host", "127.0.0.1", "--port", "0"], env, tmp_path) as (process, lines):
        url = _wait_line(lines, r"serving Slack on (http://127\.0\.0\.1:\d+)/slack/events").group(1)
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
            assert json.loads(response.read())["passages"] == 27
        body = json_body(event_callback(app_mention("kvantecenter")))
        request = urllib.request.Request(
            url + "/slack/events",
            data=body,
            headers={**signed_headers(body, SECRET), "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        [answer] = fake_slack.wait_for("chat.postMessage")
        assert answer.token == "xoxb-serve-test"
        assert (tmp_path / "state" / "bot.pid").exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert not (tmp_path / "state" / "bot.pid").exists()


def test_serve_socket_mode_connects_and_answers(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, tmp_path: Path
) -> None:
    """`memobot serve` opens a Socket Mode connection with the app token, acks an event within
    3 s and posts the answer; SIGTERM ends it with status 0."""
    env = _env(fake_slack, tmp_path, SLACK_APP_TOKEN="xapp-1-serve-test")
    with _serve([], env, tmp_path) as (process, _lines):
        fake_socket_mode.wait_connected(timeout=15)
        [opened] = fake_slack.wait_for("apps.connections.open")
        assert opened.token == "xapp-1-serve-test"
        envelope = fake_socket_mode.send_event(event_callback(app_mention("kvantecenter")))
        fake_socket_mode.wait_for_ack(envelope)
        [answer] = fake_slack.wait_for("chat.postMessage")
        assert answer.params["thread_ts"]
        fake_socket_mode.assert_all_acked(within=3.0)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("dotenv", "said"),
    [
        (True, r"settings: the environment and (\S+)\.env \(the environment wins\)"),
        (False, r"settings: the environment; no \.env in (\S+) or above"),
    ],
)
def test_serve_says_which_env_file_it_read_and_which_store(
    fake_slack: FakeSlackAPI, tmp_path: Path, dotenv: bool, said: str
) -> None:
    """The log names the .env it read (from the working directory up), or says there is none,
    and names the store (SQLite in the state dir by default), never a value from either."""
    work = tmp_path / "work"
    work.mkdir()
    if dotenv:
        (work / ".env").write_text("MEMOBOT_RESULTS=4\n", encoding="utf-8")
    env = _env(fake_slack, tmp_path, SLACK_SIGNING_SECRET=SECRET)
    with _serve(["--http", "--host", "127.0.0.1", "--port", "0"], env, work) as (process, lines):
        named = _wait_line(lines, said).group(1)
        assert named == (f"{work}/" if dotenv else str(work))
        store = _wait_line(lines, r"store: (\S+) \(question log on, kept 90 days\)").group(1)
        assert store == str((tmp_path / "state" / "memobot.sqlite3").resolve())
        _wait_line(lines, r"serving Slack on")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
