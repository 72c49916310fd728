"""The one place where every listener is registered, in order, with the de-duplication middleware.

:data:`HANDLED` says what the registered listeners handle; a test holds slack/manifest.yml to it
(and to the listeners Bolt really has), so the manifest never asks for a scope or an event the
code does not use, nor misses one it does.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from ..app import Bot, RetryingRespond
from . import actions, assistant, commands, home, messages, shortcuts
from ._once import ANSWERED_EVENTS, CLAIM_LEASE, EVENT_TTL, REPLAY_TTL, Delivery, claim_key, retry_attempt

__all__ = ["CLAIM_LEASE", "EVENT_TTL", "HANDLED", "REPLAY_TTL", "claim_key", "register"]

log = logging.getLogger("memobot.slack")

HANDLED = {
    "bot_events": {
        "app_mention": ("app_mentions:read",),
        "message.channels": ("channels:history",),
        "message.groups": ("groups:history",),
        "message.im": ("im:history",),
        "app_home_opened": (),
        "assistant_thread_started": ("assistant:write",),
        "assistant_thread_context_changed": ("assistant:write",),
    },
    "commands": {"/memo": ("commands",)},
    "shortcuts": {shortcuts.ASK_ABOUT_MESSAGE: ("commands",)},
    "web_api": {
        "chat.postMessage": ("chat:write",),
        "chat.postEphemeral": ("chat:write",),
        "chat.update": ("chat:write",),
        "conversations.replies": ("channels:history", "groups:history", "im:history"),
        "conversations.history": ("im:history",),  # a DM read back for a follow-up's topic
        "assistant.threads.setStatus": ("assistant:write",),
        "assistant.threads.setSuggestedPrompts": ("assistant:write",),
        "assistant.threads.setTitle": ("assistant:write",),
        "views.publish": (),
    },
}
"""Events, commands, shortcuts and Web API methods memobot uses, each with the bot scopes it needs."""


def register(app: App, bot: Bot) -> None:
    """Add memobot's middleware and listeners to ``app``."""

    @app.middleware
    def handle_once(body: dict, req: BoltRequest, context: BoltContext, next) -> BoltResponse | None:
        # Runs after Bolt's signature check, so forged requests cannot fill the store. Every
        # replica shares the store: whichever claims a delivery first handles it, the others
        # (and replays) only acknowledge. An event is only leased until done; Slack's retry of
        # it (attempt >= 1: the acknowledgement never reached Slack) takes a lease over, so a
        # replica killed before its acknowledgement got out loses nothing. A message's events
        # are done when its reply is confirmed (the message's own lease, in the listener: one
        # reply per message, whichever delivery posts it); the others once acknowledged.
        found = claim_key(body, req.raw_body or "")
        if found is None:
            return next()
        key, leased = found
        event = body.get("event")
        later = leased and isinstance(event, dict) and event.get("type") in ANSWERED_EVENTS
        delivery = Delivery(attempt=retry_attempt(req.headers) if leased else 0, event=key if later else None)
        if leased:
            claimed = bot.claim(key, CLAIM_LEASE, attempt=delivery.attempt, owner=delivery.owner)
        else:
            claimed = bot.claim(key, REPLAY_TTL, owner=delivery.owner)
        if not claimed:
            log.info("%s already handled; acknowledging the redelivery only", key)
            return BoltResponse(status=200, body="")
        if delivery.attempt:
            log.info("%s: retry %d handled here (no earlier delivery finished it)", key, delivery.attempt)
        context["delivery"] = delivery
        response = next()
        if leased and not later:
            bot.keep(key, EVENT_TTL)
        return response

    @app.middleware
    def respond_with_retries(context: BoltContext, body: dict, next) -> BoltResponse | None:
        # Every listener's respond() then retries a rate-limited response_url (Bolt's does not).
        url = body.get("response_url")
        if isinstance(url, str) and url:
            context["respond"] = RetryingRespond(response_url=url)
        return next()

    assistant.register(app, bot)  # before the message listener: it takes the assistant threads' DMs
    messages.register(app, bot)
    commands.register(app, bot)
    shortcuts.register(app, bot)
    actions.register(app, bot)
    home.register(app, bot)
