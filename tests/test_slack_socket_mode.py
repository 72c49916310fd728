"""Socket Mode end to end: the real Bolt app on slack_sdk's builtin websocket client, against the
fake Socket Mode server (envelopes in, acks timed) and the fake Web API (what was posted)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from memobot.loader import bundled_knowledge_dir
from memobot.retrieval import Index
from memobot.service import KnowledgeService
from memobot.slack.app import bot_of, build_app
from memobot.slack.blocks import ACTION_SHARE
from memobot.slack.server import socket_mode_handler, stop_answering
from memobot.slack.settings import SlackSettings
from tests.slack_fakes import RESPONSE_URL_METHOD, Call, FakeSlackAPI
from tests.slack_payloads import (
    ASKER_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    app_mention,
    block_actions,
    direct_message,
    event_callback,
    new_ts,
    slash_command,
)
from tests.slack_socket_fakes import FakeSocketModeServer

pytestmark = pytest.mark.slow

QUESTION = "Hvad kan Danmark gøre som alliancebrobygger?"
BOT_TOKEN = "xoxb-socket-test"
APP_TOKEN = "xapp-1-socket-test"


@dataclass
class SocketBot:
    app: App
    handler: SocketModeHandler
    settings: SlackSettings


@pytest.fixture(scope="module")
def bundled_service() -> KnowledgeService:
    """The bundled knowledge base (never reloaded here)."""
    return KnowledgeService(bundled_knowledge_dir())


def _start(
    fake_slack: FakeSlackAPI,
    fake_socket_mode: FakeSocketModeServer,
    service: KnowledgeService,
    tmp_path: Path,
) -> SocketBot:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "MEMOBOT_STORE": f"sqlite:///{(tmp_path / 'store.sqlite3').as_posix().lstrip('/')}",
    }
    settings = SlackSettings.from_env("socket", env)
    app = build_app(settings, service)
    handler = socket_mode_handler(app, settings)
    handler.connect()
    fake_socket_mode.wait_connected()
    return SocketBot(app, handler, settings)


def _stop(bot: SocketBot) -> None:
    bot.handler.close()
    stop_answering(bot.app, wait=True)


@pytest.fixture
def bot(
    fake_slack: FakeSlackAPI,
    fake_socket_mode: FakeSocketModeServer,
    bundled_service: KnowledgeService,
    tmp_path: Path,
) -> Iterator[SocketBot]:
    """The real app in Socket Mode, connected to the fakes, on the bundled knowledge base."""
    running = _start(fake_slack, fake_socket_mode, bundled_service, tmp_path)
    try:
        yield running
    finally:
        _stop(running)


def _button(call: Call, action_id: str) -> dict:
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {call.params.get('blocks')}")


# --- connecting --------------------------------------------------------------------------------


def test_connects_with_the_app_token_through_slack_api_url(bot: SocketBot, fake_slack: FakeSlackAPI) -> None:
    """The handler asks SLACK_API_URL's apps.connections.open with the app token, and auth.test
    went out with the bot token."""
    [opened] = fake_slack.calls("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert all(c.token == BOT_TOKEN for c in fake_slack.calls("auth.test"))


# --- mentions and DMs --------------------------------------------------------------------------


def test_mention_is_acked_and_answered_in_a_thread(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """An app_mention envelope is acked within 3 s and answered under the question with quotes."""
    event = app_mention(QUESTION)

    fake_socket_mode.send_event(event_callback(event))

    [call] = fake_slack.wait_for("chat.postMessage")
    assert (call.params["channel"], call.params["thread_ts"]) == (CHANNEL_ID, event["ts"])
    assert call.token == BOT_TOKEN
    assert any(t.startswith(">") for t in call.block_texts())
    fake_socket_mode.assert_all_acked(within=3.0)


def test_direct_message_is_answered_in_the_dm(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """A message.im envelope is answered in the DM itself, not in a thread."""
    fake_socket_mode.send_event(event_callback(direct_message("Hvad er NATO's kvantecenter?")))

    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["channel"] == DM_CHANNEL_ID
    assert "thread_ts" not in call.params
    fake_socket_mode.assert_all_acked(within=3.0)


def test_retried_envelope_is_acked_but_answered_once(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """Slack's redelivery (same event_id, retry_attempt > 0) is acked like any envelope, answered once."""
    payload = event_callback(app_mention("kvantecenter"))

    fake_socket_mode.send_event(payload)
    fake_slack.wait_for("chat.postMessage")
    fake_socket_mode.send_event(payload, retry_attempt=1, retry_reason="timeout")
    fake_socket_mode.send_event(payload, retry_attempt=2, retry_reason="timeout")

    acks = fake_socket_mode.assert_all_acked(within=3.0)
    assert len(acks) == 3
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_a_redelivered_envelope_takes_over_what_a_dead_replica_left_unanswered(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """An envelope another replica leased (event and message, attempt 0) and died with: its
    redelivery (retry_attempt 1, which Bolt hands the middleware as X-Slack-Retry-Num) takes both
    leases over and answers once."""
    payload = event_callback(app_mention("kvantecenter"))
    store = bot_of(bot.app).store
    event = payload["event"]
    for key in (f"event:{payload['event_id']}", f"message:{event['channel']}:{event['ts']}"):
        assert store.claim(key, 30, attempt=0, owner="dead-replica")

    fake_socket_mode.send_event(payload, retry_attempt=1, retry_reason="timeout")

    fake_slack.wait_for("chat.postMessage")
    fake_socket_mode.assert_all_acked(within=3.0)
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_mention_in_a_dm_delivered_twice_is_answered_once(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """The app_mention + message.im double delivery over the websocket gets one reply."""
    ts = new_ts()
    mention = app_mention("kvantecenter", channel=DM_CHANNEL_ID, ts=ts)

    fake_socket_mode.send_event(event_callback(direct_message(mention["text"], ts=ts)))
    fake_socket_mode.send_event(event_callback(mention))

    fake_slack.wait_for("chat.postMessage")
    fake_socket_mode.assert_all_acked(within=3.0)
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1


# --- /memo and buttons ---------------------------------------------------------------------------


def test_memo_is_acked_then_answered_privately_via_response_url(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """A /memo slash_commands envelope is acked within 3 s; the ephemeral answer goes to its response_url."""
    url = fake_slack.new_response_url()

    envelope_id = fake_socket_mode.send_slash_command(slash_command(QUESTION, response_url=url))

    [call] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert fake_slack.url + call.path == url
    assert call.params["response_type"] == "ephemeral"
    assert any(QUESTION in t for t in call.block_texts())
    _button(call, ACTION_SHARE)
    [ack] = fake_socket_mode.assert_all_acked(within=3.0)
    assert ack.envelope_id == envelope_id
    assert fake_slack.calls("chat.postMessage") == []  # private: nothing in the channel


def test_memo_help_answers_inside_the_ack(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """/memo help answers in the ack's response payload (accepts_response_payload), no Web API call."""
    envelope_id = fake_socket_mode.send_slash_command(
        slash_command("help", response_url=fake_slack.new_response_url())
    )

    ack = fake_socket_mode.wait_for_ack(envelope_id, timeout=3.0)
    assert ack.payload is not None and ack.payload["response_type"] == "ephemeral"
    assert "/memo &lt;question&gt;" in ack.payload["blocks"][0]["text"]["text"]
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls(RESPONSE_URL_METHOD) == []


def test_share_button_from_a_real_answer_posts_in_the_channel(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """The Share button of a /memo answer, clicked (interactive envelope), is acked and posts for all."""
    fake_socket_mode.send_slash_command(slash_command(QUESTION, response_url=fake_slack.new_response_url()))
    [private] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    share = _button(private, ACTION_SHARE)
    click_url = fake_slack.new_response_url()

    fake_socket_mode.send_interactive(
        block_actions({"action_id": share["action_id"], "value": share["value"]}, response_url=click_url)
    )

    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL_ID
    assert f"<@{ASKER_ID}>" in "\n".join(post.block_texts())
    [deleted] = fake_slack.wait_for(RESPONSE_URL_METHOD, where=lambda c: fake_slack.url + c.path == click_url)
    assert deleted.params.get("delete_original") is True
    fake_socket_mode.assert_all_acked(within=3.0)


# --- Slack's 3-second rule while retrieval is slow -----------------------------------------------


class _GatedService(KnowledgeService):
    """The real service whose questions wait for a gate: a deliberately slow retrieval."""

    def __init__(self, directory: Path, gate: threading.Event) -> None:
        super().__init__(directory)
        self.gate = gate

    @property
    def index(self) -> Index:
        if not self.gate.wait(timeout=20):
            raise TimeoutError("gate never opened")
        return super().index


def test_every_envelope_is_acked_within_3_s_while_retrieval_is_in_flight(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, tiny_kb: Path, tmp_path: Path
) -> None:
    """Mentions, DMs, /memo and a button are all acked within 3 s while every retrieval is blocked;
    the answers follow once it finishes."""
    gate = threading.Event()
    running = _start(fake_slack, fake_socket_mode, _GatedService(tiny_kb, gate), tmp_path)
    try:
        mentions = [event_callback(app_mention(f"kvantecenter {n}")) for n in range(5)]
        for payload in mentions:
            fake_socket_mode.send_event(payload)
        fake_socket_mode.send_event(event_callback(direct_message("kystvagten")))
        fake_socket_mode.send_slash_command(
            slash_command("kvantecenter", response_url=fake_slack.new_response_url())
        )
        fake_socket_mode.send_interactive(
            block_actions(
                {"action_id": ACTION_SHARE, "value": '{"q": "kvantecenter", "o": 0}'},
                response_url=fake_slack.new_response_url(),
            )
        )

        acks = fake_socket_mode.assert_all_acked(within=3.0)
        assert len(acks) == 8
        assert fake_slack.calls("chat.postMessage") == []  # retrieval still in flight
        gate.set()
        fake_slack.wait_for("chat.postMessage", count=7)  # 5 mentions, the DM, the share
        fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)  # the /memo answer, the share's delete
    finally:
        gate.set()
        _stop(running)


def test_reconnects_when_slack_asks_and_keeps_answering(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """After Slack's ``disconnect`` message the app opens a new connection and answers on it."""
    fake_socket_mode.send_disconnect()
    fake_socket_mode.wait_connected(count=2)

    event = app_mention("kvantecenter")
    fake_socket_mode.send_event(event_callback(event))

    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"]
    assert len(fake_slack.calls("apps.connections.open")) == 2
    fake_socket_mode.assert_all_acked(within=3.0)


def test_memo_is_acked_within_3_s_while_every_answer_worker_is_busy(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, tiny_kb: Path, tmp_path: Path
) -> None:
    """With more slow answers in flight than MEMOBOT_WORKERS, a /memo is still acked within 3 s."""
    gate = threading.Event()
    running = _start(fake_slack, fake_socket_mode, _GatedService(tiny_kb, gate), tmp_path)
    try:
        for n in range(running.settings.workers + 4):
            fake_socket_mode.send_event(event_callback(app_mention(f"kvantecenter {n}")))
        fake_socket_mode.assert_all_acked(within=3.0)
        memo = fake_socket_mode.send_slash_command(
            slash_command("kvantecenter", response_url=fake_slack.new_response_url())
        )

        ack = fake_socket_mode.wait_for_ack(memo, timeout=3.0)
        assert ack.latency <= 3.0
    finally:
        gate.set()
        _stop(running)


# --- conversations -----------------------------------------------------------------------------


def test_follow_up_edit_shortcut_and_assistant_over_socket_mode(
    bot: SocketBot, fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> None:
    """Over the websocket as over HTTP: an untagged follow-up in the bot's thread is answered
    there read with the earlier question, an edited question updates its answer, the message
    shortcut answers privately, the AI container gets prompts — every envelope acked within 3 s."""
    from memobot.slack.listeners.shortcuts import ASK_ABOUT_MESSAGE
    from tests.slack_payloads import (
        assistant_thread_started,
        channel_message,
        message_changed,
        message_shortcut,
    )

    mention = app_mention(QUESTION)
    fake_socket_mode.send_event(event_callback(mention))
    [answer] = fake_slack.wait_for("chat.postMessage")
    fake_socket_mode.send_event(event_callback(channel_message("og i Japan?", thread_ts=mention["ts"])))
    [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
    assert follow_up.params["thread_ts"] == mention["ts"]
    assert f"Read with the earlier question “{QUESTION}”" in follow_up.block_texts()

    fake_socket_mode.send_event(event_callback(message_changed(mention, "<@U0FAKEBOT1> kvantecenter")))
    [update] = fake_slack.wait_for("chat.update")
    assert update.params["ts"] == answer.response["ts"]

    message = {"type": "message", "user": ASKER_ID, "ts": new_ts(), "text": QUESTION}
    url = fake_slack.new_response_url()
    fake_socket_mode.send_interactive(
        message_shortcut(message, callback_id=ASK_ABOUT_MESSAGE, response_url=url)
    )
    [private] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert private.params["response_type"] == "ephemeral" and _button(private, ACTION_SHARE)

    fake_socket_mode.send_event(event_callback(assistant_thread_started()))
    fake_slack.wait_for("assistant.threads.setSuggestedPrompts")
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 2  # the edit updated, never posted again
    fake_socket_mode.assert_all_acked(within=3.0)
