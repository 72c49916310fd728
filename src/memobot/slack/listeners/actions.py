"""Buttons on answers: Share in channel, More results, 👍 / 👎."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..app import Bot
from ..blocks import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_MORE,
    ACTION_SHARE,
    ButtonValue,
    Message,
    error_message,
    notice_message,
    parse_button_value,
)
from ..text import escape, is_ts
from ._reply import APOLOGY, UNREACHABLE, answer_for, api_error, channel_ref, post_reply

__all__ = ["register"]

log = logging.getLogger("memobot.slack")

_EXPIRED = "This button no longer works (it belongs to an old answer). Please ask again."


def register(app: App, bot: Bot) -> None:
    """Listen to the answer buttons."""

    @app.action(ACTION_SHARE)
    def on_share(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
        ack()
        bot.later(
            lambda: _guarded(respond, lambda value: share(bot, body, value, respond, client), action), "Share"
        )

    @app.action(ACTION_MORE)
    def on_more(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
        ack()
        bot.later(
            lambda: _guarded(respond, lambda value: more(bot, body, value, respond, client), action), "More"
        )

    @app.action(re.compile(f"^({ACTION_FEEDBACK_UP}|{ACTION_FEEDBACK_DOWN})$"))
    def on_feedback(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        verdict = "up" if action.get("action_id") == ACTION_FEEDBACK_UP else "down"
        bot.later(
            lambda: _guarded(respond, lambda value: feedback(bot, body, value, verdict, respond), action),
            "feedback",
        )


def _guarded(respond: Respond, work, action: Mapping) -> None:
    """Run a button's work: a stale button or an internal error gets a short private reply."""
    try:
        value = parse_button_value(action.get("value"))
        if value is None:
            _private(respond, error_message(_EXPIRED))
            return
        work(value)
    except Exception:
        log.exception("button %s failed", action.get("action_id"))
        _private(respond, error_message(APOLOGY))


def _private(respond: Respond, message: Message, **extra: object) -> None:
    """An ephemeral reply to whoever clicked, next to (not instead of) the message they clicked."""
    try:
        response = respond(response_type="ephemeral", replace_original=False, **message.as_kwargs(), **extra)
    except Exception as exc:  # the network, or a response_url that is no URL: one line, no traceback
        log.warning("posting to the response_url failed: %s", _why(exc))
        return
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body)


def _why(exc: Exception) -> str:
    """An exception as one short line for the log."""
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _user(body: Mapping) -> str | None:
    user = body.get("user") or {}
    found = user.get("id") if isinstance(user, Mapping) else None
    return found if isinstance(found, str) else None


def _channel(body: Mapping) -> str | None:
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    found = channel.get("id") if isinstance(channel, Mapping) else None
    if not isinstance(found, str) and isinstance(container, Mapping):
        found = container.get("channel_id")
    return found if isinstance(found, str) else None


def share(bot: Bot, body: Mapping, value: ButtonValue, respond: Respond, client: WebClient) -> None:
    """Post the answer for everyone in the channel, credited to the sharer; drop the private copy."""
    channel, user = _channel(body), _user(body)
    if channel is None:
        _private(respond, error_message(_EXPIRED))
        return
    message = answer_for(
        bot, value.question, offset=value.offset, shared_by=user, answer_key=value.answer_key
    )
    try:
        client.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **message.as_kwargs()
        )
    except SlackApiError as exc:
        error = api_error(exc)
        log.warning("sharing into %s failed: %s", channel, error)
        if error in UNREACHABLE:
            text = (
                f"I cannot post in {channel_ref(channel)} ({escape(error)}): I am not a member of it. "
                "Invite me with /invite @memobot and press Share again."
            )
        else:
            text = f"Slack did not let me share the answer ({escape(error)}). Please try again in a moment."
        _private(respond, notice_message(text))
        return
    try:
        respond(delete_original=True)
    except Exception:
        log.exception("could not remove the private answer after sharing it")


def more(bot: Bot, body: Mapping, value: ButtonValue, respond: Respond, client: WebClient) -> None:
    """The next excerpts for the same question, where the answer was; the pressed button goes."""
    container = body.get("container") or {}
    if (isinstance(container, Mapping) and container.get("is_ephemeral")) or not body.get("message"):
        _private(
            respond,
            answer_for(bot, value.question, offset=value.offset, shareable=True, answer_key=value.answer_key),
        )
        return
    channel, original = _channel(body), body["message"]
    if channel is None or not isinstance(original, Mapping):
        _private(respond, error_message(_EXPIRED))
        return
    message = answer_for(bot, value.question, offset=value.offset, answer_key=value.answer_key)
    ts = original.get("ts") if is_ts(original.get("ts")) else None
    thread_ts = original.get("thread_ts") if is_ts(original.get("thread_ts")) else ts
    if not post_reply(client, channel=channel, thread_ts=thread_ts, user=_user(body), message=message):
        return
    blocks = original.get("blocks")
    if isinstance(blocks, list) and ts:
        try:
            client.chat_update(
                channel=channel,
                ts=ts,
                text=str(original.get("text") or ""),
                blocks=_without(blocks, ACTION_MORE),
            )
        except SlackApiError as exc:  # cosmetic: the button just stays
            log.warning("could not remove the More button: %s", api_error(exc))


def _without(blocks: list, action_id: str) -> list:
    """``blocks`` minus the button ``action_id`` (and its actions block, if that empties it)."""
    out = []
    for block in blocks:
        if isinstance(block, Mapping) and block.get("type") == "actions":
            elements = [e for e in block.get("elements", []) if e.get("action_id") != action_id]
            if not elements:
                continue
            block = {**block, "elements": elements}
        out.append(block)
    return out


def feedback(bot: Bot, body: Mapping, value: ButtonValue, verdict: str, respond: Respond) -> None:
    """Record the user's vote on the answer (one per user: a second click changes it) and say so
    privately."""
    user = _user(body)
    if not user:
        _private(respond, error_message(_EXPIRED))
        return
    outcome = bot.log.record_vote(answer_key(value), user, verdict)
    thumb = "👍" if verdict == "up" else "👎"
    text = {
        "new": f"Thanks — your {thumb} is recorded and helps improve the answers.",
        "changed": f"Thanks — I changed your vote on this answer to {thumb}.",
        "same": f"Your {thumb} on this answer was already recorded.",
    }[outcome]
    _private(respond, error_message(text))


def answer_key(value: ButtonValue) -> str:
    """The key a vote is recorded against: the button's answer key, or (buttons made before
    answer keys existed) one derived from what the answer showed."""
    if value.answer_key:
        return value.answer_key
    shown = "\0".join((value.question, str(value.offset), *value.passage_ids))
    return "old-" + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:24]
