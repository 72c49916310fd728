"""HTTP mode end to end: signed Slack requests into the real app on a real server thread, and
what reached the fake Slack Web API."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from memobot.retrieval import Index
from memobot.service import KnowledgeService
from memobot.slack.app import bot_of
from memobot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_FEEDBACK_UP, ACTION_MORE, ACTION_SHARE
from tests.conftest import GLOSSARY, MEMO_A, MEMO_B, write_kb
from tests.slack_fakes import BOT_ID, BOT_USER_ID, RESPONSE_URL_METHOD, Call, FakeSlackAPI
from tests.slack_http_support import ADMIN_ID, SIGNING_SECRET, BotUnderTest, running_http_bot
from tests.slack_payloads import (
    ASKER_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    app_mention,
    block_actions,
    direct_message,
    event_callback,
    json_body,
    new_ts,
    signed_headers,
    slash_command,
)

pytestmark = pytest.mark.slow

QUESTION = "Hvad kan Danmark gøre som alliancebrobygger?"


def _wire(call: Call) -> str:
    """Everything a call carried, as one string (for "never appears anywhere" checks)."""
    return json.dumps(call.params, ensure_ascii=False)


def _buttons(call: Call) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in call.params.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    }


# --- Slack's protocol ----------------------------------------------------------------------


def test_url_verification_echoes_the_challenge(bot: BotUnderTest) -> None:
    """A signed url_verification request is answered with its challenge."""
    reply = bot.post_event({"type": "url_verification", "challenge": "c-123", "token": "t"})
    assert reply.status == 200
    assert reply.json() == {"challenge": "c-123"}


def test_bad_signature_is_refused_and_nothing_is_posted(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A request signed with another secret gets 401 and does nothing."""
    body = json_body(event_callback(app_mention(QUESTION)))
    reply = bot.post(body, "application/json", signed_headers(body, "0" * 32))
    assert reply.status == 401
    unsigned = bot.post(body, "application/json", {})
    assert unsigned.status == 401
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls("chat.postMessage") == []


