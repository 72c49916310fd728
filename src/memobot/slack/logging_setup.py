"""Logging for a serving bot: one readable line per record, tokens never written."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

from ..errors import ConfigError

__all__ = ["LOG_LEVEL_VAR", "RedactingFormatter", "TokenRedactor", "configure_logging", "redact"]

LOG_LEVEL_VAR = "MEMOBOT_LOG_LEVEL"
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Slack tokens by shape (bot, user, app-level, refresh, config), whatever logged them.
_TOKEN = re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")
# The user:password@ of any URL (SLACK_API_URL through a proxy, MEMOBOT_STORE=redis://:pw@…).
_URL_CREDENTIALS = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/?#@]+@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with Slack tokens, URL credentials and the given secrets replaced by "[redacted]"."""
    cleaned = _URL_CREDENTIALS.sub(r"\1[redacted]@", _TOKEN.sub("[redacted]", text))
    for secret in secrets:
        cleaned = cleaned.replace(secret, "[redacted]")
    return cleaned


class TokenRedactor(logging.Filter):
    """Replaces Slack tokens and the given secrets with "[redacted]" in every record."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self._secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, traceback and stack included: an exception's text
    (a Web API error echoing the request, say) is not part of the message a filter sees."""

    def __init__(self, fmt: str, secrets: Iterable[str | None] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def formatMessage(self, record: logging.LogRecord) -> str:
        # One line per record: a message with line breaks (a Web API error quoting the
        # response) is joined; a traceback, appended after this, keeps its lines.
        record.message = record.message.replace("\r", " ").replace("\n", " ⏎ ")
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(secrets: Iterable[str | None] = (), environ: dict | None = None) -> None:
    """Log to standard error at MEMOBOT_LOG_LEVEL (INFO by default), tokens redacted."""
    env = os.environ if environ is None else environ
    level = env.get(LOG_LEVEL_VAR, "").strip().upper() or "INFO"
    if level not in _LEVELS:
        raise ConfigError(f"{LOG_LEVEL_VAR} is malformed: expected one of {', '.join(_LEVELS)}")
    handler = logging.StreamHandler()
    secrets = tuple(secrets)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    handler.addFilter(TokenRedactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
