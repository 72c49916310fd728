"""Transports: the production HTTP server (Bolt's WSGI adapter on waitress) and Socket Mode.

HTTP mode serves Slack's requests on ``POST /slack/events`` (events, slash commands and
interactivity all go there) and ``GET /healthz`` for load balancers and monitoring. Both
transports only ever ack inside the request: answers are computed and posted afterwards on the
app's answer threads (``Bot.later``), so Slack always gets its ack within 3 seconds.

:class:`HttpServer` can be started on a thread and stopped again, which is how the tests run
the real server on a random port.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable

import waitress
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from ..service import KnowledgeService
from ._gate import Refusal, RefusalLog, RequestGate, replace_body
from .app import bot_of
from .settings import SlackSettings

__all__ = [
    "EVENTS_PATH",
    "HEALTH_PATH",
    "REQUEST_DEADLINE",
    "HttpServer",
    "socket_mode_handler",
    "stop_answering",
    "wsgi_app",
]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
_MAX_BODY = 1024 * 1024
"""Slack's payloads are a few kilobytes; anything near a megabyte is not from Slack."""
_IDLE_TIMEOUT = 30
"""Seconds a connection may stay silent before it is closed."""
REQUEST_DEADLINE = 10.0
"""Seconds a client may take to send one whole request (Slack sends its few kilobytes at once)."""
_MAX_CONNECTIONS = 10_000
"""Most open connections served at once; each costs a file descriptor and a little memory."""

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def wsgi_app(app: App, service: KnowledgeService, refusals: RefusalLog | None = None) -> WsgiApp:
    """The WSGI application: Slack's requests to Bolt (through the gate), ``GET /healthz`` to the
    service's health."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    bot = bot_of(app)
    gate = RequestGate(bot.settings.signing_secret if bot else None, _MAX_BODY)
    refusals = refusals if refusals is not None else RefusalLog()
    encoded: list[tuple[dict | None, bytes]] = [(None, b"")]

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
                return [b""]
            health = service.health()
            seen, body = encoded[0]
            if seen is not health:  # encoded once per reload, not once per poll
                body = json.dumps({"ok": True, **health}, ensure_ascii=False).encode()
                encoded[0] = (health, body)
            start_response(
                "200 OK",
                [
                    ("Content-Type", "application/json; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            checked = gate.check(environ)
            if isinstance(checked, Refusal):
                refusals.refused(checked, str(environ.get("REMOTE_ADDR", "?")))
                start_response(checked.status_line, [("Content-Type", "text/plain"), ("Content-Length", "0")])
                return [b""]
            try:
                return slack(replace_body(environ, checked), start_response)
            except Exception as exc:
                # Signed, but Bolt could not even build its request from it (an `authorizations`
                # that is no list, …): the sender's mistake, not a reason for a traceback.
                refusal = Refusal(400, f"Bolt cannot read the request ({type(exc).__name__})")
                refusals.refused(refusal, str(environ.get("REMOTE_ADDR", "?")))
                start_response(refusal.status_line, [("Content-Type", "text/plain"), ("Content-Length", "0")])
                return [b""]
        return slack(environ, start_response)

    return application


class HttpServer:
    """``memobot serve --http``: waitress serving :func:`wsgi_app`, startable on a thread."""

    def __init__(
        self,
        app: App,
        service: KnowledgeService,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 8,
        request_deadline: float = REQUEST_DEADLINE,
    ) -> None:
        self.app = app
        self.refusals = RefusalLog()
        self._server = waitress.create_server(
            wsgi_app(app, service, self.refusals),
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=_MAX_BODY,
            ident="memobot",
            # Behind a proxy, Slack's retries arrive on fresh connections anyway.
            channel_timeout=_IDLE_TIMEOUT,
            clear_untrusted_proxy_headers=True,
            # An open connection costs a socket, not a thread, until its request is complete:
            # waitress's default of 100 let 100 idle connections lock everyone out. poll()
            # because select() cannot watch descriptors past 1024.
            connection_limit=_connection_limit(),
            asyncore_use_poll=True,
            cleanup_interval=1,
        )
        _cut_slow_requests(self._server, request_deadline)
        _quiet_trigger(self._server)
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def host(self) -> str:
        """The address actually bound."""
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. ``http://127.0.0.1:53211``."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` (or Ctrl-C) in this thread."""
        log.info("serving Slack on %s%s (health: %s%s)", self.url, EVENTS_PATH, self.url, HEALTH_PATH)
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def start(self) -> HttpServer:
        """Serve on a background thread; returns at once."""
        self._thread = threading.Thread(target=self.serve_forever, name="memobot-http", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0, wait_for_answers: bool = False) -> None:
        """Stop accepting, close every connection, wait for requests in progress to finish;
        with ``wait_for_answers`` also for the answers still being computed and posted."""
        server = self._server
        # Requests in progress first: a worker finishing one pulls the trigger to have its
        # response written, and the trigger must still be open then (it is closed below).
        server.task_dispatcher.shutdown(timeout=timeout)
        # The loop's map is only touched from the loop's own thread: the trigger runs this there.
        server.trigger.pull_trigger(lambda: _close_all(server))
        if self._thread is not None:
            self._thread.join(timeout)
        stop_answering(self.app, wait=wait_for_answers)
        self.refusals.flush()

    def __enter__(self) -> HttpServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _AtMostEvery(logging.Filter):
    """Lets one record through per ``seconds``: waitress warns "Task queue depth is N" for every
    request that waits for a thread, which under a flood is a line per request."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self._next = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.seconds
        return True


logging.getLogger("waitress.queue").addFilter(_AtMostEvery(10.0))


class _Channel(HTTPChannel):
    """waitress's connection, remembering when its current request began to arrive."""

    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.time()
        return super().received(data)


