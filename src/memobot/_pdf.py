"""A PDF's text as the importer's lines, with pages, paragraph breaks, headings and the title.

pypdf gives the text of each page in content-stream order, which is the reading order for the
PDFs memo tools write (column by column), together with the position and type size of every
piece of text. From those this module makes one line per printed line and adds what plain
extracted text lacks:

- a blank line where a paragraph ends: a vertical gap wider than the page's line pitch, a jump
  to the next column (up the page or far to the side), a change of type size or weight, and
  between pages (the importer joins a sentence that goes on after a blank line);
- heading levels from the type: a short line in type larger than the body's, or bold at body
  size, is a heading; the largest such type is level 1, the next 2, and so on;
- the title and subtitle: the largest type on the first page, and the type after it;
- the page of every line;
- no running headers or footers: a line at the top or bottom of a page that recurs on other
  pages, or that is only a page number, is left out.

What it cannot see: a PDF whose stream order is not the reading order (rare; the curator moves
such text), text in images (scans need OCR first), and tables (their cells come as lines).
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from ._layout import SourceLines
from .errors import MemobotError

__all__ = ["pdf_lines"]

_PAGE_NUMBER = re.compile(r"^(?:side|page|s\.|p\.)?\s*\d{1,4}(?:\s*(?:/|af|of)\s*\d{1,4})?$", re.IGNORECASE)
_HEADING_MAX_WORDS = 14


@dataclass
class _Line:
    """One printed line."""

    x: float
    y: float
    size: float
    bold: bool
    text: str
    page: int


def pdf_lines(data: bytes, name: str) -> SourceLines:
    """The lines of the PDF ``data`` (named ``name`` in errors)."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise MemobotError(f"{name}: not a PDF (a PDF file starts with %PDF-)")
    # pypdf is imported here: only `memobot import` of a PDF needs it.
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise MemobotError(f"{name}: the PDF is encrypted; save an unencrypted copy first")
        pages = [_page_lines(page, number) for number, page in enumerate(reader.pages, 1)]
    except MemobotError:
        raise
    except Exception as exc:  # a damaged or hostile PDF can make pypdf raise anything
        if isinstance(exc, RecursionError | MemoryError):
            exc = type(exc)("nested or large beyond reading")
        raise MemobotError(f"{name}: not a readable PDF ({exc})") from None
    if not any(pages):
        raise MemobotError(f"{name}: the PDF has no text layer (a scan?); run OCR on it first")
    return _assemble(pages)


def _page_lines(page, number: int) -> list[_Line]:
    pieces: list[tuple[float, float, float, bool, str]] = []

    def visit(text, cm, tm, font, size) -> None:
        if not text or not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        base = str((font or {}).get("/BaseFont", "")).lower()
        bold = "bold" in base or "black" in base or "heavy" in base
        for k, part in enumerate(text.split("\n")):
            if part.strip():
                pieces.append((x, y - k * size * scale * 1.2, round(size * scale, 1), bold, part))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    for x, y, size, bold, text in pieces:
        last = lines[-1] if lines else None
        if last is not None and abs(last.y - y) < 0.4 * max(size, 1.0) and x >= last.x:
            # The same printed line, continued in another font or text object.
            gap = "" if last.text.endswith((" ", "-")) or text.startswith(" ") else " "
            last.text += gap + text
            last.bold = last.bold and bold
            last.size = max(last.size, size)
            continue
        lines.append(_Line(x, y, size, bold, text, number))
    for line in lines:
        line.text = " ".join(line.text.split())
    return [line for line in lines if line.text]


