"""What the listeners share: turning text into a reply, and posting it with Slack's errors handled."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...models import Answer
from ...questionlog import new_answer_key
from ..app import Bot, retry_after
from ..blocks import Message, answer_message, error_message, notice_message, too_long_message, usage_message
from ..examples import example_questions
from ..followup import is_elliptic, read_with
from ..scope import allowed_memos, ask_within
from ..text import RAW_FACTOR, clean_question, escape, is_user_id
from ._once import CLAIM_LEASE, EVENT_TTL, Delivery

__all__ = [
    "ANSWER_EVENT",
    "APOLOGY",
    "UNREACHABLE",
    "Reply",
    "answer_for",
    "api_error",
    "ask_and_log",
    "channel_kind",
    "channel_ref",
    "confirm_once",
    "examples",
    "from_a_bot",
    "lease_once",
    "post_reply",
    "reply_and_post",
    "reply_for_text",
    "send_response",
    "tell_user",
]

log = logging.getLogger("memobot.slack")

APOLOGY = (
    "Sorry — something went wrong on my side while answering. The details are in my log; "
    "please try again in a moment."
)
UNREACHABLE = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "ekm_access_denied"}
)
"""Web API errors that mean "you cannot post there": retrying will not help, telling the user will."""
ANSWER_EVENT = "memobot_answer"
"""Message metadata type on every answer: the question it answers, so a thread can be read back
after a restart or on another replica (``conversations.replies`` returns it)."""

_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class Reply:
    """A reply and what it answers."""

    message: Message
    """What to post."""
    question: str = ""
    """The question as the user typed it (cleaned); empty for help and refusals."""
    earlier: str = ""
    """The earlier question the follow-up was read with, or empty."""
    unlogged: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    """Writes the question log's line for this reply, when ``reply_for_text(defer_log=True)``
    left it to the caller (:meth:`log_question`)."""

    def log_question(self) -> None:
        """Write the question log's line left to the caller, if any (once)."""
        if self.unlogged is not None:
            self.unlogged()

    @property
    def topic(self) -> str:
        """What the conversation is about after this reply (follow-ups keep the earlier topic)."""
        return self.earlier or self.question

    def metadata(self, asked_ts: str | None) -> dict | None:
        """Message metadata naming the question (None for help and refusals)."""
        if not self.question:
            return None
        # Escaped as Slack escapes message text, so no markup a user typed rides along.
        payload = {
            "question": escape(self.question[:1000]),
            "earlier": escape(self.earlier[:1000]),
            "asked_ts": asked_ts or "",
        }
        return {"event_type": ANSWER_EVENT, "event_payload": payload}


def from_a_bot(event: Mapping) -> bool:
    """Whether a message event was sent by a bot or an app (ours included): never answered."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def examples(bot: Bot, channel: object = None) -> tuple[str, ...]:
    """Example questions from the knowledge base serving now, about ``channel``'s memos (every
    memo when the channel's knowledge is not limited)."""
    try:
        index = bot.service.index
        return example_questions(index, memos=allowed_memos(index, bot.settings.scope_for(channel)))
    except Exception:  # examples are a nicety; a bug there must not cost the user the help text
        log.exception("cannot build example questions")
        return ()


def answer_for(
    bot: Bot,
    question: str,
    *,
    channel: object = None,
    earlier: str = "",
    offset: int = 0,
    shareable: bool = False,
    shared_by: str | None = None,
    answer_key: str = "",
) -> Message:
    """The answer message for a clean question (the current index, one snapshot), limited to
    ``channel``'s memos, read with the ``earlier`` question when it is a follow-up;
    ``answer_key`` (the question log's) goes into its buttons."""
    return _answer(bot, question, channel, earlier, offset, shareable, shared_by, answer_key)[1]


def _answer(
    bot: Bot,
    question: str,
    channel: object,
    earlier: str,
    offset: int,
    shareable: bool,
    shared_by: str | None,
    answer_key: str,
) -> tuple[Answer, Message]:
    index = bot.service.index
    memos = allowed_memos(index, bot.settings.scope_for(channel))
    query = read_with(earlier, question) if earlier else question
    answer = ask_within(index, query, k=bot.settings.results, offset=offset, memos=memos)
    shown_examples = () if answer.answered else examples(bot, channel)
    message = answer_message(
        answer,
        index.kb,
        examples=shown_examples,
        shareable=shareable,
        shared_by=shared_by,
        asked=question,
        earlier=earlier,
        answer_key=answer_key,
    )
    return answer, message


