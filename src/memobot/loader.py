"""Load and validate a knowledge directory: all or nothing, every problem reported at once."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError
from .gcpause import gc_paused
from .languages import LANGUAGES
from .limits import MAX_FILE_VAR, MAX_TOTAL_VAR, LoadLimits, megabytes
from .models import GlossaryEntry, KnowledgeBase, Memo, Passage, Recommendation, Role

__all__ = ["TODO_MARKER", "bundled_knowledge_dir", "knowledge_files", "load_knowledge"]

_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")  # with fullmatch: "evil\n" is no id
_ID_RULE = "must be a lower-case slug ([a-z0-9][a-z0-9._-]*)"
# `memobot import` marks what a curator must decide with TODO; no such value may ever serve.
TODO_MARKER = "TODO"
_TODO_RE = re.compile(rf"\b{TODO_MARKER}\b")
_TODO_RULE = f"still holds a {TODO_MARKER} marker: decide the value and remove the marker"
_KINDS = ("paragraph", "bullet", "heading", "colophon")
_LANGUAGES = tuple(LANGUAGES)

# field name -> (type, required). "str" means a non-empty string, "strs" a list of them.
_MEMO_FIELDS = {
    "id": ("id", True),
    "title": ("str", True),
    "subtitle": ("str", False),
    "series": ("str", False),
    "publisher": ("str", True),
    "year": ("int", True),
    "language": ("str", True),
    "source_url": ("str", True),
}
_ROLE_FIELDS = {"id": ("id", True), "name": ("str", True)}
_REC_FIELDS = {
    "id": ("id", True),
    "role": ("str", True),
    "parent": ("id?", False),
    "text": ("str", True),
}
_PASSAGE_FIELDS = {
    "id": ("id", True),
    "section": ("strs", True),
    "kind": ("str", False),
    "text": ("str", True),
    "supports": ("ids", False),
    "note": ("str", False),
    "page": ("int", False),
}
_GLOSSARY_FIELDS = {"en": ("strs", False), "synonyms": ("strs", False), "da": ("strs", True)}
_MEMO_TOP = {"memo": "map", "roles": "list", "recommendations": "list", "passages": "list"}

Path_ = tuple[Any, ...]


def bundled_knowledge_dir() -> Path:
    """The knowledge base that ships with memobot: the repo's ``knowledge/`` or the wheel's copy."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled_knowledge"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "knowledge"


def knowledge_files(directory: Path) -> list[Path]:
    """The YAML files of a knowledge directory, in the order they are loaded.

    Hidden files and folders are skipped so that editors' swap files never count. Symbolic
    links to folders are not followed. A folder that cannot be listed raises OSError (it used
    to be skipped in silence, so an unreadable directory looked empty).
    """

    def refuse(exc: OSError) -> None:
        raise exc

    found = []
    for folder, dirs, names in os.walk(directory, onerror=refuse):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in (*dirs, *names):
            if not name.startswith(".") and name.endswith((".yaml", ".yml")):
                found.append(Path(folder, name))
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def load_knowledge(directory: str | Path, limits: LoadLimits | None = None) -> KnowledgeBase:
    """Load every file of ``directory`` into one validated knowledge base.

    Raises KnowledgeError listing every problem, as ``FILE:LINE: FIELD: RULE``; nothing is
    half-loaded. ``limits`` (default: from the environment) bound each file and the total.
    """
    limits = limits if limits is not None else LoadLimits.from_env()
    with gc_paused():
        return _load_knowledge(Path(directory), limits)


