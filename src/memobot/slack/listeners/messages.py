"""@mentions, direct messages and thread follow-ups: the answer in a thread, or in the DM.

- An @mention is answered in a thread under it (or in the thread it was made in); the bot then
  takes part in that thread. A bare @mention inside a thread answers the thread's first message.
- An untagged reply in a thread the bot started or was mentioned in is answered there too
  (``message.channels`` / ``message.groups``); Slack is asked (``conversations.replies``) when
  the bot does not remember the thread, e.g. after a restart.
- A direct message (``message.im``), files attached or not, is answered in the DM.
- A short or elliptic question ("og i Japan?") is read with the conversation's earlier question,
  and the answer says so.
- An edited question gets its answer updated in place (``chat.update``), not a second one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..app import Bot
from ..blocks import error_message
from ..followup import is_elliptic
from ..text import clean_question, is_ts
from ..threads import DM_TOPIC_SECONDS, AnswerRef
from ._once import Delivery, delivery_of
from ._reply import (
    ANSWER_EVENT,
    APOLOGY,
    Reply,
    api_error,
    channel_kind,
    confirm_once,
    from_a_bot,
    lease_once,
    reply_and_post,
    reply_for_text,
)

__all__ = ["answer_message_event", "register"]

log = logging.getLogger("memobot.slack")

_NEW_MESSAGE_SUBTYPES = (None, "file_share", "thread_broadcast")
"""Subtypes of a message a person typed: plain, with files attached, or also sent to the channel."""
_EDIT_WAIT = 10.0
"""Seconds an edit made while its question is still being answered waits for that answer."""
_THREAD_READ_LIMIT = 100
_DM_READ_LIMIT = 20
"""A DM's newest messages read back for its topic (the bot's last answer is among them)."""
"""Messages read back from a thread the bot does not remember (its first page is enough)."""


def register(app: App, bot: Bot) -> None:
    """Listen to ``app_mention`` and to ``message`` in DMs, channels and private channels."""

    @app.event("app_mention")
    def on_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        started, bot_user, delivery = time.perf_counter(), context.bot_user_id, delivery_of(context)
        bot.later(lambda: answer_mention(bot, client, event, bot_user, started, delivery), "a mention")

    @app.event("message")
    def on_message(event: dict, client: WebClient, context: BoltContext) -> None:
        subtype = event.get("subtype")
        started, bot_user, bot_id = time.perf_counter(), context.bot_user_id, context.bot_id
        delivery = delivery_of(context)
        if subtype == "message_changed":
            bot.later(
                lambda: answer_edit(bot, client, event, bot_user, bot_id, delivery), "an edited question"
            )
        elif subtype in _NEW_MESSAGE_SUBTYPES:
            bot.later(
                lambda: answer_message(bot, client, event, bot_user, bot_id, started, delivery), "a message"
            )


def answer_mention(
    bot: Bot,
    client: WebClient,
    event: Mapping,
    bot_user: str | None,
    started: float | None = None,
    delivery: Delivery | None = None,
) -> None:
    """An @mention: answered in its thread; a bare mention in a thread answers the thread's start."""
    channel, ts = event.get("channel"), event.get("ts")
    if not isinstance(channel, str) or not is_ts(ts):
        return
    thread_ts = _thread_of(event) or ts
    bot.conversations.join(channel, thread_ts)
    text = str(event.get("text") or "")
    if not clean_question(text) and _thread_of(event):
        parent = _read_thread(bot, client, channel, thread_ts, bot_user)
        if parent.first_text:
            text = parent.first_text
    answer_message_event(bot, client, event, thread=True, text=text, started=started, delivery=delivery)


