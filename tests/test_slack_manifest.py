"""slack/manifest.yml against the code: the scopes, events, command and shortcut it declares are
exactly those the registered Bolt listeners handle and the Web API methods the code calls need."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware.assistant import Assistant

from memobot.service import KnowledgeService
from memobot.slack.app import build_app
from memobot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_FEEDBACK_UP, ACTION_MORE, ACTION_SHARE
from memobot.slack.listeners import HANDLED
from memobot.slack.settings import SlackSettings
from tests.conftest import MEMO_A, write_kb
from tests.slack_fakes import FakeSlackAPI
from tests.slack_payloads import (
    app_mention,
    assistant_thread_started,
    block_actions,
    channel_message,
    direct_message,
    event_callback,
    message_shortcut,
    slash_command,
)

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yml").read_text(encoding="utf-8"))


def _sample_event(name: str) -> dict:
    """One event of each subscription, shaped as Slack sends it."""
    if name == "app_mention":
        return app_mention("kvantecenter")
    if name == "message.channels":
        return channel_message("og i Japan?", thread_ts="1.000001")
    if name == "message.groups":
        return channel_message(
            "og i Japan?", channel="G0PRIVATE1", thread_ts="1.000001", channel_type="group"
        )
    if name == "message.im":
        return direct_message("kvantecenter")
    if name == "app_home_opened":
        return {"type": "app_home_opened", "user": "U0ASKER001", "channel": "D0DIRECT01", "tab": "home"}
    if name == "assistant_thread_started":
        return assistant_thread_started()
    if name == "assistant_thread_context_changed":
        return {**assistant_thread_started(), "type": "assistant_thread_context_changed"}
    raise AssertionError(f"no sample for {name}")


def _samples() -> dict[str, dict]:
    bodies = {f"event {name}": event_callback(_sample_event(name)) for name in HANDLED["bot_events"]}
    # message.im also carries the container's messages: DMs in a thread.
    bodies["event message.im in a thread"] = event_callback(
        {**direct_message("og?"), "thread_ts": "1.000001"}
    )
    bodies.update(
        {
            f"command {c}": slash_command("kvantecenter", command=c, response_url="x")
            for c in HANDLED["commands"]
        }
    )
    message = {"type": "message", "user": "U0ASKER001", "ts": "1.000001", "text": "kvantecenter"}
    bodies.update(
        {
            f"shortcut {s}": message_shortcut(message, callback_id=s, response_url="x")
            for s in HANDLED["shortcuts"]
        }
    )
    return bodies


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    """The real app, built as `memobot serve` builds it (auth.test against the fake)."""
    with FakeSlackAPI() as fake:
        settings = SlackSettings.from_env(
            "http",
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "a" * 32, "SLACK_API_URL": fake.api_url},
        )
        kb = write_kb(tmp_path_factory.mktemp("kb"), {"a.yaml": MEMO_A})
        yield build_app(settings, KnowledgeService(kb))


def _request(body: dict) -> BoltRequest:
    return BoltRequest(body=json.dumps(body), mode="socket_mode")


def _assistant_listeners(app: App) -> list:
    [assistant] = [m for m in app._middleware_list if isinstance(m, Assistant)]
    groups = (
        assistant._thread_started_listeners,
        assistant._thread_context_changed_listeners,
        assistant._user_message_listeners,
    )
    return [listener for group in groups if group for listener in group]


def _matching(app: App, body: dict) -> list:
    request, response = _request(body), BoltResponse(status=200)
    return [
        listener
        for listener in [*app._listeners, *_assistant_listeners(app)]
        if listener.matches(req=request, resp=response)
    ]


def test_manifest_events_command_and_shortcut_are_what_the_code_handles() -> None:
    """The manifest subscribes to exactly the events in HANDLED and declares exactly its
    command and shortcut, with interactivity, Socket Mode, the container and a writable DM tab."""
    settings = MANIFEST["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(HANDLED["bot_events"])
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == list(HANDLED["commands"])
    shortcuts = MANIFEST["features"]["shortcuts"]
    assert [(s["callback_id"], s["type"]) for s in shortcuts] == [
        (s, "message") for s in HANDLED["shortcuts"]
    ]
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    assert MANIFEST["features"]["assistant_view"]["assistant_description"]
    home = MANIFEST["features"]["app_home"]
    assert (
        home["home_tab_enabled"]
        and home["messages_tab_enabled"]
        and not home["messages_tab_read_only_enabled"]
    )


def test_manifest_scopes_are_exactly_those_the_events_and_calls_need() -> None:
    """The bot scopes are the union of what HANDLED's events, command, shortcut and Web API
    methods need; no user scopes; every Web API method the code calls is in HANDLED."""
    needed = {scope for group in HANDLED.values() for scopes in group.values() for scope in scopes}
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(needed)
    assert "user" not in MANIFEST["oauth_config"]["scopes"]
    called = set()
    for path in (ROOT / "src" / "memobot" / "slack").rglob("*.py"):
        for method in re.findall(r"client\.([a-z]+(?:_[A-Za-z]+)+)\b", path.read_text(encoding="utf-8")):
            if method != "send_dict":  # the response_url's WebhookClient, not the Web API
                called.add(method.replace("_", "."))
    assert called == set(HANDLED["web_api"])


def test_every_declared_event_reaches_a_registered_listener(app: App) -> None:
    """A sample of each subscribed event, the command and the shortcut is matched by one of the
    app's real Bolt listeners (the assistant's included)."""
    unmatched = [name for name, body in _samples().items() if not _matching(app, body)]
    assert unmatched == []


def test_every_registered_listener_is_declared(app: App) -> None:
    """Each Bolt listener the app registered handles at least one declared event, command or
    shortcut, or one of the answer buttons (which need only interactivity): nothing listens in vain."""
    buttons = [
        block_actions({"action_id": action, "value": "{}"}, response_url="x")
        for action in (ACTION_MORE, ACTION_SHARE, ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN)
    ]
    requests = [_request(body) for body in [*_samples().values(), *buttons]]
    response = BoltResponse(status=200)
    idle = [
        listener.ack_function.__name__
        for listener in [*app._listeners, *_assistant_listeners(app)]
        if not any(listener.matches(req=r, resp=response) for r in requests)
    ]
    assert idle == []