def _load_knowledge(directory: Path, limits: LoadLimits) -> KnowledgeBase:
    if not directory.is_dir():
        raise KnowledgeError([f"{directory}: not a directory"])
    try:
        files = knowledge_files(directory)
        root = directory.resolve(strict=True)
    except OSError as exc:
        # Permission denied, or the directory changed under us (a folder removed mid-walk).
        raise KnowledgeError([f"{directory}: cannot list the directory: {exc.strerror or exc}"]) from exc
    state = _LoadState()
    digest = hashlib.sha256()
    total = 0
    for path in files:
        raw = _read_file(path, root, limits, state)
        if raw is None:
            continue
        total += len(raw)
        if total > limits.max_total_bytes:
            state.problems.append(
                f"{directory}: the knowledge files add up to more than {megabytes(limits.max_total_bytes)}, "
                f"the limit for all files together ({MAX_TOTAL_VAR})"
            )
            break
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            state.problems.append(f"{path}: not UTF-8 text (byte {exc.start})")
            continue
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + raw + b"\0")
        _load_file(path, text, state)
    if not state.memos and not state.problems:
        state.problems.append(f"{directory}: no memo file found (a *.yaml file with a `memo` key)")
    state.check_links()
    # Checkers and the state refer to each other; let reference counting free them now
    # rather than the (paused) cyclic collector later.
    state.defined.clear()
    state.pending_links.clear()
    state.pending_scopes.clear()
    if state.problems:
        raise KnowledgeError(state.problems)
    return KnowledgeBase(
        memos=tuple(state.memos),
        passages=tuple(state.passages),
        recommendations=tuple(state.recommendations),
        glossary=tuple(state.glossary),
        directory=str(directory),
        version=digest.hexdigest()[:12],
    )


def _read_file(path: Path, root: Path, limits: LoadLimits, state: _LoadState) -> bytes | None:
    """The bytes of one knowledge file, or None (and a problem) when it may not be read."""
    try:
        if path.is_symlink():
            # A link may point at another file of the directory; anything outside it (another
            # repository's secrets, /etc/passwd) is never read, and its target never named.
            try:
                target = path.resolve(strict=True)
            except FileNotFoundError:
                state.problems.append(f"{path}: symbolic link to a file that does not exist")
                return None
            except RuntimeError:
                state.problems.append(f"{path}: symbolic link loop")
                return None
            if not target.is_relative_to(root):
                state.problems.append(f"{path}: symbolic link to outside the knowledge directory (refused)")
                return None
            path = target
        info = path.stat()
        # A FIFO or device named *.yaml would block or never end: read regular files only.
        if not stat.S_ISREG(info.st_mode):
            state.problems.append(f"{path}: not a regular file")
            return None
        if info.st_size > limits.max_file_bytes:
            state.problems.append(_too_large(path, info.st_size, limits))
            return None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as file:
            raw = file.read(limits.max_file_bytes + 1)  # it may have grown since the stat
    except OSError as exc:
        state.problems.append(f"{path}: cannot read the file: {exc.strerror or exc}")
        return None
    if len(raw) > limits.max_file_bytes:
        state.problems.append(_too_large(path, None, limits))
        return None
    return raw


def _too_large(path: Path, size: int | None, limits: LoadLimits) -> str:
    """``size`` None: the file grew past the limit while it was read."""
    what = f"is {megabytes(size)}" if size is not None else "grew while it was read"
    limit = megabytes(limits.max_file_bytes)
    return f"{path}: the file {what}, over the limit of {limit} per file ({MAX_FILE_VAR})"


@dataclass
class _LoadState:
    """What the files loaded so far contributed, and what went wrong."""

    problems: list[str] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    # id -> (checker, path) where it was first defined; passages and recommendations share one
    # space. The "file:line" is made only when a duplicate is reported (lines are found lazily).
    defined: dict[str, tuple[_Checker, Path_]] = field(default_factory=dict)
    memo_ids: dict[str, str] = field(default_factory=dict)
    # recommendation id -> memo id, for every recommendation parsed, even of a refused memo,
    # so that one bad field does not make every link to it look broken too
    rec_memo: dict[str, str] = field(default_factory=dict)
    # (file checker, path, rec id, memo id) to resolve once every file is read
    pending_links: list[tuple[_Checker, Path_, str, str]] = field(default_factory=list)
    # (glossary file checker, path, memo id) of each glossary's `memos` entry, checked likewise
    pending_scopes: list[tuple[_Checker, Path_, str]] = field(default_factory=list)

    def check_links(self) -> None:
        for checker, path, memo_id in self.pending_scopes:
            if memo_id not in self.memo_ids:
                checker.problem(path, f"no memo has the id {memo_id!r}")
        for checker, path, rec_id, memo_id in self.pending_links:
            owner = self.rec_memo.get(rec_id)
            if owner is None:
                checker.problem(path, f"no recommendation has the id {rec_id!r}")
            elif owner != memo_id:
                checker.problem(path, f"recommendation {rec_id!r} belongs to memo {owner!r}, not {memo_id!r}")


