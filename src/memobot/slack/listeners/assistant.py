"""Slack's AI app container (bolt-python ``Assistant``): suggested prompts when a thread opens,
a status while answering, the thread titled after its first question, the same answer blocks.

Workspaces that do not turn the container on never send these events; mentions, DMs and
``/memo`` work the same with or without it. Messages in assistant threads are DMs in threads,
so follow-ups there are read with the thread's earlier question like anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_bolt import App, BoltContext
from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from slack_bolt.middleware.assistant import Assistant
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..app import Bot
from ..text import is_ts, truncate_words
from ..threads import AnswerRef, Recent
from ._once import Delivery, delivery_of
from ._reply import api_error, examples, lease_once, reply_and_post

__all__ = ["PROMPTS_TITLE", "STATUS", "register"]

log = logging.getLogger("memobot.slack")

PROMPTS_TITLE = "Ask about the policy memos"
"""Shown above the suggested prompts."""
STATUS = "is searching the memos…"
"""The status shown under the thread while an answer is computed."""
_TITLE_CHARS = 80
"""A thread title is the first question, cut to this length."""


class _RememberedContexts(AssistantThreadContextStore):
    """The channel each assistant thread was opened next to, kept in memory.

    Bolt's default store reads and rewrites the bot's first reply (``conversations.replies`` and
    ``chat.update``) on every event; memobot only needs the channel, to apply its knowledge scope.
    """

    def __init__(self) -> None:
        self._contexts = Recent(ttl=86_400.0)

    def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        self._contexts.put((channel_id, thread_ts), dict(context))

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        found = self._contexts.get((channel_id, thread_ts))
        ok = isinstance(found, dict) and isinstance(found.get("channel_id"), str)
        return AssistantThreadContext(found) if ok else None


def register(app: App, bot: Bot) -> None:
    """Add the ``Assistant`` middleware with memobot's listeners."""
    contexts = _RememberedContexts()
    assistant = Assistant(thread_context_store=contexts)

    @assistant.thread_started
    def on_thread_started(payload: dict, client: WebClient) -> None:
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if isinstance(channel, str) and isinstance(thread_ts, str):
            contexts.save(channel_id=channel, thread_ts=thread_ts, context=thread.get("context") or {})
            bot.later(lambda: suggest_prompts(bot, client, channel, thread_ts), "assistant prompts")

    @assistant.thread_context_changed
    def on_context_changed(payload: dict) -> None:
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if isinstance(channel, str) and isinstance(thread_ts, str):
            contexts.save(channel_id=channel, thread_ts=thread_ts, context=thread.get("context") or {})

    @assistant.user_message
    def on_user_message(payload: dict, client: WebClient, context: BoltContext) -> None:
        channel, thread_ts = payload.get("channel"), payload.get("thread_ts")
        found = contexts.find(channel_id=channel, thread_ts=thread_ts) if channel and thread_ts else None
        viewing = found.channel_id if found is not None else None
        delivery = delivery_of(context)
        bot.later(lambda: answer_in_thread(bot, client, payload, viewing, delivery), "an assistant message")

    app.assistant(assistant)


def suggest_prompts(bot: Bot, client: WebClient, channel: str, thread_ts: str) -> None:
    """Example questions from the knowledge base as the thread's suggested prompts."""
    prompts = [{"title": truncate_words(q, 75), "message": q} for q in examples(bot)[:4]]
    if not prompts:
        return
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, thread_ts=thread_ts, title=PROMPTS_TITLE, prompts=prompts
        )
    except SlackApiError as exc:
        log.warning("assistant.threads.setSuggestedPrompts failed: %s", api_error(exc))


def answer_in_thread(
    bot: Bot, client: WebClient, event: Mapping, viewing: object, delivery: Delivery | None = None
) -> None:
    """Answer one message of an assistant thread, in the thread, with a status meanwhile; the
    memos are those of the channel the user has open next to the container, if it is scoped.
    ``delivery`` is the event's: its retry may take the message over."""
    channel, ts, thread_ts, user = (
        event.get("channel"),
        event.get("ts"),
        event.get("thread_ts"),
        event.get("user"),
    )
    if not isinstance(channel, str) or not is_ts(ts) or not is_ts(thread_ts):
        return
    delivery = delivery or Delivery()
    once = f"message:{channel}:{ts}"
    if not lease_once(bot, once, delivery):
        return
    _call(client.assistant_threads_setStatus, channel_id=channel, thread_ts=thread_ts, status=STATUS)
    topic = bot.conversations.topic(channel, thread_ts)
    done = reply_and_post(
        bot,
        client,
        str(event.get("text") or ""),
        channel=channel,
        thread_ts=thread_ts,
        ts=ts,
        user=user,
        kind="assistant",
        topic=topic,
        once=once,
        delivery=delivery,
        scope=viewing,
    )
    if done is None:
        return  # the retry that took it over posts the reply (and clears the status)
    reply, posted = done
    if posted is None:
        # Slack clears the status when the app replies; with no reply it must be cleared here.
        _call(client.assistant_threads_setStatus, channel_id=channel, thread_ts=thread_ts, status="")
        return
    if reply.question:
        if topic is None:
            _call(
                client.assistant_threads_setTitle,
                channel_id=channel,
                thread_ts=thread_ts,
                title=truncate_words(reply.question, _TITLE_CHARS),
            )
        bot.conversations.answered(channel, ts, AnswerRef(channel, posted, reply.earlier))


def _call(method, **params: object) -> None:
    """An assistant.threads call whose failure is cosmetic: logged, never raised."""
    try:
        method(**params)
    except SlackApiError as exc:
        log.warning("%s failed: %s", getattr(method, "__name__", "assistant call"), api_error(exc))
