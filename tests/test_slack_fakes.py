"""The Slack fakes speak Slack's wire protocol, as seen by slack_sdk alone (no memobot code)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from tests.slack_fakes import BOT_USER_ID, RESPONSE_URL_METHOD, TEAM_ID, UNROUTED_METHOD, FakeSlackAPI
from tests.slack_payloads import app_mention, event_callback, slash_command
from tests.slack_socket_fakes import FakeSocketModeServer

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Svar*"}}]


@pytest.fixture
def client(fake_slack: FakeSlackAPI) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake_slack.api_url)


def test_auth_test_answers_the_bot_identity_and_records_the_bearer_token(
    fake_slack: FakeSlackAPI, client: WebClient
) -> None:
    """auth.test returns the bot's user/team ids and the call keeps its Authorization header."""
    response = client.auth_test()

    assert (response["user_id"], response["team_id"], response["bot_id"][0]) == (BOT_USER_ID, TEAM_ID, "B")
    [call] = fake_slack.calls("auth.test")
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"


def test_json_and_form_bodies_are_recorded_alike(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """A JSON body (chat_postMessage) and a form body with JSON-encoded blocks record the same params."""
    posted = client.chat_postMessage(channel="C1", text="svar", blocks=BLOCKS, thread_ts="1.000001")
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "svar", "blocks": json.dumps(BLOCKS)}
    )

    as_json, as_form = fake_slack.wait_for("chat.postMessage", count=2)
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert as_json.params["blocks"] == as_form.params["blocks"] == BLOCKS
    assert as_json.params["thread_ts"] == "1.000001"
    assert posted["channel"] == "C1"
    assert posted["message"]["thread_ts"] == "1.000001"


def test_each_answered_method_returns_what_slack_sdk_reads(client: WebClient) -> None:
    """chat.postEphemeral, chat.update and views.publish answer ok with Slack's fields."""
    first = client.chat_postMessage(channel="C1", text="a")
    second = client.chat_postMessage(channel="C1", text="b")
    assert first["ts"] != second["ts"]

    assert client.chat_postEphemeral(channel="C1", user="U1", text="kun til dig")["message_ts"]
    assert client.chat_update(channel="C1", ts=first["ts"], text="ny")["ts"] == first["ts"]
    view = {"type": "home", "blocks": BLOCKS}
    assert client.views_publish(user_id="U1", view=view)["view"]["type"] == "home"


def test_base_url_must_include_api(fake_slack: FakeSlackAPI) -> None:
    """A base URL without ``/api/`` reaches no method: a 404 recorded as unrouted, as on slack.com."""
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    with pytest.raises(SlackApiError):
        client.auth_test()
    [call] = fake_slack.calls()
    assert (call.method, call.path, call.status) == (UNROUTED_METHOD, "/auth.test", 404)


def test_base_url_trailing_slash_is_optional(fake_slack: FakeSlackAPI) -> None:
    """slack_sdk adds the missing ``/`` to base_url before urljoin, so ``.../api`` works like ``.../api/``."""
    assert WebClient(token="xoxb-test", base_url=fake_slack.url + "/api").auth_test()["ok"]
    assert fake_slack.calls()[0].path == "/api/auth.test"


def test_missing_token_is_not_authed(fake_slack: FakeSlackAPI) -> None:
    """A call without a token is refused with not_authed."""
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake_slack.api_url).chat_postMessage(channel="C1", text="x")
    assert raised.value.response["error"] == "not_authed"


