"""How much a knowledge directory may hold: the loader refuses more before reading it.

A knowledge file is curated text, a few hundred kilobytes at most; a file of a gigabyte is a
mistake (or an attack) and would take the bot's memory with it. The limits come from the
environment and are checked at start-up, so a malformed value fails there with one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ConfigError

__all__ = ["MAX_FILE_VAR", "MAX_TOTAL_VAR", "LoadLimits"]

MAX_FILE_VAR = "MEMOBOT_MAX_FILE_MB"
MAX_TOTAL_VAR = "MEMOBOT_MAX_KNOWLEDGE_MB"
_MB = 1024 * 1024


@dataclass(frozen=True)
class LoadLimits:
    """Size limits of a knowledge directory, in bytes."""

    max_file_bytes: int = 10 * _MB
    """MEMOBOT_MAX_FILE_MB: the largest one knowledge file may be (default 10 MB)."""
    max_total_bytes: int = 200 * _MB
    """MEMOBOT_MAX_KNOWLEDGE_MB: the most all knowledge files together may be (default 200 MB)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LoadLimits:
        """Read the two settings (whole megabytes, 1 to 100 000); missing ones keep the default."""
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            max_file_bytes=_megabytes(env, MAX_FILE_VAR, default.max_file_bytes),
            max_total_bytes=_megabytes(env, MAX_TOTAL_VAR, default.max_total_bytes),
        )


def _megabytes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        raise ConfigError(f"{name} is malformed: expected a whole number of megabytes from 1 to 100000")
    return int(raw) * _MB


def megabytes(size: int) -> str:
    """A size for a message: "1.5 MB"."""
    return f"{size / _MB:.1f} MB"
