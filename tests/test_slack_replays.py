"""Replays within Slack's 5-minute signature window: a signed request sent again, byte for byte
with its signature, is acknowledged and does nothing (issue 12, item 2). Real server on
loopback, real signed requests, the store a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memobot.service import KnowledgeService
from memobot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_MORE
from tests.conftest import GLOSSARY, MEMO_A, write_kb
from tests.slack_fakes import RESPONSE_URL_METHOD, FakeSlackAPI
from tests.slack_http_support import ADMIN_ID, SIGNING_SECRET, BotUnderTest, Reply, running_http_bot
from tests.slack_payloads import (
    block_actions,
    interactive_body,
    signed_headers,
    slash_command,
    slash_command_body,
)

pytestmark = pytest.mark.slow

QUESTION = "Hvad kan Danmark gøre som alliancebrobygger?"
FORM = "application/x-www-form-urlencoded"


def _send_times(bot: BotUnderTest, body: bytes, times: int) -> list[Reply]:
    """Send one signed body ``times`` times with the very same signature headers (a replay)."""
    headers = signed_headers(body, SIGNING_SECRET)
    return [bot.post(body, FORM, headers) for _ in range(times)]


def test_a_replayed_slash_command_is_answered_once(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """The same signed /memo request sent three times: three 200s, one answer."""
    body = slash_command_body(slash_command(QUESTION, response_url=fake_slack.new_response_url()))
    replies = _send_times(bot, body, 3)
    assert [r.status for r in replies] == [200, 200, 200]
    assert [r.body for r in replies[1:]] == [b"", b""]
    fake_slack.wait_for(RESPONSE_URL_METHOD)
    fake_slack.wait_quiet(0.4)
    assert len(fake_slack.calls(RESPONSE_URL_METHOD)) == 1
    assert len(bot.log.recent(1)) == 1  # logged once too


def test_two_real_commands_with_the_same_text_are_both_answered(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Two genuine /memo requests (each its own trigger_id) are not mistaken for a replay."""
    for _ in range(2):
        bot.post_command(slash_command(QUESTION, response_url=fake_slack.new_response_url()))
    fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls(RESPONSE_URL_METHOD)) == 2


def test_a_replayed_admin_refresh_reloads_once(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """An admin's /memo refresh sent five times reloads the knowledge base once."""
    service = KnowledgeService(write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "glossary.yaml": GLOSSARY}))
    with running_http_bot(fake_slack, service, tmp_path) as bot:
        body = slash_command_body(
            slash_command("refresh", user=ADMIN_ID, response_url=fake_slack.new_response_url())
        )
        replies = _send_times(bot, body, 5)
        assert "Reloading" in replies[0].json()["text"]
        assert all(r.status == 200 and r.body == b"" for r in replies[1:])
        fake_slack.wait_for(RESPONSE_URL_METHOD)
        fake_slack.wait_quiet(0.4)
        assert service.status().reloads == 1


@pytest.mark.parametrize("action_id", [ACTION_MORE, ACTION_FEEDBACK_DOWN])
def test_a_replayed_button_click_does_nothing_the_second_time(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, action_id: str
) -> None:
    """A signed click on More or 👎 sent three times is acted on once (one reply, one vote)."""
    value = json.dumps({"q": QUESTION, "o": 0, "a": "ab12"})
    body = interactive_body(
        block_actions({"action_id": action_id, "value": value}, response_url=fake_slack.new_response_url())
    )
    assert [r.status for r in _send_times(bot, body, 3)] == [200, 200, 200]
    fake_slack.wait_for(RESPONSE_URL_METHOD)
    fake_slack.wait_quiet(0.4)
    assert len(fake_slack.calls(RESPONSE_URL_METHOD)) == 1
