"""Pytest fixtures for the Slack fakes; conftest.py imports them (one delimited block there)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slack_fakes import FakeSlackAPI
from tests.slack_socket_fakes import FakeSocketModeServer

__all__ = ["fake_slack", "fake_socket_mode"]


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