def test_stale_timestamp_is_refused(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A correctly signed request older than five minutes (a replay) gets 401 and does nothing."""
    body = json_body(event_callback(app_mention(QUESTION)))
    reply = bot.post(
        body, "application/json", signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 600)
    )
    assert reply.status == 401
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls("chat.postMessage") == []


def test_healthz_reports_the_knowledge_base(bot: BotUnderTest, bundled_service: KnowledgeService) -> None:
    """GET /healthz answers JSON with the knowledge base's version, size, load time and freshness
    (no path and no problem text: those stay in `memobot status`)."""
    reply = bot.get("/healthz")
    assert reply.status == 200
    health = reply.json()
    status = bundled_service.status()
    assert health["ok"] is True
    assert (health["version"], health["passages"], health["memos"]) == (status.version, status.passages, 1)
    assert health["load_seconds"] > 0 and health["loaded_at"] and health["stale"] is False
    assert "directory" not in health and "last_error" not in health


# --- mentions and DMs ----------------------------------------------------------------------


def test_mention_is_answered_in_a_thread_with_quotes_citation_and_recommendation(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """An @mention gets the answer in a thread under it: quoted excerpts, bold terms, linked
    citation, the recommendation with its role, buttons and a plain-text fallback."""
    event = app_mention(QUESTION)
    reply = bot.post_event(event_callback(event))
    assert reply.status == 200
    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["channel"] == CHANNEL_ID
    assert call.params["thread_ts"] == event["ts"]
    assert "parse" not in call.params and "link_names" not in call.params
    texts = call.block_texts()
    assert any(t.startswith(">") and "*" in t for t in texts)  # a quote with a bold term
    assert any("<https://cms.polsci.ku.dk/" in t and "¶" in t for t in texts)
    assert any("Matching recommendation — role: Alliancebrobygger" in t for t in texts)
    assert {ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN} <= set(_buttons(call))
    assert ACTION_SHARE not in _buttons(call)  # already public
    assert call.params["text"].startswith("Answer to “Hvad kan Danmark")
    assert BOT_USER_ID not in _wire(call)  # the mention itself was stripped


def test_mention_inside_a_thread_is_answered_in_that_thread(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """A mention in an existing thread is answered in the same thread, not under the reply."""
    parent = new_ts()
    bot.post_event(event_callback(app_mention("kvantecenter", thread_ts=parent)))
    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == parent


def test_direct_message_is_answered_in_the_dm(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A DM is answered in the DM itself, not in a thread."""
    bot.post_event(event_callback(direct_message("Hvad er NATO's kvantecenter?")))
    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["channel"] == DM_CHANNEL_ID
    assert "thread_ts" not in call.params
    assert any("*kvantecenter*" in t for t in call.block_texts())


def test_retries_are_not_answered_twice(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """Slack's redeliveries of one event (X-Slack-Retry-Num) are acked but answered once."""
    payload = event_callback(app_mention("kvantecenter"))
    first = bot.post_event(payload)
    retries = [
        bot.post_event(payload, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"})
        for n in (1, 2, 3)
    ]
    assert first.status == 200 and all(r.status == 200 for r in retries)
    fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("retry", "kept", "answered"),
    [(1, False, True), (3, False, True), (0, False, False), (1, True, False)],
    ids=["retry-1-over-a-lease", "retry-3-over-a-lease", "first-delivery-again", "retry-over-kept"],
)
def test_a_retry_takes_over_what_a_dead_replica_left_unanswered(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, retry: int, kept: bool, answered: bool
) -> None:
    """Another replica leased the event and its message (attempt 0) and died before answering:
    Slack's retry takes both leases over and the question is answered and logged once; the same
    first delivery again, or a retry after the answer was posted (kept), is only acknowledged."""
    payload = event_callback(app_mention("kvantecenter"))
    store = bot_of(bot.server.app).store
    event = payload["event"]
    for key in (f"event:{payload['event_id']}", f"message:{event['channel']}:{event['ts']}"):
        assert store.claim(key, 30, attempt=0, owner="dead-replica")
        if kept:
            assert store.keep(key, 3600, owner="dead-replica")
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"} if retry else {}
    assert bot.post_event(payload, **headers).status == 200
    if answered:
        fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_quiet(0.5)
    assert len(fake_slack.calls("chat.postMessage")) == int(answered)
    assert len(bot.log.recent(1)) == int(answered)


def test_mention_in_a_dm_delivered_twice_is_answered_once(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """The app_mention + message.im double delivery of one DM message gets one reply."""
    ts = new_ts()
    mention = app_mention("kvantecenter", channel=DM_CHANNEL_ID, ts=ts)
    message = direct_message(mention["text"], ts=ts)
    bot.post_event(event_callback(message))
    bot.post_event(event_callback(mention))
    fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": BOT_ID, "user": BOT_USER_ID},  # ourselves
        {"bot_id": "B0OTHERBOT", "subtype": "bot_message"},  # another bot
        {"bot_id": "B0OTHERAPP"},  # another app posting as a user-like message
        {"subtype": "message_changed"},  # an edit, not a question
    ],
)
def test_bots_edits_and_own_messages_are_ignored(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, extra: dict
) -> None:
    """Messages from any bot (ours included) and edits are acked and never answered."""
    event = {**direct_message("kvantecenter"), **extra}
    reply = bot.post_event(event_callback(event))
    assert reply.status == 200
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls("chat.postMessage") == []


def test_empty_mention_gets_usage_with_examples(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A bare @mention is answered with how to ask and example questions from the knowledge base."""
    bot.post_event(event_callback(app_mention("")))
    [call] = fake_slack.wait_for("chat.postMessage")
    text = "\n".join(call.block_texts())
    assert "/memo" in text and "Examples" in text
    assert "alliancebrobygger" in text


def test_huge_question_is_refused_with_the_limit(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A 10 000-character question is refused with a reply that states the limit."""
    bot.post_event(event_callback(app_mention("kvante " * 1430)))
    [call] = fake_slack.wait_for("chat.postMessage")
    assert "up to 500 characters" in call.params["text"]
    assert len(_wire(call)) < 2000


def test_markup_in_a_question_is_never_echoed_unescaped(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """<!channel>, <!here>, <@U…>, links and literal < > & typed by a user never reach Slack
    unescaped (nothing can ping or render)."""
    text = (
        "<!channel> <!here> <@U0OTHER01> rugbrød <https://evil.example/x|klik her> "
        "&lt;!channel&gt; a &lt; b &amp; c &gt; d"
    )
    bot.post_event(event_callback(app_mention(text)))
    [call] = fake_slack.wait_for("chat.postMessage")
    wire = _wire(call)
    for forbidden in ("<!channel>", "<!here>", "<@U0OTHER01>", "<https://evil", "evil.example", "<!", "< b"):
        assert forbidden not in wire
    assert "&lt;!channel&gt;" in wire  # the literal text the user typed, shown as text
    assert "a &lt; b &amp; c &gt; d" in wire


def test_rate_limited_post_is_retried_after_retry_after(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A 429 with Retry-After from chat.postMessage is retried and the answer arrives."""
    fake_slack.rate_limit("chat.postMessage", times=2, retry_after=0)
    bot.post_event(event_callback(app_mention("kvantecenter")))
    calls = fake_slack.wait_for("chat.postMessage", count=3)
    assert [c.status for c in calls] == [429, 429, 200]
    assert calls[-1].ok


def test_channel_not_found_is_reported_to_the_user_in_a_dm(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """When Slack says the bot cannot post in the channel, the asker gets a DM saying so."""
    fake_slack.fail("chat.postMessage", "not_in_channel", channel=CHANNEL_ID)
    bot.post_event(event_callback(app_mention("kvantecenter")))
    [_, dm] = fake_slack.wait_for("chat.postMessage", count=2)
    assert dm.params["channel"] == ASKER_ID
    assert "not_in_channel" in dm.params["text"] and "/invite" in dm.params["text"]
    assert f"<#{CHANNEL_ID}>" in dm.params["text"]


# --- /memo ---------------------------------------------------------------------------------


def test_memo_answers_privately_with_a_share_button(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """/memo <question> is acked at once, then answered ephemerally, repeating the question,
    with Share in channel."""
    url = fake_slack.new_response_url()
    reply = bot.post_command(slash_command(QUESTION, response_url=url))
    assert reply.status == 200 and reply.body == b""
    [call] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert call.path == url.rsplit(fake_slack.url, 1)[1]
    assert call.params["response_type"] == "ephemeral"
    assert any(QUESTION in t for t in call.block_texts())
    share = _buttons(call)[ACTION_SHARE]
    assert json.loads(share["value"])["q"] == QUESTION


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_memo_help_explains_usage_with_examples(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, text: str
) -> None:
    """/memo help and a bare /memo answer in the ack with usage and example questions."""
    reply = bot.post_command(slash_command(text, response_url=fake_slack.new_response_url()))
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    usage = body["blocks"][0]["text"]["text"]
    assert "/memo <question>" not in usage  # escaped in mrkdwn
    assert "/memo &lt;question&gt;" in usage and "`/memo Hvad står der om" in usage
    assert "/memo refresh" not in usage  # only admins are told about refresh


def test_memo_with_markup_only_is_escaped_in_the_reply(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A /memo question full of markup echoes it escaped, never as live markup."""
    bot.post_command(
        slash_command("rugbrød <!everyone> & <script>", response_url=fake_slack.new_response_url())
    )
    [call] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    wire = _wire(call)
    assert "<!everyone>" not in wire and "<script>" not in wire
    assert "rugbrød &amp;" in wire


def test_non_admin_refresh_is_refused_politely(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, bundled_service: KnowledgeService
) -> None:
    """/memo refresh from someone not in MEMOBOT_ADMINS is refused in the ack and reloads nothing."""
    before = bundled_service.status().reloads
    reply = bot.post_command(slash_command("refresh", response_url=fake_slack.new_response_url()))
    assert "only memobot's admins" in reply.json()["text"]
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls(RESPONSE_URL_METHOD) == []
    assert bundled_service.status().reloads == before


def test_admin_refresh_reports_changes_then_problems(fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    """An admin's /memo refresh reloads and reports what changed and how long it took; a broken
    file is refused with every problem and its file named, and the old index keeps serving."""
    kb = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "glossary.yaml": GLOSSARY})
    service = KnowledgeService(kb)
    with running_http_bot(fake_slack, service, tmp_path) as bot:
        write_kb(kb, {"b.yaml": MEMO_B})
        ack = bot.post_command(
            slash_command("refresh", user=ADMIN_ID, response_url=fake_slack.new_response_url())
        )
        assert "Reloading" in ack.json()["text"]
        [ok] = fake_slack.wait_for(RESPONSE_URL_METHOD)
        report = "\n".join(ok.block_texts())
        assert "reloaded in" in report and "memos +1" in report and "b-tek-1" in report
        assert service.status().last_reload.trigger == "slack"

        (kb / "broken.yaml").write_text("memo: [unclosed\n", encoding="utf-8")
        bot.post_command(slash_command("refresh", user=ADMIN_ID, response_url=fake_slack.new_response_url()))
        [_, refused] = fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)
        report = "\n".join(refused.block_texts())
        assert "Reload refused" in report and "broken.yaml" in report
        assert service.index.ask("kvantecenter").answered  # still serving the good index


# --- buttons -------------------------------------------------------------------------------


def _value(question: str, offset: int = 0, ids: tuple[str, ...] = ()) -> str:
    data: dict = {"q": question, "o": offset}
    if ids:
        data["p"] = list(ids)
    return json.dumps(data)


def test_share_posts_for_everyone_and_removes_the_private_copy(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Share in channel posts the answer in the channel, credited to the sharer, and deletes the
    ephemeral original."""
    url = fake_slack.new_response_url()
    action = {"action_id": ACTION_SHARE, "value": _value(QUESTION)}
    assert bot.post_action(block_actions(action, response_url=url)).status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL_ID
    assert f"Shared by <@{ASKER_ID}>" in "\n".join(post.block_texts())
    [deleted] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert deleted.params.get("delete_original") is True


def test_share_where_the_bot_is_not_a_member_goes_through_the_response_url(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Sharing into a channel the bot is not in posts the answer in_channel through the click's
    response_url (no membership needed), then removes the private copy."""
    fake_slack.fail("chat.postMessage", "not_in_channel")
    bot.post_action(
        block_actions(
            {"action_id": ACTION_SHARE, "value": _value(QUESTION)}, response_url=fake_slack.new_response_url()
        )
    )
    [shared, deleted] = fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)
    assert shared.params["response_type"] == "in_channel" and shared.params["replace_original"] is False
    assert f"Shared by <@{ASKER_ID}>" in "\n".join(shared.block_texts())
    assert deleted.params.get("delete_original") is True


def test_share_that_slack_refuses_everywhere_tells_the_user(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """When neither chat.postMessage nor the response_url may post, the user is told privately
    how to fix it, and the private answer stays."""
    fake_slack.fail("chat.postMessage", "channel_not_found")
    fake_slack.fail_response_urls(1)
    bot.post_action(
        block_actions(
            {"action_id": ACTION_SHARE, "value": _value(QUESTION)}, response_url=fake_slack.new_response_url()
        )
    )
    [refused, told] = fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)
    assert refused.status == 404
    assert told.params["response_type"] == "ephemeral" and told.params["replace_original"] is False
    assert "channel_not_found" in told.params["text"] and "/invite" in told.params["text"]
    fake_slack.wait_quiet(0.3)
    assert not any(c.params.get("delete_original") for c in fake_slack.calls(RESPONSE_URL_METHOD))


def test_more_results_continue_in_the_thread_and_drop_the_button(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """More results posts the next excerpts (numbered on) in the answer's thread and removes
    the More button from the original."""
    first = bot.service.index.ask(QUESTION, k=3)
    assert first.has_more
    thread = new_ts()
    original = {
        "type": "message",
        "ts": new_ts(),
        "thread_ts": thread,
        "text": "Answer…",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": ">quote"}},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": ACTION_MORE, "value": _value(QUESTION, 3)},
                    {"type": "button", "action_id": ACTION_FEEDBACK_UP, "value": _value(QUESTION)},
                ],
            },
        ],
    }
    action = {"action_id": ACTION_MORE, "value": _value(QUESTION, 3)}
    bot.post_action(block_actions(action, response_url=fake_slack.new_response_url(), message=original))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == thread
    texts = post.block_texts()
    assert any(t.startswith("*4.*") for t in texts)
    assert not any("Matching recommendation" in t for t in texts)  # shown once, with the first page
    [update] = fake_slack.wait_for("chat.update")
    assert update.params["ts"] == original["ts"]
    assert ACTION_MORE not in _buttons(update) and ACTION_FEEDBACK_UP in _buttons(update)


