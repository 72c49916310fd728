"""Which deliveries count as the same one: the keys and hold times of claim-once de-duplication."""

from __future__ import annotations

import hashlib

__all__ = ["CLAIM_LEASE", "EVENT_TTL", "REPLAY_TTL", "claim_key"]

EVENT_TTL = 3600.0
"""An event id is remembered this long: Slack retries after about 0 s, 1 min and 5 min."""
REPLAY_TTL = 600.0
"""A command or action is remembered this long: Slack accepts a signature for 5 minutes, so a
request replayed within that window still verifies and must do nothing the second time."""
CLAIM_LEASE = 30.0
"""An event is first claimed for this long only, and held for EVENT_TTL once it is acknowledged:
a replica killed between the two leaves the event to Slack's next retry (after a minute) on
another replica instead of to nobody."""


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
