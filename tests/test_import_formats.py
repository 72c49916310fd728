"""`memobot import` on real inputs: a real PDF of the CMS memo, the Markdown CRS reports, the
speeches; TODO budget, supports defaults, pages in citations; and the sentence invariant."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from memobot import cli
from memobot.importer import count_todos, draft_memo, import_memo, render_yaml
from memobot.loader import bundled_knowledge_dir, load_knowledge

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDF = FIXTURES / "cms-memo.pdf"  # made by tests/fixtures/make_memo_pdf.py from the curated memo
SHARED_TEXT = FIXTURES / "cms-memo-us-defence-policy-in-change.da.txt"
SOURCES = Path(__file__).resolve().parent / "dev-corpus" / "sources"
CURATED = load_knowledge(bundled_knowledge_dir())
CMS = [p for p in CURATED.passages if p.memo_id == "cms-us-defence-2023"]


@pytest.fixture(scope="module")
def pdf_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "cms.yaml"
    draft, rendered = import_memo(PDF, out, "cms-us-defence-2023", force=True)
    return draft, rendered


def test_a_real_two_column_pdf_gives_the_curated_passages_word_for_word(pdf_draft) -> None:
    """The typeset memo (two columns, hyphenated, running header, page numbers) imports to the 27
    curated passages, word for word, in their order and sections, and with title and subtitle."""
    draft, _ = pdf_draft
    assert [p.text for p in draft.passages] == [p.text for p in CMS]
    # The colophon is printed without a heading (the curator named its section "Kolofon").
    assert [p.section for p in draft.passages[:-1]] == [p.section for p in CMS[:-1]]
    memo = CURATED.memo("cms-us-defence-2023")
    assert (draft.meta["title"], draft.meta["subtitle"]) == (memo.title, memo.subtitle)
    assert not [p for p in draft.passages if "CMS-memo ·" in p.text or re.fullmatch(r"\d+", p.text)]


def test_pdf_passages_remember_their_page(pdf_draft) -> None:
    """Each passage carries the page it starts on: the introduction on 1, the rest on 2 and 3."""
    draft, rendered = pdf_draft
    pages = {}
    for p in draft.passages:
        pages.setdefault(p.section[-1], set()).add(p.page)
    assert pages["Indledning"] == {1}
    assert pages["Hovedpointer"] == {2} and pages["Alliancebrobygger"] == {2}
    assert pages["Teknologisk brobygger"] == {3}
    assert rendered.count("\n    page: ") == len(draft.passages)


def test_pdf_recommendations_are_prefilled_like_the_text_import(pdf_draft) -> None:
    """From the PDF as from the extracted text: 19 of the 20 curated recommendations verbatim."""
    draft, _ = pdf_draft
    texts = {r.text for r in draft.recommendations}
    curated = [" ".join(r.text.split()) for r in CURATED.recommendations]
    assert sum(t in texts for t in curated) == 19


def test_a_curated_pdf_import_cites_pages_and_links_to_them(pdf_draft, tmp_path: Path) -> None:
    """Once its TODOs are resolved, the PDF draft loads; citations end in "p. N" and the link
    helper points at source_url#page=N."""
    _, rendered = pdf_draft
    data = yaml.safe_load(rendered)
    data["memo"].update(publisher="CMS", year=2023, source_url="https://example.org/memo.pdf")
    for passage in data["passages"]:
        passage.pop("note", None)
    (tmp_path / "cms.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(tmp_path)
    tech = next(p for p in kb.passages if p.section[-1] == "Teknologisk brobygger")
    assert kb.citation(tech) == (
        "Amerikansk forsvars- og sikkerhedspolitik i forandring (2023), "
        "Anbefalinger › Teknologisk brobygger, ¶1, p. 3"
    )
    assert kb.source_link(tech) == "https://example.org/memo.pdf#page=3"


@pytest.mark.parametrize(
    ("page", "url", "citation_end", "link"),
    [
        (None, "https://x.org/m.pdf", "¶1", "https://x.org/m.pdf"),
        (4, "https://x.org/m.pdf", "¶1, p. 4", "https://x.org/m.pdf#page=4"),
        (4, "https://x.org/m#part", "¶1, p. 4", "https://x.org/m#part"),
    ],
)
def test_page_in_citation_and_link(tmp_path: Path, page, url, citation_end, link) -> None:
    """The optional `page` key: absent, no page in the citation; present, "p. N" and #page=N
    (unless the URL already points somewhere with a fragment)."""
    passage = {"id": "m-1", "section": ["A"], "text": "Tekst."}
    if page is not None:
        passage["page"] = page
    data = {
        "memo": {"id": "m", "title": "T", "publisher": "P", "year": 2024, "language": "da"},
        "roles": [{"id": "central", "name": "C"}],
        "recommendations": [],
        "passages": [passage],
    }
    data["memo"]["source_url"] = url
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    kb = load_knowledge(tmp_path)
    assert kb.citation(kb.passages[0]).endswith(citation_end)
    assert kb.source_link(kb.passages[0]) == link


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0, "m.yaml:11: passages[0].page: 0 must be a page number (1 or more)"),
        ("3", "m.yaml:11: passages[0].page: must be a whole number, not a string"),
    ],
)
def test_a_bad_page_is_refused(tmp_path: Path, value, problem) -> None:
    """A page that is not a whole number of at least 1 is refused with its line and field."""
    (tmp_path / "m.yaml").write_text(
        "memo: {id: m, title: T, publisher: P, year: 2024, language: da, source_url: 'https://x.org'}\n"
        "roles: [{id: central, name: C}]\n"
        "recommendations: []\n"
        "passages:\n"
        "  - id: m-1\n"
        "    section: [A]\n"
        "    text: Tekst.\n"
        "\n"
        "\n"
        "\n"
        f"    page: {value!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    with pytest.raises(Exception) as exc:
        load_knowledge(tmp_path)
    assert [p.replace(f"{tmp_path}/", "") for p in exc.value.problems] == [problem]


_SUPPORTS_MEMO = """\
memo: {id: m, title: T, publisher: P, year: 2024, language: da, source_url: "https://x.org"}
roles: [{id: central, name: C}, {id: role, name: R}]
recommendations:
  - {id: r-central, role: central, parent: null, text: Gør det hele.}
  - {id: r-a, role: role, parent: r-central, text: Gør A.}
  - {id: r-b, role: role, parent: r-central, text: Gør B.}
passages:
  - {id: p-intro, section: [Indledning], text: Baggrund.}
  - {id: p-anb, section: [Anbefalinger], text: Vi mener det. Gør det hele.}
  - {id: p-a, section: [Anbefalinger, A], text: Gør A.}
  - {id: p-a2, section: [Anbefalinger, A], text: Mere om A.}
  - {id: p-a-sub, section: [Anbefalinger, A, Detaljer], text: Detaljer om A.}
  - {id: p-b, section: [Anbefalinger, B], text: Gør B.}
  - {id: p-explicit, section: [Indledning], text: Om B., supports: [r-b]}
"""


@pytest.mark.parametrize(
    ("passage", "supports"),
    [
        ("p-intro", ("r-central",)),  # no recommendation in its section: the memo's top-level one
        ("p-anb", ("r-central",)),  # the recommendation quoted in its own section
        ("p-a", ("r-a",)),
        ("p-a2", ("r-a",)),  # same section as the passage quoting r-a
        ("p-a-sub", ("r-a",)),  # a sub-section without its own: the enclosing section's
        ("p-b", ("r-b",)),
        ("p-explicit", ("r-b",)),  # written supports win
    ],
)
def test_supports_default_by_section(tmp_path: Path, passage: str, supports: tuple[str, ...]) -> None:
    """A passage without `supports` supports its section's recommendations (a recommendation
    belongs to the section it is quoted from), else an enclosing section's, else the top-level ones."""
    (tmp_path / "m.yaml").write_text(_SUPPORTS_MEMO, encoding="utf-8")
    kb = load_knowledge(tmp_path)
    assert next(p for p in kb.passages if p.id == passage).supports == supports


# -- the dev corpus and the shared memo text ---------------------------------------------------

_TEXTS = sorted(SOURCES.glob("*.txt")) + sorted(SOURCES.glob("*.md")) + [SHARED_TEXT]


@pytest.mark.parametrize("source", _TEXTS, ids=lambda p: p.name)
def test_every_real_text_drafts_with_at_most_15_todos_and_validates_once_they_are_resolved(
    source: Path, tmp_path: Path
) -> None:
    """Each dev-corpus text and the shared memo text: at most 15 TODOs, and the draft is refused
    for those alone (one problem per TODO line)."""
    _, rendered = import_memo(source, tmp_path / "d.yaml", "d", force=True)
    todos = count_todos(rendered)
    assert todos <= 15
    if todos:
        with pytest.raises(Exception) as exc:
            load_knowledge(tmp_path)
        assert len(exc.value.problems) == todos
        assert all("still holds a TODO marker" in p for p in exc.value.problems)
    else:
        data = yaml.safe_load(rendered)
        data["memo"].update(publisher="P", year=2024, source_url="https://x.org")
        (tmp_path / "d.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert load_knowledge(tmp_path).memos[0].id == "d"


@pytest.mark.parametrize(
    ("source", "language"),
    [(p, "da" if p.name.startswith(("da-", "cms-")) else "en") for p in _TEXTS],
    ids=lambda v: getattr(v, "name", v),
)
def test_the_language_is_detected(source: Path, language: str) -> None:
    """Without --language, each real text is detected as Danish or English correctly."""
    assert import_memo(source, Path("/dev/null"), "d", force=True)[0].meta["language"] == language


@pytest.mark.parametrize("name", ["en-crs-R48903.md", "en-crs-R48907.md", "en-crs-R47324.md"])
def test_crs_markdown_keeps_every_body_sentence_and_drops_footnotes(name: str) -> None:
    """Every sentence of a CRS report's body paragraphs (Introduction to Footnotes, prose lines)
    is in exactly one passage, in order; no footnote is."""
    text = (SOURCES / name).read_text(encoding="utf-8")
    draft = draft_memo(text, "d", markdown=True)
    body = text[text.index("\nIntroduction\n") : text.index("# Footnotes")]
    prose = [
        line for line in body.split("\n") if len(line.split()) > 25 and not line.startswith(("|", "-", "#"))
    ]
    from memobot._markdown import inline

    sentences = [s for line in prose for s in _sentences(" ".join(inline(line).split()))]
    _assert_each_once_in_order(sentences, [p.text for p in draft.passages])
    footnotes = text[text.index("# Footnotes") :]
    first_note = re.search(r"\| 1\. \| (.{40})", footnotes).group(1)
    assert not [p for p in draft.passages if first_note in p.text]


@pytest.mark.parametrize("name", [f"da-aabningstale-{year}.txt" for year in (2019, 2021, 2022)])
def test_a_speech_keeps_every_line_in_order_in_passages_of_40_to_150_words(name: str) -> None:
    """A speech (one sentence per paragraph, no headings): every paragraph of the source is in
    exactly one passage, in order, and the passages hold 40–150 words (the last may hold fewer)."""
    text = (SOURCES / name).read_text(encoding="utf-8")
    draft = draft_memo(text, "d")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    _assert_each_once_in_order(paragraphs, [p.text for p in draft.passages])
    words = [len(p.text.split()) for p in draft.passages]
    assert max(words) <= 150 and min(words[:-1]) >= 40


# -- the sentence invariant ----------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    # A sentence may end inside a quotation (`regulations." Next`); the importer cuts long
    # paragraphs there too.
    return [s for s in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“(]?[A-ZÆØÅ])", text) if s]


def _assert_each_once_in_order(pieces: list[str], passages: list[str], *, nothing_else: bool = False) -> None:
    """Each piece, in order, lies inside one passage, after the previous piece (a piece that
    occurs twice in the source must occur twice in the passages). With ``nothing_else``, the
    passages hold nothing but the pieces: no sentence was duplicated or invented."""
    joined = "\x00".join(passages)
    at, rest = 0, []
    for piece in pieces:
        found = joined.find(piece, at)
        assert found >= 0, (piece, joined[at : at + 200])
        rest.append(joined[at:found])
        at = found + len(piece)
    rest.append(joined[at:])
    if nothing_else:
        assert not "".join(rest).replace("\x00", "").strip(), rest


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=2, max_size=9)
_sentence = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    _word,
    st.lists(_word, min_size=1, max_size=14),
    st.sampled_from([".", "!", "?"]),
)
_paragraph = st.lists(_sentence, min_size=1, max_size=5)


