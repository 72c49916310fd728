"""@mentions in channels and direct messages: the answer in a thread, or in the DM."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from slack_bolt import App
from slack_sdk import WebClient

from ..app import Bot
from ..blocks import error_message
from ..text import is_ts
from ._once import EVENT_TTL
from ._reply import APOLOGY, channel_kind, from_a_bot, post_reply, reply_for_text

__all__ = ["register"]

log = logging.getLogger("memobot.slack")


def register(app: App, bot: Bot) -> None:
    """Listen to ``app_mention`` and ``message.im``."""

    @app.event("app_mention")
    def on_mention(event: dict, client: WebClient) -> None:
        started = time.perf_counter()
        bot.later(lambda: answer_message_event(bot, client, event, thread=True, started=started), "a mention")

    @app.event("message")
    def on_message(event: dict, client: WebClient) -> None:
        # Only plain messages typed into our DM: edits, deletions, joins and the like have a
        # subtype, and channel messages reach us only as app_mention.
        if event.get("channel_type") == "im" and event.get("subtype") is None:
            started = time.perf_counter()
            bot.later(
                lambda: answer_message_event(bot, client, event, thread=False, started=started),
                "a direct message",
            )


def answer_message_event(
    bot: Bot, client: WebClient, event: Mapping, *, thread: bool, started: float | None = None
) -> None:
    """Answer one message event once: in its thread, or (``thread``) in a new one under it."""
    channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
    if from_a_bot(event) or not isinstance(channel, str) or not is_ts(ts):
        return
    # A mention in a DM arrives as both app_mention and message.im, with different event ids
    # (the event ids themselves are claimed before any listener runs); with message.channels
    # subscribed, a mention in a channel arrives twice as well.
    kind = channel_kind(channel, event.get("channel_type"))
    if not bot.claim(f"message:{channel}:{ts}", EVENT_TTL):
        return
    given = event.get("thread_ts")
    thread_ts = given if is_ts(given) else (ts if thread else None)
    try:
        message = reply_for_text(
            bot,
            str(event.get("text") or ""),
            user=user,
            channel_kind=kind,
            started=started,
        )
    except Exception:
        log.exception("answering a message in %s failed", channel)
        message = error_message(APOLOGY)
    post_reply(client, channel=channel, thread_ts=thread_ts, user=user, message=message)
