"""``memobot serve``: run the Slack bot in Socket Mode (default) or over HTTP."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import signal
import threading
from pathlib import Path

from .. import config
from ..errors import MemobotError
from ..live import LiveSettings, start_live_refresh
from ..service import KnowledgeService
from ..store import open_store

__all__ = ["register"]

log = logging.getLogger("memobot.slack")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the command line."""
    serve = sub.add_parser(
        "serve",
        help="run the Slack bot (Socket Mode; --http for the HTTP server)",
        description=(
            "Run the Slack bot. Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; --http needs "
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET and serves POST /slack/events and GET /healthz."
        ),
    )
    serve.add_argument(
        "--http", action="store_true", help="serve Slack's HTTP requests instead of Socket Mode"
    )
    serve.add_argument(
        "--host", help="address to listen on with --http (default: $MEMOBOT_HTTP_HOST or 0.0.0.0)"
    )
    serve.add_argument(
        "--port", type=_port, help="port to listen on with --http (default: $MEMOBOT_HTTP_PORT or 3000)"
    )
    serve.set_defaults(run=_cmd_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0 to 65535)")
    return value


def _cmd_serve(args: argparse.Namespace) -> int:
    from .app import build_app
    from .logging_setup import configure_logging, redact
    from .server import HttpServer, socket_mode_handler, stop_answering
    from .settings import SlackSettings

    if (args.host or args.port is not None) and not args.http:
        raise MemobotError("--host and --port only apply with --http")
    directory = config.knowledge_dir(args.knowledge)
    # Every setting is checked before anything starts: one clear line instead of a half-up bot.
    settings = SlackSettings.from_env("http" if args.http else "socket")
    live_settings = LiveSettings.from_env()
    configure_logging(secrets=(settings.bot_token, settings.app_token, settings.signing_secret))
    if os.environ.get("MEMOBOT_FEEDBACK_FILE", "").strip():
        log.warning("MEMOBOT_FEEDBACK_FILE is no longer used: feedback goes to the store (MEMOBOT_STORE)")
    dotenv = config.dotenv_file()
    log.info(
        "settings: the environment%s",
        f" and {dotenv} (the environment wins)" if dotenv else f"; no .env in {Path.cwd()} or above",
    )
    store = open_store(settings.store)
    log.info(
        "store: %s (question log %s, kept %d days)",
        settings.store.describe(),
        "on" if settings.store.log_questions else "off: no question text or user hashes",
        settings.store.retention_days,
    )
    service = KnowledgeService(directory)
    status = service.status()
    log.info(
        "knowledge %s: %d memo%s, %d passages (version %s)",
        directory,
        status.memos,
        "" if status.memos == 1 else "s",
        status.passages,
        status.version,
    )
    try:
        app = build_app(settings, service, store=store)
    except Exception as exc:
        store.close()
        raise MemobotError(
            f"Slack did not accept SLACK_BOT_TOKEN, or {redact(settings.api_url)} cannot be reached "
            f"(auth.test: {_reason(exc)})"
        ) from None
    _stop_on_sigterm()
    live = start_live_refresh(service, live_settings)
    try:
        if args.http:
            host = args.host or settings.http_host
            port = settings.http_port if args.port is None else args.port
            try:
                server = HttpServer(app, service, host=host, port=port, threads=settings.workers)
            except OSError as exc:
                raise MemobotError(_cannot_listen(host, port, exc)) from None
            server.serve_forever()
        else:
            handler = socket_mode_handler(app, settings)
            log.info("connecting to Slack in Socket Mode")
            try:
                handler.connect()
            except Exception as exc:
                handler.close()
                raise MemobotError(
                    "Slack did not accept SLACK_APP_TOKEN, or Socket Mode is off for this app "
                    f"(apps.connections.open: {_reason(exc)})"
                ) from None
            try:
                log.info("connected to Slack in Socket Mode")
                threading.Event().wait()  # what handler.start() does after connecting
            finally:
                handler.close()
    except KeyboardInterrupt:
        pass
    finally:
        live.stop()
        log.info("stopping: finishing the answers in progress")
        stop_answering(app, wait=True)
        store.close()
    return 0


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    """One line for a server that cannot bind: port taken, no permission, unknown address."""
    if exc.errno == errno.EADDRINUSE:
        why = "the port is in use (another memobot, or another program); choose another with --port"
    elif exc.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need privileges); choose another with --port"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = "this machine has no such address; check --host or MEMOBOT_HTTP_HOST"
    else:
        why = exc.strerror or type(exc).__name__
    return f"cannot listen on {host}:{port}: {why}"


def _reason(exc: Exception) -> str:
    """The Web API error code when there is one, else the exception's type (never a token)."""
    response = getattr(exc, "response", None)
    error = response.get("error") if hasattr(response, "get") else None
    # Slack's codes are snake_case words; anything else in that field is not echoed.
    error = error if isinstance(error, str) and re.fullmatch(r"[a-z_]{1,60}", error) else None
    text = str(exc)
    codes = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")
    for code in (*codes, "not_allowed_token_type", "socket_mode_not_enabled"):
        if code in text:
            error = code
    return error or type(exc).__name__


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop) shuts down like Ctrl-C: in-flight answers are finished."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
