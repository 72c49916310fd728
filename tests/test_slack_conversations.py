"""Conversations end to end over HTTP: signed Slack requests into the real app, the fake Web API
recording what was posted — thread follow-ups, edits, files, the message shortcut, the AI app
container, feedback votes, per-channel knowledge, rate limits and pacing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memobot.service import KnowledgeService
from memobot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_FEEDBACK_UP, ACTION_MORE, ACTION_SHARE
from memobot.slack.listeners.assistant import PROMPTS_TITLE, STATUS
from memobot.slack.listeners.shortcuts import ASK_ABOUT_MESSAGE
from tests.slack_fakes import BOT_USER_ID, RESPONSE_URL_METHOD, Call, FakeSlackAPI
from tests.slack_http_support import BotUnderTest, running_http_bot
from tests.slack_payloads import (
    ASKER_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    app_mention,
    assistant_thread_started,
    block_actions,
    channel_message,
    direct_message,
    event_callback,
    message_changed,
    message_shortcut,
    new_ts,
    slash_command,
)

pytestmark = pytest.mark.slow

QUESTION = "Hvad kan Danmark gøre som alliancebrobygger?"
OTHER_ASKER = "U0ASKER002"


def _all_text(call: Call) -> str:
    return "\n".join(call.block_texts())


def _buttons(call: Call) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in call.params.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    }


def _mention(bot: BotUnderTest, fake: FakeSlackAPI, question: str, **where: str) -> tuple[dict, Call]:
    """@mention the bot and wait for its answer; returns the event and the post."""
    event = app_mention(question, **where)
    before = len(fake.calls("chat.postMessage"))
    bot.post_event(event_callback(event))
    return event, fake.wait_for("chat.postMessage", count=before + 1)[-1]


# --- what users type -----------------------------------------------------------------------


def test_emoji_shortcodes_are_not_part_of_the_question(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """`:wave: hvad siger memoet om kvantecentret?` is answered like the words alone."""
    _, post = _mention(bot, fake_slack, ":wave: hvad siger memoet om kvantecentret? :flag-dk:")
    assert post.params["text"].startswith("Answer to “hvad siger memoet om kvantecentret?”")
    assert any("*kvantecenter*" in t.lower() for t in post.block_texts())


@pytest.mark.parametrize(
    ("extra", "answered"),
    [
        ({"subtype": "file_share", "files": [{"id": "F0FILE0001", "name": "notes.pdf"}]}, True),
        ({"subtype": "channel_join"}, False),
        ({"subtype": "message_deleted", "hidden": True}, False),
    ],
)
def test_a_dm_with_a_file_is_answered_other_subtypes_are_not(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, extra: dict, answered: bool
) -> None:
    """A DM with a file attached (file_share) is answered like any DM; joins and deletions are not."""
    bot.post_event(event_callback({**direct_message("Hvad er NATOs kvantecenter?"), **extra}))
    if answered:
        [post] = fake_slack.wait_for("chat.postMessage")
        assert post.params["channel"] == DM_CHANNEL_ID and "kvantecenter" in _all_text(post)
    else:
        fake_slack.wait_quiet(0.3)
        assert fake_slack.calls("chat.postMessage") == []


# --- thread follow-ups ---------------------------------------------------------------------


def test_untagged_reply_in_the_bots_thread_is_answered_with_the_earlier_question(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """After a mention, "og i Japan?" in that thread (no mention) is answered there, read with
    the thread's question, and the answer says so."""
    event, _ = _mention(bot, fake_slack, QUESTION)
    bot.post_event(event_callback(channel_message("og i Japan?", thread_ts=event["ts"])))
    [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
    assert follow_up.params["thread_ts"] == event["ts"]
    context = follow_up.block_texts()[:2]
    assert context[0] == "*Question:* og i Japan?"
    assert context[1] == f"Read with the earlier question “{QUESTION}”"
    assert follow_up.params["text"].startswith("Answer to “og i Japan?”")
    more = json.loads(_buttons(follow_up)[ACTION_MORE]["value"])
    assert (more["q"], more["e"]) == ("og i Japan?", QUESTION)  # More keeps reading it the same way


def test_a_standalone_question_in_the_thread_becomes_its_new_topic(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """A follow-up that stands on its own is answered alone, and later ellipses refer to it."""
    event, _ = _mention(bot, fake_slack, QUESTION)
    thread = event["ts"]
    bot.post_event(
        event_callback(channel_message("Hvad siger memoet om NATOs kvantecenter?", thread_ts=thread))
    )
    [_, alone] = fake_slack.wait_for("chat.postMessage", count=2)
    assert not any(t.startswith("Read with") for t in alone.block_texts())
    bot.post_event(event_callback(channel_message("Hvad koster det?", thread_ts=thread)))
    [*_, last] = fake_slack.wait_for("chat.postMessage", count=3)
    assert "Read with the earlier question “Hvad siger memoet om NATOs kvantecenter?”" in last.block_texts()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda: channel_message("og i Japan?"), "top-level channel message"),
        (lambda: channel_message("og i Japan?", thread_ts=new_ts()), "thread the bot is not in"),
        (lambda: {**channel_message("og i Japan?", thread_ts=new_ts()), "subtype": "channel_join"}, "a join"),
        (
            lambda: {**channel_message("og i Japan?", thread_ts=new_ts()), "bot_id": "B0OTHERBOT"},
            "another bot",
        ),
    ],
)
def test_channel_messages_outside_the_bots_threads_are_not_answered(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, make, why: str
) -> None:
    """Untagged channel messages are only answered inside the bot's threads: not at the top
    level, not in other people's threads, never joins or bots."""
    event = make()
    if event.get("thread_ts"):  # Slack knows the thread: someone started it without the bot
        fake_slack.add_message(
            CHANNEL_ID, {"ts": event["thread_ts"], "user": OTHER_ASKER, "text": "frokost?"}
        )
    assert bot.post_event(event_callback(event)).status == 200
    fake_slack.wait_quiet(0.3)
    assert fake_slack.calls("chat.postMessage") == [], why


