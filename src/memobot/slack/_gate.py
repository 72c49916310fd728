"""The HTTP front door: every POST is checked here before Bolt sees it.

Bolt parses a request's body before it checks the signature, and a body it cannot parse (``[``,
``null``, ``payload=garbage``, a non-numeric timestamp) ends in HTTP 500 and a traceback per
request: anyone who can reach the port could fill the disk. The gate reads the body once, checks
the signature first (an unsigned or forged request gets 401 and is never parsed), then the shape
Bolt relies on (a signed body that is not one of Slack's shapes gets 400), and hands Bolt a
request it can handle. Refusals are logged one line each up to a budget per minute; beyond it
they are only counted, and one summary line per minute says how many were refused.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

__all__ = ["Refusal", "RefusalLog", "RequestGate", "replace_body"]

log = logging.getLogger("memobot.slack.http")

_MAX_SKEW = 5 * 60
"""Slack's replay window: a timestamp further from now than this is refused."""
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered without reaching Bolt."""

    status: int
    """HTTP status: 400 (signed but not Slack's shape), 401 (not signed by Slack), 413."""
    reason: str
    """One short phrase for the log, never any of the request's content."""

    @property
    def status_line(self) -> str:
        """The WSGI status line."""
        text = {400: "Bad Request", 401: "Unauthorized", 411: "Length Required", 413: "Payload Too Large"}
        return f"{self.status} {text.get(self.status, 'Bad Request')}"


class RefusalLog:
    """One log line per refused request, at most ``burst`` per ``window`` seconds; the rest are
    counted and reported in one summary line when the window is over."""

    def __init__(
        self, burst: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._logged = 0
        self._suppressed: Counter[int] = Counter()

    def refused(self, refusal: Refusal, peer: str) -> None:
        """Record one refusal: log it, or count it when this window's budget is spent."""
        with self._lock:
            self._roll(self._clock())
            if self._logged < self.burst:
                self._logged += 1
                log.warning("refused a request from %s: %d %s", peer, refusal.status, refusal.reason)
                return
            self._suppressed[refusal.status] += 1

    def flush(self) -> None:
        """Write the summary of what was counted so far (at shutdown)."""
        with self._lock:
            self._summary()

    def _roll(self, now: float) -> None:
        if now - self._started < self.window:
            return
        self._summary()
        self._started, self._logged = now, 0

    def _summary(self) -> None:
        total = sum(self._suppressed.values())
        if total:
            kinds = ", ".join(f"{count}× {status}" for status, count in sorted(self._suppressed.items()))
            log.warning(
                "refused %d more request%s not logged one by one (%s) in the last %.0f s",
                total,
                "" if total == 1 else "s",
                kinds,
                self.window,
            )
        self._suppressed.clear()


class RequestGate:
    """Reads, authenticates and shape-checks a POST; returns the body or a :class:`Refusal`."""

    def __init__(
        self,
        signing_secret: str | None,
        max_body: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # None: no signatures to check (Socket Mode's requests never come through here).
        self._secret = signing_secret.encode() if signing_secret else None
        self._max_body = max_body
        self._clock = clock

    def check(self, environ: dict) -> bytes | Refusal:
        """The request's body when Bolt may have it, else why not."""
        body = self._read(environ)
        if isinstance(body, Refusal):
            return body
        if self._secret is not None:
            refusal = self._signature(environ, body)
            if refusal is not None:
                return refusal
        return _shape(environ.get("CONTENT_TYPE", ""), body) or body

    def _read(self, environ: dict) -> bytes | Refusal:
        raw = environ.get("CONTENT_LENGTH") or "0"
        if not raw.isdigit():
            return Refusal(400, "Content-Length is not a number")
        length = int(raw)
        if length > self._max_body:
            return Refusal(413, "body too large")
        stream = environ.get("wsgi.input")
        body = stream.read(length) if stream is not None and length else b""
        if len(body) != length:
            return Refusal(400, "body shorter than its Content-Length")
        return body

    def _signature(self, environ: dict, body: bytes) -> Refusal | None:
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not timestamp or not signature:
            return Refusal(401, "no Slack signature")
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            return Refusal(401, "X-Slack-Request-Timestamp is not a Unix time")
        if abs(self._clock() - int(timestamp)) > _MAX_SKEW:
            return Refusal(401, "stale or future timestamp")
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return Refusal(401, "signature does not match")
        return None


def _shape(content_type: str, body: bytes) -> Refusal | None:
    """Why a signed body is not something Bolt can dispatch, or None when it is."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    if content_type.split(";")[0].strip().lower() == _FORM:
        try:
            form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
        except ValueError:
            return Refusal(400, "malformed form body")
        if "payload" in form:
            if len(form["payload"]) != 1:
                return Refusal(400, "more than one payload field")
            return _json_object(form["payload"][0], "payload")
        if "ssl_check" in form:
            return None
        commands = form.get("command", [])
        if len(commands) != 1 or not commands[0].startswith("/"):
            return Refusal(400, "form body is neither a slash command nor an interaction")
        return None
    return _json_object(text, "body")


def _json_object(text: str, what: str) -> Refusal | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return Refusal(400, f"{what} is not JSON")
    if not isinstance(data, dict):
        return Refusal(400, f"{what} is not a JSON object")
    if not isinstance(data.get("type"), str):
        return Refusal(400, f"{what} has no type")
    if data["type"] == "event_callback":
        event = data.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return Refusal(400, "event_callback without an event object")
    if data["type"] in ("block_actions", "interactive_message"):
        actions = data.get("actions")
        if not isinstance(actions, list) or not actions:
            return Refusal(400, "interaction without actions")
        for action in actions:
            if not isinstance(action, dict) or not isinstance(action.get("action_id", ""), str):
                return Refusal(400, "interaction with a malformed action")
            if not isinstance(action.get("block_id", ""), str):
                return Refusal(400, "interaction with a malformed action")
    return None


def replace_body(environ: dict, body: bytes) -> dict:
    """``environ`` with the body that was read put back, for Bolt to read again."""
    return {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
