"""Slow and silent clients against the real HTTP server on loopback: they must not lock Slack
out (Slack retries an event after 3 s without an ack)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memobot.service import KnowledgeService
from memobot.slack.app import build_app
from memobot.slack.server import HttpServer
from memobot.slack.settings import SlackSettings
from tests.slack_fakes import FakeSlackAPI
from tests.slack_http_support import BotUnderTest, settings_env
from tests.slack_payloads import app_mention, event_callback

pytestmark = pytest.mark.slow


@pytest.fixture
def bot(
    fake_slack: FakeSlackAPI, bundled_service: KnowledgeService, tmp_path: Path
) -> Iterator[BotUnderTest]:
    """The real app on a real server whose request deadline is one second (ten in production)."""
    settings = SlackSettings.from_env("http", settings_env(fake_slack, tmp_path / "feedback.jsonl"))
    app = build_app(settings, bundled_service)
    server = HttpServer(app, bundled_service, port=0, threads=4, request_deadline=1.0).start()
    try:
        yield BotUnderTest(server=server, settings=settings, service=bundled_service)
    finally:
        server.stop()


def _connect(bot: BotUnderTest, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection((bot.server.host, bot.server.port), timeout=5)
        sockets.append(s)
    return sockets


def test_500_half_open_connections_do_not_delay_an_event_ack(bot: BotUnderTest) -> None:
    """With 500 connections open and silent, a signed event is still acked within 1 s (the
    default waitress limit of 100 connections used to stop all accepting for 30 s and more)."""
    idle = _connect(bot, 500)
    try:
        time.sleep(0.5)  # let the server accept them all
        reply = bot.post_event(event_callback(app_mention("kvantecenter")))
        health = bot.get("/healthz")
    finally:
        for s in idle:
            s.close()
    assert reply.status == 200 and health.status == 200
    assert reply.seconds < 1.0 and health.seconds < 1.0


def test_a_client_trickling_its_headers_is_cut_off_at_the_deadline(bot: BotUnderTest) -> None:
    """A request still arriving after the deadline is dropped, however busy the client keeps
    its connection; a prompt client on the next connection is served meanwhile."""
    [slow] = _connect(bot, 1)
    slow.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    closed = threading.Event()

    def trickle() -> None:
        for n in range(40):  # 10 s at most
            try:
                slow.sendall(f"X-Line-{n}: {n}\r\n".encode())
            except OSError:
                closed.set()
                return
            time.sleep(0.25)

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        assert bot.get("/healthz").status == 200
        slow.settimeout(6)
        try:
            data = slow.recv(1024)  # b"" (closed) or a reset: either way the server let go
        except ConnectionResetError:
            data = b""
        assert data == b""
    finally:
        sender.join()
        slow.close()