class _Checker:
    """Reports problems of one file with the line YAML gives for a field.

    The lines are found only when a problem is reported (see ``_parse_yaml``): a valid file,
    the common case, never pays for them.
    """

    def __init__(self, path: Path, lines: _Lines, state: _LoadState) -> None:
        self.path = path
        self._lines = lines
        self.state = state

    @property
    def lines(self) -> dict[Path_, int]:
        if not isinstance(self._lines, dict):
            self._lines = self._lines()
        return self._lines

    def where(self, path: Path_) -> str:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe, 1)
        return f"{self.path}:{line}"

    def problem(self, path: Path_, rule: str) -> None:
        self.state.problems.append(f"{self.where(path)}: {_field_name(path)}: {rule}")

    def define(self, path: Path_, ident: str) -> bool:
        """Claim a knowledge-base-wide id; False (and a problem) when it is taken."""
        first = self.state.defined.get(ident)
        if first is not None:
            checker, first_path = first
            self.problem(path, f"duplicate id {ident!r} (first defined at {checker.where(first_path)})")
            return False
        self.state.defined[ident] = (self, path)
        return True

    def fields(self, value: Any, path: Path_, spec: dict[str, tuple[str, bool]]) -> dict | None:
        """Check a mapping against a field spec; the valid fields, or None if it is no mapping."""
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping, not {_type_name(value)}")
            return None
        good: dict[str, Any] = {}
        for key in value:
            if key not in spec:
                allowed = ", ".join(spec)
                self.problem(path + (key,), f"unknown key (allowed: {allowed})")
        for key, (kind, required) in spec.items():
            if key not in value or (value[key] is None and kind == "id?"):
                if required:
                    self.problem(path + (key,), "required key is missing")
                continue
            checked = self._typed(value[key], path + (key,), kind)
            if checked is not None:
                good[key] = checked
        return good

    def _typed(self, value: Any, path: Path_, kind: str) -> Any:
        if isinstance(value, str) and TODO_MARKER in value and _TODO_RE.search(value):
            self.problem(path, _TODO_RULE)
            return None
        if kind in ("str", "id", "id?"):
            if not isinstance(value, str):
                self.problem(path, f"must be a string, not {_type_name(value)}")
                return None
            if not value.strip():
                self.problem(path, "must not be empty")
                return None
            if kind != "str" and not _ID_RE.fullmatch(value):
                self.problem(path, f"{value!r} {_ID_RULE}")
                return None
            return value.strip() if kind == "str" else value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(path, f"must be a whole number, not {_type_name(value)}")
                return None
            return value
        # "strs" / "ids": a list of strings
        if not isinstance(value, list):
            self.problem(path, f"must be a list, not {_type_name(value)}")
            return None
        items = [self._typed(v, path + (i,), "id" if kind == "ids" else "str") for i, v in enumerate(value)]
        if any(item is None for item in items):
            return None
        if kind == "strs" and not items:
            self.problem(path, "must not be empty")
            return None
        return items


