"""Markdown (and Markdown scraped from web pages) to the importer's plain lines.

The importer reads plain lines; this module turns a Markdown source into such lines, one for
one (so line numbers still point into the source), and tells it what the Markdown says about
structure:

- ``#`` headings keep their level;
- a line of nothing but links (navigation, a list of PDF versions, a table of contents) is
  dropped; the texts of links to anchors in the same page (``#_Toc…``) are remembered as the
  page's own table of contents, so a plain line with the same text is a heading for certain;
- a table row with two or more cells is dropped (tables do not make passages); a one-cell row
  (a text box or caption) is kept as text of its own, never as a heading;
- horizontal rules become blank lines; ``**Label:** value`` metadata lines are dropped;
- inline markup goes: ``[text](url)`` keeps its text, images go, ``**bold**``, ``_italic_``
  and backslash escapes lose their markers.
"""

from __future__ import annotations

import re

from ._layout import SourceLines

__all__ = ["inline", "markdown_lines"]

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_SEPARATORS = re.compile(r"[\s|>*+·•,;/-]+")
_METADATA = re.compile(r"^\s*\*\*[^*]{1,40}:\*\*\s*\S*(?:\s+\S+){0,10}\s*$")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# An underscore or star pair around a word group, not inside a word (snake_case stays).
_ITALIC = re.compile(r"(?<![\w*])([_*])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STRAY = re.compile(r"(?<=[\w.,;:!?])_(?=[\s,.;:]|$)|(?<=[\s(])_(?=\w)|^_(?=\w)")
_EMPTY_BOLD = re.compile(r"\*{4,}|(?<=[.,;:!?])_{2,}(?=\w)")
_INNER_UNDERSCORES = re.compile(r"(?<=[^\W_])__+(?=[^\W_])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")


def markdown_lines(text: str) -> SourceLines:
    """The plain lines of a Markdown text, one per source line."""
    out = SourceLines(lines=[])
    title = ""
    for index, raw in enumerate(text.split("\n")):
        line = _line(raw, index, out)
        if not title and out.levels.get(index) == 1:
            title = line.strip()
        elif title and _repeats(line, title):
            # A web page repeats its title (as a heading, or glued to the date): once is enough.
            out.levels.pop(index, None)
            out.dropped["repeated titles"] += 1
            line = ""
        out.lines.append(line)
    return out


def _repeats(line: str, title: str) -> bool:
    """Whether ``line`` is the title again, alone or followed by a few words (a date)."""
    line = line.strip()
    return line.startswith(title) and len(line[len(title) :].split()) <= 6


def _line(raw: str, index: int, out: SourceLines) -> str:
    stripped = raw.strip()
    if not stripped or _RULE.match(stripped):
        return ""
    heading = _HEADING.match(raw)
    if heading:
        out.levels[index] = len(heading.group(1))
        return inline(heading.group(2))
    if _navigation(stripped):
        out.dropped["lines of links"] += 1
        for label, target in _LINK.findall(stripped):
            if "#" in target and not target.endswith("#") and inline(label).strip():
                out.known_headings.add(" ".join(inline(label).split()))
        return ""
    if _METADATA.match(stripped):
        out.dropped["metadata lines"] += 1
        return ""
    if stripped.startswith("|"):
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        filled = [c for c in cells if c]
        if len(cells) > 1 or len(filled) > 1:
            out.dropped["table rows"] += 1
            return ""
        if not filled:
            return ""
        out.not_headings.add(index)
        return inline(filled[0])
    return inline(raw)


def _navigation(line: str) -> bool:
    """A line of links with at most two words of other text (breadcrumbs, menus, lists of links)."""
    links = _LINK.findall(line)
    if not links:
        return False
    rest = _SEPARATORS.sub(" ", _LINK.sub(" ", _IMAGE.sub(" ", line))).split()
    return len(rest) <= 2 and not any(re.search(r"[.!?]$", word) for word in rest)


def _word_break(m: re.Match) -> str:
    before = m.string[m.start() - 1 : m.start()]
    after = m.string[m.end() : m.end() + 1]
    if not before or before.isspace() or not after or after.isspace() or after in ".,;:!?)":
        return ""
    return " "


def inline(text: str) -> str:
    """Text without inline Markdown markup (links keep their text)."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    # Scraped pages split bold text into empty pairs ("Under********Honorable",
    # "Discharge****.******Servicemembers"): such a run stood for a word break.
    text = _EMPTY_BOLD.sub(_word_break, text)
    for _ in range(2):
        text = _BOLD.sub(lambda m: m.group(2), text)
    text = _EMPTY_BOLD.sub(_word_break, text.replace("**", ""))
    text = _INNER_UNDERSCORES.sub("", text)
    text = _ITALIC.sub(lambda m: m.group(2), text)
    text = _STRAY.sub("", text)
    return _ESCAPE.sub(lambda m: m.group(1), text)
