"""The message shortcut "Ask memobot about this message": the message's text as a question,
answered privately with "Share in channel"."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ..app import Bot
from ..blocks import error_message
from ..text import clean_question
from ._reply import APOLOGY, reply_for_text, send_response

__all__ = ["ASK_ABOUT_MESSAGE", "register"]

log = logging.getLogger("memobot.slack")

ASK_ABOUT_MESSAGE = "memobot_ask_about_message"
"""The shortcut's callback id (slack/manifest.yml names the same)."""

_NO_TEXT = "That message has no text I can look up in the memos. Try a message with a question in it."


def register(app: App, bot: Bot) -> None:
    """Listen to the message shortcut."""

    @app.shortcut(ASK_ABOUT_MESSAGE)
    def on_ask_about_message(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        bot.later(lambda: ask_about_message(bot, body, respond, client), "the message shortcut")


def ask_about_message(bot: Bot, body: Mapping, respond: Respond, client: WebClient) -> None:
    """Answer the message the shortcut was used on, privately, with Share."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), Mapping) else None
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), Mapping) else None
    text = str(message.get("text") or "") if isinstance(message, Mapping) else ""
    try:
        if not clean_question(text):
            shown = error_message(_NO_TEXT)
        else:
            shown = reply_for_text(bot, text, channel=channel, shareable=True).message
    except Exception:
        log.exception("answering the message shortcut failed")
        shown = error_message(APOLOGY)
    send_response(
        respond, client=client, channel=channel, user=user, response_type="ephemeral", **shown.as_kwargs()
    )