def _load_file(path: Path, text: str, state: _LoadState) -> None:
    anchor = _anchor_line(text)
    if anchor is not None:
        # An alias repeats what its anchor names: nine lines of them expand to 10⁹ values and
        # take minutes and gigabytes to construct. A knowledge file needs neither.
        state.problems.append(
            f"{path}:{anchor}: invalid YAML: anchors and aliases (&name, *name) are not allowed "
            "in a knowledge file"
        )
        return
    try:
        data, lines = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        state.problems.append(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}")
        return
    except _DuplicateKey as exc:
        state.problems.append(f"{path}:{exc.line}: {exc.key}: key appears twice in one mapping")
        return
    except _CompoundKey as exc:
        field_name = _field_name(exc.path)
        state.problems.append(f"{path}:{exc.line}: {field_name}: keys must be strings, not {exc.kind}")
        return
    except _BadValue as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        state.problems.append(f"{where}: invalid YAML: {exc.message}")
        return
    except RecursionError:
        # Only the pure-Python parser gets here (libyaml refuses nesting deeper than 1000).
        state.problems.append(f"{path}: invalid YAML: nested too deeply")
        return
    except yaml.YAMLError as exc:
        state.problems.append(f"{path}: invalid YAML: {exc}")
        return
    checker = _Checker(path, lines, state)
    if not isinstance(data, dict):
        checker.problem((), f"the file must be a mapping, not {_type_name(data)}")
        return
    if "glossary" in data and "memo" not in data:
        _load_glossary(data, checker)
    elif "memo" in data:
        _load_memo(data, checker)
    else:
        checker.problem((), "the file needs a top-level `memo` (a memo file) or `glossary` key")


def _load_glossary(data: dict, checker: _Checker) -> None:
    for key in data:
        if key not in ("glossary", "memos"):
            checker.problem((key,), "unknown key (a glossary file has only `glossary` and `memos`)")
    scope = data.get("memos", [])
    if not isinstance(scope, list) or not all(isinstance(m, str) and m.strip() for m in scope):
        checker.problem(("memos",), "must be a list of memo ids (the memos this glossary applies to)")
        scope = []
    for i, memo_id in enumerate(scope):
        checker.state.pending_scopes.append((checker, ("memos", i), memo_id))
    entries = data["glossary"]
    if not isinstance(entries, list):
        checker.problem(("glossary",), f"must be a list, not {_type_name(entries)}")
        return
    for i, raw in enumerate(entries):
        entry = checker.fields(raw, ("glossary", i), _GLOSSARY_FIELDS)
        if not entry or "da" not in entry:
            continue
        if "en" not in entry and "synonyms" not in entry and isinstance(raw, dict):
            if "en" not in raw and "synonyms" not in raw:
                checker.problem(("glossary", i), "needs `en` or `synonyms` (what a user may write)")
            continue
        checker.state.glossary.append(
            GlossaryEntry(
                en=tuple(entry.get("en", ())),
                da=tuple(entry["da"]),
                synonyms=tuple(entry.get("synonyms", ())),
                memos=tuple(scope),
            )
        )


