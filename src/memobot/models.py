"""The records memobot works with. All are frozen: an index never changes once built."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Answer",
    "GlossaryEntry",
    "Hit",
    "KnowledgeBase",
    "Memo",
    "Passage",
    "Recommendation",
    "Role",
]


@dataclass(frozen=True)
class Role:
    """A kind of recommendation in a memo, e.g. "Alliancebrobygger"."""

    id: str
    """Slug, unique within its memo (e.g. ``alliance``)."""
    name: str
    """Name shown to users."""


@dataclass(frozen=True)
class Memo:
    """A memo's metadata."""

    id: str
    """Slug, unique across the knowledge base."""
    title: str
    """The memo's title, as printed."""
    publisher: str
    """Who published it."""
    year: int
    """Year of publication."""
    language: str
    """ISO 639-1 code of the memo's text: its analysis chain (``memobot.languages``)."""
    source_url: str
    """Where a reader finds the original."""
    subtitle: str = ""
    """Subtitle, or empty."""
    series: str = ""
    """Series name that starts each citation (e.g. "CMS-memo"), or empty."""
    roles: tuple[Role, ...] = ()
    """The memo's recommendation roles, in file order."""
    source_file: str = ""
    """The knowledge file it was loaded from."""

    def role(self, role_id: str) -> Role:
        """The role with this id (validation guarantees it exists)."""
        return next(r for r in self.roles if r.id == role_id)


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of a memo, quoted verbatim from it."""

    id: str
    """Slug, unique across the knowledge base."""
    memo_id: str
    """The memo it belongs to."""
    role_id: str
    """Id of its role within the memo."""
    role: str
    """Name of its role, as shown to users."""
    text: str
    """The memo's own words."""
    parent_id: str | None = None
    """The broader recommendation this one makes concrete, if any."""


@dataclass(frozen=True)
class Passage:
    """One paragraph or bullet of a memo: the unit that is retrieved and quoted."""

    id: str
    """Slug, unique across the knowledge base."""
    memo_id: str
    """The memo it belongs to."""
    section: tuple[str, ...]
    """Heading path, outermost first."""
    position: int
    """1-based place among the passages of the same section (the ¶ number)."""
    text: str
    """The memo's own words, PDF damage repaired."""
    supports: tuple[str, ...] = ()
    """Ids of the recommendations this passage motivates."""
    kind: str = "paragraph"
    """"paragraph", "bullet", "heading" or "colophon" (publication metadata: publisher,
    series, where to find the full text)."""
    note: str = ""
    """Curator's note; never shown as memo text."""
    page: int | None = None
    """1-based page of the source where the passage starts (PDF), or None."""

    @property
    def section_label(self) -> str:
        """The heading path as shown to users: "A › B"."""
        return " › ".join(self.section)


@dataclass(frozen=True)
class GlossaryEntry:
    """English words or phrases and the Danish terms they stand for."""

    en: tuple[str, ...]
    """English words or phrases."""
    da: tuple[str, ...]
    """Danish words or phrases as found in the memos."""
    synonyms: tuple[str, ...] = ()
    """Other Danish words a user may write for them ("Asien" for "asiatiske")."""
    memos: tuple[str, ...] = ()
    """Ids of the memos it applies to (the glossary file's ``memos``); empty: every memo."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything loaded from one knowledge directory, validated."""

    memos: tuple[Memo, ...]
    """All memos, in file order."""
    passages: tuple[Passage, ...]
    """All passages, memo by memo, in file order."""
    recommendations: tuple[Recommendation, ...]
    """All recommendations, memo by memo, in file order."""
    glossary: tuple[GlossaryEntry, ...] = ()
    """Merged glossary entries."""
    directory: str = ""
    """The directory it was loaded from."""
    version: str = ""
    """Content hash of the files it was loaded from."""
    _memo_by_id: dict[str, Memo] = field(default_factory=dict, repr=False, compare=False)
    _rec_by_id: dict[str, Recommendation] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._memo_by_id.update({m.id: m for m in self.memos})
        self._rec_by_id.update({r.id: r for r in self.recommendations})

    def memo(self, memo_id: str) -> Memo:
        """The memo with this id."""
        return self._memo_by_id[memo_id]

    def recommendation(self, rec_id: str) -> Recommendation:
        """The recommendation with this id."""
        return self._rec_by_id[rec_id]

    def citation(self, passage: Passage) -> str:
        """How a passage is cited: "CMS-memo: Title (2023), Anbefalinger › Alliancebrobygger, ¶3",
        with ", p. 3" when the passage knows its page."""
        memo = self.memo(passage.memo_id)
        prefix = f"{memo.series}: " if memo.series else ""
        page = f", p. {passage.page}" if passage.page is not None else ""
        return f"{prefix}{memo.title} ({memo.year}), {passage.section_label}, ¶{passage.position}{page}"

    def source_link(self, passage: Passage) -> str:
        """Where a reader finds the passage: the memo's ``source_url``, at its page when known
        (``…/memo.pdf#page=3``, the fragment PDF viewers open at; a URL that already has a
        fragment is left as it is)."""
        url = self.memo(passage.memo_id).source_url
        if passage.page is None or "#" in url:
            return url
        return f"{url}#page={passage.page}"


@dataclass(frozen=True)
class Hit:
    """A passage that matched a question."""

    passage: Passage
    """The passage."""
    score: float
    """Its BM25 score for the question (higher is better)."""
    citation: str
    """Where it stands in its memo, ready to show."""
    matched_terms: tuple[str, ...]
    """Words of the passage text that matched the question, in text order."""


@dataclass(frozen=True)
class Answer:
    """What memobot answers to one question."""

    question: str
    """The question as asked (after Slack markup was stripped)."""
    answered: bool
    """False when nothing in the knowledge base is relevant enough."""
    hits: tuple[Hit, ...]
    """The excerpts to show, best first (empty when not answered)."""
    recommendation: Recommendation | None
    """The memo's recommendation that the hits support, if any."""
    suggestions: tuple[str, ...] = ()
    """Closest topics to offer when not answered."""
    offset: int = 0
    """How many better hits were skipped (for "More results")."""
    has_more: bool = False
    """Whether more relevant hits follow these."""
    tentative: bool = False
    """Not answered, but ``hits`` holds the closest passages, shown as low-confidence: they
    match much of the question, not enough to call it answered."""
