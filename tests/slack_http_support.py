"""The real memobot Slack app on a real HTTP server thread, pointed at the fake Slack Web API.

    with running_http_bot(fake_slack, service, tmp_path) as bot:
        status, body = bot.post_event(event_callback(app_mention("kvantecenter")))
        [call] = fake_slack.wait_for("chat.postMessage")

Requests are signed exactly as Slack signs them (``tests.slack_payloads.signed_headers``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memobot.questionlog import QuestionLog
from memobot.service import KnowledgeService
from memobot.slack.app import bot_of, build_app
from memobot.slack.server import EVENTS_PATH, HttpServer, stop_answering
from memobot.slack.settings import SlackSettings
from tests.slack_fakes import FakeSlackAPI
from tests.slack_payloads import interactive_body, json_body, signed_headers, slash_command_body

__all__ = ["ADMIN_ID", "SIGNING_SECRET", "BotUnderTest", "Reply", "running_http_bot", "settings_env"]

SIGNING_SECRET = "8f742231b10e8888abcd99aaabbb85a5"
ADMIN_ID = "U0ADMIN001"


@dataclass(frozen=True)
class Reply:
    """What our server answered to one HTTP request."""

    status: int
    """HTTP status."""
    body: bytes
    """Raw body."""
    seconds: float
    """Time from sending the request to having the whole answer."""

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def settings_env(fake: FakeSlackAPI, store: Path, **extra: str) -> dict[str, str]:
    """An environment for HTTP mode against ``fake``, with its own SQLite store file ``store``
    (``extra`` may set MEMOBOT_STORE to a Redis URL instead)."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "MEMOBOT_ADMINS": ADMIN_ID,
        "MEMOBOT_STORE": f"sqlite:///{store.resolve().as_posix().lstrip('/')}",
        **extra,
    }


@dataclass
class BotUnderTest:
    """A running app: its server, settings and helpers to send Slack-shaped requests."""

    server: HttpServer
    """The HTTP server (``server.url``)."""
    settings: SlackSettings
    """The settings it was built with."""
    service: KnowledgeService
    """Its knowledge service."""

    @property
    def log(self) -> QuestionLog:
        """The app's question log (what the store holds)."""
        bot = bot_of(self.server.app)
        assert bot is not None
        return bot.log

    def post(self, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> Reply:
        """POST ``body`` to /slack/events, signed unless ``headers`` are given."""
        sent = dict(signed_headers(body, SIGNING_SECRET) if headers is None else headers)
        sent["Content-Type"] = content_type
        request = urllib.request.Request(
            self.server.url + EVENTS_PATH, data=body, headers=sent, method="POST"
        )
        return _send(request)

    def post_event(self, payload: dict, **headers: str) -> Reply:
        """An Events API request; extra ``headers`` (e.g. X-Slack-Retry-Num) go along, signed."""
        body = json_body(payload)
        return self.post(body, "application/json", {**signed_headers(body, SIGNING_SECRET), **headers})

    def post_command(self, fields: dict[str, str]) -> Reply:
        """A slash command (form-encoded)."""
        return self.post(slash_command_body(fields), "application/x-www-form-urlencoded")

    def post_action(self, payload: dict) -> Reply:
        """An interaction (``payload=`` form field)."""
        return self.post(interactive_body(payload), "application/x-www-form-urlencoded")

    def get(self, path: str) -> Reply:
        """A plain GET."""
        return _send(urllib.request.Request(self.server.url + path, method="GET"))


def _send(request: urllib.request.Request) -> Reply:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, response.read(), time.perf_counter() - started)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read(), time.perf_counter() - started)


@contextmanager
def running_http_bot(
    fake: FakeSlackAPI, service: KnowledgeService, tmp_path: Path, **env: str
) -> Iterator[BotUnderTest]:
    """Build the real app from settings and serve it on 127.0.0.1, random port."""
    settings = SlackSettings.from_env("http", settings_env(fake, tmp_path / "store.sqlite3", **env))
    app = build_app(settings, service)
    server = HttpServer(app, service, host="127.0.0.1", port=0, threads=4).start()
    try:
        yield BotUnderTest(server=server, settings=settings, service=service)
    finally:
        server.stop()
        stop_answering(app, wait=True)  # also closes the store