def _load_memo(data: dict, checker: _Checker) -> None:
    state = checker.state
    problems_before = len(state.problems)
    for key, kind in _MEMO_TOP.items():
        if key not in data:
            checker.problem((key,), "required key is missing")
        elif kind == "list" and not isinstance(data[key], list):
            checker.problem((key,), f"must be a list, not {_type_name(data[key])}")
    for key in data:
        if key not in _MEMO_TOP:
            checker.problem((key,), f"unknown key (allowed: {', '.join(_MEMO_TOP)})")
    meta = checker.fields(data.get("memo"), ("memo",), _MEMO_FIELDS) if "memo" in data else None
    if meta is None or "id" not in meta:
        return
    memo_id = meta["id"]
    if memo_id in state.memo_ids:
        checker.problem(("memo", "id"), f"duplicate memo id {memo_id!r} (also in {state.memo_ids[memo_id]})")
        return
    state.memo_ids[memo_id] = str(checker.path)
    if "language" in meta and meta["language"] not in _LANGUAGES:
        checker.problem(("memo", "language"), f"{meta['language']!r} is not one of: {', '.join(_LANGUAGES)}")
    if "source_url" in meta and not re.match(r"^https?://\S+$", meta["source_url"]):
        checker.problem(("memo", "source_url"), f"{meta['source_url']!r} must be an http(s) URL")
    if "year" in meta and not 1900 <= meta["year"] <= 2100:
        checker.problem(("memo", "year"), f"{meta['year']} must be between 1900 and 2100")

    roles = _load_roles(data.get("roles"), checker)
    recs = _load_recommendations(data.get("recommendations"), memo_id, roles, checker)
    passages = _load_passages(data.get("passages"), memo_id, bool(recs), checker)

    # Quote check against every passage text in the file, even of passages refused for
    # another reason, so that one problem is reported once.
    raw_passages = data.get("passages") if isinstance(data.get("passages"), list) else []
    by_text = [
        " ".join(item["text"].split())
        for item in raw_passages
        if isinstance(item, dict) and isinstance(item.get("text"), str)
    ]
    for i, rec in recs:
        if not any(" ".join(rec.text.split()) in text for text in by_text):
            checker.problem(
                ("recommendations", i, "text"),
                f"must be quoted verbatim from a passage of memo {memo_id!r}",
            )
    if len(state.problems) > problems_before:
        return
    passages = _default_supports(passages, [rec for _, rec in recs], data.get("passages"))
    state.memos.append(
        Memo(
            id=memo_id,
            title=meta["title"],
            subtitle=meta.get("subtitle", ""),
            series=meta.get("series", ""),
            publisher=meta["publisher"],
            year=meta["year"],
            language=meta["language"],
            source_url=meta["source_url"],
            roles=tuple(roles.values()),
            source_file=str(checker.path),
        )
    )
    state.recommendations.extend(rec for _, rec in recs)
    state.passages.extend(passages)


def _default_supports(passages: list[Passage], recs: list[Recommendation], raw: Any) -> list[Passage]:
    """Passages without ``supports`` support the recommendations of their own section.

    A recommendation belongs to the section of the first passage it is quoted from. A passage
    whose section (or, failing that, an enclosing section) has none supports the memo's
    top-level recommendations (``parent: null``): a curator writes only the exceptions.
    """
    if not recs:
        return passages
    explicit = {
        item["id"]
        for item in raw
        if isinstance(item, dict) and "supports" in item and isinstance(item.get("id"), str)
    }
    if len(explicit) == len(passages):
        return passages
    by_section: dict[tuple[str, ...], list[str]] = {}
    texts = [(p.section, p.text) for p in passages]
    for rec in recs:
        quote = " ".join(rec.text.split())
        section = next((sec for sec, text in texts if quote in text), None)
        if section is not None:
            by_section.setdefault(section, []).append(rec.id)
    top = [rec.id for rec in recs if rec.parent_id is None] or [recs[0].id]
    out = []
    for p in passages:
        if p.id in explicit:
            out.append(p)
            continue
        section, found = p.section, None
        while section and found is None:
            found = by_section.get(section)
            section = section[:-1]
        out.append(replace(p, supports=tuple(found or top)))
    return out


def _load_roles(raw: Any, checker: _Checker) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    if not isinstance(raw, list):
        return roles
    if not raw:
        checker.problem(("roles",), "must name at least one role")
    for i, item in enumerate(raw):
        role = checker.fields(item, ("roles", i), _ROLE_FIELDS)
        if not role or "id" not in role or "name" not in role:
            continue
        if role["id"] in roles:
            checker.problem(("roles", i, "id"), f"duplicate role id {role['id']!r} in this memo")
            continue
        roles[role["id"]] = Role(id=role["id"], name=role["name"])
    return roles