def _layout(paragraphs: list[list[str]], widths: list[int], bullets: list[bool]) -> str:
    """The paragraphs as extracted text: wrapped at word boundaries, blank lines between, some
    as "- " bullets."""
    out = []
    for i, sentences in enumerate(paragraphs):
        words = " ".join(sentences).split()
        width = widths[i % len(widths)]
        lines = [" ".join(words[j : j + width]) for j in range(0, len(words), width)]
        if bullets[i % len(bullets)]:
            lines[0] = "- " + lines[0]
        out.append("\n".join(lines))
    return "\n\n".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_paragraph, min_size=1, max_size=25),
    st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.booleans(),
)
@example([["Aa bb."]], [1], [False], False)
@example([["Aa bb."], ["Cc dd."]], [1], [True], True)
def test_import_never_crashes_and_keeps_every_sentence_once_in_order(
    paragraphs: list[list[str]], widths: list[int], bullets: list[bool], markdown: bool
) -> None:
    """Any text of sentences, wrapped, in paragraphs and bullets (plain or Markdown): the draft
    renders to YAML that reads back, and every sentence is in exactly one passage, in order."""
    text = _layout(paragraphs, widths, bullets)
    draft = draft_memo(text, "p", markdown=markdown, language="da")
    rendered = render_yaml(draft)
    data = yaml.safe_load(rendered)
    texts = [" ".join(p["text"].split()) for p in data["passages"]]
    assert texts == [p.text for p in draft.passages]
    _assert_each_once_in_order([s for para in paragraphs for s in para], texts, nothing_else=True)


