"""The ``/memo`` slash command: a private answer with "Share in channel", help, and refresh."""

from __future__ import annotations

import logging
import time

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ..app import Bot
from ..blocks import error_message, refresh_message, too_long_message, usage_message
from ..text import RAW_FACTOR, clean_question
from ._reply import APOLOGY, ask_and_log, examples, send_response

__all__ = ["register"]

log = logging.getLogger("memobot.slack")


def register(app: App, bot: Bot) -> None:
    """Listen to ``/memo``."""

    @app.command("/memo")
    def on_memo(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        text = str(command.get("text") or "")
        user = command.get("user_id")
        word = text.strip().lower()
        if word in ("", "help"):
            usage = usage_message(examples(bot, command.get("channel_id")), admin=bot.settings.is_admin(user))
            ack(response_type="ephemeral", **usage.as_kwargs())
        elif word == "refresh":
            refresh(bot, ack, respond, user)
        else:
            ask(bot, ack, respond, text, client=client, channel=command.get("channel_id"), user=user)


def ask(
    bot: Bot,
    ack: Ack,
    respond: Respond,
    text: str,
    *,
    client: WebClient | None = None,
    channel: object = None,
    user: object = None,
) -> None:
    """Ack at once, then answer privately with a "Share in channel" button."""
    started = time.perf_counter()
    limit = bot.settings.max_question_chars
    if len(text) > limit * RAW_FACTOR:  # refused before any cleaning
        ack(response_type="ephemeral", **too_long_message(len(text), limit).as_kwargs())
        return
    question = clean_question(text)
    if not question:
        ack(response_type="ephemeral", **usage_message(examples(bot, channel)).as_kwargs())
        return
    if len(question) > limit:
        ack(response_type="ephemeral", **too_long_message(len(question), limit).as_kwargs())
        return
    ack()

    def answer() -> None:
        try:
            message = ask_and_log(
                bot,
                question,
                user=user,
                channel=channel,
                channel_kind="command",
                started=started,
                shareable=True,
            )
        except Exception:
            log.exception("answering /memo failed")
            message = error_message(APOLOGY)
        send_response(
            respond,
            client=client,
            channel=channel,
            user=user,
            response_type="ephemeral",
            **message.as_kwargs(),
        )

    bot.later(answer, "/memo")


def refresh(bot: Bot, ack: Ack, respond: Respond, user: object) -> None:
    """Admins reload the knowledge base and get the report; everyone else a polite no."""
    if not bot.settings.is_admin(user):
        log.info("refused /memo refresh from %s (not in MEMOBOT_ADMINS)", user)
        ack(
            response_type="ephemeral",
            **error_message(
                "Sorry, only memobot's admins can reload the knowledge base. If an answer looks "
                "out of date, tell one of them — the bot also picks up changed files by itself."
            ).as_kwargs(),
        )
        return
    ack(response_type="ephemeral", text=":hourglass_flowing_sand: Reloading the knowledge base…")

    def reload() -> None:
        try:
            message = refresh_message(bot.service.reload(trigger="slack"))
        except Exception:
            log.exception("/memo refresh failed")
            message = error_message(APOLOGY)
        send_response(respond, response_type="ephemeral", replace_original=False, **message.as_kwargs())

    bot.later(reload, "/memo refresh")
