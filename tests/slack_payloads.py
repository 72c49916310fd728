"""Payloads as Slack sends them: Events API callbacks, slash commands, block actions, signatures.

Shared by the Socket Mode fake (inside envelopes), the HTTP-mode tests and the load test (signed
POST bodies), so that every path is fed the same shapes.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

from tests.slack_fakes import APP_ID, BOT_USER_ID, TEAM_ID

__all__ = [
    "ASKER_ID",
    "CHANNEL_ID",
    "DM_CHANNEL_ID",
    "app_mention",
    "assistant_thread_started",
    "block_actions",
    "channel_message",
    "direct_message",
    "event_callback",
    "interactive_body",
    "json_body",
    "message_changed",
    "message_shortcut",
    "new_event_id",
    "new_ts",
    "signed_headers",
    "slash_command",
    "slash_command_body",
]

ASKER_ID = "U0ASKER001"
CHANNEL_ID = "C0CHANNEL1"
DM_CHANNEL_ID = "D0DIRECT01"

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next() -> int:
    with _counter_lock:
        return next(_counter)


def new_ts() -> str:
    """A unique message timestamp in Slack's ``seconds.micro`` form."""
    return f"{int(time.time())}.{_next():06d}"


def new_event_id() -> str:
    return f"Ev{_next():010d}"


def app_mention(
    question: str,
    *,
    channel: str = CHANNEL_ID,
    user: str = ASKER_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """An ``app_mention`` event whose text starts with the bot's mention, as Slack renders it."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {question}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(
    text: str, *, channel: str = DM_CHANNEL_ID, user: str = ASKER_ID, ts: str | None = None
) -> dict[str, Any]:
    """A ``message`` event in a DM (``channel_type: im``)."""
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }


def channel_message(
    text: str,
    *,
    channel: str = CHANNEL_ID,
    user: str = ASKER_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
) -> dict[str, Any]:
    """A ``message`` event in a channel (``message.channels``; ``channel_type="group"`` for
    ``message.groups``), in a thread when ``thread_ts`` is given."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "channel_type": channel_type,
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_changed(
    original: dict[str, Any], new_text: str, *, channel_type: str | None = None
) -> dict[str, Any]:
    """The ``message_changed`` event Slack sends when ``original`` (a message event) is edited."""
    edited_at = new_ts()
    message = {k: original[k] for k in ("type", "user", "ts", "thread_ts", "team") if k in original}
    message.update({"text": new_text, "edited": {"user": original.get("user"), "ts": edited_at}})
    previous = {k: original[k] for k in ("type", "user", "ts", "thread_ts", "team", "text") if k in original}
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": original["channel"],
        "channel_type": channel_type or original.get("channel_type", "channel"),
        "hidden": True,
        "message": message,
        "previous_message": previous,
        "ts": edited_at,
        "event_ts": edited_at,
    }


def assistant_thread_started(
    *, channel: str = DM_CHANNEL_ID, user: str = ASKER_ID, viewing: str | None = CHANNEL_ID
) -> dict[str, Any]:
    """An ``assistant_thread_started`` event: the user opened the AI app container."""
    thread_ts = new_ts()
    context: dict[str, Any] = {"channel_id": viewing, "team_id": TEAM_ID} if viewing else {}
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "context": context,
            "channel_id": channel,
            "thread_ts": thread_ts,
        },
        "event_ts": new_ts(),
    }


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The Events API envelope around ``event`` (the HTTP body, or a Socket Mode ``payload``)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def slash_command(
    text: str,
    *,
    response_url: str,
    command: str = "/memo",
    user: str = ASKER_ID,
    channel: str = CHANNEL_ID,
) -> dict[str, str]:
    """A slash command's fields (all strings, as Slack form-encodes them)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake-workspace",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "asker",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{_next()}.{TEAM_ID}.fake",
    }


def slash_command_body(fields: dict[str, str]) -> bytes:
    """The form-encoded HTTP body of a slash command."""
    return urlencode(fields).encode("utf-8")


def block_actions(
    action: dict[str, Any],
    *,
    response_url: str,
    user: str = ASKER_ID,
    channel: str = CHANNEL_ID,
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` interaction for one clicked ``action`` (needs ``action_id``, ``value``...).

    ``message`` is the message carrying the button (Slack echoes it back); ``container`` defaults
    to that message, or to an ephemeral one when no message is given.
    """
    message_ts = (message or {}).get("ts") or new_ts()
    if container is None:
        container = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": message is None,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "asker", "name": "asker", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": f"{_next()}.{TEAM_ID}.fake",
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [{"type": "button", "block_id": "memobot", "action_ts": new_ts(), **action}],
        "state": {"values": {}},
    }
    if message is not None:
        payload["message"] = message
    return payload


def message_shortcut(
    message: dict[str, Any],
    *,
    callback_id: str,
    response_url: str,
    user: str = ASKER_ID,
    channel: str = CHANNEL_ID,
) -> dict[str, Any]:
    """A ``message_action`` interaction: a message shortcut used on ``message``."""
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": new_ts(),
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "user": {"id": user, "username": "asker", "name": "asker", "team_id": TEAM_ID},
        "channel": {"id": channel, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": f"{_next()}.{TEAM_ID}.fake",
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }


def signed_headers(body: bytes, signing_secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The ``X-Slack-Signature`` and ``X-Slack-Request-Timestamp`` headers Slack sends with ``body``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def json_body(payload: dict[str, Any]) -> bytes:
    """An Events API HTTP body."""
    return json.dumps(payload).encode("utf-8")


def interactive_body(payload: dict[str, Any]) -> bytes:
    """An interaction's HTTP body: the JSON payload form-encoded as ``payload=``."""
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8")
