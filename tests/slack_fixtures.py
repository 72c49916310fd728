"""Pytest fixtures for the Slack fakes; conftest.py imports them (one delimited block there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memobot.loader import bundled_knowledge_dir
from memobot.service import KnowledgeService
from tests.slack_fakes import FakeSlackAPI
from tests.slack_http_support import BotUnderTest, running_http_bot
from tests.slack_socket_fakes import FakeSocketModeServer

__all__ = ["bot", "bundled_service", "fake_slack", "fake_socket_mode"]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackAPI]:
    """A fake Slack Web API on a random loopback port; give the app ``fake_slack.api_url``."""
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture
def fake_socket_mode(fake_slack: FakeSlackAPI) -> Iterator[FakeSocketModeServer]:
    """A fake Socket Mode server, handed out by ``fake_slack``'s ``apps.connections.open``."""
    with FakeSocketModeServer() as server:
        fake_slack.socket_mode_url = server.url
        yield server


@pytest.fixture(scope="module")
def bundled_service() -> KnowledgeService:
    """The bundled knowledge base, shared by a module's tests (none of which reloads it)."""
    return KnowledgeService(bundled_knowledge_dir())


@pytest.fixture
def bot(
    fake_slack: FakeSlackAPI, bundled_service: KnowledgeService, tmp_path: Path
) -> Iterator[BotUnderTest]:
    """The real app over HTTP on the bundled knowledge base, on a random port, its store in tmp_path."""
    with running_http_bot(fake_slack, bundled_service, tmp_path) as running:
        yield running
