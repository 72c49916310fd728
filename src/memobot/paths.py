"""Where a running memobot keeps its state: per platform, never inside the installed package.

One directory holds the pid and status files (live refresh) and, unless ``MEMOBOT_STORE`` says
otherwise, the embedded store. In order:

1. ``MEMOBOT_STATE_DIR``, when set;
2. ``$STATE_DIRECTORY``, which systemd sets for a unit with ``StateDirectory=`` (the first one);
3. the platform's per-user state directory (platformdirs): ``$XDG_STATE_HOME/memobot``, by
   default ``~/.local/state/memobot`` on Linux, ``~/Library/Application Support/memobot`` on
   macOS, ``%LOCALAPPDATA%\\memobot`` on Windows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import platformdirs

__all__ = ["STATE_DIR_VAR", "state_dir"]

STATE_DIR_VAR = "MEMOBOT_STATE_DIR"


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The state directory (not created)."""
    env = os.environ if environ is None else environ
    explicit = env.get(STATE_DIR_VAR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    systemd = env.get("STATE_DIRECTORY", "").split(":")[0].strip()
    if systemd:
        return Path(systemd)
    xdg = env.get("XDG_STATE_HOME", "").strip()
    if xdg and os.path.isabs(xdg) and sys.platform not in ("win32", "darwin"):
        return Path(xdg) / "memobot"  # what platformdirs does, from the mapping we were given
    return Path(platformdirs.user_state_dir("memobot", appauthor=False))
