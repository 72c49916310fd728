"""The HTTP front door under hostile input: malformed, unsigned and forged requests against the
real server on loopback, with every log record they cause counted."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memobot.service import KnowledgeService
from memobot.slack._gate import Refusal, RefusalLog
from memobot.slack.blocks import ACTION_MORE
from tests.slack_fakes import RESPONSE_URL_METHOD, FakeSlackAPI
from tests.slack_http_support import SIGNING_SECRET, BotUnderTest, running_http_bot
from tests.slack_payloads import (
    app_mention,
    block_actions,
    event_callback,
    interactive_body,
    json_body,
    signed_headers,
)

pytestmark = pytest.mark.slow

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logged while handling requests: records of its request threads (other
    tests' answer threads may still be finishing and logging meanwhile)."""
    return [r for r in caplog.records if r.levelno >= logging.INFO and r.threadName.startswith("waitress")]


def _assert_one_line_each(records: list[logging.LogRecord], limit: int) -> None:
    assert len(records) <= limit, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None, record.getMessage()
        assert "\n" not in record.getMessage()
        assert "Traceback" not in record.getMessage()


MALFORMED = [
    # (body, content type, signed, expected status)
    (b"[", JSON, False, 401),
    (b"[", JSON, True, 400),
    (b"[]", JSON, True, 400),
    (b"null", JSON, True, 400),
    (b'"text"', JSON, True, 400),
    (b"\xff\xfe", JSON, True, 400),
    (b"payload=garbage", FORM, True, 400),
    (b"payload=garbage", FORM, False, 401),
    (b"payload=%5B%5D", FORM, True, 400),
    (b"a=1&&&b", FORM, True, 400),
    (b'{"type": "event_callback", "event": null}', JSON, True, 400),
    (b'{"type": "event_callback", "event": "x"}', JSON, True, 400),
    (b'{"type": "event_callback", "event": {"type": ["x"]}}', JSON, True, 400),
    (b'{"event": {"type": "app_mention"}}', JSON, True, 400),
    (b'{"type": "event_callback", "event": {"type": "x"}, "authorizations": "x"}', JSON, True, 400),
    (b"payload=" + b"%5B" * 5000, FORM, True, 400),
    (interactive_body({"type": "block_actions", "actions": "x"}), FORM, True, 400),
    (interactive_body({"type": "block_actions", "actions": [{"action_id": 5}]}), FORM, True, 400),
]


@pytest.mark.parametrize(("body", "content_type", "signed", "status"), MALFORMED)
def test_malformed_bodies_get_400_or_401_and_one_log_line(
    bot: BotUnderTest,
    fake_slack: FakeSlackAPI,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    signed: bool,
    status: int,
) -> None:
    """A body Bolt cannot dispatch is refused with 400 (401 when unsigned) and one log line,
    never a 500 or a traceback, and nothing reaches Slack."""
    headers = signed_headers(body, SIGNING_SECRET) if signed else {}
    with caplog.at_level(logging.INFO):
        reply = bot.post(body, content_type, headers)
    assert reply.status == status
    records = _records(caplog)
    _assert_one_line_each(records, limit=1)
    assert [r.getMessage() for r in records if f": {status} " in r.getMessage()]
    assert fake_slack.calls("chat.postMessage") == []


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (
            {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
            "X-Slack-Request-Timestamp is not a Unix time",
        ),
        (
            {"X-Slack-Request-Timestamp": "1" * 40, "X-Slack-Signature": "v0=00"},
            "X-Slack-Request-Timestamp is not a Unix time",
        ),
        (
            {"X-Slack-Request-Timestamp": "1²³", "X-Slack-Signature": "v0=00"},
            "X-Slack-Request-Timestamp is not a Unix time",
        ),
        ({"X-Slack-Signature": "v0=00"}, "no Slack signature"),
        ({"X-Slack-Request-Timestamp": "1"}, "no Slack signature"),
        ({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}, "stale or future timestamp"),
    ],
)
def test_bad_signature_headers_are_401_with_the_reason(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, headers: dict[str, str], why: str
) -> None:
    """Missing, non-numeric (also superscript digits) and stale signature headers are 401 with a
    one-line reason, before the body is looked at."""
    with caplog.at_level(logging.INFO):
        reply = bot.post(b"[", JSON, headers)
    assert reply.status == 401
    [record] = [r for r in _records(caplog) if r.name == "memobot.slack.http"]
    assert record.getMessage() == f"refused a request from 127.0.0.1: 401 {why}"


