"""Slack settings from the environment and `.env`, checked once at start-up.

A missing or malformed setting raises :class:`~memobot.errors.ConfigError` naming the variable
and what is expected, never its value. Tokens are kept out of ``repr`` so they cannot end up in
a log line or a traceback by accident.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..store import StoreSettings

__all__ = [
    "DEFAULT_API_URL",
    "ChannelScope",
    "SlackSettings",
]

DEFAULT_API_URL = "https://slack.com/api/"

_BOT_TOKEN = re.compile(r"(xoxe\.)?xoxb-[A-Za-z0-9-]+")
_APP_TOKEN = re.compile(r"xapp-[A-Za-z0-9-]+")
_SECRET = re.compile(r"[A-Za-z0-9]{16,128}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class ChannelScope:
    """Which memos one channel sees (MEMOBOT_CHANNEL_KNOWLEDGE)."""

    memo_ids: frozenset[str] = frozenset()
    """Memo ids named for the channel."""
    series: frozenset[str] = frozenset()
    """Series names (``series:NAME``): every memo of the series, present and future."""

    def allows(self, memo_id: str, series: str) -> bool:
        """Whether a memo with this id and series belongs to the channel's knowledge."""
        return memo_id in self.memo_ids or (bool(series) and series in self.series)


@dataclass(frozen=True)
class SlackSettings:
    """Everything the Slack front end needs, validated."""

    bot_token: str = field(repr=False)
    """SLACK_BOT_TOKEN: the bot user OAuth token (xoxb-…)."""
    app_token: str | None = field(default=None, repr=False)
    """SLACK_APP_TOKEN: the app-level token (xapp-…), Socket Mode only."""
    signing_secret: str | None = field(default=None, repr=False)
    """SLACK_SIGNING_SECRET: verifies HTTP requests, HTTP mode only."""
    api_url: str = DEFAULT_API_URL
    """SLACK_API_URL: base URL of the Slack Web API, ending in "/"."""
    admins: frozenset[str] = frozenset()
    """MEMOBOT_ADMINS: user ids allowed to run ``/memo refresh``."""
    store: StoreSettings = field(default_factory=lambda: StoreSettings.from_env({}))
    """MEMOBOT_STORE and the question log's settings: where claims, votes and questions go."""
    max_question_chars: int = 500
    """MEMOBOT_MAX_QUESTION_CHARS: longer questions are refused with a message saying so."""
    results: int = 3
    """MEMOBOT_RESULTS: excerpts per answer (and per "More results")."""
    http_host: str = "0.0.0.0"
    """MEMOBOT_HTTP_HOST: address the HTTP server listens on (``--host`` wins)."""
    http_port: int = 3000
    """MEMOBOT_HTTP_PORT: port the HTTP server listens on (``--port`` wins)."""
    workers: int = 16
    """MEMOBOT_WORKERS: threads answering questions after the ack (and HTTP server threads)."""
    channel_knowledge: Mapping[str, ChannelScope] = field(default_factory=dict)
    """MEMOBOT_CHANNEL_KNOWLEDGE: channel id → the memos it sees; channels not named see all."""
    channel_pace: float = 1.0
    """MEMOBOT_CHANNEL_PACE: seconds between two posts in one channel after a short burst
    (Slack allows about one message per second per channel); 0 turns pacing off."""

    @classmethod
    def from_env(
        cls,
        mode: str = "socket",
        environ: Mapping[str, str] | None = None,
    ) -> SlackSettings:
        """Read and check the settings ``mode`` ("socket", "http" or "any") needs."""
        env = os.environ if environ is None else environ
        if mode not in ("socket", "http", "any"):
            raise ValueError(f"unknown mode {mode!r}")
        bot_token = _token(env, "SLACK_BOT_TOKEN", _BOT_TOKEN, "the Bot User OAuth Token (xoxb-…)", True)
        app_token = _token(
            env,
            "SLACK_APP_TOKEN",
            _APP_TOKEN,
            "an app-level token (xapp-…) with connections:write",
            mode == "socket",
        )
        secret = _token(
            env,
            "SLACK_SIGNING_SECRET",
            _SECRET,
            "the app's Signing Secret (16 to 128 letters and digits; Slack's has 32)",
            mode == "http",
        )
        return cls(
            bot_token=bot_token or "",
            app_token=app_token,
            signing_secret=secret,
            api_url=_api_url(env),
            admins=_admins(env),
            store=StoreSettings.from_env(env),
            max_question_chars=_int(env, "MEMOBOT_MAX_QUESTION_CHARS", 500, 20, 1000),
            results=_int(env, "MEMOBOT_RESULTS", 3, 1, 10),
            http_host=_host(env),
            http_port=_int(env, "MEMOBOT_HTTP_PORT", 3000, 0, 65535),
            workers=_int(env, "MEMOBOT_WORKERS", 16, 1, 256),
            channel_knowledge=_channel_knowledge(env),
            channel_pace=_seconds(env, "MEMOBOT_CHANNEL_PACE", 1.0, 0.0, 10.0),
        )

    def scope_for(self, channel: object) -> ChannelScope | None:
        """The memos ``channel`` is limited to, or None when it sees the whole knowledge base."""
        return self.channel_knowledge.get(channel) if isinstance(channel, str) else None

    def is_admin(self, user_id: object) -> bool:
        """Whether this user may run admin commands."""
        return isinstance(user_id, str) and user_id in self.admins


