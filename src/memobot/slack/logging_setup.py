"""Logging for a serving bot: one readable line per record, tokens never written."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

from ..errors import ConfigError

__all__ = ["LOG_LEVEL_VAR", "TokenRedactor", "configure_logging"]

LOG_LEVEL_VAR = "MEMOBOT_LOG_LEVEL"
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Slack tokens by shape (bot, user, app-level, refresh, config), whatever logged them.
_TOKEN = re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")


class TokenRedactor(logging.Filter):
    """Replaces Slack tokens and the given secrets with "[redacted]" in every record."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN.sub("[redacted]", message)
        for secret in self._secrets:
            cleaned = cleaned.replace(secret, "[redacted]")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(secrets: Iterable[str | None] = (), environ: dict | None = None) -> None:
    """Log to standard error at MEMOBOT_LOG_LEVEL (INFO by default), tokens redacted."""
    env = os.environ if environ is None else environ
    level = env.get(LOG_LEVEL_VAR, "").strip().upper() or "INFO"
    if level not in _LEVELS:
        raise ConfigError(f"{LOG_LEVEL_VAR} is malformed: expected one of {', '.join(_LEVELS)}")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenRedactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