def _assemble(pages: list[list[_Line]]) -> SourceLines:
    out = SourceLines(lines=[], pages=[])
    pages = _drop_furniture(pages, out)
    body = _body_size(pages)
    title = _title(pages, body)
    styles = _heading_styles(pages, body)
    levels = {style: rank for rank, style in enumerate(sorted(styles, key=lambda s: (-s[0], not s[1])), 1)}
    for page in pages:
        pitch = _pitch(page)
        previous: _Line | None = None
        for line in page:
            if previous is None or _paragraph_break(previous, line, pitch):
                _append(out, "", line.page)
            style = (line.size, line.bold)
            joins_heading = (
                previous is not None
                and style in levels
                and (previous.size, previous.bold) == style
                and out.lines[-1]
                and len(out.lines) - 1 in out.levels
            )
            if joins_heading:
                out.lines[-1] += " " + line.text  # a heading printed on two lines
            else:
                _append(out, line.text, line.page)
                if style in levels and len(line.text.split()) <= _HEADING_MAX_WORDS:
                    out.levels[len(out.lines) - 1] = levels[style]
            previous = line
    out.title = title
    return out


def _append(out: SourceLines, text: str, page: int) -> None:
    out.lines.append(text)
    assert out.pages is not None
    out.pages.append(page)


def _drop_furniture(pages: list[list[_Line]], out: SourceLines) -> list[list[_Line]]:
    """Pages without running headers, footers and page numbers."""

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    edges = Counter(key(line) for page in pages for line in {id(x): x for x in page[:2] + page[-2:]}.values())
    recurring = {k for k, n in edges.items() if n >= 2 and n >= 0.3 * len(pages)}
    kept = []
    for page in pages:
        edge_ids = {id(x) for x in page[:2] + page[-2:]}
        keep = []
        for line in page:
            if id(line) in edge_ids and (_PAGE_NUMBER.match(line.text) or key(line) in recurring):
                out.dropped["page numbers" if _PAGE_NUMBER.match(line.text) else "running headers"] += 1
                continue
            keep.append(line)
        kept.append(keep)
    return kept


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter = Counter()
    for page in pages:
        for line in page:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _heading_styles(pages: list[list[_Line]], body: float) -> set[tuple[float, bool]]:
    """Type styles of headings: larger than the body (by 10 %), or bold at about body size,
    used only for short lines."""
    styles: Counter = Counter()
    everywhere: Counter = Counter()
    for page in pages:
        for line in page:
            style = (line.size, line.bold)
            everywhere[style] += 1
            short = len(line.text.split()) <= _HEADING_MAX_WORDS
            if short and (line.size > body * 1.1 or (line.bold and line.size >= body * 0.95)):
                styles[style] += 1
    # A style used mostly for long lines is running text (a lead paragraph in bold), not headings.
    return {s for s, n in styles.items() if n >= 0.6 * everywhere[s]}


def _title(pages: list[list[_Line]], body: float) -> list[str] | None:
    """Title and subtitle: the first lines of the first page, when they are its largest type
    (20 % over the body's); their lines are taken out of the page."""
    if not pages or not pages[0]:
        return None
    first = pages[0]
    largest = max(line.size for line in first)
    if largest <= body * 1.2:
        return None
    runs: list[list[_Line]] = []
    for line in first:
        if runs and (runs[-1][-1].size, runs[-1][-1].bold) == (line.size, line.bold):
            runs[-1].append(line)
        else:
            runs.append([line])
    if runs[0][0].size != largest or len(runs[0]) > 4:
        return None
    title = [" ".join(line.text for line in runs[0])]
    taken = list(runs[0])
    if len(runs) > 1 and runs[1][0].size > body * 1.05 and len(runs[1]) <= 4:
        title.append(" ".join(line.text for line in runs[1]))
        taken += runs[1]
    ids = {id(line) for line in taken}
    pages[0] = [line for line in first if id(line) not in ids]
    return title


def _pitch(page: list[_Line]) -> float:
    """The usual distance between two lines of a paragraph on this page."""
    gaps = [
        a.y - b.y
        for a, b in itertools.pairwise(page)
        if a.size == b.size and 0 < a.y - b.y < 3 * a.size and abs(a.x - b.x) < a.size * 4
    ]
    return statistics.median(gaps) if gaps else 0.0


def _paragraph_break(previous: _Line, line: _Line, pitch: float) -> bool:
    if (previous.size, previous.bold) != (line.size, line.bold):
        return True
    dy = previous.y - line.y
    if dy <= 0 or abs(previous.x - line.x) > 10 * line.size:
        return True  # the next column, or back up the page
    expected = pitch or line.size * 1.2
    return dy > expected * 1.3