def _load_recommendations(
    raw: Any, memo_id: str, roles: dict[str, Role], checker: _Checker
) -> list[tuple[int, Recommendation]]:
    recs: list[tuple[int, Recommendation]] = []
    if not isinstance(raw, list):
        return recs
    # Only string ids can be linked to (an id that is a list is reported by `fields` below).
    own_ids = {item.get("id") for item in raw if isinstance(item, dict) and isinstance(item.get("id"), str)}
    for rec_id in own_ids:
        checker.state.rec_memo.setdefault(rec_id, memo_id)
    for i, item in enumerate(raw):
        path = ("recommendations", i)
        rec = checker.fields(item, path, _REC_FIELDS)
        if not rec or not {"id", "role", "text"} <= rec.keys():
            continue
        if rec["role"] not in roles:
            known = ", ".join(roles) or "none defined"
            checker.problem(path + ("role",), f"unknown role {rec['role']!r} (roles of this memo: {known})")
            continue
        parent = rec.get("parent")
        if parent is not None and (parent not in own_ids or parent == rec["id"]):
            checker.problem(path + ("parent",), f"{parent!r} is not another recommendation of this memo")
            continue
        if not checker.define(path + ("id",), rec["id"]):
            continue
        role = roles[rec["role"]]
        recs.append(
            (
                i,
                Recommendation(
                    id=rec["id"],
                    memo_id=memo_id,
                    role_id=role.id,
                    role=role.name,
                    text=rec["text"],
                    parent_id=parent,
                ),
            )
        )
    return recs


def _load_passages(raw: Any, memo_id: str, needs_links: bool, checker: _Checker) -> list[Passage]:
    passages: list[Passage] = []
    if not isinstance(raw, list):
        return passages
    if not raw:
        checker.problem(("passages",), "must hold at least one passage")
    positions: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(raw):
        path = ("passages", i)
        p = checker.fields(item, path, _PASSAGE_FIELDS)
        if not p or not {"id", "section", "text"} <= p.keys():
            continue
        kind = p.get("kind", "paragraph")
        if kind not in _KINDS:
            checker.problem(path + ("kind",), f"{kind!r} is not one of: {', '.join(_KINDS)}")
            continue
        supports = p.get("supports", [])
        if needs_links and "supports" in p and not supports:
            checker.problem(path + ("supports",), "must name at least one recommendation")
        for j, rec_id in enumerate(supports):
            checker.state.pending_links.append((checker, path + ("supports", j), rec_id, memo_id))
        if not checker.define(path + ("id",), p["id"]):
            continue
        page = p.get("page")
        if page is not None and page < 1:
            checker.problem(path + ("page",), f"{page} must be a page number (1 or more)")
            continue
        section = tuple(s.strip() for s in p["section"])
        positions[section] = positions.get(section, 0) + 1
        passages.append(
            Passage(
                id=p["id"],
                memo_id=memo_id,
                section=section,
                position=positions[section],
                text=" ".join(p["text"].split()),
                supports=tuple(supports),
                kind=kind,
                note=p.get("note", ""),
                page=page,
            )
        )
    return passages


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


class _CompoundKey(Exception):
    """A mapping key that is itself a list or a mapping (``[a, b]: x``, ``? {a: 1}``)."""

    def __init__(self, path: Path_, line: int, kind: str) -> None:
        self.path, self.line, self.kind = path, line, kind


