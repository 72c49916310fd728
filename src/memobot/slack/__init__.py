"""The Slack front end: mentions, DMs, ``/memo``, buttons and the App Home, on slack-bolt.

``build_app`` makes the Bolt app; :mod:`memobot.slack.server` serves it over HTTP or Socket
Mode; ``memobot serve`` (:mod:`memobot.slack.cli`) puts the two together.
"""

from __future__ import annotations

from .app import Bot, build_app, build_client
from .server import HttpServer, socket_mode_handler, wsgi_app
from .settings import SlackSettings

__all__ = [
    "Bot",
    "HttpServer",
    "SlackSettings",
    "build_app",
    "build_client",
    "socket_mode_handler",
    "wsgi_app",
]