def test_rate_limit_answers_429_with_retry_after(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """rate_limit() makes the next call answer 429 ratelimited with the Retry-After header, then recovers."""
    fake_slack.rate_limit("chat.postMessage", times=1, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_rate_limit_is_retried_by_slack_sdks_handler(fake_slack: FakeSlackAPI) -> None:
    """RateLimitErrorRetryHandler honours the fake's 429 and the retried call succeeds."""
    fake_slack.rate_limit("chat.postMessage", times=1, retry_after=0)
    client = WebClient(
        token="xoxb-test",
        base_url=fake_slack.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )

    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


def test_fail_mode_answers_an_error_for_one_channel(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """fail(method, error, channel=...) answers ok:false there only; times= limits how often."""
    fake_slack.fail("chat.postMessage", "channel_not_found", channel="C404")
    fake_slack.fail("chat.postEphemeral", "not_in_channel", times=1)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C404", text="x")
    assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    with pytest.raises(SlackApiError):
        client.chat_postEphemeral(channel="C1", user="U1", text="x")
    assert client.chat_postEphemeral(channel="C1", user="U1", text="x")["ok"]


def test_delay_holds_the_answer_but_records_the_call_on_arrival(
    fake_slack: FakeSlackAPI, client: WebClient
) -> None:
    """delay() slows the answer; wait_for sees the call while the client still waits."""
    fake_slack.delay(0.5, "chat.postMessage")
    done = threading.Event()
    started = time.monotonic()
    worker = threading.Thread(target=lambda: (client.chat_postMessage(channel="C1", text="x"), done.set()))
    worker.start()

    fake_slack.wait_for("chat.postMessage")
    assert not done.is_set()
    worker.join(timeout=10)
    assert done.is_set() and time.monotonic() - started >= 0.5


def test_wait_for_times_out_naming_what_arrived(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """wait_for fails with an AssertionError listing the calls that did arrive."""
    client.auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        fake_slack.wait_for("chat.postMessage", timeout=0.2)


def test_response_url_records_what_respond_posts(fake_slack: FakeSlackAPI) -> None:
    """A response_url from new_response_url() records the JSON posted to it (what Bolt's respond() sends)."""
    url = fake_slack.new_response_url()
    response = WebhookClient(url).send(text="svar", response_type="ephemeral", replace_original=False)

    assert response.status_code == 200
    [call] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert call.path == url.removeprefix(fake_slack.url)
    assert call.params == {"text": "svar", "response_type": "ephemeral", "replace_original": False}


def test_apps_connections_open_needs_an_app_token(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """apps.connections.open refuses a bot token and hands an app token the Socket Mode URL."""
    fake_slack.socket_mode_url = "ws://127.0.0.1:1/link/"
    with pytest.raises(SlackApiError) as raised:
        client.apps_connections_open(app_token="xoxb-test")
    assert raised.value.response["error"] == "not_allowed_token_type"
    assert client.apps_connections_open(app_token="xapp-test")["url"] == "ws://127.0.0.1:1/link/"


def test_reset_forgets_calls_and_modes(fake_slack: FakeSlackAPI, client: WebClient) -> None:
    """reset() clears recorded calls and every failure/rate-limit mode."""
    fake_slack.fail("chat.postMessage", "channel_not_found")
    fake_slack.rate_limit("auth.test", times=5)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x")
    fake_slack.reset()

    assert fake_slack.calls() == []
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert client.auth_test()["ok"]


# -- Socket Mode ---------------------------------------------------------------------------------


@pytest.fixture
def socket_client(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer
) -> Iterator[tuple[SocketModeClient, list[SocketModeRequest], threading.Event]]:
    """slack_sdk's builtin SocketModeClient (Bolt's default) connected to the fakes; acks everything."""
    received: list[SocketModeRequest] = []
    arrived = threading.Event()
    client = SocketModeClient(
        app_token="xapp-test", web_client=WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    )

    def listener(c: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        arrived.set()
        if request.type == "slash_commands":
            c.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload={"text": "ack'd"}))
        elif request.payload.get("event", {}).get("text") != "never ack":
            c.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(listener)
    client.connect()
    try:
        yield client, received, arrived
    finally:
        client.close()


def test_socket_mode_client_connects_through_apps_connections_open(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, socket_client: tuple
) -> None:
    """The builtin client gets the ws:// URL from apps.connections.open (app token) and receives hello."""
    fake_socket_mode.wait_connected()

    [call] = fake_slack.calls("apps.connections.open")
    assert call.token == "xapp-test"
    assert socket_client[0].is_connected()


def test_event_envelope_reaches_the_listener_and_its_ack_is_recorded(
    fake_socket_mode: FakeSocketModeServer, socket_client: tuple
) -> None:
    """An events_api envelope is delivered with its retry fields, and its ack arrives within 3 s."""
    _, received, arrived = socket_client
    fake_socket_mode.wait_connected()
    payload = event_callback(app_mention("Hvad anbefaler notatet?"))

    envelope_id = fake_socket_mode.send_event(payload, retry_attempt=1, retry_reason="timeout")

    assert arrived.wait(timeout=10)
    [request] = received
    assert (request.envelope_id, request.type, request.payload) == (envelope_id, "events_api", payload)
    assert (request.retry_attempt, request.retry_reason) == (1, "timeout")
    [ack] = fake_socket_mode.assert_all_acked(within=3.0)
    assert ack.envelope_id == envelope_id and ack.payload is None


def test_slash_command_ack_carries_its_response_payload(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, socket_client: tuple
) -> None:
    """A slash_commands envelope accepts a response payload, and the fake records it on the ack."""
    fake_socket_mode.wait_connected()
    command = slash_command("hvad er MDO?", response_url=fake_slack.new_response_url())

    envelope_id = fake_socket_mode.send_slash_command(command)

    ack = fake_socket_mode.wait_for_ack(envelope_id)
    assert ack.payload == {"text": "ack'd"}
    assert socket_client[1][0].accepts_response_payload is True


def test_unacknowledged_envelope_fails_the_three_second_check(
    fake_socket_mode: FakeSocketModeServer, socket_client: tuple
) -> None:
    """assert_all_acked fails when an envelope gets no ack in time (the check bites)."""
    _, _, arrived = socket_client
    fake_socket_mode.wait_connected()
    fake_socket_mode.send_event(event_callback(app_mention("never ack") | {"text": "never ack"}))
    assert arrived.wait(timeout=10)

    with pytest.raises(AssertionError, match=r"not acknowledged within 0\.2 s"):
        fake_socket_mode.assert_all_acked(within=0.2)


def test_disconnect_message_makes_the_client_reconnect(
    fake_slack: FakeSlackAPI, fake_socket_mode: FakeSocketModeServer, socket_client: tuple
) -> None:
    """A ``disconnect`` message makes the client open a fresh connection via apps.connections.open."""
    fake_socket_mode.wait_connected()

    fake_socket_mode.send_disconnect()

    fake_socket_mode.wait_connected(count=2)
    fake_slack.wait_for("apps.connections.open", count=2)
    # An ack over the new connection proves the client finished switching to it.
    fake_socket_mode.wait_for_ack(fake_socket_mode.send_event(event_callback(app_mention("igen"))))
