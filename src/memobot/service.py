"""The live knowledge base: one current index, replaced whole by serialised reloads."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import KnowledgeError
from .loader import load_knowledge
from .models import Answer, KnowledgeBase
from .retrieval import DEFAULT_SETTINGS, Index, IndexSettings

__all__ = ["Changes", "KnowledgeService", "ReloadReport", "Status"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Changes:
    """What a reload changed, by id."""

    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind ("memos", "passages", "recommendations") → ids that are new."""
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind → ids that are gone."""
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind → ids whose content differs."""

    @property
    def empty(self) -> bool:
        """True when nothing was added, removed or changed."""
        return not any((*self.added.values(), *self.removed.values(), *self.changed.values()))

    def summary(self) -> str:
        """One line: "passages +2 −1 ~3; recommendations ~1", or "no changes"."""
        parts = []
        for kind in ("memos", "passages", "recommendations"):
            counts = [
                f"{sign}{len(group.get(kind, ()))}"
                for sign, group in (("+", self.added), ("−", self.removed), ("~", self.changed))
                if group.get(kind)
            ]
            if counts:
                parts.append(f"{kind} {' '.join(counts)}")
        return "; ".join(parts) or "no changes"


@dataclass(frozen=True)
class ReloadReport:
    """The outcome of one reload."""

    ok: bool
    """Whether the new index was swapped in."""
    seconds: float
    """How long loading and indexing took."""
    version: str
    """Version of the index serving after the reload."""
    problems: tuple[str, ...] = ()
    """Every validation problem when not ok."""
    changes: Changes = field(default_factory=Changes)
    """What changed (empty when not ok)."""
    trigger: str = ""
    """What asked for it ("slack", "watcher", "signal", "cli", …)."""

    def summary(self) -> str:
        """One line for logs and replies."""
        if self.ok:
            return f"reloaded in {self.seconds:.2f} s: {self.changes.summary()} (version {self.version})"
        count = len(self.problems)
        return (
            f"reload refused, {count} problem{'s' if count != 1 else ''}; "
            f"still serving version {self.version}"
        )


@dataclass(frozen=True)
class Status:
    """What the live knowledge base is, for /healthz, `memobot status` and the App Home."""

    version: str
    directory: str
    memos: int
    passages: int
    recommendations: int
    loaded_at: datetime
    load_seconds: float
    last_error: tuple[str, ...] = ()
    last_error_at: datetime | None = None
    memo_titles: tuple[tuple[str, str, int, int], ...] = ()
    """(id, title, passages, recommendations) per memo."""

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "directory": self.directory,
            "memos": self.memos,
            "passages": self.passages,
            "recommendations": self.recommendations,
            "loaded_at": self.loaded_at.isoformat(timespec="seconds"),
            "load_seconds": round(self.load_seconds, 4),
            "last_error": list(self.last_error) or None,
            "last_error_at": self.last_error_at.isoformat(timespec="seconds") if self.last_error_at else None,
        }


class KnowledgeService:
    """Holds the current index. Readers take ``service.index`` once per question and keep it;
    a reload builds a new index off to the side and swaps it in with one assignment."""

    def __init__(self, directory: str | Path, settings: IndexSettings = DEFAULT_SETTINGS) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self._reload_lock = threading.Lock()
        self._listeners: list[Callable[[ReloadReport], None]] = []
        self._last_error: tuple[str, ...] = ()
        self._last_error_at: datetime | None = None
        # A broken directory at start-up is fatal: there is no working index to keep.
        self.index = Index(load_knowledge(self.directory), settings)
        self._loaded_at = datetime.now(timezone.utc)

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base of the current index."""
        return self.index.kb

    def ask(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """Answer from the current index (one snapshot for the whole question)."""
        return self.index.ask(question, k=k, offset=offset)

    def add_listener(self, callback: Callable[[ReloadReport], None]) -> None:
        """Call ``callback(report)`` after every reload, successful or not."""
        self._listeners.append(callback)

    def reload(self, trigger: str = "") -> ReloadReport:
        """Load the directory again; swap the new index in only if it is entirely valid."""
        with self._reload_lock:
            old = self.index
            started = time.perf_counter()
            try:
                new = Index(load_knowledge(self.directory), self.settings)
            except KnowledgeError as exc:
                self._last_error = tuple(exc.problems)
                self._last_error_at = datetime.now(timezone.utc)
                report = ReloadReport(
                    ok=False,
                    seconds=time.perf_counter() - started,
                    version=old.kb.version,
                    problems=tuple(exc.problems),
                    trigger=trigger,
                )
                log.error("knowledge %s (%s)", report.summary(), trigger or "manual")
                for problem in exc.problems:
                    log.error("  %s", problem)
            else:
                self.index = new
                self._loaded_at = datetime.now(timezone.utc)
                report = ReloadReport(
                    ok=True,
                    seconds=time.perf_counter() - started,
                    version=new.kb.version,
                    changes=diff(old.kb, new.kb),
                    trigger=trigger,
                )
                log.info("knowledge %s (%s)", report.summary(), trigger or "manual")
        for callback in list(self._listeners):
            try:
                callback(report)
            except Exception:
                log.exception("reload listener failed")
        return report

    def status(self) -> Status:
        """A snapshot of what is serving."""
        index = self.index
        kb = index.kb
        per_memo = tuple(
            (
                m.id,
                m.title,
                sum(p.memo_id == m.id for p in kb.passages),
                sum(r.memo_id == m.id for r in kb.recommendations),
            )
            for m in kb.memos
        )
        return Status(
            version=kb.version,
            directory=str(self.directory),
            memos=len(kb.memos),
            passages=len(kb.passages),
            recommendations=len(kb.recommendations),
            loaded_at=self._loaded_at,
            load_seconds=index.load_seconds,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
            memo_titles=per_memo,
        )


def diff(old: KnowledgeBase, new: KnowledgeBase) -> Changes:
    """What differs between two knowledge bases, by kind and id."""
    added: dict[str, tuple[str, ...]] = {}
    removed: dict[str, tuple[str, ...]] = {}
    changed: dict[str, tuple[str, ...]] = {}
    for kind in ("memos", "passages", "recommendations"):
        before = {item.id: item for item in getattr(old, kind)}
        after = {item.id: item for item in getattr(new, kind)}
        for target, ids in (
            (added, [i for i in after if i not in before]),
            (removed, [i for i in before if i not in after]),
            (changed, [i for i in after if i in before and after[i] != before[i]]),
        ):
            if ids:
                target[kind] = tuple(ids)
    return Changes(added, removed, changed)
