"""Which deliveries count as the same one: the keys and hold times of claim-once de-duplication."""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "ANSWERED_EVENTS",
    "CLAIM_LEASE",
    "EVENT_TTL",
    "REPLAY_TTL",
    "Delivery",
    "claim_key",
    "delivery_of",
    "retry_attempt",
]

EVENT_TTL = 3600.0
"""An event id is remembered this long: Slack retries after about 0 s, 1 min and 5 min."""
REPLAY_TTL = 600.0
"""A command or action is remembered this long: Slack accepts a signature for 5 minutes, so a
request replayed within that window still verifies and must do nothing the second time."""
CLAIM_LEASE = 30.0
"""An event (and the message it carries) is first claimed for this long only, as a lease, and
held for EVENT_TTL once it is done: acknowledged, or for a message its answer about to be posted.
Slack's retry (attempt >= 1) of a delivery that is not done takes the lease over at once, on any
replica; without a retry the lease lapses after this long."""

ANSWERED_EVENTS = frozenset({"app_mention", "message"})
"""Events whose claim stays a lease until the reply is about to be posted (the message's own
claim is confirmed then): a replica killed after acknowledging one but before answering it, its
acknowledgement lost, leaves it to the retry. Other events are kept once acknowledged."""

_PROCESS = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"
_SERIAL = itertools.count(1)


def _new_owner() -> str:
    return f"{_PROCESS}/{next(_SERIAL)}"


@dataclass(frozen=True)
class Delivery:
    """One delivery of a request to this process, as its claims record it."""

    attempt: int = 0
    """Slack's delivery attempt: 0 the first time, then 1, 2, 3 for its retries."""
    owner: str = field(default_factory=_new_owner)
    """Names this delivery in the store (host/pid/random/serial): unique across replicas."""
    event: str | None = None
    """The event's claim key when the listener keeps it, once its reply is confirmed
    (:data:`ANSWERED_EVENTS`); None when the middleware keeps it on acknowledging."""


def retry_attempt(headers: Mapping[str, Sequence[str] | str]) -> int:
    """The delivery attempt Slack gave a request: ``X-Slack-Retry-Num`` over HTTP, which Bolt
    also sets from a Socket Mode envelope's ``retry_attempt``; 0 when absent or malformed."""
    value = headers.get("x-slack-retry-num") or ()
    first = value if isinstance(value, str) else next(iter(value), "")
    text = str(first).strip()
    return int(text) if text.isdigit() and len(text) <= 3 else 0


def delivery_of(context: Mapping) -> Delivery:
    """The delivery the de-duplication middleware put in a listener's ``context`` (a fresh
    first delivery when there is none)."""
    found = context.get("delivery")
    return found if isinstance(found, Delivery) else Delivery()


def claim_key(body: dict, raw_body: str) -> tuple[str, bool] | None:
    """What identifies one delivery of ``body``, and whether it is an event (leased); None for
    requests that are never de-duplicated (``url_verification``, SSL checks)."""
    kind = body.get("type")
    if kind == "event_callback":
        event_id = body.get("event_id")
        return (f"event:{event_id}", True) if isinstance(event_id, str) and event_id else None
    if kind in ("url_verification", "ssl_check") or body.get("ssl_check"):
        return None
    # Slash commands (no type) and interactions: trigger_id is unique per user action; a
    # replay carries the same one. Without it, the signed body itself is the identity.
    what = "command" if body.get("command") else f"action:{kind or 'unknown'}"
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"{what}:{trigger}", False
    return f"{what}:{hashlib.sha256(raw_body.encode('utf-8', 'replace')).hexdigest()}", False