def test_a_flood_of_unsigned_garbage_writes_a_bounded_log(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """100 unsigned ``[`` bodies: all 401, at most the per-minute budget of log lines (they
    used to write 104 tracebacks, 266 KB)."""
    with caplog.at_level(logging.INFO):
        statuses = {bot.post(b"[", JSON, {}).status for _ in range(100)}
    assert statuses == {401}
    records = _records(caplog)
    _assert_one_line_each(records, limit=RefusalLog().burst)
    assert sum(len(r.getMessage()) for r in records) < 2000


def test_refusal_log_writes_one_summary_per_window() -> None:
    """Past the budget, refusals are counted and reported in one line when the window ends."""
    now = [0.0]
    refusals = RefusalLog(burst=2, window=60.0, clock=lambda: now[0])
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("memobot.slack.http")
    logger.addHandler(handler)
    try:
        for status in (401, 401, 401, 400, 401):
            refusals.refused(Refusal(status, "why"), "peer")
        assert len(logged) == 2
        now[0] = 61.0
        refusals.refused(Refusal(401, "why"), "peer")
    finally:
        logger.removeHandler(handler)
    assert logged == [
        "refused a request from peer: 401 why",
        "refused a request from peer: 401 why",
        "refused 3 more requests not logged one by one (1× 400, 2× 401) in the last 60 s",
        "refused a request from peer: 401 why",
    ]


def _json_values() -> st.SearchStrategy:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    return st.recursive(
        leaves,
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3),
        max_leaves=8,
    )


_FIELDS = ("type", "event", "authorizations", "team_id", "event_id", "api_app_id", "enterprise_id")
_EVENT_FIELDS = (
    "type",
    "text",
    "channel",
    "user",
    "ts",
    "thread_ts",
    "channel_type",
    "subtype",
    "bot_id",
    "tab",
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    envelope=st.dictionaries(st.sampled_from(_FIELDS), _json_values(), max_size=4),
    event=st.dictionaries(st.sampled_from(_EVENT_FIELDS), _json_values(), max_size=5),
    kind=st.sampled_from(["app_mention", "message", "app_home_opened", None]),
)
def test_signed_events_of_any_shape_never_500_nor_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, envelope: dict, event: dict, kind: str | None
) -> None:
    """Any signed JSON body shaped roughly like an event gets 200, 400 or 404 and at most one
    log line without a traceback."""
    payload = {**event_callback(app_mention("x")), **envelope}
    if kind is not None:
        payload["event"] = {**event, "type": kind}
    caplog.clear()
    with caplog.at_level(logging.INFO):
        reply = bot.post_event(payload)
        bot.server.app  # noqa: B018 - keep the bot alive while the answer threads run
    assert reply.status in (200, 400, 404)
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()


def test_a_deeply_nested_button_value_gets_the_expired_reply(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """A forged button value of 999 nested lists is a stale button: the clicker is told so
    (it used to raise RecursionError outside the error handling: no reply at all)."""
    value = "[" * 999 + "]" * 999
    url = fake_slack.new_response_url()
    with caplog.at_level(logging.INFO):
        reply = bot.post_action(block_actions({"action_id": ACTION_MORE, "value": value}, response_url=url))
        [told] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert reply.status == 200
    assert "no longer works" in json.dumps(told.params)
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize("thread_ts", [{"a": 1}, ["1.2"], 17, "1.2; DROP", ""])
def test_a_forged_thread_ts_is_never_passed_on(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, thread_ts: object
) -> None:
    """A ``thread_ts`` that is no Slack timestamp is ignored: the answer goes into the
    mention's own thread, and Slack only ever gets a timestamp string."""
    event = app_mention("kvantecenter")
    event["thread_ts"] = thread_ts
    assert bot.post(json_body(event_callback(event)), JSON).status == 200
    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"]


def test_healthz_shows_no_path_and_no_file_content(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """After a refused reload whose problem quotes a file's content, /healthz says "stale" and
    nothing else of it: no directory, no problem text; `memobot status` (the service's status)
    keeps the details. Between reloads it is the same precomputed answer."""
    from tests.conftest import MEMO_A, write_kb

    kb = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A})
    service = KnowledgeService(kb)
    with running_http_bot(fake_slack, service, tmp_path) as bot:
        first = bot.get("/healthz").body
        assert service.health() is service.health()
        secret = "AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI"
        (kb / "a.yaml").write_text(MEMO_A.replace("https://example.org/arktis", secret), encoding="utf-8")
        assert service.reload(trigger="test").ok is False
        reply = bot.get("/healthz")
    health = reply.json()
    assert health["stale"] is True and health["last_reload"]["ok"] is False
    assert secret not in reply.body.decode() and str(tmp_path) not in reply.body.decode()
    assert str(tmp_path) not in first.decode()
    assert any(secret in problem for problem in service.status().last_error)
