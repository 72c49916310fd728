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
    with_votes,
)
from ..text import escape, is_ts
from ._reply import APOLOGY, UNREACHABLE, answer_for, api_error, channel_ref, post_reply, send_response

__all__ = ["answer_key", "register"]

log = logging.getLogger("memobot.slack")

_EXPIRED = "This button no longer works (it belongs to an old answer). Please ask again."


def register(app: App, bot: Bot) -> None:
    """Listen to the answer buttons."""

    @app.action(ACTION_SHARE)
    def on_share(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
        ack()
        _in_background(
            bot, "Share", body, action, respond, client, lambda v: share(bot, body, v, respond, client)
        )

    @app.action(ACTION_MORE)
    def on_more(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
        ack()
        _in_background(
            bot, "More", body, action, respond, client, lambda v: more(bot, body, v, respond, client)
        )

    @app.action(re.compile(f"^({ACTION_FEEDBACK_UP}|{ACTION_FEEDBACK_DOWN})$"))
    def on_feedback(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
        ack()
        verdict = "up" if action.get("action_id") == ACTION_FEEDBACK_UP else "down"
        _in_background(
            bot,
            "feedback",
            body,
            action,
            respond,
            client,
            lambda v: feedback(bot, body, v, verdict, respond, client),
        )


def _in_background(
    bot: Bot, name: str, body: Mapping, action: Mapping, respond: Respond, client: WebClient, work
) -> None:
    """A button's work, after the ack, on the bot's worker pool (Slack wants the ack in 3 s)."""
    bot.later(lambda: _guarded(body, respond, client, work, action), name)


def _guarded(body: Mapping, respond: Respond, client: WebClient, work, action: Mapping) -> None:
    """Run a button's work: a stale button or an internal error gets a short private reply."""
    try:
        value = parse_button_value(action.get("value"))
        if value is None:
            _private(body, respond, client, error_message(_EXPIRED))
            return
        work(value)
    except Exception:
        log.exception("button %s failed", action.get("action_id"))
        _private(body, respond, client, error_message(APOLOGY))


def _private(body: Mapping, respond: Respond, client: WebClient, message: Message, **extra: object) -> bool:
    """An ephemeral reply to whoever clicked, next to (not instead of) the message they clicked."""
    return send_response(
        respond,
        client=client,
        channel=_channel(body),
        user=_user(body),
        response_type="ephemeral",
        replace_original=False,
        **message.as_kwargs(),
        **extra,
    )


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


def _container(body: Mapping) -> Mapping:
    container = body.get("container")
    return container if isinstance(container, Mapping) else {}


def _answer(bot: Bot, value: ButtonValue, channel: str | None, **extra: object) -> Message:
    """The answer a button stands for (its question, read with its earlier one, at its offset)."""
    return answer_for(
        bot,
        value.question,
        channel=channel,
        earlier=value.earlier,
        offset=value.offset,
        answer_key=value.answer_key,
        **extra,
    )


def _is_dm(channel: str) -> bool:
    return channel.startswith("D")


def share(bot: Bot, body: Mapping, value: ButtonValue, respond: Respond, client: WebClient) -> None:
    """Post the answer for everyone in the channel, credited to the sharer; drop the private copy.

    ``chat.postMessage`` needs the bot in the channel; where it is not, the answer goes through
    the click's ``response_url`` as an ``in_channel`` reply, which Slack accepts anywhere the
    user could click."""
    channel, user = _channel(body), _user(body)
    if channel is None:
        _private(body, respond, client, error_message(_EXPIRED))
        return
    message = _answer(bot, value, channel, shared_by=user)
    try:
        client.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **message.as_kwargs()
        )
    except SlackApiError as exc:
        error = api_error(exc)
        log.warning("sharing into %s with chat.postMessage failed: %s", channel, error)
        if error not in UNREACHABLE:
            text = f"Slack did not let me share the answer ({escape(error)}). Please try again in a moment."
            _private(body, respond, client, notice_message(text))
            return
        if not send_response(
            respond, response_type="in_channel", replace_original=False, **message.as_kwargs()
        ):
            text = (
                f"I cannot post in {channel_ref(channel)} ({escape(error)}): I am not a member of it. "
                "Invite me with /invite @memobot and press Share again."
            )
            _private(body, respond, client, notice_message(text))
            return
    send_response(respond, delete_original=True)


def more(bot: Bot, body: Mapping, value: ButtonValue, respond: Respond, client: WebClient) -> None:
    """The next excerpts for the same question, where the answer was; the pressed button goes.

    In a channel they go in the answer's thread; in a DM at the top level, as the answers there."""
    channel = _channel(body)
    if _container(body).get("is_ephemeral") or not body.get("message"):
        _private(body, respond, client, _answer(bot, value, channel, shareable=True))
        return
    original = body["message"]
    if channel is None or not isinstance(original, Mapping):
        _private(body, respond, client, error_message(_EXPIRED))
        return
    message = _answer(bot, value, channel)
    ts = original.get("ts") if is_ts(original.get("ts")) else None
    given = original.get("thread_ts") if is_ts(original.get("thread_ts")) else None
    # In a DM answers stand at the top level (a thread only in the assistant's DM threads).
    thread_ts = given if _is_dm(channel) else (given or ts)
    posted = post_reply(bot, client, channel=channel, thread_ts=thread_ts, user=_user(body), message=message)
    if posted is None:
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


def feedback(
    bot: Bot, body: Mapping, value: ButtonValue, verdict: str, respond: Respond, client: WebClient
) -> None:
    """Record the user's vote on the answer (one per user: a second click changes it) and
    redraw the message with the tally, so the click visibly counted."""
    user, channel = _user(body), _channel(body) or ""
    if not user:
        _private(body, respond, client, error_message(_EXPIRED))
        return
    key = answer_key(value)
    outcome = bot.log.record_vote(key, user, verdict)
    up, down = bot.log.vote_counts(key)
    original = body.get("message")
    if (
        isinstance(original, Mapping)
        and isinstance(original.get("blocks"), list)
        and not _container(body).get("is_ephemeral")
    ):
        # Everyone sees this message: it shows the tally, not whose vote it was.
        blocks = with_votes(original["blocks"], up, down)
        text = str(original.get("text") or "")
    else:
        # Slack does not send an ephemeral message back with the click: it is drawn again.
        redrawn = answer_for(
            bot,
            value.question,
            channel=channel,
            earlier=value.earlier,
            offset=value.offset,
            shareable=True,
            answer_key=value.answer_key,
        )
        blocks = with_votes(list(redrawn.blocks), up, down, mine=verdict)
        text = redrawn.text
    log.debug("vote %s on %s: %s", verdict, key, outcome)
    send_response(
        respond, client=client, channel=channel, user=user, replace_original=True, text=text, blocks=blocks
    )


def answer_key(value: ButtonValue) -> str:
    """The key a vote is recorded against: the button's answer key, or (buttons made before
    answer keys existed) one derived from what the answer showed."""
    if value.answer_key:
        return value.answer_key
    parts = (value.question, str(value.offset), *value.passage_ids) + (
        (value.earlier,) if value.earlier else ()
    )
    shown = "\0".join(parts)
    return "old-" + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:24]
