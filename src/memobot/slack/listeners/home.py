"""The App Home tab: what the bot knows, when it last refreshed, and how to ask."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...report import build_report
from ..admin_home import SUMMARY_DAYS, admin_summary_blocks
from ..app import Bot
from ..blocks import MAX_HOME_BLOCKS, home_view
from ..text import is_user_id
from ._reply import api_error, examples

__all__ = ["publish_home", "register"]

log = logging.getLogger("memobot.slack")


def register(app: App, bot: Bot) -> None:
    """Publish the Home tab whenever a user opens it (so it always shows the current state)."""

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            bot.later(lambda: publish_home(bot, client, event.get("user")), "the Home tab")


def publish_home(bot: Bot, client: WebClient, user: object) -> None:
    """``views.publish`` the Home tab for ``user``; failures are logged, not raised."""
    if not is_user_id(user):
        return
    try:
        service = bot.service
        view = home_view(service.status(), service.kb, examples(bot))
        if bot.settings.is_admin(user):
            view = {**view, "blocks": (list(view["blocks"]) + _admin_summary(bot))[:MAX_HOME_BLOCKS]}
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", user, api_error(exc))
    except Exception:
        log.exception("building the Home tab for %s failed", user)


def _admin_summary(bot: Bot) -> list[dict]:
    """The question-log summary, or nothing when the store cannot be read (logged)."""
    try:
        return admin_summary_blocks(build_report(bot.log.recent(SUMMARY_DAYS), SUMMARY_DAYS))
    except Exception as exc:
        log.error("cannot read the question log for the App Home (%s)", type(exc).__name__)
        return []