def _token(env: Mapping[str, str], name: str, shape: re.Pattern, what: str, required: bool) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        if required:
            raise ConfigError(f"{name} is not set: expected {what}")
        return None
    if not shape.fullmatch(value):
        raise ConfigError(f"{name} is malformed: expected {what}")
    return value


def _api_url(env: Mapping[str, str]) -> str:
    value = env.get("SLACK_API_URL", "").strip()
    if not value:
        return DEFAULT_API_URL
    if not _URL.fullmatch(value):
        raise ConfigError(
            "SLACK_API_URL is malformed: expected an http(s) URL such as https://slack.com/api/"
        )
    return value if value.endswith("/") else value + "/"


def _admins(env: Mapping[str, str]) -> frozenset[str]:
    raw = env.get("MEMOBOT_ADMINS", "")
    ids = [part for part in re.split(r"[\s,;]+", raw) if part]
    if not all(_USER_ID.fullmatch(i) for i in ids):
        raise ConfigError(
            "MEMOBOT_ADMINS is malformed: expected Slack user ids (U… or W…, capitals and digits) "
            "separated by commas or spaces"
        )
    return frozenset(ids)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name} is malformed: expected a whole number from {low} to {high}")
    return value


def _host(env: Mapping[str, str]) -> str:
    value = env.get("MEMOBOT_HTTP_HOST", "").strip()
    if not value:
        return "0.0.0.0"
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", value):
        raise ConfigError("MEMOBOT_HTTP_HOST is malformed: expected a host name or IP address")
    return value


def _channel_knowledge(env: Mapping[str, str]) -> dict[str, ChannelScope]:
    """``C0NATO0001=memo-a,series:CMS-memo; C0EU000001=memo-b`` → channel → scope."""
    raw = env.get("MEMOBOT_CHANNEL_KNOWLEDGE", "").strip()
    out: dict[str, ChannelScope] = {}
    expected = (
        "expected entries like C0123ABCD=memo-id,series:Series name separated by ';' "
        "(a channel id, '=', then memo ids or series:NAME separated by commas)"
    )
    for number, entry in enumerate((e.strip() for e in raw.split(";")), 1):
        if not entry:
            continue
        channel, equals, selectors = (part.strip() for part in entry.partition("="))
        # Only the entry's number is named: a channel id is harmless, but the rule is the same
        # for every setting (never echo the value).
        if not equals or not _CHANNEL.fullmatch(channel):
            raise ConfigError(f"MEMOBOT_CHANNEL_KNOWLEDGE entry {number} is malformed: {expected}")
        if channel in out:
            raise ConfigError(f"MEMOBOT_CHANNEL_KNOWLEDGE entry {number} names a channel a second time")
        ids, series = set(), set()
        for selector in (s.strip() for s in selectors.split(",")):
            if selector.startswith("series:") and selector[len("series:") :].strip():
                series.add(selector[len("series:") :].strip())
            elif selector and not selector.startswith("series:") and re.fullmatch(r"[^\s=]+", selector):
                ids.add(selector)
            else:
                raise ConfigError(f"MEMOBOT_CHANNEL_KNOWLEDGE entry {number} is malformed: {expected}")
        out[channel] = ChannelScope(frozenset(ids), frozenset(series))
    return out


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name} is malformed: expected a number of seconds from {low:g} to {high:g}")
    return value
