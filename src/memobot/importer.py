"""Turn the text extracted from a memo's PDF into a draft knowledge file (`memobot import`).

The draft is a memo file in the documented format (docs/knowledge-format.md). What the
importer repairs, and how:

- **Hyphenation.** A word split at a line end (``Stor-`` / ``magtskonkurrencen``) is joined.
  A hyphen is kept when it is real: before a conjunction (``alliance- og partnerskabspolitik``,
  ``forsvarsattaché- eller``), after an acronym or a number (``EU-``, ``NATO-``, ``1990-``),
  before a capitalised word (``anti-`` / ``NATO``), when the document itself writes the word
  with a hyphen elsewhere and never without, and after a capitalised word in mid-sentence —
  a proper name, which Danish joins to the next word with a hyphen (``Biden-``). A soft hyphen
  (U+00AD) always joins.
- **Bullets** (``•``, ``●``, ``▪``, ``-``, ``*``, ``–``, ``1.``, ``a)``): the glyph is removed and
  the bullet's text collected, even across blank lines inside it. ``-``, ``*``, ``–`` and numbers
  count as bullets only where a list can start (after a blank line, a finished sentence, a colon
  or another bullet of the same kind), so a dash in mid-sentence on a new line stays text.
- **Paragraphs** end at blank lines, unless the text before the blank is unfinished (no final
  punctuation, or a hyphen) and the next line starts in lower case (a page or column break).
- **Headings**: a short line (at most 8 words, 60 characters), capitalised, without final
  punctuation, clearly shorter than the line of text that follows it.
- **Columns out of reading order**: a paragraph that starts in lower case is the end of the
  nearest earlier paragraph that stops mid-sentence; it is put back there (with a note).
- **Recommendations** are pre-filled under a heading that says so (``Anbefalinger``,
  ``Recommendations``): each bullet whole, each paragraph's first sentence; one role per
  sub-heading, the broader recommendation as ``parent``, ``supports`` linking each passage.

Anything a curator must decide is marked ``TODO`` — metadata the text does not give,
``supports`` of passages outside the recommendations, the name of an unnamed section, and
notes on suspected damage. ``memobot validate`` rejects every remaining ``TODO``, so a draft
cannot serve before it is curated.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml

from ._layout import SourceLines
from ._markdown import markdown_lines
from ._pdf import pdf_lines
from .errors import MemobotError
from .loader import TODO_MARKER

__all__ = [
    "Block",
    "Draft",
    "DraftPassage",
    "DraftRecommendation",
    "draft_memo",
    "import_memo",
    "parse_blocks",
    "render_yaml",
]

TODO = TODO_MARKER
_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")  # used with fullmatch: "evil\n" is no id

# Characters PDF extraction leaves that are not text.
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_SOFT_HYPHEN = "\u00ad"
_NOT_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_HYPHENS = "-\u2010"

_GLYPH_BULLET = re.compile(r"^[•●▪◦‣∙·■□➢►▸○](?:\s+|$)(.*)$")
_DASH_BULLET = re.compile(r"^([-*–—])\s+(\S.*)$")
_NUMBER_BULLET = re.compile(r"^(\d{1,2}[.)]|[a-z]\))\s+(\S.*)$")
_TERMINAL = re.compile(r"[.!?:;…][\"”’»)\]']*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)\]']*$")
# "a. …", "b) …": a note or list item under a table, which starts in lower case by design.
_LETTER_LABEL = re.compile(r"^[a-z][.)]\s")
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "til", "and", "or", "nor", "to", "&"})
_ABBREVIATIONS = frozenset(
    {
        "evt", "f.eks", "fx", "bl.a", "dvs", "ca", "nr", "mv", "m.v", "jf", "pga", "mht", "inkl", "ift",
        "e.g", "i.e", "etc", "vs", "mr", "mrs", "dr", "no", "cf", "approx", "st", "prof",
    }
)  # fmt: skip
# "E.O", "U.S", "i.e": letters between periods, an abbreviation rather than a sentence end.
_INITIALS = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)

_DA_WORDS = frozenset("og at det er en til af for på med som der ikke de den har kan vil".split())
_EN_WORDS = frozenset("the and of to is in that for with as on are by it be this can will".split())
_LANGUAGE_WORDS = {
    "da": {"intro": "Indledning", "central": "Central anbefaling", "text": "Tekst"},
    "en": {"intro": "Introduction", "central": "Central recommendation", "text": "Text"},
}
# A line ending in one of these stops mid-sentence: it is no heading or title.
_FUNCTION_WORDS = frozenset(
    """og eller samt men i på af til for med om der som at en et den det de fra ved under over mellem
    mod hvis når end the a an of to in on for with and or by from at as that which is are""".split()
)
# A passage of fewer words is joined by the next paragraph of its section, unless the two
# together would pass the upper bound (measured on the dev corpus: docs/curating.md).
_MERGE_BELOW_WORDS = 40
_MERGE_MAX_WORDS = 150
# A paragraph of more words is cut at sentence ends into passages of about equal size, none
# over the bound unless one sentence is: a 600-word paragraph of a report is a wall of text to
# quote in Slack, and BM25's length normalisation buries the one sentence that answers.
_SPLIT_ABOVE_WORDS = 150
_HEADINGS_FILE = Path(__file__).with_name("data") / "import-headings.yaml"


def _load_headings() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(_HEADINGS_FILE.read_text(encoding="utf-8"))
    return {key: frozenset(str(name).lower() for name in names) for key, names in data.items()}


_HEADINGS = _load_headings()
_CAPTION = re.compile(
    rf"^(?:{'|'.join(sorted(map(re.escape, _HEADINGS['captions'])))})\.?\s+[A-Z]?-?\d+[.:]?(?:\s|$)",
    re.IGNORECASE,
)


def _heading_name(text: str) -> str:
    """A heading as looked up in the headings file: lower case, no numbering or final colon."""
    text = re.sub(r"^(?:\d{1,2}(?:\.\d{1,2})*|[ivxlc]{1,6}|[a-z])[.)]?\s+", "", text.strip(), flags=re.I)
    return " ".join(text.rstrip(" :").lower().split())


def _names_recommendations(name: str) -> bool:
    """Whether a heading (as ``_heading_name`` gives it) starts with a recommendations name."""
    return any(name == start or name.startswith(start + " ") for start in _HEADINGS["recommendations"])


def _mergeable(previous: str, following: str) -> bool:
    words = len(previous.split())
    return words < _MERGE_BELOW_WORDS and words + len(following.split()) <= _MERGE_MAX_WORDS


_HEADING_MAX_WORDS = 12
_HEADING_MAX_CHARS = 90
_HEADING_RATIO = 0.6


@dataclass(frozen=True)
class Block:
    """One unit of the source text after repair."""

    kind: str
    """"paragraph", "bullet" or "heading"."""
    text: str
    """The repaired text, on one line."""
    line: int
    """1-based line of the source where it starts."""
    notes: tuple[str, ...] = ()
    """What the importer suspects or did, for the curator."""
    level: int = 0
    """A heading's level (1 outermost) when the source says it (Markdown, numbering); 0 when not."""
    page: int | None = None
    """1-based page where it starts (PDF), or None."""
    boxed: bool = False
    """Text of a table cell or text box (no sentence to finish, not merged with running text)."""
    inferred: bool = False
    """A heading whose level was inferred from the other headings, not stated by the source."""


