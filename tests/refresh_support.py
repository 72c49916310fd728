"""Helpers for the live-refresh and curator tests: small real knowledge files and bounded waits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

WAIT_SECONDS = 15.0


def memo_yaml(memo_id: str, texts: list[str], *, year: int = 2023, rec: str | None = None) -> str:
    """A valid memo file: one passage per text; with ``rec``, a recommendation quoting text 1."""
    lines = [
        "memo:",
        f"  id: {memo_id}",
        f"  title: Notat {memo_id}",
        "  publisher: Testcentret",
        f"  year: {year}",
        "  language: da",
        f"  source_url: https://example.org/{memo_id}",
        "roles:",
        "  - id: central",
        "    name: Central anbefaling",
    ]
    if rec is None:
        lines.append("recommendations: []")
    else:
        lines += [
            "recommendations:",
            f"  - id: {memo_id}-rec",
            "    role: central",
            f"    text: {rec}",
        ]
    lines.append("passages:")
    for n, text in enumerate(texts, 1):
        lines += [
            f"  - id: {memo_id}-p{n}",
            "    section: [Indledning]",
            f"    text: {text}",
        ]
        if rec is not None:
            lines.append(f"    supports: [{memo_id}-rec]")
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> None:
    """Replace a file in one rename, as editors and git do, so no reader sees half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_for(probe: Callable[[], T], what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def passage_texts(answer) -> list[str]:
    """The texts of an answer's hits."""
    return [hit.passage.text for hit in answer.hits]