def test_a_private_channel_thread_is_followed_too(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """message.groups: a reply in the bot's thread in a private channel is answered there."""
    group = "G0PRIVATE1"
    event, _ = _mention(bot, fake_slack, QUESTION, channel=group)
    bot.post_event(
        event_callback(
            channel_message("what about cyber?", channel=group, thread_ts=event["ts"], channel_type="group")
        )
    )
    [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
    assert follow_up.params["channel"] == group and follow_up.params["thread_ts"] == event["ts"]


def test_a_thread_the_bot_forgot_is_read_back_from_slack(
    fake_slack: FakeSlackAPI, bundled_service: KnowledgeService, tmp_path: Path
) -> None:
    """After a restart the bot remembers nothing, yet a follow-up in its thread is answered:
    conversations.replies shows the bot's answer, whose metadata names the earlier question."""
    with running_http_bot(fake_slack, bundled_service, tmp_path) as first:
        event, answer = _mention(first, fake_slack, QUESTION)
    assert answer.params["metadata"]["event_payload"]["question"] == QUESTION
    with running_http_bot(fake_slack, bundled_service, tmp_path) as restarted:
        restarted.post_event(event_callback(channel_message("og i Japan?", thread_ts=event["ts"])))
        [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
    [read] = fake_slack.calls("conversations.replies")
    assert read.params["ts"] == event["ts"]
    assert follow_up.params["thread_ts"] == event["ts"]
    assert f"Read with the earlier question “{QUESTION}”" in follow_up.block_texts()


def test_a_mention_in_a_thread_is_answered_once_though_slack_sends_it_twice(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """A mention inside the bot's thread arrives as app_mention and as message.channels: one reply."""
    event, _ = _mention(bot, fake_slack, QUESTION)
    mention = app_mention("og i Japan?", thread_ts=event["ts"])
    bot.post_event(
        event_callback({**channel_message(mention["text"], ts=mention["ts"], thread_ts=event["ts"])})
    )
    bot.post_event(event_callback(mention))
    fake_slack.wait_for("chat.postMessage", count=2)
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 2


def test_dm_follow_up_is_read_with_the_previous_question(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """In a DM, "Hvad koster det?" after a question about the quantum centre is answered; the
    same words as the first message of a DM get "No good answer"."""
    bot.post_event(event_callback(direct_message("Hvad koster det?", channel="D0FRESHDM1")))
    [alone] = fake_slack.wait_for("chat.postMessage")
    assert alone.params["text"].startswith("No good answer")
    bot.post_event(event_callback(direct_message("Hvad er NATOs kvantecenter?")))
    fake_slack.wait_for("chat.postMessage", count=2)
    bot.post_event(event_callback(direct_message("Hvad koster det?")))
    [*_, follow_up] = fake_slack.wait_for("chat.postMessage", count=3)
    assert follow_up.params["text"].startswith("Answer to “Hvad koster det?”")
    assert "thread_ts" not in follow_up.params
    assert "Read with the earlier question “Hvad er NATOs kvantecenter?”" in follow_up.block_texts()


def test_a_dm_follow_up_on_another_replica_reads_the_topic_back_from_slack(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """A DM follow-up that lands on a replica (or a restarted process) that did not see the first
    question is still read with it: the topic comes from the metadata of the bot's last answer
    in the DM (conversations.history); a question that stands on its own reads nothing back."""
    bot.post_event(event_callback(direct_message("Hvad er NATOs kvantecenter?", channel="D0REPLICA1")))
    fake_slack.wait_for("chat.postMessage")
    with running_http_bot(fake_slack, bot.service, tmp_path / "other") as other:
        other.post_event(event_callback(direct_message("Hvad koster det?", channel="D0REPLICA1")))
        [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
        assert follow_up.params["text"].startswith("Answer to “Hvad koster det?”")
        assert "Read with the earlier question “Hvad er NATOs kvantecenter?”" in follow_up.block_texts()
        [read] = fake_slack.calls("conversations.history")
        assert read.params["channel"] == "D0REPLICA1"
        other.post_event(event_callback(direct_message(QUESTION, channel="D0REPLICA2")))
        fake_slack.wait_for("chat.postMessage", count=3)
        assert len(fake_slack.calls("conversations.history")) == 1  # not elliptic: nothing read


def test_a_dm_that_cannot_be_read_back_answers_the_follow_up_on_its_own(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """When Slack refuses conversations.history (a missing im:history scope), the follow-up is
    answered as it stands, never with an error."""
    fake_slack.fail("conversations.history", "missing_scope")
    bot.post_event(event_callback(direct_message("Hvad koster det?", channel="D0NOSCOPE1")))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["text"].startswith("No good answer")
    assert len(fake_slack.calls("conversations.history")) == 1


def test_a_bare_mention_in_a_thread_answers_the_threads_first_message(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """`@memobot` alone under someone's question answers that question in the thread; alone at
    the top level it still explains how to ask."""
    parent = fake_slack.add_message(CHANNEL_ID, {"ts": new_ts(), "user": OTHER_ASKER, "text": QUESTION})
    _, post = _mention(bot, fake_slack, "", thread_ts=parent["ts"])
    assert post.params["thread_ts"] == parent["ts"]
    assert post.block_texts()[0] == f"*Question:* {QUESTION}"
    _, usage = _mention(bot, fake_slack, "")
    assert "/memo" in _all_text(usage) and "Examples" in _all_text(usage)


# --- edits ---------------------------------------------------------------------------------


def test_an_edited_question_gets_its_answer_updated_in_place(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Editing a question updates the bot's answer (chat.update on the answer's ts), never a
    second post; an edit that leaves the words alone (an unfurl) changes nothing."""
    event, answer = _mention(bot, fake_slack, "kvantecenter")
    answer_ts = answer.response["ts"]
    bot.post_event(event_callback(message_changed(event, f"<@{BOT_USER_ID}> {QUESTION}")))
    [update] = fake_slack.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (CHANNEL_ID, answer_ts)
    assert update.block_texts()[0] == f"*Question:* {QUESTION}"
    edited = {**event, "text": f"<@{BOT_USER_ID}> {QUESTION}"}
    bot.post_event(event_callback(message_changed(edited, edited["text"] + "  ")))
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert len(fake_slack.calls("chat.update")) == 1  # the whitespace-only edit did nothing
    never_answered = channel_message("noget helt andet")
    bot.post_event(event_callback(message_changed(never_answered, "stadig ikke et spørgsmål til botten")))
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("chat.update")) == 1


def test_an_edited_dm_question_is_updated_too(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """An edited DM question updates the DM answer in place."""
    event = direct_message("kvantecenter")
    bot.post_event(event_callback(event))
    [answer] = fake_slack.wait_for("chat.postMessage")
    bot.post_event(event_callback(message_changed(event, QUESTION, channel_type="im")))
    [update] = fake_slack.wait_for("chat.update")
    assert update.params["ts"] == answer.response["ts"] and QUESTION in update.block_texts()[0]


# --- the message shortcut ------------------------------------------------------------------


def test_message_shortcut_answers_the_message_privately_with_share(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """ "Ask memobot about this message" answers the message's text as an ephemeral reply with
    Share; a message without words gets a polite explanation."""
    message = {
        "type": "message",
        "user": OTHER_ASKER,
        "ts": new_ts(),
        "text": "Ved nogen, hvad Danmark kan gøre som alliancebrobygger?",
    }
    url = fake_slack.new_response_url()
    reply = bot.post_action(message_shortcut(message, callback_id=ASK_ABOUT_MESSAGE, response_url=url))
    assert reply.status == 200
    [answer] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert answer.params["response_type"] == "ephemeral"
    assert "Alliancebrobygger" in _all_text(answer) and ACTION_SHARE in _buttons(answer)
    empty = {"type": "message", "user": OTHER_ASKER, "ts": new_ts(), "text": ":tada:"}
    bot.post_action(
        message_shortcut(empty, callback_id=ASK_ABOUT_MESSAGE, response_url=fake_slack.new_response_url())
    )
    [_, explained] = fake_slack.wait_for(RESPONSE_URL_METHOD, count=2)
    assert "no text I can look up" in explained.params["text"]


# --- the AI app container ------------------------------------------------------------------


def test_assistant_thread_gets_prompts_status_title_and_answers(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Opening the container sets suggested prompts from the knowledge base; a question there
    sets a status, is answered in the thread with the usual blocks, and titles the thread; a
    follow-up is read with it and does not retitle."""
    started = assistant_thread_started()
    thread = started["assistant_thread"]
    bot.post_event(event_callback(started))
    [prompts] = fake_slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.params["title"] == PROMPTS_TITLE and prompts.params["thread_ts"] == thread["thread_ts"]
    assert any("alliancebrobygger" in p["message"] for p in prompts.params["prompts"])

    bot.post_event(event_callback({**direct_message(QUESTION), "thread_ts": thread["thread_ts"]}))
    [status] = fake_slack.wait_for("assistant.threads.setStatus")
    [answer] = fake_slack.wait_for("chat.postMessage")
    [title] = fake_slack.wait_for("assistant.threads.setTitle")
    assert status.params["status"] == STATUS and status.time <= answer.time
    assert answer.params["thread_ts"] == thread["thread_ts"] and "Alliancebrobygger" in _all_text(answer)
    assert title.params["title"] == QUESTION

    bot.post_event(event_callback({**direct_message("og i Japan?"), "thread_ts": thread["thread_ts"]}))
    [_, follow_up] = fake_slack.wait_for("chat.postMessage", count=2)
    assert f"Read with the earlier question “{QUESTION}”" in follow_up.block_texts()
    fake_slack.wait_quiet(0.3)
    assert len(fake_slack.calls("assistant.threads.setTitle")) == 1


# --- feedback ------------------------------------------------------------------------------


def _click(
    bot: BotUnderTest, fake: FakeSlackAPI, answer: Call, action_id: str, user: str, message: dict
) -> Call:
    button = _buttons(answer)[action_id]
    before = len(fake.calls(RESPONSE_URL_METHOD))
    bot.post_action(
        block_actions(
            {"action_id": action_id, "value": button["value"]},
            response_url=fake.new_response_url(),
            user=user,
            message=message,
        )
    )
    return fake.wait_for(RESPONSE_URL_METHOD, count=before + 1)[-1]


def test_one_vote_per_user_per_answer_and_the_message_shows_the_tally(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """Three 👍 clicks by one user count once; 👎 then changes that vote; another user's vote
    adds to it; each click redraws the message with the tally; the question log agrees."""
    _, answer = _mention(bot, fake_slack, QUESTION)
    message = {**answer.response["message"], "channel": CHANNEL_ID}
    tallies = []
    for action_id, user in [
        (ACTION_FEEDBACK_UP, ASKER_ID),
        (ACTION_FEEDBACK_UP, ASKER_ID),
        (ACTION_FEEDBACK_UP, ASKER_ID),
        (ACTION_FEEDBACK_DOWN, ASKER_ID),
        (ACTION_FEEDBACK_UP, OTHER_ASKER),
    ]:
        redraw = _click(bot, fake_slack, answer, action_id, user, message)
        assert redraw.params["replace_original"] is True
        assert redraw.block_texts()[:3] == answer.block_texts()[:3]  # the same answer, only the tally changes
        tallies.append(next(t for t in redraw.block_texts() if t.startswith("Feedback:")))
    assert [t.split(" —")[0] for t in tallies] == [
        "Feedback: 👍 1 · 👎 0",
        "Feedback: 👍 1 · 👎 0",
        "Feedback: 👍 1 · 👎 0",
        "Feedback: 👍 0 · 👎 1",
        "Feedback: 👍 1 · 👎 1",
    ]
    [record] = bot.log.recent(1)
    assert (record.question, record.up, record.down) == (QUESTION, 1, 1)


def test_no_good_answer_replies_carry_feedback_buttons(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A "No good answer" reply has 👍 / 👎 too, and a vote on it is recorded with its question."""
    _, answer = _mention(bot, fake_slack, "rugbrød og leverpostej")
    assert answer.params["text"].startswith("No good answer")
    assert {ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN} <= set(_buttons(answer))
    _click(bot, fake_slack, answer, ACTION_FEEDBACK_DOWN, ASKER_ID, answer.response["message"])
    [record] = bot.log.recent(1)
    assert (record.question, record.answered, record.down) == ("rugbrød og leverpostej", False, 1)


# --- buttons in DMs, Share -------------------------------------------------------------------


def test_more_results_in_a_dm_stay_at_the_top_level(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """More results under a DM answer come as the next DM message, not in a thread."""
    bot.post_event(event_callback(direct_message(QUESTION)))
    [answer] = fake_slack.wait_for("chat.postMessage")
    more = _buttons(answer)[ACTION_MORE]
    bot.post_action(
        block_actions(
            {"action_id": ACTION_MORE, "value": more["value"]},
            response_url=fake_slack.new_response_url(),
            channel=DM_CHANNEL_ID,
            message=answer.response["message"],
        )
    )
    [_, next_page] = fake_slack.wait_for("chat.postMessage", count=2)
    assert next_page.params["channel"] == DM_CHANNEL_ID and "thread_ts" not in next_page.params
    assert any(t.startswith("*4.*") for t in next_page.block_texts())


# --- per-channel knowledge ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "question", "answered_in_scoped"),
    [
        ("C0NATO0001=memo-b", "kvantecenter", True),
        ("C0NATO0001=memo-b", "kystvagten", False),
        ("C0NATO0001=series:CMS-memo", "kystvagten", True),
        ("C0NATO0001=series:CMS-memo", "kvantecenter", False),
    ],
)
def test_a_scoped_channel_only_sees_its_memos(
    fake_slack: FakeSlackAPI,
    tiny_kb: Path,
    tmp_path: Path,
    setting: str,
    question: str,
    answered_in_scoped: bool,
) -> None:
    """MEMOBOT_CHANNEL_KNOWLEDGE limits mentions, /memo and follow-ups in a channel to its memos
    (by id or series); other channels still see everything."""
    service = KnowledgeService(tiny_kb)
    with running_http_bot(fake_slack, service, tmp_path, MEMOBOT_CHANNEL_KNOWLEDGE=setting) as bot:
        _, scoped = _mention(bot, fake_slack, question, channel="C0NATO0001")
        _, open_channel = _mention(bot, fake_slack, question, channel=CHANNEL_ID)
        bot.post_command(
            slash_command(question, channel="C0NATO0001", response_url=fake_slack.new_response_url())
        )
        [private] = fake_slack.wait_for(RESPONSE_URL_METHOD)
    assert scoped.params["text"].startswith("Answer to") is answered_in_scoped
    assert private.params["text"].startswith("Answer to") is answered_in_scoped
    assert open_channel.params["text"].startswith("Answer to")
    if answered_in_scoped:
        seen, unseen = ("Teknologi og forsvar", "Arktis i forandring")[:: 1 if "memo-b" in setting else -1]
        assert seen in _all_text(scoped) and unseen not in _all_text(scoped)
    else:
        # The refusal's closest topics and example questions are the channel's own: none
        # names the other memo or its topics.
        other_memo, other_topic = (
            ("Arktis i forandring", "alliancebrobygger")
            if "memo-b" in setting
            else ("Teknologi og forsvar", "teknologi")
        )
        text = _all_text(scoped)
        assert "for example" in text and other_topic not in text.lower() and other_memo not in text


# --- rate limits and pacing --------------------------------------------------------------------


@pytest.mark.parametrize(("times", "retry_after", "posts"), [(4, 0, 4), (1, 31, 1)])
def test_when_slack_keeps_rate_limiting_the_asker_is_told_privately(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, times: int, retry_after: int, posts: int
) -> None:
    """After three retries, or at once for a Retry-After over 30 s, the bot gives up posting and
    tells the asker with an ephemeral message instead of dropping the answer silently."""
    fake_slack.rate_limit("chat.postMessage", times=times, retry_after=retry_after)
    event = app_mention("kvantecenter")
    bot.post_event(event_callback(event))
    [told] = fake_slack.wait_for("chat.postEphemeral")
    attempts = fake_slack.calls("chat.postMessage")
    assert [c.status for c in attempts] == [429] * posts
    assert told.params["user"] == ASKER_ID and told.params["channel"] == CHANNEL_ID
    assert told.params["thread_ts"] == event["ts"]
    assert "Slack is limiting how fast I may post" in told.params["text"]
    if retry_after > 30:
        assert "in about 31 s" in told.params["text"]


def test_response_url_posts_are_retried_on_429(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """A /memo answer whose response_url answers 429 twice arrives on the third try."""
    fake_slack.rate_limit(RESPONSE_URL_METHOD, times=2, retry_after=0)
    bot.post_command(slash_command(QUESTION, response_url=fake_slack.new_response_url()))
    calls = fake_slack.wait_for(RESPONSE_URL_METHOD, count=3)
    assert [c.status for c in calls] == [429, 429, 200]
    assert "Alliancebrobygger" in _all_text(calls[-1])


def test_a_response_url_that_stays_rate_limited_tells_the_user(
    bot: BotUnderTest, fake_slack: FakeSlackAPI
) -> None:
    """When the response_url keeps answering 429, the user gets an ephemeral note instead."""
    fake_slack.rate_limit(RESPONSE_URL_METHOD, times=4, retry_after=0)
    bot.post_command(slash_command(QUESTION, response_url=fake_slack.new_response_url()))
    [told] = fake_slack.wait_for("chat.postEphemeral")
    assert told.params["user"] == ASKER_ID and "Slack is limiting" in told.params["text"]


def test_posts_into_one_channel_are_paced(
    fake_slack: FakeSlackAPI, bundled_service: KnowledgeService, tmp_path: Path
) -> None:
    """Six answers due at once in one channel: three go at once, the rest at the channel's pace;
    another channel is not held up."""
    with running_http_bot(fake_slack, bundled_service, tmp_path, MEMOBOT_CHANNEL_PACE="0.4") as bot:
        for _ in range(6):
            bot.post_event(event_callback(app_mention("kvantecenter")))
        bot.post_event(event_callback(app_mention("kvantecenter", channel="C0ELSEWHERE")))
        posts = fake_slack.wait_for("chat.postMessage", count=7, timeout=20)
    busy = sorted(c.time for c in posts if c.params["channel"] == CHANNEL_ID)
    elsewhere = next(c.time for c in posts if c.params["channel"] == "C0ELSEWHERE")
    assert busy[-1] - busy[0] >= 3 * 0.4 * 0.9  # six posts, a burst of three: three intervals at least
    assert elsewhere < busy[-1]