@dataclass(frozen=True)
class DraftRecommendation:
    """A recommendation the importer pre-filled."""

    id: str
    """Its id."""
    role: str
    """Id of its role."""
    parent: str | None
    """Id of the broader recommendation, or None."""
    text: str
    """The memo's words (a passage's text or its first sentence)."""


@dataclass(frozen=True)
class DraftPassage:
    """A passage of the draft."""

    id: str
    """Its id."""
    section: tuple[str, ...]
    """Heading path."""
    kind: str
    """"paragraph" or "bullet"."""
    text: str
    """The repaired text."""
    supports: tuple[str, ...] | None
    """Recommendation ids; ("TODO",) when the curator must choose; None when none are needed."""
    note: str = ""
    """Importer's note for the curator ("TODO: …" when something must be checked)."""
    line: int = 0
    """Line of the source text it came from."""
    page: int | None = None
    """1-based page of the source where it starts (PDF), or None."""


@dataclass(frozen=True)
class Draft:
    """A draft memo file, ready to render."""

    meta: dict[str, object]
    """The `memo:` mapping (TODO strings where unknown)."""
    roles: tuple[tuple[str, str], ...]
    """(id, name) of each role."""
    recommendations: tuple[DraftRecommendation, ...]
    """Pre-filled recommendations."""
    passages: tuple[DraftPassage, ...]
    """Every paragraph and bullet, in reading order."""
    source: str = ""
    """The source file name, for the header comment."""
    repairs: tuple[str, ...] = ()
    """What the importer repaired, one line each, for the header comment."""


# -- text ------------------------------------------------------------------------------------