def answer_message(
    bot: Bot,
    client: WebClient,
    event: Mapping,
    bot_user: str | None,
    bot_id: str | None,
    started: float | None = None,
    delivery: Delivery | None = None,
) -> None:
    """A message: a DM is always for the bot; in a channel, only a reply in the bot's thread."""
    channel, ts, text = event.get("channel"), event.get("ts"), str(event.get("text") or "")
    if from_a_bot(event) or not isinstance(channel, str) or not is_ts(ts):
        return
    if event.get("channel_type") == "im":
        if (
            not _thread_of(event)
            and bot.conversations.topic(channel, None) is None
            and is_elliptic(clean_question(text))
        ):
            # A follow-up this process did not see the start of (a restart, another replica):
            # the DM's topic is the question of the bot's last answer there, as Slack has it.
            topic = _read_dm_topic(client, channel, bot_user, bot_id)
            if topic:
                bot.conversations.set_topic(channel, None, topic)
        answer_message_event(bot, client, event, thread=False, started=started, delivery=delivery)
        return
    thread_ts = _thread_of(event)
    if not thread_ts or thread_ts == ts:
        return  # a channel message outside any thread: only an @mention asks the bot
    if bot_user and f"<@{bot_user}" in text:
        return  # the app_mention for the same message answers it
    involved = bot.conversations.in_thread(channel, thread_ts)
    if involved is None:
        thread = _read_thread(bot, client, channel, thread_ts, bot_user, bot_id)
        involved = thread.involved
        if involved:
            bot.conversations.join(channel, thread_ts)
            if thread.topic and bot.conversations.topic(channel, thread_ts) is None:
                bot.conversations.set_topic(channel, thread_ts, thread.topic)
        else:
            bot.conversations.leave_unknown(channel, thread_ts)
    if involved:
        answer_message_event(bot, client, event, thread=True, started=started, delivery=delivery)


def answer_message_event(
    bot: Bot,
    client: WebClient,
    event: Mapping,
    *,
    thread: bool,
    text: str | None = None,
    started: float | None = None,
    delivery: Delivery | None = None,
) -> None:
    """Answer one message event once: in its thread, or (``thread``) in a new one under it.
    ``delivery`` is the event's (:func:`~._once.delivery_of`): its retry may take the message over."""
    channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
    if from_a_bot(event) or not isinstance(channel, str) or not is_ts(ts):
        return
    # A mention in a DM arrives as both app_mention and message.im, with different event ids
    # (the event ids themselves are claimed before any listener runs); with message.channels
    # subscribed, a mention in a channel arrives twice as well.
    kind = channel_kind(channel, event.get("channel_type"))
    delivery = delivery or Delivery()
    once = f"message:{channel}:{ts}"
    if not lease_once(bot, once, delivery):
        return
    thread_ts = _thread_of(event) or (ts if thread else None)
    raw = str(event.get("text") or "") if text is None else text
    bot.conversations.answering(channel, ts)  # an edit arriving meanwhile waits for this answer
    posted: str | None = None
    earlier = ""
    try:
        done = reply_and_post(
            bot,
            client,
            raw,
            channel=channel,
            thread_ts=thread_ts,
            ts=ts,
            user=user,
            kind=kind,
            topic=bot.conversations.topic(channel, thread_ts),
            once=once,
            delivery=delivery,
            started=started,
        )
        if done is not None:
            reply, posted = done
            earlier = reply.earlier
    finally:
        ref = AnswerRef(channel, posted, earlier) if posted else None
        bot.conversations.answered(channel, ts, ref)


def answer_edit(
    bot: Bot,
    client: WebClient,
    event: Mapping,
    bot_user: str | None,
    bot_id: str | None,
    delivery: Delivery | None = None,
) -> None:
    """An edited question: its answer is recomputed and updated in place (never a second post)."""
    channel = event.get("channel")
    message = event.get("message") or {}
    previous = event.get("previous_message") or {}
    if not isinstance(channel, str) or not isinstance(message, Mapping) or from_a_bot(message):
        return
    ts = message.get("ts")
    new_text, old_text = str(message.get("text") or ""), str(previous.get("text") or "")
    if not is_ts(ts) or clean_question(new_text) == clean_question(old_text):
        return  # an unfurl, a reaction count or the like changed, not the question
    ref = bot.conversations.answer_to(channel, ts, wait=_EDIT_WAIT)
    if ref is None and event.get("channel_type") != "im":
        ref = _find_answer(bot, client, channel, _thread_of(message) or ts, ts, bot_user, bot_id)
    if ref is None:
        return  # never answered (or forgotten and not found): an edit alone does not ask the bot
    delivery = delivery or Delivery()
    once = f"edit:{channel}:{ts}:{hashlib.sha256(new_text.encode()).hexdigest()[:16]}"
    if not lease_once(bot, once, delivery):
        return
    try:
        reply = reply_for_text(
            bot,
            new_text,
            channel=channel,
            topic=ref.earlier or None,
            user=message.get("user"),
            channel_kind=channel_kind(channel, event.get("channel_type")),
            defer_log=True,
        )
    except Exception:
        log.exception("answering an edited message in %s failed", channel)
        reply = Reply(error_message(APOLOGY))
    if not confirm_once(bot, once, delivery):
        return
    reply.log_question()
    try:
        client.chat_update(
            channel=ref.channel, ts=ref.ts, metadata=reply.metadata(ts), **reply.message.as_kwargs()
        )
    except SlackApiError as exc:
        log.warning("could not update the answer to an edited question in %s: %s", channel, api_error(exc))
        return
    bot.conversations.answered(channel, ts, AnswerRef(ref.channel, ref.ts, reply.earlier))


