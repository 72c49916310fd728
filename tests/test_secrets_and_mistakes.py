"""Secrets never shown and user mistakes without tracebacks: `memobot serve` as a real process,
every line it writes (at DEBUG), its errors, its status file, /healthz and `memobot status`
searched for the values the test set."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from memobot.slack.logging_setup import redact
from tests.slack_fakes import FakeSlackAPI
from tests.slack_payloads import app_mention, event_callback, json_body, signed_headers
from tests.test_slack_serve import _env, _serve, _wait_line

pytestmark = pytest.mark.slow

BOT_TOKEN = "xoxb-9876543210-secretbottoken"
APP_TOKEN = "xapp-1-A0SECRET-1234567890-0123456789abcdefsecret"
SIGNING_SECRET = "5ecret5ecret5ecret5ecret5ecret5e"
URL_PASSWORD = "hunter2hunter2"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, URL_PASSWORD, "secretbottoken", "0123456789abcdefsecret")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "memobot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_app_token_echoed_by_slack_is_never_logged(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """Socket Mode with an app token Slack rejects (invalid_auth) and echoes back: one error
    line naming the variable and the code, no traceback, the token nowhere (DEBUG included)."""
    fake_slack.on(
        "apps.connections.open", lambda call: {"ok": False, "error": "invalid_auth", "echo": call.token}
    )
    env = _env(
        fake_slack, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, MEMOBOT_LOG_LEVEL="DEBUG"
    )
    done = _run(env, "serve", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "Error: Slack did not accept SLACK_APP_TOKEN, or Socket Mode is off for this app "
        "(apps.connections.open: invalid_auth)"
    )
    assert "Traceback" not in output
    assert _leaks(output) == []
    assert [c.token for c in fake_slack.calls("apps.connections.open")] == [APP_TOKEN]  # it was sent


def test_credentials_in_slack_api_url_are_never_printed(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """A SLACK_API_URL with user:password@ that cannot be reached: the error names the URL
    with the credentials replaced, and no log line has them."""
    url = f"http://memobot:{URL_PASSWORD}@127.0.0.1:9/api/"
    env = _env(fake_slack, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=url)
    done = _run(env, "serve", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "Error: Slack did not accept SLACK_BOT_TOKEN, or http://[redacted]@127.0.0.1:9/api/ cannot be reached"
    )
    assert _leaks(done.stdout + done.stderr) == []


def test_a_port_in_use_is_one_line(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """`memobot serve --http` on a taken port: one line saying so and what to do, exit 1, no
    traceback (it printed 20 lines)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(fake_slack, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
        done = _run(env, "serve", "--http", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"Error: cannot listen on 127.0.0.1:{port}: the port is in use (another memobot, or another "
        "program); choose another with --port"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("short", "SLACK_SIGNING_SECRET is malformed"),
        ("x" * 200, "SLACK_SIGNING_SECRET is malformed"),
        ("has spaces in it, sixteen+", "SLACK_SIGNING_SECRET is malformed"),
    ],
)
def test_the_signing_secret_rule_says_what_is_checked(
    fake_slack: FakeSlackAPI, tmp_path: Path, value: str, expected: str
) -> None:
    """A malformed signing secret is refused with the rule the check applies (its length and
    its characters), never the value."""
    env = _env(fake_slack, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=value)
    done = _run(env, "serve", "--http", cwd=tmp_path)
    assert done.stderr.strip().splitlines() == [
        f"Error: {expected}: expected the app's Signing Secret (16 to 128 letters and digits; Slack's has 32)"
    ]
    assert value not in done.stdout + done.stderr


def test_a_serving_bot_shows_no_secret_anywhere(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """A bot serving HTTP at DEBUG, fed a signed mention, a forged request and garbage, polled
    on /healthz and asked `memobot status`: no log line, no status file, no /healthz body and no
    status output holds a token or the signing secret."""
    env = _env(
        fake_slack,
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        MEMOBOT_LOG_LEVEL="DEBUG",
    )
    seen: list[str] = []
    with _serve(["--http", "--host", "127.0.0.1", "--port", "0"], env, tmp_path) as (process, lines):
        url = _wait_line(lines, r"serving Slack on (http://127\.0\.0\.1:\d+)/slack/events").group(1)
        body = json_body(event_callback(app_mention("kvantecenter")))
        for data, headers in (
            (body, signed_headers(body, SIGNING_SECRET)),
            (body, {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + SIGNING_SECRET}),
            (b"[", {}),
        ):
            request = urllib.request.Request(
                url + "/slack/events", data=data, headers={**headers, "Content-Type": "application/json"}
            )
            with contextlib.suppress(urllib.error.HTTPError):  # 401s are expected
                urllib.request.urlopen(request, timeout=10).close()
        fake_slack.wait_for("chat.postMessage")
        with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
            seen.append(response.read().decode())
        status = _run(env, "status", "--json", cwd=tmp_path)
        seen += [status.stdout, status.stderr]
        seen += [p.read_text() for p in (tmp_path / "state").glob("*.json")]
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    while not lines.empty():
        seen.append(lines.get())
    text = "\n".join(seen)
    assert json.loads(status.stdout)["source"] == "running-bot"  # the bot's own status was read
    assert _leaks(text) == []


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Bearer xoxb-1-abc at http://u:p4ss@h/x", "Bearer [redacted] at http://[redacted]@h/x"),
        ("redis://:pw@127.0.0.1:6379/0", "redis://[redacted]@127.0.0.1:6379/0"),
        ("https://slack.com/api/ and xapp-1-A-2-b", "https://slack.com/api/ and [redacted]"),
        ("mail me at a@b.example", "mail me at a@b.example"),
    ],
)
def test_redact_table(text: str, cleaned: str) -> None:
    """Tokens by shape and URL credentials are replaced; an e-mail address is not a URL."""
    assert redact(text) == cleaned