def _normalise(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    # Control characters are not text, and YAML refuses them (and U+FFFE, U+FFFF).
    text = _NOT_TEXT.sub("", text)
    return [line.rstrip() for line in text.split("\n")]


@dataclass
class _Vocabulary:
    """How the document itself writes words, to decide hyphenation at line ends."""

    closed: Counter = field(default_factory=Counter)
    """Words written without a hyphen, lower case."""
    hyphenated: Counter = field(default_factory=Counter)
    """Hyphenated compounds, lower case."""
    heads: Counter = field(default_factory=Counter)
    """First parts of hyphenated compounds ("biden" from "Biden-administrationen")."""

    @classmethod
    def of(cls, lines: list[str]) -> _Vocabulary:
        vocab = cls()
        for line in lines:
            tokens = line.split()
            # A line's first token may be the tail of a split word, its last the head of one.
            for token in tokens[1:-1]:
                word = token.strip(".,;:!?()[]\"“”‘’'«»").lower()
                if not word:
                    continue
                if "-" in word.strip("-"):
                    vocab.hyphenated[word] += 1
                    vocab.heads[word.split("-")[0]] += 1
                elif word.isalpha():
                    vocab.closed[word] += 1
        return vocab


def _join_lines(lines: list[str], vocab: _Vocabulary) -> str:
    """Fold a block's lines into one line, repairing hyphenation at each line end.

    A join looks only at the end of the text so far, so the text is kept as finished chunks
    and a tail of about ``_JOIN_WINDOW`` characters: a block of 10⁵ lines stays linear.
    """
    done: list[str] = []
    text = lines[0].strip()
    for nxt in lines[1:]:
        text = _join_pair(text, nxt.strip(), vocab)
        if len(text) > 2 * _JOIN_WINDOW:
            cut = text.find(" ", len(text) - _JOIN_WINDOW)
            if cut > 0:
                done.append(text[:cut])
                text = text[cut:]
    return " ".join("".join([*done, text]).split())


_JOIN_WINDOW = 200


def _join_pair(left: str, right: str, vocab: _Vocabulary) -> str:
    if left.endswith(_SOFT_HYPHEN):
        return left[:-1] + right
    # A line of nothing but soft hyphens and spaces is empty once they go.
    left = left.replace(_SOFT_HYPHEN, "").rstrip()
    right = right.replace(_SOFT_HYPHEN, "").strip()
    if not left or left[-1] not in _HYPHENS or not right:
        return f"{left} {right}"
    token = left.split()[-1][:-1]  # the word before the line-end hyphen, hyphen removed
    head = re.sub(r"^\W+", "", token.split("-")[-1] if "-" in token else token)
    if not head or not head[-1].isalnum():
        return f"{left} {right}"  # a dash standing alone, not a split word
    first = right.split()[0]
    tail = first.strip(".,;:!?()[]\"“”‘’'«»")
    if tail.lower() in _CONJUNCTIONS:
        return f"{left} {right}"  # "alliance- og partnerskabspolitik"
    if _keeps_hyphen(left, token, head, tail, vocab):
        return left + right
    return left[:-1] + right


def _keeps_hyphen(left: str, token: str, head: str, tail: str, vocab: _Vocabulary) -> bool:
    """Whether the hyphen ending ``left`` is part of the word (True) or only a line break."""
    if (len(head) >= 2 and head.isupper()) or head[-1].isdigit():
        return True  # EU-, NATO-, 1990-
    if tail[:1].isupper():
        return True  # anti-NATO, EU-Kommissionen
    closed = (head + tail).lower()
    hyphenated = f"{head}-{tail}".lower()
    if vocab.closed[closed]:
        return False
    if vocab.hyphenated[hyphenated]:
        return True
    if head[0].isupper() and not _sentence_initial(left, token):
        # A capitalised word in mid-sentence is a name, joined by a hyphen (Biden-administrationen)
        # — unless it is only a piece of a name split by hyphenation (Zea- / land): believe
        # it is a whole name when the document uses it so elsewhere, or it is not a short piece.
        known = vocab.closed[head.lower()] or vocab.heads[head.lower()]
        return bool(known) or len(head) >= 4
    return False


def _sentence_initial(left: str, token: str) -> bool:
    before = left[: len(left) - len(token) - 1].rstrip()
    return not before or bool(_SENTENCE_END.search(before))


# -- blocks ----------------------------------------------------------------------------------


@dataclass
class _Open:
    """A block being collected."""

    kind: str
    marker: str
    lines: list[str]
    line: int
    blank_after: bool = False


def _bullet(stripped: str) -> tuple[str, str] | None:
    """(marker kind, text) when the line starts with a bullet marker."""
    m = _GLYPH_BULLET.match(stripped)
    if m:
        return "glyph", m.group(1).strip()
    m = _DASH_BULLET.match(stripped)
    if m:
        return m.group(1), m.group(2)
    m = _NUMBER_BULLET.match(stripped)
    if m:
        return "number", m.group(2)
    return None


def _looks_like_heading(stripped: str, following: str | None) -> bool:
    """A short capitalised line, unfinished-looking, clearly shorter than the capitalised text after it."""
    if following is None or _bullet(following.strip()) is not None:
        return False
    following = following.strip()
    words = stripped.split()
    if not 1 <= len(words) <= _HEADING_MAX_WORDS or len(stripped) > _HEADING_MAX_CHARS:
        return False
    # "2.1 Costs": the numbering is no part of the title
    title = re.sub(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\S)", "", stripped)
    if not title or not _title_like(title) or not following[:1].isupper():
        return False
    return len(stripped) <= _HEADING_RATIO * len(following)


def _title_like(line: str) -> bool:
    """Capitalised, without final punctuation or hyphen (inside closing quotes too), not quoted,
    not ending in a word that needs more."""
    if not line[0].isupper() or re.search(r"[.,;:!?…\-–—‐­][\"”’»)\]]*$", line):
        return False
    return line.split()[-1].lower() not in _FUNCTION_WORDS


def _title_block(lines: list[str]) -> tuple[list[str], int]:
    """The title lines at the top (before the first blank line), and where the body starts."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    block = [line.strip() for line in lines[start:end]]
    if not 1 <= len(block) <= 3 or end >= len(lines):
        return [], start
    if any(len(line) > 120 or not _title_like(line) or _bullet(line) for line in block):
        return [], start
    after = next((line.strip() for line in lines[end:] if line.strip()), "")
    if after[:1].islower():
        return [], start  # a sentence going on after a page break, not a title
    return block, end


def parse_blocks(text: str | SourceLines, *, markdown: bool = False) -> tuple[list[str], list[Block]]:
    """Split extracted text into (title lines, blocks), repairing PDF damage as the module says.

    With ``markdown``, the text is Markdown (see ``_markdown``): its ``#`` headings keep their
    level, the first one is the title, and what its markup marks as no text is left out.
    ``text`` may also be the lines a reader made (``SourceLines``, from a PDF), with what the
    layout said about headings, pages and the title.
    """
    if isinstance(text, SourceLines):
        hints = text
        # One line stays one line (pages and levels are by line index).
        lines = [" ".join(_normalise(line)).rstrip() for line in hints.lines]
    else:
        lines = _normalise(text)
        hints = markdown_lines("\n".join(lines)) if markdown else SourceLines(lines=lines)
        lines = [line.rstrip() for line in hints.lines]
    pages = hints.pages
    vocab = _Vocabulary.of(lines)
    # next_text[i]: index of the first non-blank line after line i (len(lines) when none),
    # found once: looking ahead from every line made a long text quadratic.
    next_text = [len(lines)] * len(lines)
    upcoming = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        next_text[i] = upcoming
        if lines[i].strip():
            upcoming = i
    if hints.title is not None:
        title, start = hints.title, 0
    elif markdown:
        first = min((i for i, level in hints.levels.items() if level == 1), default=None)
        title = [lines[first].strip()] if first is not None else []
        start = first + 1 if first is not None else 0
    else:
        title, start = _title_block(lines)
    blocks: list[Block] = []
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None and current.lines:
            # A soft hyphen left inside a word is invisible; a block of nothing else is no text.
            joined = " ".join(_join_lines(current.lines, vocab).replace(_SOFT_HYPHEN, "").split())
            if joined:
                page = pages[current.line - 1] if pages else None
                kind = "paragraph" if current.kind == "cell" else current.kind
                boxed = current.kind in ("cell", "boxtitle")
                blocks.append(Block(kind, joined, current.line, page=page, boxed=boxed))
        current = None

    for number in range(start, len(lines)):
        stripped = lines[number].strip()
        if not stripped:
            if current is not None:
                current.blank_after = True
            continue
        last = current.lines[-1] if current is not None and current.lines else ""
        bullet = _bullet(stripped)
        if bullet is not None and not _bullet_allowed(bullet[0], current, last):
            bullet = None
        if bullet is not None and bullet[0] == "number" and not (current and current.marker == "number"):
            # "3. Konklusion" over a paragraph is a numbered heading, not the first item of a list.
            following = lines[next_text[number]] if next_text[number] < len(lines) else None
            if re.match(r"^\d", stripped) and _looks_like_heading(stripped, following):
                close()
                heading = " ".join(stripped.split())
                blocks.append(Block("heading", heading, number + 1, level=_numbered_level(heading)))
                continue
        if bullet is not None:
            close()
            marker, body = bullet
            current = _Open("bullet", marker, [body] if body else [], number + 1)
            continue
        if current is not None and not current.lines:
            current.lines.append(stripped)  # a glyph alone on its line: the text follows
            current.blank_after = False
            continue
        if number in hints.levels:
            close()
            blocks.append(Block("heading", stripped, number + 1, level=hints.levels[number]))
            continue
        following = lines[next_text[number]] if next_text[number] < len(lines) else None
        mid_word = bool(last) and last[-1] in _HYPHENS + _SOFT_HYPHEN
        if number in hints.not_headings:
            close()
            # A text box's title or a caption is a title of its own; other cells are text.
            kind = "boxtitle" if _title_like(stripped) and len(stripped.split()) <= 12 else "cell"
            current = _Open(kind, "", [stripped], number + 1, blank_after=True)
            continue
        if (current is None or current.blank_after) and _CAPTION.match(stripped) and _title_like(stripped):
            close()
            current = _Open("boxtitle", "", [stripped], number + 1, blank_after=True)
            continue
        # In Markdown, lines without a blank between them are one paragraph: a heading
        # stands after a blank line.
        after_blank = not markdown or current is None or current.blank_after
        if (
            not mid_word
            and after_blank
            and not _CAPTION.match(stripped)
            and (
                (" ".join(stripped.split()) in hints.known_headings and following is not None)
                or _looks_like_heading(stripped, following)
            )
        ):
            close()
            heading = " ".join(stripped.split())
            # The source's own table of contents lists its top-level headings.
            level = _numbered_level(heading) or (1 if heading in hints.known_headings else 0)
            blocks.append(Block("heading", heading, number + 1, level=level))
            continue
        if current is not None and (not current.blank_after or _continues(last, stripped)):
            current.lines.append(stripped)
            current.blank_after = False
            continue
        close()
        current = _Open("paragraph", "", [stripped], number + 1)
    close()
    blocks = _infer_levels(blocks, bool(hints.known_headings))
    return title, _mark_unfinished(_rejoin_fragments(blocks))


def _infer_levels(blocks: list[Block], has_contents: bool) -> list[Block]:
    """Levels for headings the source gave none, from what the other headings say.

    With a table of contents, its entries are level 1 and a heading it does not list is a
    sub-heading (level 2). Without one, when some headings are in capitals and others not,
    the capitals are level 1 and the rest level 2. Otherwise the levels stay unknown (flat).
    """
    unknown = [b for b in blocks if b.kind == "heading" and not b.level]
    if not unknown:
        return blocks
    if has_contents:
        if not any(b.kind == "heading" and b.level == 1 for b in blocks):
            return blocks
        level_of = {id(b): 2 for b in unknown}
    else:
        caps = [b.text.isupper() for b in unknown]
        if all(caps) or not any(caps):
            return blocks
        level_of = {id(b): 1 if b.text.isupper() else 2 for b in unknown}
    return [replace(b, level=level_of[id(b)], inferred=True) if id(b) in level_of else b for b in blocks]


def _numbered_level(heading: str) -> int:
    """The level a numbered heading states ("2.1 Costs" is 2), else 0 (not known)."""
    m = re.match(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S", heading)
    return m.group(1).count(".") + 1 if m else 0


def _bullet_allowed(marker: str, current: _Open | None, last: str) -> bool:
    if marker == "glyph" or current is None or current.blank_after:
        return True
    if current.kind == "bullet" and current.marker == marker:
        return True
    return bool(_TERMINAL.search(last))


def _continues(last: str, line: str) -> bool:
    """Whether ``line``, after a blank line, goes on with the unfinished text ending in ``last``."""
    if last and last[-1] in _HYPHENS + _SOFT_HYPHEN:
        return True
    return not _TERMINAL.search(last) and line[:1].islower()


def _rejoin_fragments(blocks: list[Block]) -> list[Block]:
    """Put paragraphs that start in lower case back after the paragraph they finish."""
    out: list[Block] = []
    last = -1  # index in ``out`` of the last heading or paragraph (bullets are skipped over)
    for block in blocks:
        if block.kind == "paragraph" and block.text[:1].islower() and not _LETTER_LABEL.match(block.text):
            target = last if last >= 0 and _unfinished(out[last]) else None
            if target is not None:
                host = out[target]
                note = (
                    f"{TODO}: check — the text from “{_clip(block.text)}” was found on line "
                    f"{block.line}, out of reading order, and joined to this paragraph"
                )
                out[target] = replace(host, text=f"{host.text} {block.text}", notes=(*host.notes, note))
                continue
            block = replace(
                block, notes=(f"{TODO}: check — starts in lower case: its beginning is missing or elsewhere",)
            )
        out.append(block)
        if block.kind != "bullet":
            last = len(out) - 1
    return out


_UNFINISHED_NOTE = (
    f"{TODO}: check — ends without final punctuation: cut off in the extraction, or continued elsewhere"
)


def _mark_unfinished(blocks: list[Block]) -> list[Block]:
    """Note paragraphs that stop mid-sentence (cut off, or continued in another column)."""
    out = []
    for i, b in enumerate(blocks):
        # A lead-in ends in the list after it ("… the ISA may" / "• face penalties"); a table
        # cell has no sentence to finish.
        before_list = i + 1 < len(blocks) and blocks[i + 1].kind == "bullet"
        if b.kind == "paragraph" and not b.boxed and not before_list and not _TERMINAL.search(b.text):
            b = replace(b, notes=(*b.notes, _UNFINISHED_NOTE))
        out.append(b)
    return out


def _unfinished(block: Block) -> bool:
    """A paragraph that stops mid-sentence (a heading never takes a fragment)."""
    return block.kind == "paragraph" and not _TERMINAL.search(block.text)


def _clip(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def sentences(text: str) -> list[str]:
    """The text's sentences, in order (abbreviations such as "evt." end none, nor does a full
    stop before a number); joined with single spaces they give the text back."""
    out = []
    rest = text.strip()
    while rest:
        head = first_sentence(rest)
        piece = head.strip()
        if out and piece[:1].isdigit():
            # "Marine Policy, vol. 138 (2022)": a full stop before a number seldom ends a
            # sentence in a citation, and a cut there would split the citation.
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
        rest = rest[len(head) :].strip()
    return out


def split_long(text: str, limit: int = _SPLIT_ABOVE_WORDS) -> list[str]:
    """A paragraph of more than ``limit`` words, cut at sentence ends into parts of at most
    ``limit`` words each (a longer sentence stays whole), about equal in size: a part closes
    once it reaches the total divided by the fewest parts possible. A shorter paragraph is
    returned as it is."""
    total = len(text.split())
    if total <= limit:
        return [text]
    parts: list[list[str]] = []
    size = 0
    target = total / math.ceil(total / limit)
    for sentence in sentences(text):
        n = len(sentence.split())
        if parts and size + n <= limit and size < target:
            parts[-1].append(sentence)
            size += n
        else:
            parts.append([sentence])
            size = n
    return [" ".join(p) for p in parts]


def first_sentence(text: str) -> str:
    """The text up to its first sentence end (abbreviations such as "evt." do not end one)."""
    for m in re.finditer(r"[.!?…][\"”’»)\]]*(?=\s+[\"“‘«(]?[A-ZÆØÅ0-9])", text):
        word = text[: m.start()].split()[-1].lower() if text[: m.start()].split() else ""
        word = word.lstrip('("“‘«')
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _INITIALS.fullmatch(word):
            continue
        return text[: m.end()]
    return text


# -- structure -------------------------------------------------------------------------------


def _slug(text: str, limit: int = 30) -> str:
    text = text.lower()
    for letter, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ß", "ss")):
        text = text.replace(letter, ascii_)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:limit].rstrip("-") or "x"


def _language(text: str) -> str:
    words = Counter(w.lower() for w in _WORD.findall(text))
    danish = sum(words[w] for w in _DA_WORDS)
    english = sum(words[w] for w in _EN_WORDS)
    return "en" if english > danish else "da"


@dataclass
class _Builder:
    """Assigns sections, ids, recommendations and links while walking the blocks."""

    prefix: str
    language: str
    passages: list[DraftPassage] = field(default_factory=list)
    recs: list[DraftRecommendation] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    section: tuple[str, ...] = ()
    in_recs: bool = False
    unnamed: int = 0
    counts: Counter = field(default_factory=Counter)
    section_first_rec: dict[tuple[str, ...], str] = field(default_factory=dict)
    last_paragraph_rec: str | None = None
    rec_counts: Counter = field(default_factory=Counter)
    has_headings: bool = True
    dropping: int = 0
    """Level of the dropped section being skipped (footnotes, …); 0 when none."""
    dropped: int = 0
    """How many blocks were left out with their section."""
    recs_level: int = 0
    """Level of the recommendations heading, when the source gives levels."""
    last_boxed: bool = False
    """Whether the last block was a table cell or text box."""
    depths: list[int] = field(default_factory=list)
    """The level of each heading of ``section``."""

    def heading(self, text: str, level: int = 0, inferred: bool = False) -> None:
        name = _heading_name(text)
        # Only a level the source states can keep a heading inside a dropped section.
        if self.dropping and (not level or inferred or level <= self.dropping):
            self.dropping = 0
        if name in _HEADINGS["dropped"]:
            self.dropping = level or 1
            self._nest("", self.dropping)  # what follows is no longer under the previous heading
            return
        if self.dropping:
            return
        if self.in_recs and level and self.recs_level and level <= self.recs_level:
            self.in_recs = False  # a heading as high as the recommendations' one ends them
        if not self.in_recs and _names_recommendations(name):
            self.in_recs = True
            self._nest(text, level or 1)
            self.recs_level = level
        elif name in _HEADINGS["back_matter"]:
            self.in_recs = False
            self._nest(text, level or 1)
        elif level:
            self._nest(text, level)
        elif self.in_recs and self.depths:
            self._nest(text, self.depths[0] + 1)  # a role under the recommendations heading
        else:
            self._nest(text, 1)
        self.last_paragraph_rec = None

    def _nest(self, text: str, level: int) -> None:
        """The section path after a heading of ``level``: the headings above it stay (an
        empty ``text`` only closes the sections at that level and below)."""
        keep = sum(1 for depth in self.depths if depth < level)
        self.section = (*self.section[:keep], *([text] if text else []))
        self.depths = [*self.depths[:keep], *([level] if text else [])]

    def block(self, block: Block) -> None:
        if self.dropping:
            self.dropped += 1
            return
        if block.kind == "paragraph" and not self.in_recs and not block.boxed:
            parts = split_long(block.text)
            if len(parts) > 1:
                # The curator's notes stay with the first part; "stops mid-sentence" with the last.
                early = tuple(n for n in block.notes if n != _UNFINISHED_NOTE)
                late = tuple(n for n in block.notes if n == _UNFINISHED_NOTE)
                for i, part in enumerate(parts):
                    notes = (early if i == 0 else ()) + (late if i == len(parts) - 1 else ())
                    self.block(replace(block, text=part, notes=notes))
                return
        section = self.section
        if not section:
            if block.kind == "paragraph":
                words = _LANGUAGE_WORDS[self.language]
                section = (words["intro"] if self.has_headings else words["text"],)
            else:
                # Bullets before the first heading (key points, usually) get a section to name;
                # each run of them its own.
                previous = self.passages[-1] if self.passages else None
                if previous is None or previous.kind != "bullet" or TODO not in previous.section[0]:
                    self.unnamed += 1
                section = (f"{TODO}: name this section (part {self.unnamed}; key points?)",)
        previous = self.passages[-1] if self.passages else None
        boxed, self.last_boxed = self.last_boxed, block.boxed
        if (
            not self.in_recs
            and block.kind == "paragraph"
            and previous is not None
            and previous.kind == "paragraph"
            and previous.section == section
            and boxed == block.boxed
            and _mergeable(previous.text, block.text)
        ):
            # Very short paragraphs (a speech's one-sentence lines) make passages too small
            # to rank and to quote: they are joined to a passage of a sensible size.
            # The passage goes on, so its earlier part no longer "ends" unfinished.
            kept = [n for n in previous.note.split("; ") if n and n != _UNFINISHED_NOTE]
            notes = (*kept, *block.notes)
            note = "; ".join(dict.fromkeys(n for n in notes if n))
            self.passages[-1] = replace(previous, text=f"{previous.text} {block.text}", note=note)
            return
        key = f"part{self.unnamed}" if TODO in section[-1] else _slug(section[-1])
        self.counts[key] += 1
        pid = f"{self.prefix}-{key}-{self.counts[key]}"
        supports = self._recommend(block, section, key) if self.in_recs else None
        note = "; ".join(block.notes)
        kind = "heading" if block.kind == "boxtitle" else block.kind
        self.passages.append(
            DraftPassage(pid, section, kind, block.text, supports, note, block.line, block.page)
        )

    def _recommend(self, block: Block, section: tuple[str, ...], key: str) -> tuple[str, ...]:
        central = self.recs[0].id if self.recs else None
        if block.kind == "bullet":
            text, parent = (
                block.text,
                self.last_paragraph_rec or self.section_first_rec.get(section) or central,
            )
        else:
            text = first_sentence(block.text)
            parent = self.section_first_rec.get(section) or central
        if not _SENTENCE_END.search(text) or block.notes:
            # A list's lead-in ("…fra dansk side:") or damaged text is no recommendation.
            return tuple(r for r in (parent,) if r) or (TODO,)
        role = self._role(section)
        stem = f"{self.prefix}-rec-{key}-"
        self.rec_counts[stem] += 1
        rid = f"{stem}{self.rec_counts[stem]}"
        self.recs.append(DraftRecommendation(rid, role, parent, text))
        self.section_first_rec.setdefault(section, rid)
        if block.kind == "paragraph":
            self.last_paragraph_rec = rid
        return tuple(dict.fromkeys(r for r in (rid, parent) if r))

    def _role(self, section: tuple[str, ...]) -> str:
        if len(section) == 1:
            role_id, name = "central", _LANGUAGE_WORDS[self.language]["central"]
        else:
            role_id, name = _slug(section[-1]), section[-1]
        self.roles.setdefault(role_id, name)
        return role_id


def draft_memo(
    text: str | SourceLines,
    memo_id: str,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    series: str | None = None,
    publisher: str | None = None,
    year: int | None = None,
    source_url: str | None = None,
    language: str | None = None,
    prefix: str | None = None,
    source: str = "",
    markdown: bool = False,
) -> Draft:
    """Build the draft of a memo from its extracted text."""
    if not _ID_RE.fullmatch(memo_id):
        raise MemobotError(f"--id {memo_id!r} must be a lower-case slug ([a-z0-9][a-z0-9._-]*)")
    prefix = prefix or memo_id
    if not _ID_RE.fullmatch(prefix):
        raise MemobotError(f"--prefix {prefix!r} must be a lower-case slug ([a-z0-9][a-z0-9._-]*)")
    for option, value in (
        ("title", title),
        ("subtitle", subtitle),
        ("series", series),
        ("publisher", publisher),
        ("source-url", source_url),
    ):
        _check_option(option, value)
    if source_url and not re.fullmatch(r"https?://\S+", source_url):
        raise MemobotError(f"--source-url {source_url!r} must be an http(s) URL")
    if markdown and isinstance(text, str):
        text = markdown_lines("\n".join(_normalise(text)))  # keeps what it left out, for the header
    title_lines, blocks = parse_blocks(text, markdown=markdown)
    if not any(b.kind != "heading" for b in blocks):
        raise MemobotError(f"{source or 'the source'}: no text to import")
    language = language or _language(text if isinstance(text, str) else "\n".join(text.lines))
    builder = _Builder(prefix, language if language in _LANGUAGE_WORDS else "da")
    builder.has_headings = any(b.kind == "heading" for b in blocks)
    for block in blocks:
        if block.kind == "heading":
            builder.heading(block.text, block.level, block.inferred)
        else:
            builder.block(block)
    passages = builder.passages
    if not passages:
        raise MemobotError(f"{source or 'the source'}: no text to import (only dropped sections)")
    # Passages outside the recommendations need no `supports`: the loader gives them the
    # recommendations of their section, else the memo's top-level ones.
    meta: dict[str, object] = {
        "id": memo_id,
        "title": title or (title_lines[0] if title_lines else f"{TODO}: the memo's title"),
    }
    sub = subtitle or " ".join(title_lines[1:])
    if sub:
        meta["subtitle"] = sub
    if series:
        meta["series"] = series
    meta["publisher"] = publisher or f"{TODO}: who published the memo"
    meta["year"] = year if year is not None else f"{TODO}: year of publication"
    meta["language"] = language
    meta["source_url"] = source_url or f"{TODO}: https://… where a reader finds the original"
    passages, unflagged = _cap_todos(meta, passages)
    joined = sum(1 for p in passages if "out of reading order" in p.note)
    repairs = [
        "line-end hyphenation joined (real hyphens kept), bullet glyphs removed, line breaks folded",
        f"{sum(b.kind == 'heading' for b in blocks)} headings detected",
    ]
    if joined:
        repairs.append(f"{joined} paragraph(s) completed with text found out of reading order")
    if builder.dropped:
        repairs.append(f"{builder.dropped} block(s) of dropped sections (notes, contents) left out")
    if isinstance(text, SourceLines):
        repairs += [f"{count} {what} left out" for what, count in sorted(text.dropped.items())]
    if unflagged:
        repairs.append(
            f"{unflagged} more suspected spot(s) noted as “check —” without {TODO} (at most "
            f"{_MAX_TODOS} {TODO}s per draft)"
        )
    return Draft(
        meta=meta,
        roles=tuple(builder.roles.items()),
        recommendations=tuple(builder.recs),
        passages=tuple(passages),
        source=source,
        repairs=tuple(repairs),
    )


_MAX_TODOS = 15


def _cap_todos(meta: dict[str, object], passages: list[DraftPassage]) -> tuple[list[DraftPassage], int]:
    """At most ``_MAX_TODOS`` values hold a TODO: metadata and section names first, then the
    damage notes in reading order; later notes say "check —" and do not block validation."""
    budget = _MAX_TODOS - sum(TODO in str(v) for v in meta.values())
    budget -= sum(TODO in " ".join(p.section) or TODO in (p.supports or ()) for p in passages)
    out, unflagged = [], 0
    for p in passages:
        if TODO in p.note:
            if budget > 0:
                budget -= 1
            else:
                p = replace(p, note=p.note.replace(f"{TODO}: check", "check"))
                unflagged += 1
        out.append(p)
    return out, unflagged


def _check_option(option: str, value: str | None) -> None:
    """Refuse a metadata option YAML cannot hold or that would read differently (a control character)."""
    if value is None:
        return
    if not value.strip():
        raise MemobotError(f"--{option} must not be empty")
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise MemobotError(f"--{option} {value!r} holds the control character U+{ord(bad):04X}: remove it")


def _printable(text: str) -> str:
    """Text safe for a one-line comment: every unprintable character shown as an escape."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