def test_memobot_import_of_a_pdf_from_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    """`memobot import memo.pdf --id …` writes ./ID.yaml with pages, and says how many TODOs."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(PDF, tmp_path / "memo.pdf")
    assert cli.main(["import", "memo.pdf", "--id", "cms-pdf", "--publisher", "CMS", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Wrote cms-pdf.yaml: 27 passages (11 paragraphs, 16 bullets) in 7 sections, "
        "20 recommendations pre-filled, 2 TODO markers to resolve.\n"
    )
    assert "    page: 3\n" in (tmp_path / "cms-pdf.yaml").read_text(encoding="utf-8")


_BODY = "Dette afsnit er en længere tekst med mange ord, der fortsætter over linjen og slutter her."


@pytest.mark.parametrize(
    ("text", "markdown", "sections"),
    [
        # capitals and mixed case: the capitals are the outer level
        (
            f"\nBAGGRUND\n{_BODY}\n\nHistorien kort\n{_BODY}\n\nANALYSE\n{_BODY}\n",
            False,
            [("BAGGRUND",), ("BAGGRUND", "Historien kort"), ("ANALYSE",)],
        ),
        # numbered headings state their level
        (
            f"\n1 Baggrund\n{_BODY}\n\n1.1 Historien kort\n{_BODY}\n\n2 Analyse\n{_BODY}\n",
            False,
            [("1 Baggrund",), ("1 Baggrund", "1.1 Historien kort"), ("2 Analyse",)],
        ),
        # all headings alike: no level to infer, flat
        (
            f"\nBaggrund\n{_BODY}\n\nHistorien kort\n{_BODY}\n",
            False,
            [("Baggrund",), ("Historien kort",)],
        ),
        # a page's table of contents lists the outer headings; the others are sub-headings, and a
        # dropped section (the contents) ends before the first of them
        (
            "# Titel\n\n# Contents\n\n- [Background](https://x.org#_Toc1)\n- [Analysis](https://x.org#_Toc2)\n\n"
            f"Summary\n\n{_BODY}\n\nBackground\n\n{_BODY}\n\n"
            f"Early history\n\n{_BODY}\n\nAnalysis\n\n{_BODY}\n",
            True,
            [("Summary",), ("Background",), ("Background", "Early history"), ("Analysis",)],
        ),
    ],
)
def test_heading_levels_become_nested_sections(text: str, markdown: bool, sections: list) -> None:
    """Plain-text and Markdown headings nest by the levels their signals give (capitals over
    mixed case, numbering, the table of contents); without a signal they stay flat."""
    draft = draft_memo(text, "d", markdown=markdown, language="da")
    assert [p.section for p in draft.passages] == sections


@pytest.mark.parametrize(
    ("heading", "language", "recommended"),
    [
        ("Anbefalinger", "da", True),
        ("Forslag", "da", True),
        ("Regeringen vil", "da", True),
        ("3. Konklusion og anbefalinger", "da", True),
        ("Policy Options for Congress", "en", True),
        ("Options for Congress", "en", True),
        ("Conclusions", "en", True),
        ("Baggrund", "da", False),
        ("Forslagets historie", "da", False),  # a name must be a whole first word, not a prefix
        ("Background", "en", False),
    ],
)
def test_recommendation_sections_are_found_by_name_from_the_data_file(
    heading: str, language: str, recommended: bool
) -> None:
    """A heading starting with a name from src/memobot/data/import-headings.yaml (Danish or
    English, numbering and colon ignored) makes its list items recommendation drafts; another
    heading does not."""
    text = (
        f"\nIndledning\nDette er en lang indledning med mange ord, der forklarer hele baggrunden.\n\n"
        f"{heading}\nDet følgende er en længere tekst, der leder frem til listen nedenfor her:\n\n"
        "• Danmark bør styrke samarbejdet i Norden.\n• Danmark bør investere i ny teknologi.\n"
    )
    draft = draft_memo(text, "m", language=language)
    texts = [r.text for r in draft.recommendations]
    expected = ["Danmark bør styrke samarbejdet i Norden.", "Danmark bør investere i ny teknologi."]
    assert (texts == expected) if recommended else texts == []
