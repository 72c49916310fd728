"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records calls and answers like Slack.

The app under test talks to it through slack_sdk exactly as it would talk to slack.com, so tests
assert on the wire (method, form or JSON params, Authorization header) instead of on mocks of
our own code.

    with FakeSlackAPI() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        [call] = fake.wait_for("chat.postMessage")

``api_url`` ends with ``/api/`` on purpose: slack_sdk joins ``base_url`` and the method name with
``urllib.parse.urljoin``, so a base URL without the trailing slash silently drops ``/api`` — the
fake answers such requests 404 (as slack.com would) and records them as ``unrouted``.

Besides the API methods it serves ``response_url`` endpoints (``/response/<id>``, from
``new_response_url()``) and records what Bolt's ``respond()`` posts there under the method name
``"response_url"`` (``rate_limit("response_url")`` makes those answer 429 too).

It keeps the messages of each channel as Slack would: what ``chat.postMessage`` posted (with its
metadata), edited by ``chat.update``, plus what a test says people wrote (``add_message``), so
``conversations.replies`` reads a thread back, ``conversations.history`` a channel's top level.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "RESPONSE_URL_METHOD",
    "TEAM_ID",
    "UNROUTED_METHOD",
    "Call",
    "FakeSlackAPI",
]

TEAM_ID = "T0FAKE0001"
BOT_USER_ID = "U0FAKEBOT1"
BOT_ID = "B0FAKEBOT1"
APP_ID = "A0FAKEAPP1"

# Pseudo method names under which non-API requests are recorded.
RESPONSE_URL_METHOD = "response_url"
UNROUTED_METHOD = "unrouted"

# Params that slack_sdk sends JSON-encoded inside a form body; decoded so that tests see the same
# structure whichever encoding the client chose.
_JSON_FORM_FIELDS = frozenset({"blocks", "attachments", "view", "metadata"})

Handler = Callable[["Call"], dict[str, Any]]


@dataclass
class Call:
    """One request the fake received, with what it answered."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]  # keys lower-cased
    token: str | None
    path: str
    body: bytes
    time: float  # time.monotonic() at arrival
    status: int = 200
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.response, dict) and bool(self.response.get("ok"))

    def block_texts(self) -> list[str]:
        """The texts of the message's blocks and of their elements, in order."""
        texts = []
        for block in self.params.get("blocks") or []:
            if "text" in block:
                texts.append(block["text"]["text"])
            texts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
        return texts


@dataclass
class _Failure:
    error: str
    channel: str | None
    remaining: int | None  # None: until reset


@dataclass
class _Modes:
    rate_limits: dict[str, tuple[int, int]] = field(default_factory=dict)  # method → (left, retry_after)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    delays: dict[str | None, float] = field(default_factory=dict)  # None: every method
    handlers: dict[str, Handler] = field(default_factory=dict)
    response_url_fails: int = 0  # the next N response_url posts answer 404 (expired/invalid)


