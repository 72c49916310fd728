"""The one place where every listener is registered, in order, with the de-duplication middleware."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from ..app import Bot
from . import actions, commands, home, messages

__all__ = ["register"]

log = logging.getLogger("memobot.slack")


def register(app: App, bot: Bot) -> None:
    """Add memobot's middleware and listeners to ``app``."""

    @app.middleware
    def skip_redelivered_events(body: dict, next) -> BoltResponse | None:
        # Runs after Bolt's signature check, so forged requests cannot fill the set.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not bot.seen.claim(("event", event_id)):
            log.info("event %s already handled; acknowledging the redelivery only", event_id)
            return BoltResponse(status=200, body="")
        return next()

    messages.register(app, bot)
    commands.register(app, bot)
    actions.register(app, bot)
    home.register(app, bot)