# -- YAML ------------------------------------------------------------------------------------

_YAML_WORDS = frozenset("y n yes no true false on off null".split())
_PLAIN = re.compile(r"[^\W\d_][\w .’'()/&–-]*", re.UNICODE)


def _scalar(value: object) -> str:
    """A YAML scalar for one line: plain when it reads back unchanged, else double-quoted."""
    if isinstance(value, int):
        return str(value)
    return _text_scalar(str(value))


@functools.lru_cache(maxsize=4096)
def _text_scalar(text: str) -> str:
    # _PLAIN admits no character YAML gives a meaning to (no ":", "#", ",", brackets, quotes,
    # no leading digit, dash or dot), so such a text reads back as itself unless it is one of
    # the words YAML 1.1 reads as true/false/null (the round trip is a property test).
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _YAML_WORDS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block_text(text: str, indent: str) -> str:
    return f">-\n{indent}  {text}"


def render_yaml(draft: Draft) -> str:
    """The draft as a memo file, with comments telling the curator what to do."""
    # A text or Markdown source has no columns or page furniture to compare against.
    original = "the PDF" if draft.source.lower().endswith(".pdf") else "the source"
    out = [
        f"# DRAFT made by `memobot import` from {_printable(draft.source) or 'extracted text'} "
        f"on {date.today().isoformat()}.",
        "# Repairs made: " + "; ".join(draft.repairs) + ".",
        f"# Curate before use: resolve every {TODO} (`memobot validate` refuses the file while one is",
        f"# left), compare each passage with {original} (columns, tables, footnotes), check headings and",
        "# sections, and keep only real recommendations (verbatim, each with its role and parent).",
        "",
        "memo:",
    ]
    for key, value in draft.meta.items():
        out.append(f"  {key}: {_scalar(value)}")
    out += ["", "roles:"]
    if draft.roles:
        out += [f"  - id: {_scalar(rid)}\n    name: {_scalar(name)}" for rid, name in draft.roles]
    else:
        # A memo file names at least one role; with no recommendations yet, this one is unused.
        language = str(draft.meta.get("language"))
        name = _LANGUAGE_WORDS.get(language, _LANGUAGE_WORDS["da"])["central"]
        out += ["  - id: central", f"    name: {_scalar(name)}"]
    if draft.recommendations:
        out += ["", "recommendations:"]
        for rec in draft.recommendations:
            out += [
                f"  - id: {rec.id}",
                f"    role: {_scalar(rec.role)}",
                f"    parent: {rec.parent or 'null'}",
                f"    text: {_block_text(rec.text, '    ')}",
            ]
    else:
        out += [
            "",
            "# No recommendations were found (no heading such as “Anbefalinger”, “Recommendations”,",
            "# “Issues for Congress”: src/memobot/data/import-headings.yaml). Add them by hand if the",
            "# text has any, each quoted verbatim from a passage.",
            "recommendations: []",
        ]
    out += ["", "passages:"]
    section: tuple[str, ...] | None = None
    for p in draft.passages:
        if p.section != section:
            section = p.section
            label = " › ".join(section)
            out.append(f"  # --- {label} " + "-" * max(3, 86 - len(label)))
        out += [
            f"  - id: {p.id}",
            f"    section: [{', '.join(_scalar(s) for s in p.section)}]",
            f"    kind: {p.kind}",
            f"    text: {_block_text(p.text, '    ')}",
        ]
        if p.page is not None:
            out.append(f"    page: {p.page}")
        if p.supports is not None:
            out.append(f"    supports: [{', '.join(_scalar(s) for s in p.supports)}]")
        if p.note:
            out.append(f"    note: {_block_text(p.note, '    ')}")
    return "\n".join(out) + "\n"