class FakeSlackAPI:
    """The Slack Web API on a random loopback port; see the module docstring."""

    def __init__(self, *, socket_mode_url: str | None = None) -> None:
        self.socket_mode_url = socket_mode_url
        self._calls: list[Call] = []
        self._modes = _Modes()
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._messages: dict[str, list[dict[str, Any]]] = {}  # channel → messages
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack-api",
            daemon=True,
        )
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What to give slack_sdk as ``base_url`` (and the app as ``SLACK_API_URL``)."""
        return self.url + "/api/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlackAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- modes -------------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``.

        ``retry_after=0`` keeps tests fast: slack_sdk's handler sleeps ``Retry-After`` plus up to 1 s.
        """
        with self._changed:
            self._modes.rate_limits[method] = (times, retry_after)

    def fail(
        self,
        method: str,
        error: str = "channel_not_found",
        *,
        channel: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer ``{"ok": false, "error": error}`` to ``method`` (only for ``channel`` if given)."""
        with self._changed:
            self._modes.failures.setdefault(method, []).append(_Failure(error, channel, times))

    def delay(self, seconds: float, method: str | None = None) -> None:
        """Hold every answer (or ``method``'s) for ``seconds``; the call is recorded on arrival."""
        with self._changed:
            self._modes.delays[method] = seconds

    def on(self, method: str, handler: Handler) -> None:
        """Answer ``method`` with ``handler(call)`` — for methods the fake does not know."""
        with self._changed:
            self._modes.handlers[method] = handler

    def reset(self) -> None:
        """Forget recorded calls, stored messages and every mode."""
        with self._changed:
            self._calls.clear()
            self._modes = _Modes()
            self._messages.clear()

    def fail_response_urls(self, times: int = 1) -> None:
        """Answer the next ``times`` response_url posts with 404 ``expired_url``."""
        with self._changed:
            self._modes.response_url_fails = times

    def add_message(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message someone wrote in ``channel`` (``ts``, ``user``, ``text``, ``thread_ts``…)."""
        with self._changed:
            self._messages.setdefault(channel, []).append(dict(message))
        return message

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages stored for ``channel``, oldest first."""
        with self._changed:
            return sorted((dict(m) for m in self._messages.get(channel, [])), key=lambda m: float(m["ts"]))

    def new_response_url(self) -> str:
        """A fresh ``response_url`` served by this fake (as in a slash command or action payload)."""
        return f"{self.url}/response/{next(self._ids)}"

    # -- assertions --------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, oldest first (only ``method``'s if given)."""
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        """Block until ``count`` calls of ``method`` (matching ``where``) arrived; return them.

        Raises AssertionError naming what did arrive, so a failing test says why.
        """

        def matching() -> list[Call]:
            return [c for c in self._calls if c.method == method and (where is None or where(c))]

        with self._changed:
            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(
                    f"expected {count} call(s) of {method}, got {len(matching())} in {timeout} s;"
                    f" seen: {seen}"
                )
            return matching()

    def wait_quiet(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Block until no call has arrived for ``quiet`` seconds (to assert that nothing *more* came)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                last = self._calls[-1].time if self._calls else 0.0
                now = time.monotonic()
                if now - last >= quiet:
                    return
                if now >= deadline:
                    raise AssertionError(f"calls kept arriving for {timeout} s")
                self._changed.wait(timeout=quiet - (now - last))

    # -- request handling (server threads) ---------------------------------------------------

    def _handle(self, call: Call) -> tuple[int, dict[str, str], Any, float]:
        """Decide the answer, record the call; returns (status, headers, body, delay)."""
        with self._changed:
            status, headers, body = self._answer(call)
            call.status, call.response = status, body
            delay = self._modes.delays.get(call.method, self._modes.delays.get(None, 0.0))
            self._calls.append(call)
            self._changed.notify_all()
        return status, headers, body, delay

    def _answer(self, call: Call) -> tuple[int, dict[str, str], Any]:
        if call.method == UNROUTED_METHOD:
            return 404, {}, {"ok": False, "error": "unknown_method"}
        left, retry_after = self._modes.rate_limits.get(call.method, (0, 0))
        if left > 0:
            self._modes.rate_limits[call.method] = (left - 1, retry_after)
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if call.method == RESPONSE_URL_METHOD:
            if self._modes.response_url_fails > 0:
                self._modes.response_url_fails -= 1
                return 404, {}, {"ok": False, "error": "expired_url"}
            return 200, {}, {"ok": True}
        if not call.token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        error = self._take_failure(call)
        if error:
            return 200, {}, {"ok": False, "error": error}
        custom = self._modes.handlers.get(call.method)
        if custom is not None:
            return 200, {}, custom(call)
        default = _DEFAULT_HANDLERS.get(call.method)
        if default is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        return 200, {}, default(self, call)

    def _take_failure(self, call: Call) -> str | None:
        for failure in self._modes.failures.get(call.method, []):
            if failure.channel is not None and call.params.get("channel") != failure.channel:
                continue
            if failure.remaining is not None:
                if failure.remaining <= 0:
                    continue
                failure.remaining -= 1
            return failure.error
        return None

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"


# -- default answers -------------------------------------------------------------------------


def _auth_test(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://fake-workspace.slack.com/",
        "team": "Fake Workspace",
        "user": "memobot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _message(call: Call, ts: str) -> dict[str, Any]:
    message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
    for key in ("text", "blocks", "thread_ts", "metadata"):
        if key in call.params:
            message[key] = call.params[key]
    return message


def _post_message(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    if "channel" not in call.params:
        return {"ok": False, "error": "channel_not_found"}
    ts = fake._next_ts()
    message = _message(call, ts)
    fake._messages.setdefault(str(call.params["channel"]), []).append(message)
    return {"ok": True, "channel": call.params["channel"], "ts": ts, "message": message}


def _post_ephemeral(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    if "channel" not in call.params:
        return {"ok": False, "error": "channel_not_found"}
    if "user" not in call.params:
        return {"ok": False, "error": "user_not_in_channel"}
    return {"ok": True, "message_ts": fake._next_ts()}


def _update(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    if "channel" not in call.params or "ts" not in call.params:
        return {"ok": False, "error": "message_not_found"}
    ts = call.params["ts"]
    for stored in fake._messages.get(str(call.params["channel"]), []):
        if stored["ts"] == ts:
            stored.update({k: call.params[k] for k in ("text", "blocks", "metadata") if k in call.params})
    return {
        "ok": True,
        "channel": call.params["channel"],
        "ts": ts,
        "text": call.params.get("text", ""),
        "message": _message(call, ts),
    }


def _replies(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    channel, ts = call.params.get("channel"), call.params.get("ts")
    if not channel or not ts:
        return {"ok": False, "error": "invalid_arguments"}
    thread = [m for m in fake._messages.get(str(channel), []) if m["ts"] == ts or m.get("thread_ts") == ts]
    if not thread:
        return {"ok": False, "error": "thread_not_found"}
    thread.sort(key=lambda m: float(m["ts"]))
    limit = int(call.params.get("limit") or 1000)
    keep_metadata = str(call.params.get("include_all_metadata")).lower() in ("1", "true")
    shown = [m if keep_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in thread[:limit]]
    return {"ok": True, "messages": shown, "has_more": len(thread) > limit}


def _history(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    """A channel's top-level messages, newest first, from ``oldest`` on (as Slack answers)."""
    channel = call.params.get("channel")
    if not channel:
        return {"ok": False, "error": "invalid_arguments"}
    oldest = float(call.params.get("oldest") or 0)
    top = [
        m
        for m in fake._messages.get(str(channel), [])
        if m.get("thread_ts") in (None, m["ts"]) and float(m["ts"]) >= oldest
    ]
    top.sort(key=lambda m: -float(m["ts"]))
    limit = int(call.params.get("limit") or 100)
    keep_metadata = str(call.params.get("include_all_metadata")).lower() in ("1", "true")
    shown = [m if keep_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in top[:limit]]
    return {"ok": True, "messages": shown, "has_more": len(top) > limit}


def _ok(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    return {"ok": True}


def _views_publish(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    view = call.params.get("view")
    if not isinstance(view, dict) or "user_id" not in call.params:
        return {"ok": False, "error": "invalid_arguments"}
    return {"ok": True, "view": {"id": f"V{next(fake._ids):09d}", "team_id": TEAM_ID, **view}}


def _connections_open(fake: FakeSlackAPI, call: Call) -> dict[str, Any]:
    # Slack only opens Socket Mode connections for app-level tokens.
    if not (call.token or "").startswith("xapp-"):
        return {"ok": False, "error": "not_allowed_token_type"}
    if fake.socket_mode_url is None:
        return {"ok": False, "error": "socket_mode_not_enabled"}
    return {"ok": True, "url": fake.socket_mode_url}


_DEFAULT_HANDLERS: dict[str, Callable[[FakeSlackAPI, Call], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "conversations.replies": _replies,
    "conversations.history": _history,
    "assistant.threads.setStatus": _ok,
    "assistant.threads.setSuggestedPrompts": _ok,
    "assistant.threads.setTitle": _ok,
    "views.publish": _views_publish,
    "apps.connections.open": _connections_open,
}


# -- HTTP plumbing ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Under a burst the app opens dozens of connections at once; the default backlog of 5 would
    # make the kernel drop SYNs and add 1 s retransmits to the measured latencies.
    request_queue_size = 256
    fake: FakeSlackAPI


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded calls are the log

    def _serve(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        url = urlsplit(self.path)
        params = _parse_params(url.query, body, headers.get("content-type", ""))
        call = Call(
            method=_method_for(url.path),
            params=params,
            headers=headers,
            token=_token(params, headers),
            path=url.path,
            body=body,
            time=arrived,
        )
        status, extra_headers, answer, delay = self.server.fake._handle(call)
        if delay:
            time.sleep(delay)  # the configured slowness itself, not a wait for something
        payload = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _method_for(path: str) -> str:
    if path.startswith("/api/") and path.count("/") == 2 and len(path) > len("/api/"):
        return path[len("/api/") :]
    if path.startswith("/response/"):
        return RESPONSE_URL_METHOD
    return UNROUTED_METHOD


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return params
    if content_type.startswith("application/json"):
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
        return params
    if content_type.startswith("application/x-www-form-urlencoded"):
        for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
            params[key] = _maybe_json(key, values[-1])
    return params


def _maybe_json(key: str, value: str) -> Any:
    if key in _JSON_FORM_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _token(params: dict[str, Any], headers: dict[str, str]) -> str | None:
    # A ``token`` param wins over the header: slack_sdk sends the app token for
    # apps.connections.open as a param while the client's bot token is in the header.
    if isinstance(params.get("token"), str):
        return params["token"]
    auth = headers.get("authorization", "")
    return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
