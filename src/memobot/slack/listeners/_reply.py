"""What the listeners share: turning text into a reply, and posting it with Slack's errors handled."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...models import Answer
from ...questionlog import new_answer_key
from ..app import Bot
from ..blocks import Message, answer_message, notice_message, too_long_message, usage_message
from ..examples import example_questions
from ..text import RAW_FACTOR, clean_question, escape, is_user_id

__all__ = [
    "APOLOGY",
    "UNREACHABLE",
    "answer_for",
    "api_error",
    "ask_and_log",
    "channel_kind",
    "examples",
    "from_a_bot",
    "post_reply",
    "reply_for_text",
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

_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")


def from_a_bot(event: Mapping) -> bool:
    """Whether a message event was sent by a bot or an app (ours included): never answered."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def examples(bot: Bot) -> tuple[str, ...]:
    """Example questions from the knowledge base serving now."""
    try:
        return example_questions(bot.service.index)
    except Exception:  # examples are a nicety; a bug there must not cost the user the help text
        log.exception("cannot build example questions")
        return ()


def answer_for(
    bot: Bot,
    question: str,
    *,
    offset: int = 0,
    shareable: bool = False,
    shared_by: str | None = None,
    answer_key: str = "",
) -> Message:
    """The answer message for a clean question (the current index, one snapshot)."""
    return _answer(bot, question, offset, shareable, shared_by, answer_key)[1]


def _answer(
    bot: Bot, question: str, offset: int, shareable: bool, shared_by: str | None, answer_key: str
) -> tuple[Answer, Message]:
    index = bot.service.index
    answer = index.ask(question, k=bot.settings.results, offset=offset)
    shown_examples = () if answer.answered else examples(bot)
    message = answer_message(
        answer,
        index.kb,
        examples=shown_examples,
        shareable=shareable,
        shared_by=shared_by,
        answer_key=answer_key,
    )
    return answer, message


def ask_and_log(
    bot: Bot, question: str, *, user: object, channel_kind: str, started: float, shareable: bool = False
) -> Message:
    """The answer to a question a user asked, logged in the question log under a new answer key
    (which its buttons carry). ``started`` is ``time.perf_counter()`` when the question arrived."""
    key = new_answer_key()
    answer, message = _answer(bot, question, 0, shareable, None, key)
    try:
        bot.log.record_question(
            key,
            question=question,
            user=user,
            channel_kind=channel_kind,
            answer=answer,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
    except Exception as exc:  # the log is for curators: losing a line must not cost the user the answer
        log.error("could not log a question (%s: store unreachable?)", type(exc).__name__)
    return message


def channel_kind(channel: object, channel_type: object = None) -> str:
    """ "im", "channel", "group" (private channel) or "mpim", from the event or the channel id."""
    if isinstance(channel_type, str) and channel_type in ("im", "channel", "group", "mpim"):
        return channel_type
    prefix = channel[:1] if isinstance(channel, str) else ""
    return {"D": "im", "C": "channel", "G": "group"}.get(prefix, "unknown")


def reply_for_text(
    bot: Bot, raw: str, *, user: object = None, channel_kind: str = "unknown", started: float | None = None
) -> Message:
    """The reply to what a user typed: usage when empty, a refusal when too long, else the
    answer (logged in the question log)."""
    started = time.perf_counter() if started is None else started
    limit = bot.settings.max_question_chars
    if len(raw) > limit * RAW_FACTOR:  # refused before any cleaning
        return too_long_message(len(raw), limit)
    question = clean_question(raw)
    if not question:
        return usage_message(examples(bot))
    if len(question) > limit:
        return too_long_message(len(question), limit)
    return ask_and_log(bot, question, user=user, channel_kind=channel_kind, started=started)


def api_error(exc: SlackApiError) -> str:
    """The Web API's error code ("channel_not_found", …)."""
    try:
        return str(exc.response.get("error") or "unknown_error")
    except Exception:
        return "unknown_error"


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


def channel_ref(channel: object) -> str:
    """How to name a channel in a message: ``<#C…>`` when it is an id, else "that channel"."""
    return f"<#{channel}>" if isinstance(channel, str) and _CHANNEL_ID.fullmatch(channel) else "that channel"


def post_reply(
    client: WebClient, *, channel: str, thread_ts: str | None, user: object, message: Message
) -> bool:
    """Post ``message``; when Slack says we cannot post there, tell the user in a DM instead."""
    try:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.as_kwargs(),
        )
        return True
    except SlackApiError as exc:
        error = api_error(exc)
        log.warning("chat.postMessage to %s failed: %s", channel, error)
        if error in UNREACHABLE and channel != user:
            where = channel_ref(channel)
            tell_user(
                client,
                user,
                f"I could not answer you in {where} ({escape(error)}): I am probably not a member of it. "
                "Invite me with /invite @memobot, or ask me here.",
            )
        return False