class _BadValue(Exception):
    """A value PyYAML resolves to a type but cannot construct (``2024-13-45``)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line, self.message = line, message


class _Unusual(Exception):
    """What the plain construction does not handle; the full one takes over."""


# The lines of a file's nodes by path, or how to find them when first needed.
_Lines = dict[Path_, int] | Callable[[], dict[Path_, int]]

# libyaml's parser (PyYAML's CSafeLoader) reads a large knowledge base ~15× faster than the
# pure-Python one. Its error messages differ, so a file it refuses is parsed again by the
# pure-Python parser, whose message is the one reported: errors read the same everywhere.
# libyaml also accepts two things the pure-Python parser refuses (a tab inside a plain
# value, a byte-order mark after the start); such a file is left to the pure-Python parser.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_PYTHON_ONLY = ("\t", "\ufeff")
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)


# Where an anchor (&a) or alias (*a) may begin; a text without one has neither, and is not
# scanned again. A match may be ordinary text ("R &D"), so the scanner has the last word.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[\]{},])[&*][^\s\[\]{},]")


def _anchor_line(text: str) -> int | None:
    """The line of the first anchor or alias of a YAML text, or None when it has none."""
    if not _MAYBE_ANCHOR.search(text):
        return None
    for loader in (_FAST_LOADER, yaml.SafeLoader):
        if loader is None or (loader is _FAST_LOADER and any(ch in text for ch in _PYTHON_ONLY)):
            continue
        try:
            for token in yaml.scan(text, Loader=loader):
                if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                    return token.start_mark.line + 1
            return None
        except yaml.YAMLError:
            continue  # the parser reports the error itself, with its line
    return None


def _parse_yaml(text: str) -> tuple[Any, _Lines]:
    """Parse YAML safely, returning the data and the line of every node, by path (or a
    function that finds them)."""
    if _FAST_LOADER is not None and not any(ch in text for ch in _PYTHON_ONLY):
        try:
            return _parse_with(_FAST_LOADER, text)
        except yaml.YAMLError:
            pass
    return _parse_with(yaml.SafeLoader, text)


def _parse_with(loader_class: Any, text: str) -> tuple[Any, _Lines]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        try:
            # The common case: plain strings, lists and mappings with distinct string keys.
            # Lines are needed only to report a problem; they are found then, by parsing the
            # text again with the same parser (``_lines_of``).
            return _construct_plain(node, loader, set()), lambda: _lines_of(loader_class, text)
        except (_Unusual, RecursionError):
            pass
        # Anything else (tags, aliases, merge keys, duplicate or compound keys) as before:
        # lines first, which refuses duplicate and compound keys, then PyYAML's constructor.
        lines: dict[Path_, int] = {}
        _record_lines(node, (), lines)
        try:
            return loader.construct_document(node), lines
        except yaml.YAMLError:
            raise
        except Exception as exc:
            # PyYAML lets a few malformed values through as Python errors ("2024-13-45").
            raise _bad_value(node, loader) or _BadValue(None, str(exc)) from exc
    finally:
        loader.dispose()


def _lines_of(loader_class: Any, text: str) -> dict[Path_, int]:
    """The line of every node of a text that ``_parse_with`` parsed, by path."""
    loader = loader_class(text)
    try:
        lines: dict[Path_, int] = {}
        _record_lines(loader.get_single_node(), (), lines)
        return lines
    finally:
        loader.dispose()


def _construct_plain(node: yaml.Node, loader: Any, seen: set[int]) -> Any:
    """What PyYAML's safe constructor makes of ``node``, for the shapes a knowledge file has;
    raises ``_Unusual`` at anything else (then ``construct_document`` does it all)."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise _Unusual
        try:
            return loader.yaml_constructors[node.tag](loader, node)
        except Exception as exc:
            raise _Unusual from exc
    # A collection met twice is an alias (or a cycle): left to PyYAML, which shares it.
    if id(node) in seen:
        raise _Unusual
    seen.add(id(node))
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_construct_plain(child, loader, seen) for child in node.value]
    if kind is yaml.MappingNode and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _Unusual  # compound, merge, numeric... keys
            key = key_node.value
            if key in mapping:
                raise _Unusual  # duplicate: reported with its line by _record_lines
            mapping[key] = _construct_plain(value_node, loader, seen)
        return mapping
    raise _Unusual


def _bad_value(root: yaml.Node, loader: Any) -> _BadValue | None:
    """The first scalar whose construction fails with a Python error, as a problem."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            constructor = loader.yaml_constructors.get(node.tag)
            if node.tag == _STR or node.tag not in _SCALAR_TAGS or constructor is None:
                continue
            try:
                constructor(loader, node)
            except yaml.YAMLError:
                continue
            except Exception as exc:
                name = node.tag.rsplit(":", 1)[-1]
                return _BadValue(node.start_mark.line + 1, f"{node.value!r} is not a valid {name} ({exc})")
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([n for pair in node.value for n in pair]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                raise _CompoundKey(path, key_node.start_mark.line + 1, kind)
            key = key_node.value
            if key in seen:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            seen.add(key)
            _record_lines(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _record_lines(child, path + (i,), lines)


def _field_name(path: Path_) -> str:
    if not path:
        return "(top level)"
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