def ask_and_log(
    bot: Bot,
    question: str,
    *,
    user: object,
    channel_kind: str,
    started: float,
    channel: object = None,
    earlier: str = "",
    shareable: bool = False,
) -> Message:
    """The answer to a question a user asked, logged in the question log under a new answer key
    (which its buttons carry). ``started`` is ``time.perf_counter()`` when the question arrived.
    A follow-up is logged as retrieval read it (with the ``earlier`` question)."""
    message, record = _ask(bot, question, user, channel_kind, started, channel, earlier, shareable)
    record()
    return message


def _ask(
    bot: Bot,
    question: str,
    user: object,
    channel_kind: str,
    started: float,
    channel: object,
    earlier: str,
    shareable: bool,
) -> tuple[Message, Callable[[], None]]:
    """The answer message, and what writes its line in the question log (once)."""
    key = new_answer_key()
    answer, message = _answer(bot, question, channel, earlier, 0, shareable, None, key)
    latency_ms = (time.perf_counter() - started) * 1000
    done: list[bool] = []

    def record() -> None:
        if done:
            return
        done.append(True)
        try:
            bot.log.record_question(
                key,
                question=read_with(earlier, question) if earlier else question,
                user=user,
                channel_kind=channel_kind,
                answer=answer,
                latency_ms=latency_ms,
            )
        except Exception as exc:  # the log is for curators: losing a line must not cost the user the answer
            log.error("could not log a question (%s: store unreachable?)", type(exc).__name__)

    return message, record


def lease_once(bot: Bot, key: str, delivery: Delivery) -> bool:
    """Whether ``delivery`` may handle ``key`` (a message, an edit: one reply each, whichever
    events carry it): a lease that a retry of the same delivery may take over until
    :func:`confirm_once`, so a replica dying mid-answer leaves the message to the retry."""
    if bot.claim(key, CLAIM_LEASE, attempt=delivery.attempt, owner=delivery.owner):
        return True
    log.info("%s already handled (or in hand with another delivery); not answering it again", key)
    return False


def confirm_once(bot: Bot, key: str, delivery: Delivery) -> bool:
    """Right before posting: keep ``key`` as done, if it is still ``delivery``'s, and with it
    the event that carried it. False when a retry took the lease over meanwhile: that one posts
    the reply, this one must not."""
    if not bot.keep(key, EVENT_TTL, owner=delivery.owner):
        log.info("%s was taken over by a redelivery; leaving the reply to it", key)
        return False
    if delivery.event:
        bot.keep(delivery.event, EVENT_TTL)
    return True


def reply_and_post(
    bot: Bot,
    client: WebClient,
    raw: str,
    *,
    channel: str,
    thread_ts: str | None,
    ts: str,
    user: object,
    kind: str,
    topic: str | None,
    once: str,
    delivery: Delivery,
    scope: str | None = None,
    started: float | None = None,
) -> tuple[Reply, str | None] | None:
    """Answer a message and post the reply in its conversation: (the reply, the posted ts or
    None when posting failed), or None when a redelivery took the question over (that one
    posts). The conversation's topic is set before posting, since a quick follow-up may arrive
    as soon as the answer shows; the question is logged only by the delivery that posts.
    ``scope`` is the channel whose memos answer, when not ``channel`` (an assistant thread
    beside the channel the user is viewing)."""
    try:
        reply = reply_for_text(
            bot,
            raw,
            channel=scope or channel,
            topic=topic,
            user=user,
            channel_kind=kind,
            started=started,
            defer_log=True,
        )
    except Exception:
        log.exception("answering a message (%s) in %s failed", kind, channel)
        reply = Reply(error_message(APOLOGY))
    if reply.question:
        bot.conversations.set_topic(channel, thread_ts, reply.topic)
    if not confirm_once(bot, once, delivery):
        return None
    reply.log_question()
    posted = post_reply(
        bot,
        client,
        channel=channel,
        thread_ts=thread_ts,
        user=user,
        message=reply.message,
        metadata=reply.metadata(ts),
    )
    return reply, posted


def channel_kind(channel: object, channel_type: object = None) -> str:
    """ "im", "channel", "group" (private channel) or "mpim", from the event or the channel id."""
    if isinstance(channel_type, str) and channel_type in ("im", "channel", "group", "mpim"):
        return channel_type
    prefix = channel[:1] if isinstance(channel, str) else ""
    return {"D": "im", "C": "channel", "G": "group"}.get(prefix, "unknown")