def _cut_slow_requests(server: object, deadline: float) -> None:
    """Close connections whose request has been arriving for longer than ``deadline`` seconds.

    waitress closes a connection only after ``channel_timeout`` seconds without a byte, so a
    client sending one header line every few seconds kept its connection for ever; enough of
    them and nobody else got in.
    """
    servers = (
        [server]
        if isinstance(server, BaseWSGIServer)
        else [s for s in getattr(server, "map", {}).values() if isinstance(s, BaseWSGIServer)]
    )
    for one in servers:
        one.channel_class = _Channel
        original = one.maintenance

        def maintenance(now: float, one: BaseWSGIServer = one, original=original) -> None:
            original(now)
            cutoff = now - deadline
            for channel in list(one.active_channels.values()):
                started = getattr(channel, "request_started", now)
                if channel.request is not None and not channel.requests and started < cutoff:
                    channel.will_close = True

        one.maintenance = maintenance


def _quiet_trigger(server: object) -> None:
    """A worker that finishes a request after :meth:`HttpServer.stop` closed the loop's wake-up
    pipe gets EBADF from it; there is nothing left to wake, so that is not an error."""
    trigger = getattr(server, "trigger", None)
    pull = getattr(trigger, "_physical_pull", None)
    if pull is None:
        return

    def physical_pull() -> None:
        with contextlib.suppress(OSError):
            pull()

    trigger._physical_pull = physical_pull


def _connection_limit() -> int:
    """As many connections as the process may open files, less a margin, raising the soft limit
    to the hard one first (both capped)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard if hard != resource.RLIM_INFINITY else _MAX_CONNECTIONS * 2, _MAX_CONNECTIONS * 2)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    room = _MAX_CONNECTIONS * 2 if soft == resource.RLIM_INFINITY else soft
    return max(100, min(_MAX_CONNECTIONS, room - 200))


def stop_answering(app: App, wait: bool = True) -> None:
    """Shut the app's listener threads down (queued answers are dropped; running ones finish,
    awaited only with ``wait``, which also closes a store ``build_app`` opened)."""
    executor = getattr(app.listener_runner, "listener_executor", None)
    if executor is not None:
        executor.shutdown(wait=wait, cancel_futures=True)
    bot = bot_of(app)
    if bot is not None:
        bot.answers.shutdown(wait=wait, cancel_futures=True)
        if wait and bot.owns_store:
            bot.store.close()


def _close_all(server: waitress.server.BaseWSGIServer) -> None:
    for dispatcher in list(server._map.values()):
        with contextlib.suppress(OSError):
            dispatcher.close()


def socket_mode_handler(app: App, settings: SlackSettings) -> SocketModeHandler:
    """Bolt's Socket Mode handler on the app's own Web API client (so ``SLACK_API_URL`` also
    decides where ``apps.connections.open`` goes)."""
    if not settings.app_token:
        raise ValueError("Socket Mode needs settings.app_token")
    return SocketModeHandler(
        app, app_token=settings.app_token, web_client=app.client, concurrency=settings.workers
    )