def count_todos(yaml_text: str) -> int:
    """How many values of a rendered draft still hold a TODO marker (comments not counted)."""
    return sum(1 for line in yaml_text.splitlines() if not line.lstrip().startswith("#") and TODO in line)


def import_memo(
    source: str | os.PathLike, output: str | os.PathLike, memo_id: str, *, force: bool = False, **meta: object
) -> tuple[Draft, str]:
    """Read ``source``, write the draft to ``output`` (never over an existing file unless ``force``).

    Returns the draft and the YAML written.
    """
    source, output = Path(source), Path(output)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise MemobotError(f"{source}: cannot read the file: {exc.strerror or exc}") from exc
    text: str | SourceLines
    if raw.startswith(b"%PDF-") or source.suffix.lower() == ".pdf":
        text = pdf_lines(raw, str(source))
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MemobotError(f"{source}: not UTF-8 text (byte {exc.start}); convert it first") from exc
    markdown = source.suffix.lower() in (".md", ".markdown")
    draft = draft_memo(text, memo_id, source=source.name, markdown=markdown, **meta)  # type: ignore[arg-type]
    rendered = render_yaml(draft)
    _write_new(output, rendered, force)
    return draft, rendered


def _write_new(path: Path, text: str, force: bool) -> None:
    """Write the whole file under a hidden name, then link or rename it into place in one step.

    A watching bot never reads half a draft, and without ``force`` an existing file is never
    replaced (``os.link`` refuses an existing name, atomically).
    """
    if not path.parent.is_dir():
        raise MemobotError(f"{path.parent}: no such directory")
    if path.exists() and not force:
        raise MemobotError(f"{path} already exists; use --force to overwrite it")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        # mkstemp makes the file 0600; a knowledge file is read by the bot and by other
        # curators, so it gets the mode any new file gets (0644 under the usual umask).
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        raise MemobotError(f"{path} already exists; use --force to overwrite it") from None
    except OSError as exc:
        raise MemobotError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
