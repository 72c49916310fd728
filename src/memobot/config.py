"""Settings from the environment and `.env`. Values are never logged or echoed."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

from .loader import bundled_knowledge_dir

__all__ = ["dotenv_file", "knowledge_dir", "load_env"]

KNOWLEDGE_DIR_VAR = "MEMOBOT_KNOWLEDGE_DIR"


def load_env() -> None:
    """Read `.env` from the working directory (or a parent); the real environment wins."""
    load_dotenv(dotenv_path=_find_dotenv(), override=False)


def dotenv_file() -> Path | None:
    """The `.env` that :func:`load_env` reads: in the working directory or its nearest parent."""
    found = _find_dotenv()
    return Path(found) if found else None


def _find_dotenv() -> str | None:
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return str(candidate)
    return None


def knowledge_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The knowledge directory: the explicit one, else $MEMOBOT_KNOWLEDGE_DIR, else the bundled one."""
    if explicit:
        return Path(explicit)
    configured = os.environ.get(KNOWLEDGE_DIR_VAR, "").strip()
    return Path(configured) if configured else bundled_knowledge_dir()