def test_more_results_on_a_private_answer_stay_private(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """More results on an ephemeral /memo answer arrive as another ephemeral message."""
    bot.post_action(
        block_actions(
            {"action_id": ACTION_MORE, "value": _value(QUESTION, 3)},
            response_url=fake_slack.new_response_url(),
        )
    )
    [more] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert more.params["response_type"] == "ephemeral"
    assert any(t.startswith("*4.*") for t in more.block_texts())
    assert fake_slack.calls("chat.postMessage") == []


@pytest.mark.parametrize(
    ("clicks", "replies", "up", "down"),
    [
        ([ACTION_FEEDBACK_UP], ["Your 👍 is counted. Feedback: 👍 1 · 👎 0"], 1, 0),
        ([ACTION_FEEDBACK_DOWN], ["Your 👎 is counted. Feedback: 👍 0 · 👎 1"], 0, 1),
        (
            [ACTION_FEEDBACK_UP, ACTION_FEEDBACK_UP],
            ["Your 👍 is counted. Feedback: 👍 1 · 👎 0", "Your 👍 is counted. Feedback: 👍 1 · 👎 0"],
            1,
            0,
        ),
        (
            [ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN],
            ["Your 👍 is counted. Feedback: 👍 1 · 👎 0", "Your 👎 is counted. Feedback: 👍 0 · 👎 1"],
            0,
            1,
        ),
    ],
)
def test_feedback_is_one_vote_per_user_and_answer(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, clicks: list[str], replies: list[str], up: int, down: int
) -> None:
    """👍 / 👎 on an answer are recorded in the store against the answer's key, one vote per user
    (a second click changes it, the same click again changes nothing); each click redraws the
    private answer with the tally and says the user's vote is counted."""
    bot.post_event(event_callback(app_mention(QUESTION)))
    [answer] = fake_slack.wait_for("chat.postMessage")
    for n, action_id in enumerate(clicks, 1):
        bot.post_action(
            block_actions(
                {"action_id": action_id, "value": _buttons(answer)[action_id]["value"]},
                response_url=fake_slack.new_response_url(),
            )
        )
        said = fake_slack.wait_for(RESPONSE_URL_METHOD, count=n)
        assert said[-1].params["replace_original"] is True
        assert any(t.startswith(replies[n - 1]) for t in said[-1].block_texts()), said[-1].block_texts()
    [record] = bot.log.recent(1)
    assert (record.question, record.answered, record.up, record.down) == (QUESTION, True, up, down)
    assert record.user is not None and ASKER_ID not in record.user


@pytest.mark.parametrize(
    "value", ["not json", json.dumps({"q": ""}), json.dumps({"q": "x", "o": -1}), json.dumps([1])]
)
def test_forged_or_stale_button_values_get_a_polite_reply(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, value: str
) -> None:
    """A button value we did not produce is answered with "no longer works", never an error."""
    bot.post_action(
        block_actions({"action_id": ACTION_MORE, "value": value}, response_url=fake_slack.new_response_url())
    )
    [reply] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert "no longer works" in reply.params["text"]


# --- App Home ------------------------------------------------------------------------------


def test_app_home_shows_memos_refresh_state_and_how_to_ask(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Opening the App Home publishes a view with each memo (title, counts), the last refresh,
    the last failure and how to ask."""
    event = {"type": "app_home_opened", "user": ASKER_ID, "channel": DM_CHANNEL_ID, "tab": "home"}
    bot.post_event(event_callback(event))
    [call] = fake_slack.wait_for("views.publish")
    assert call.params["user_id"] == ASKER_ID
    view = call.params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    assert "Amerikansk forsvars- og sikkerhedspolitik i forandring" in text
    assert "27 passages · 20 recommendations" in text
    assert "Last refresh: <!date^" in text and "Last failed refresh: none" in text
    assert "/memo" in text


def test_app_home_messages_tab_publishes_nothing(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """Opening the Messages tab does not publish the Home view."""
    event = {"type": "app_home_opened", "user": ASKER_ID, "channel": DM_CHANNEL_ID, "tab": "messages"}
    assert bot.post_event(event_callback(event)).status == 200
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls("views.publish") == []


# --- acks while retrieval is slow ------------------------------------------------------------


class _GatedService(KnowledgeService):
    """The real service whose questions wait for a gate: a deliberately slow retrieval."""

    def __init__(self, directory: Path, gate: threading.Event, failing: bool = False) -> None:
        super().__init__(directory)
        self.gate = gate
        self.failing = failing

    @property
    def index(self) -> Index:
        if not self.gate.wait(timeout=20):
            raise TimeoutError("gate never opened")
        if self.failing:
            raise RuntimeError("retrieval exploded (deliberately)")
        return super().index


def test_acks_arrive_within_3_s_while_a_slow_retrieval_is_in_flight(
    fake_slack: FakeSlackAPI, tiny_kb: Path, tmp_path: Path
) -> None:
    """Events, commands and actions are acked at once while retrieval is still running; the
    answers follow once retrieval finishes."""
    gate = threading.Event()
    service = _GatedService(tiny_kb, gate)
    with running_http_bot(fake_slack, service, tmp_path) as bot:
        replies = [
            bot.post_event(event_callback(app_mention("kvantecenter"))),
            bot.post_command(slash_command("kvantecenter", response_url=fake_slack.new_response_url())),
            bot.post_action(
                block_actions(
                    {"action_id": ACTION_MORE, "value": _value("kvantecenter", 1)},
                    response_url=fake_slack.new_response_url(),
                )
            ),
        ]
        assert all(r.status == 200 for r in replies)
        assert max(r.seconds for r in replies) < 1.0  # Slack's limit is 3 s
        assert fake_slack.calls("chat.postMessage") == []  # retrieval still in flight
        gate.set()
        fake_slack.wait_for("chat.postMessage")
        fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)


def test_internal_error_gives_a_short_apology(
    fake_slack: FakeSlackAPI, tiny_kb: Path, tmp_path: Path, caplog
) -> None:
    """When answering fails inside memobot, the user gets a short apology and the log the details."""
    gate = threading.Event()
    gate.set()
    service = _GatedService(tiny_kb, gate, failing=True)
    with running_http_bot(fake_slack, service, tmp_path) as bot:
        bot.post_event(event_callback(app_mention("kvantecenter")))
        [call] = fake_slack.wait_for("chat.postMessage")
    assert call.params["text"].startswith("Sorry — something went wrong")
    assert "exploded" not in _wire(call)
    assert "retrieval exploded (deliberately)" in caplog.text