def reply_for_text(
    bot: Bot,
    raw: str,
    *,
    channel: object = None,
    topic: str | None = None,
    shareable: bool = False,
    user: object = None,
    channel_kind: str = "unknown",
    started: float | None = None,
    defer_log: bool = False,
) -> Reply:
    """The reply to what a user typed: usage when empty, a refusal when too long, else the
    answer (logged in the question log) — read with ``topic`` (the conversation's earlier
    question) when it is elliptic. ``defer_log``: the caller logs it (:meth:`Reply.log_question`)
    once it knows the reply will be posted (a redelivery may have taken the message over)."""
    started = time.perf_counter() if started is None else started
    limit = bot.settings.max_question_chars
    if len(raw) > limit * RAW_FACTOR:  # refused before any cleaning
        return Reply(too_long_message(len(raw), limit))
    question = clean_question(raw)
    if not question:
        return Reply(usage_message(examples(bot, channel)))
    if len(question) > limit:
        return Reply(too_long_message(len(question), limit))
    earlier = topic if topic and topic != question and is_elliptic(question) else ""
    message, record = _ask(bot, question, user, channel_kind, started, channel, earlier, shareable)
    if not defer_log:
        record()
    return Reply(message, question, earlier, record if defer_log else None)


def api_error(exc: SlackApiError) -> str:
    """The Web API's error code ("channel_not_found", …)."""
    try:
        return str(exc.response.get("error") or "unknown_error")
    except Exception:
        return "unknown_error"


def _is_rate_limited(exc: SlackApiError) -> bool:
    return getattr(exc.response, "status_code", 200) == 429 or api_error(exc) == "ratelimited"


def tell_user(client: WebClient, user: object, mrkdwn: str) -> bool:
    """A direct message to ``user`` from the bot (the App Home's Messages tab); False if impossible.

    ``mrkdwn`` is sent as is: escape anything in it that came from outside."""
    if not is_user_id(user):
        return False
    try:
        client.chat_postMessage(channel=user, **notice_message(mrkdwn).as_kwargs())
        return True
    except SlackApiError as exc:
        log.warning("cannot send a direct message to %s: %s", user, api_error(exc))
        return False


def tell_privately(
    client: WebClient, *, channel: object, user: object, mrkdwn: str, thread_ts: str | None = None
) -> bool:
    """An ephemeral note to ``user`` in ``channel`` (only they see it); False if impossible."""
    if not is_user_id(user) or not isinstance(channel, str):
        return False
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, thread_ts=thread_ts, **notice_message(mrkdwn).as_kwargs()
        )
        return True
    except SlackApiError as exc:
        log.warning("cannot post an ephemeral note to %s in %s: %s", user, channel, api_error(exc))
        return False


def gave_up_text(seconds: float | None) -> str:
    """What the asker is told when Slack's rate limit kept an answer from being posted."""
    when = f"in about {max(1, round(seconds))} s" if seconds else "in a minute"
    return (
        ":hourglass: Slack is limiting how fast I may post right now, so my answer could not be "
        f"posted. Please ask again {when}."
    )


def channel_ref(channel: object) -> str:
    """How to name a channel in a message: ``<#C…>`` when it is an id, else "that channel"."""
    return f"<#{channel}>" if isinstance(channel, str) and _CHANNEL_ID.fullmatch(channel) else "that channel"


def post_reply(
    bot: Bot,
    client: WebClient,
    *,
    channel: str,
    thread_ts: str | None,
    user: object,
    message: Message,
    metadata: dict | None = None,
) -> str | None:
    """Post ``message`` at the channel's pace; return its ts. When Slack says we cannot post
    there, tell the user in a DM; when it keeps rate-limiting us, tell them privately."""
    bot.pacer.wait_turn(channel)
    try:
        response = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
            **message.as_kwargs(),
        )
        ts = response.get("ts")
        return ts if isinstance(ts, str) else ""
    except SlackApiError as exc:
        error = api_error(exc)
        log.warning("chat.postMessage to %s failed: %s", channel, error)
        if _is_rate_limited(exc):
            wait = retry_after(getattr(exc.response, "headers", {}) or {})
            tell_privately(client, channel=channel, user=user, thread_ts=thread_ts, mrkdwn=gave_up_text(wait))
        elif error in UNREACHABLE and channel != user:
            where = channel_ref(channel)
            tell_user(
                client,
                user,
                f"I could not answer you in {where} ({escape(error)}): I am probably not a member of it. "
                "Invite me with /invite @memobot, or ask me here.",
            )
        return None


def send_response(
    respond: Respond,
    *,
    client: WebClient | None = None,
    channel: object = None,
    user: object = None,
    **fields: object,
) -> bool:
    """Post through the ``response_url`` (retried on 429); when Slack still refuses with 429,
    tell the user with an ephemeral message instead. False when nothing was delivered."""
    try:
        response = respond(**fields)
    except Exception as exc:  # the network, or a response_url that is no URL: one line, no traceback
        log.warning("posting to the response_url failed: %s: %s", type(exc).__name__, str(exc)[:200])
        return False
    if response.status_code == 200:
        return True
    log.warning("response_url answered %s: %s", response.status_code, response.body)
    if response.status_code == 429 and client is not None:
        wait = retry_after(response.headers or {})
        tell_privately(client, channel=channel, user=user, mrkdwn=gave_up_text(wait))
    return False
