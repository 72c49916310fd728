"""The one place where every listener is registered, in order, with the de-duplication middleware."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest, BoltResponse

from ..app import Bot
from . import actions, commands, home, messages
from ._once import CLAIM_LEASE, EVENT_TTL, REPLAY_TTL, claim_key

__all__ = ["CLAIM_LEASE", "EVENT_TTL", "REPLAY_TTL", "claim_key", "register"]

log = logging.getLogger("memobot.slack")


def register(app: App, bot: Bot) -> None:
    """Add memobot's middleware and listeners to ``app``."""

    @app.middleware
    def handle_once(body: dict, req: BoltRequest, next) -> BoltResponse | None:
        # Runs after Bolt's signature check, so forged requests cannot fill the store. Every
        # replica shares the store: whichever claims a delivery first handles it, the others
        # (and replays) only acknowledge.
        found = claim_key(body, req.raw_body or "")
        if found is None:
            return next()
        key, leased = found
        if not bot.claim(key, CLAIM_LEASE if leased else REPLAY_TTL):
            log.info("%s already handled; acknowledging the redelivery only", key)
            return BoltResponse(status=200, body="")
        response = next()
        if leased:
            bot.keep(key, EVENT_TTL)
        return response

    messages.register(app, bot)
    commands.register(app, bot)
    actions.register(app, bot)
    home.register(app, bot)