def _thread_of(event: Mapping) -> str | None:
    thread_ts = event.get("thread_ts")
    return thread_ts if is_ts(thread_ts) else None


class _Thread:
    """What reading a thread back from Slack told us."""

    def __init__(self) -> None:
        self.involved = False
        self.first_text = ""
        self.topic = ""
        self.answers: dict[str, str] = {}  # asked ts → answer ts


def _read_thread(
    bot: Bot,
    client: WebClient,
    channel: str,
    thread_ts: str,
    bot_user: str | None,
    bot_id: str | None = None,
) -> _Thread:
    """The thread as Slack has it: whether the bot is in it, its first message's text, the last
    question the bot answered there, and which answer belongs to which question."""
    found = _Thread()
    try:
        response = client.conversations_replies(
            channel=channel, ts=thread_ts, limit=_THREAD_READ_LIMIT, include_all_metadata=True
        )
    except SlackApiError as exc:
        log.warning("cannot read thread %s in %s: %s", thread_ts, channel, api_error(exc))
        return found
    messages = [m for m in response.get("messages") or [] if isinstance(m, Mapping)]
    for message in messages:
        mine = _is_mine(message, bot_user, bot_id)
        text = str(message.get("text") or "")
        if message.get("ts") == thread_ts and not from_a_bot(message):
            found.first_text = text
        if mine or (bot_user and f"<@{bot_user}" in text):
            found.involved = True
        payload = _answer_payload(message) if mine else None
        if payload is not None:
            found.topic = _payload_topic(payload) or found.topic
            asked = payload.get("asked_ts")
            if isinstance(asked, str) and isinstance(message.get("ts"), str):
                found.answers[asked] = message["ts"]
    return found


def _is_mine(message: Mapping, bot_user: str | None, bot_id: str | None) -> bool:
    return bool(
        (bot_user and message.get("user") == bot_user) or (bot_id and message.get("bot_id") == bot_id)
    )


def _answer_payload(message: Mapping) -> Mapping | None:
    """The payload of a message the bot marked as one of its answers (ANSWER_EVENT), or None."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") if isinstance(metadata, Mapping) else None
    if metadata.get("event_type") == ANSWER_EVENT and isinstance(payload, Mapping):
        return payload
    return None


def _payload_topic(payload: Mapping) -> str:
    """What a conversation is about after that answer: its earlier question, else its own."""
    return clean_question(str(payload.get("earlier") or payload.get("question") or ""))


def _read_dm_topic(client: WebClient, channel: str, bot_user: str | None, bot_id: str | None) -> str:
    """The question of the bot's last answer in a DM within the topic's lifetime, or ""."""
    try:
        response = client.conversations_history(
            channel=channel,
            oldest=f"{time.time() - DM_TOPIC_SECONDS:.6f}",
            limit=_DM_READ_LIMIT,
            include_all_metadata=True,
        )
    except SlackApiError as exc:
        log.warning("cannot read the DM %s back: %s", channel, api_error(exc))
        return ""
    for message in response.get("messages") or []:  # newest first
        if not isinstance(message, Mapping) or not _is_mine(message, bot_user, bot_id):
            continue
        payload = _answer_payload(message)
        topic = _payload_topic(payload) if payload is not None else ""
        if topic:
            return topic
    return ""


def _find_answer(
    bot: Bot,
    client: WebClient,
    channel: str,
    thread_ts: str,
    asked_ts: str,
    bot_user: str | None,
    bot_id: str | None,
) -> AnswerRef | None:
    """The bot's answer to the question at ``asked_ts``, found in its thread (after a restart)."""
    thread = _read_thread(bot, client, channel, thread_ts, bot_user, bot_id)
    answer_ts = thread.answers.get(asked_ts)
    return AnswerRef(channel, answer_ts) if answer_ts else None
