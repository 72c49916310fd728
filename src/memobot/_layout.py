"""What a source format tells the importer beyond its lines of text (shared by the readers)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["SourceLines"]


@dataclass
class SourceLines:
    """A source as plain lines, one per line of the source where it has lines, with structure."""

    lines: list[str]
    """The plain lines ("" where a line was dropped or a paragraph ends)."""
    levels: dict[int, int] = field(default_factory=dict)
    """0-based line index -> heading level (1 outermost), where the source marks a heading."""
    known_headings: set[str] = field(default_factory=set)
    """Texts of the source's own table of contents: a line reading so is a heading."""
    not_headings: set[int] = field(default_factory=set)
    """0-based indexes of lines that are text whatever they look like (one-cell table rows)."""
    pages: list[int] | None = None
    """1-based page of each line (PDF), or None."""
    title: list[str] | None = None
    """Title and subtitle when the source marks them (a `#` heading, the largest type); None
    when the importer should find them in the first lines."""
    dropped: Counter = field(default_factory=Counter)
    """What was left out, by kind ("table rows", "link lines", "page numbers", …)."""
