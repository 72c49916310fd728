"""`memobot import`: PDF text to a draft memo file, on small damaged texts and the shared memo."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from memobot import cli
from memobot.errors import KnowledgeError, MemobotError
from memobot.importer import (
    count_todos,
    draft_memo,
    first_sentence,
    import_memo,
    parse_blocks,
    render_yaml,
    sentences,
    split_long,
)
from memobot.loader import bundled_knowledge_dir, load_knowledge

# The memo's PDF text exactly as shared (../shared/sources), kept here so CI on a bare clone
# measures the importer on it too.
SHARED_MEMO = Path(__file__).resolve().parent / "fixtures" / "cms-memo-us-defence-policy-in-change.da.txt"
CURATED = bundled_knowledge_dir() / "cms-us-defence-2023.yaml"
_TODO_RULE = "still holds a TODO marker: decide the value and remove the marker"

P, B, H = "paragraph", "bullet", "heading"


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        # --- hyphenation across line breaks -----------------------------------------------
        ("Stor-\nmagtskonkurrencen er ny.", [(P, "Stormagtskonkurrencen er ny.")]),
        ("Det er nyt. Stor-\nmagterne ruster op.", [(P, "Det er nyt. Stormagterne ruster op.")]),
        ("om alliance-\nog partnerskabspolitik.", [(P, "om alliance- og partnerskabspolitik.")]),
        (
            "forsvarsattaché-\neller militærrådgiverstillinger.",
            [(P, "forsvarsattaché- eller militærrådgiverstillinger.")],
        ),
        (
            "udenrigs- og forsvars-\nsamt sikkerhedspolitik.",
            [(P, "udenrigs- og forsvars- samt sikkerhedspolitik.")],
        ),
        ("short-\nand long-term goals.", [(P, "short- and long-term goals.")]),
        ("afskaffelsen af EU-\nforsvarsforbeholdet.", [(P, "afskaffelsen af EU-forsvarsforbeholdet.")]),
        ("i NATO-\nrammen.", [(P, "i NATO-rammen.")]),
        ("i 1990-\nerne.", [(P, "i 1990-erne.")]),
        ("en anti-\nNATO-holdning.", [(P, "en anti-NATO-holdning.")]),
        ("linje for Biden-\nadministrationen.", [(P, "linje for Biden-administrationen.")]),
        ("med Japan og New Zea-\nland.", [(P, "med Japan og New Zealand.")]),
        (
            "Biden-administrationen og Trump-\nadministrationen.",
            [(P, "Biden-administrationen og Trump-administrationen.")],
        ),
        ("Politik i forandring. Meget i for-\nandring.", [(P, "Politik i forandring. Meget i forandring.")]),
        (
            "Vi har cyber-forsvar her. Nyt cyber-\nforsvar er godt.",
            [(P, "Vi har cyber-forsvar her. Nyt cyber-forsvar er godt.")],
        ),
        ("sikker\u00ad\nhedspolitik.", [(P, "sikkerhedspolitik.")]),
        ("Danmark kan –\nevt. gennem en gruppe.", [(P, "Danmark kan – evt. gennem en gruppe.")]),
        ("fra 2020 -\ntil 2023.", [(P, "fra 2020 - til 2023.")]),
        # --- bullets --------------------------------------------------------------------
        (
            "•\t \tPresser på for møder mellem \n\nforskellige allierede.\n\n•\t \tSikrer dialog.",
            [(B, "Presser på for møder mellem forskellige allierede."), (B, "Sikrer dialog.")],
        ),
        (
            "•\t \tStyrker NATO’s relati-\n\noner til civile aktører.",
            [(B, "Styrker NATO’s relationer til civile aktører.")],
        ),
        (
            "Punkter:\n- Første punkt.\n- Andet punkt.",
            [(P, "Punkter:"), (B, "Første punkt."), (B, "Andet punkt.")],
        ),
        (
            "Key points:\n* Raise funding\n* Build capacity",
            [(P, "Key points:"), (B, "Raise funding"), (B, "Build capacity")],
        ),
        (
            "Mål:\n– Mere samarbejde.\n– Færre dubletter.",
            [(P, "Mål:"), (B, "Mere samarbejde."), (B, "Færre dubletter.")],
        ),
        (
            "Tre skridt:\n1. Gør dette.\n2) Gør hint.",
            [(P, "Tre skridt:"), (B, "Gør dette."), (B, "Gør hint.")],
        ),
        ("•\nTeksten står på næste linje.", [(B, "Teksten står på næste linje.")]),
        ("Punkt om noget:\n\n● Første.\n▪ Andet.", [(P, "Punkt om noget:"), (B, "Første."), (B, "Andet.")]),
        # a dash or a number at a line start in mid-sentence is text, not a bullet
        (
            "•\tDanmark kan – evt. gennem en gruppe\n– tage initiativ.",
            [(B, "Danmark kan – evt. gennem en gruppe – tage initiativ.")],
        ),
        ("Det skete i\n2023. Derefter skete mere.", [(P, "Det skete i 2023. Derefter skete mere.")]),
        # --- paragraphs -----------------------------------------------------------------
        ("Første afsnit.\n\nAndet afsnit.", [(P, "Første afsnit."), (P, "Andet afsnit.")]),
        (
            "En sætning, der\n\nfortsætter efter et sideskift.",
            [(P, "En sætning, der fortsætter efter et sideskift.")],
        ),
        (
            "En sætning, der\ffortsætter efter et sideskift.",
            [(P, "En sætning, der fortsætter efter et sideskift.")],
        ),
        ("Linje et\r\nlinje to.\r\n\r\nNyt afsnit.", [(P, "Linje et linje to."), (P, "Nyt afsnit.")]),
        ("Ny \ufb01nansiering og\u00a0\ufb02ere midler.", [(P, "Ny finansiering og flere midler.")]),
        # --- headings -------------------------------------------------------------------
        (
            "Implikationer for Danmark\nUSA er Danmarks tætteste allierede, og NATO er den vigtigste ramme.",
            [
                (H, "Implikationer for Danmark"),
                (P, "USA er Danmarks tætteste allierede, og NATO er den vigtigste ramme."),
            ],
        ),
        (
            "Afslutning.\n Teknologisk brobygger\nDanmark har på mange måder et godt udgangspunkt i alt.",
            [
                (P, "Afslutning."),
                (H, "Teknologisk brobygger"),
                (P, "Danmark har på mange måder et godt udgangspunkt i alt."),
            ],
        ),
        # a short line followed by a line of similar length is the start of a paragraph
        (
            "Dette memo bygger på rapporten\nAmerikansk politik i forandring og mere.",
            [(P, "Dette memo bygger på rapporten Amerikansk politik i forandring og mere.")],
        ),
        # final punctuation or a hyphen means text, however short the line
        (
            "Kort linje.\nEn meget længere linje med tekst, der fortsætter og slutter her.",
            [(P, "Kort linje. En meget længere linje med tekst, der fortsætter og slutter her.")],
        ),
        # a quoted sentence ends in punctuation inside its quotes: text, not a heading (issue 9)
        (
            "Novellen hedder ”Naadsensbrød.”\nDen handler om en gammel kone, der bor hos sin søn.",
            [(P, "Novellen hedder ”Naadsensbrød.” Den handler om en gammel kone, der bor hos sin søn.")],
        ),
    ],
)
def test_pdf_damage_is_repaired(text: str, blocks: list[tuple[str, str]]) -> None:
    """Each kind of PDF extraction damage is repaired, and real hyphens, dashes and text survive."""
    _, found = parse_blocks("\n" + text)
    assert [(b.kind, b.text) for b in found] == blocks


@pytest.mark.parametrize(
    ("text", "blocks", "notes"),
    [
        (
            "Første afsnit stopper midt i\n\n• Et punkt.\n\nsætningen og slutter her.",
            [(P, "Første afsnit stopper midt i sætningen og slutter her."), (B, "Et punkt.")],
            [
                "TODO: check — the text from “sætningen og slutter her.” was found on line 6, "
                "out of reading order, and joined to this paragraph",
                "",
            ],
        ),
        (
            "Et afsnit, der er færdigt.\n\nog et stykke uden begyndelse.",
            [(P, "Et afsnit, der er færdigt."), (P, "og et stykke uden begyndelse.")],
            ["", "TODO: check — starts in lower case: its beginning is missing or elsewhere"],
        ),
        (
            "En kolofon, der er skåret af på",
            [(P, "En kolofon, der er skåret af på")],
            [
                "TODO: check — ends without final punctuation: cut off in the extraction, "
                "or continued elsewhere"
            ],
        ),
    ],
)
def test_text_out_of_reading_order_is_put_back_or_flagged(text: str, blocks: list, notes: list[str]) -> None:
    """A lower-case fragment completes the paragraph it belongs to; what cannot be placed is flagged."""
    _, found = parse_blocks("\n" + text)
    assert [(b.kind, b.text) for b in found] == blocks
    assert ["; ".join(b.notes) for b in found] == notes


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            " Titlen på notatet  \nUndertitel, med komma\n\nBrødtekst.",
            ["Titlen på notatet", "Undertitel, med komma"],
        ),
        ("Titel\n\nBrødtekst.", ["Titel"]),
        ("En sætning, ikke en titel.\n\nBrødtekst.", []),
        ("Kun én blok uden mere", []),
    ],
)
def test_the_title_block_is_the_first_lines_when_they_look_like_a_title(text: str, title: list[str]) -> None:
    """Up to three unpunctuated lines before the first blank line are the title and subtitle."""
    assert parse_blocks(text)[0] == title


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Danmark kan gøre noget. Og mere.", "Danmark kan gøre noget."),
        (
            "Danmark kan – evt. gennem en gruppe – gøre noget. Mere.",
            "Danmark kan – evt. gennem en gruppe – gøre noget.",
        ),
        ("Fx bl.a. NATO. Også EU.", "Fx bl.a. NATO."),
        ("Præsident J. Biden taler. Mere.", "Præsident J. Biden taler."),
        ("Kun én sætning uden punktum", "Kun én sætning uden punktum"),
    ],
)
def test_first_sentence_skips_abbreviations(text: str, sentence: str) -> None:
    """Recommendations pre-filled from a paragraph's first sentence are cut at a real sentence end."""
    assert first_sentence(text) == sentence


_REC_MEMO = """\
Et notat om droner
Undertitel

Droner ændrer krigsførelsen.

Anbefalinger
Danmark bør investere i droner. Det haster.

Forsvaret
Forsvaret bør uddanne flere droneoperatører. Det sker sådan her:
• Oprette en droneskole.
• Købe flere droner.

Om forfatterne
Forfatteren er forsker ved centret og har skrevet meget om droner.
"""


def test_recommendations_are_prefilled_under_a_recommendations_heading() -> None:
    """Under "Anbefalinger", paragraphs give their first sentence and bullets their text, with parents."""
    draft = draft_memo(_REC_MEMO, "droner-2024")

    assert draft.roles == (("central", "Central anbefaling"), ("forsvaret", "Forsvaret"))
    assert [(r.id, r.role, r.parent, r.text) for r in draft.recommendations] == [
        ("droner-2024-rec-anbefalinger-1", "central", None, "Danmark bør investere i droner."),
        (
            "droner-2024-rec-forsvaret-1",
            "forsvaret",
            "droner-2024-rec-anbefalinger-1",
            "Forsvaret bør uddanne flere droneoperatører.",
        ),
        ("droner-2024-rec-forsvaret-2", "forsvaret", "droner-2024-rec-forsvaret-1", "Oprette en droneskole."),
        ("droner-2024-rec-forsvaret-3", "forsvaret", "droner-2024-rec-forsvaret-1", "Købe flere droner."),
    ]
    assert [(p.id, p.section, p.supports) for p in draft.passages] == [
        ("droner-2024-indledning-1", ("Indledning",), None),
        ("droner-2024-anbefalinger-1", ("Anbefalinger",), ("droner-2024-rec-anbefalinger-1",)),
        (
            "droner-2024-forsvaret-1",
            ("Anbefalinger", "Forsvaret"),
            ("droner-2024-rec-forsvaret-1", "droner-2024-rec-anbefalinger-1"),
        ),
        (
            "droner-2024-forsvaret-2",
            ("Anbefalinger", "Forsvaret"),
            ("droner-2024-rec-forsvaret-2", "droner-2024-rec-forsvaret-1"),
        ),
        (
            "droner-2024-forsvaret-3",
            ("Anbefalinger", "Forsvaret"),
            ("droner-2024-rec-forsvaret-3", "droner-2024-rec-forsvaret-1"),
        ),
        ("droner-2024-om-forfatterne-1", ("Om forfatterne",), None),
    ]
    assert draft.meta == {
        "id": "droner-2024",
        "title": "Et notat om droner",
        "subtitle": "Undertitel",
        "publisher": "TODO: who published the memo",
        "year": "TODO: year of publication",
        "language": "da",
        "source_url": "TODO: https://… where a reader finds the original",
    }


def _resolve_todos(data: dict, central: str | None) -> dict:
    """What a curator does with a draft's TODOs, done mechanically."""
    data["memo"].update(
        publisher="Center for Militære Studier", year=2023, source_url="https://example.org/m"
    )
    for role in data["roles"]:
        if "TODO" in role["name"]:
            role["name"] = "Central anbefaling"
    for passage in data["passages"]:
        passage["section"] = ["Hovedpointer" if "TODO" in s else s for s in passage["section"]]
        if passage.get("supports") == ["TODO"]:
            passage["supports"] = [central]
        if "TODO" in passage.get("note", ""):
            del passage["note"]
    return data


@pytest.mark.parametrize(
    ("text", "central"),
    [(_REC_MEMO, "droner-2024-rec-anbefalinger-1"), ("Titel\n\nEt afsnit uden anbefalinger.\n", None)],
)
def test_a_draft_fails_validation_only_on_its_todo_markers(
    tmp_path: Path, text: str, central: str | None
) -> None:
    """A fresh draft is refused for its TODOs alone, one problem per marker; resolved, it loads."""
    rendered = render_yaml(draft_memo(text, "droner-2024", source="droner.txt"))
    draft_file = tmp_path / "droner-2024.yaml"
    draft_file.write_text(rendered, encoding="utf-8")

    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(tmp_path)
    assert exc.value.problems and all(p.endswith(f": {_TODO_RULE}") for p in exc.value.problems)
    assert len(exc.value.problems) == count_todos(rendered)

    draft_file.write_text(yaml.safe_dump(_resolve_todos(yaml.safe_load(rendered), central)), encoding="utf-8")
    assert load_knowledge(tmp_path).memos[0].id == "droner-2024"


def _shared_memo_draft():
    return draft_memo(SHARED_MEMO.read_text(encoding="utf-8"), "cms-us-defence-2023", source=SHARED_MEMO.name)


def test_the_draft_of_the_shared_memo_comes_close_to_the_curated_file(record_property) -> None:
    """Measured against the hand-curated file: share of passages and recommendations reproduced exactly."""
    draft = _shared_memo_draft()
    curated = load_knowledge(bundled_knowledge_dir())
    drafted_passages = {p.text for p in draft.passages}
    drafted_recs = {r.text for r in draft.recommendations}
    memo = curated.memo("cms-us-defence-2023")

    passages = [p for p in curated.passages if p.memo_id == memo.id]
    recs = [r for r in curated.recommendations if r.memo_id == memo.id]
    passage_share = sum(p.text in drafted_passages for p in passages) / len(passages)
    rec_share = sum(" ".join(r.text.split()) in drafted_recs for r in recs) / len(recs)
    record_property("passages_exact", passage_share)
    record_property("recommendations_exact", rec_share)

    # Measured: 27/27 passages and 19/20 recommendations (the one missed is the 4th sentence of
    # its paragraph; the importer proposes first sentences).
    assert passage_share >= 0.9
    assert rec_share >= 0.85
    assert len(draft.passages) == len(passages)
    assert (draft.meta["title"], draft.meta["subtitle"]) == (memo.title, memo.subtitle)
    assert [name for _, name in draft.roles] == [
        "Central anbefaling",
        "Alliancebrobygger",
        "Samtænkningsbrobygger",
        "Teknologisk brobygger",
    ]


def test_the_shared_memo_draft_flags_its_damage_where_the_curator_noted_it() -> None:
    """The displaced line and the cut-off colophon, noted by the curator, carry TODO notes in the draft."""
    noted = {p.text[:40]: p.note for p in _shared_memo_draft().passages if p.note}
    assert sorted(noted) == [
        "Dette CMS-memo bygger på CMS-rapporten A",
        "Rapportens anden del belyser, hvordan di",
    ]
    assert all(note.startswith("TODO: check — ") for note in noted.values())


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A knowledge directory (a copy of the bundled one) for the CLI; returns it."""
    kb = tmp_path / "knowledge"
    shutil.copytree(bundled_knowledge_dir(), kb)
    monkeypatch.setenv("MEMOBOT_KNOWLEDGE_DIR", str(kb))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "memo.txt").write_text(_REC_MEMO, encoding="utf-8")
    return kb


def test_memobot_import_writes_a_readable_draft_in_the_current_directory(cli_env: Path, capsys) -> None:
    """By default the draft lands in the current directory as ID.yaml (never in the served
    knowledge directory), readable by all (0644 under umask 022), with a summary printed."""
    old = os.umask(0o022)
    try:
        code = cli.main(["import", "memo.txt", "--id", "droner-2024", "--year", "2024", "--publisher", "CMS"])
    finally:
        os.umask(old)
    assert code == 0

    out = capsys.readouterr().out
    written = Path("droner-2024.yaml")
    assert out == (
        "Wrote droner-2024.yaml: 6 passages (4 paragraphs, 2 bullets) in 4 sections, "
        "4 recommendations pre-filled, 1 TODO marker to resolve.\n"
        "Next: resolve the TODOs and check the draft against the source (docs/curating.md), then "
        "move it into your knowledge directory and run `memobot validate DIR`.\n"
    )
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert not (cli_env / "droner-2024.yaml").exists()
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert (data["memo"]["year"], data["memo"]["publisher"]) == (2024, "CMS")


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["--id", "Droner 2024"],
            "Error: --id 'Droner 2024' must be a lower-case slug ([a-z0-9][a-z0-9._-]*)\n",
        ),
        (
            ["--id", "d", "--prefix", "X"],
            "Error: --prefix 'X' must be a lower-case slug ([a-z0-9][a-z0-9._-]*)\n",
        ),
        (["--id", "d", "-o", "nowhere/d.yaml"], "Error: nowhere: no such directory\n"),
        # hostile values (issue 12): refused before anything is written
        (
            ["--id", "evil\n"],
            "Error: --id 'evil\\n' must be a lower-case slug ([a-z0-9][a-z0-9._-]*)\n",
        ),
        (
            ["--id", "d", "--prefix", "p\n"],
            "Error: --prefix 'p\\n' must be a lower-case slug ([a-z0-9][a-z0-9._-]*)\n",
        ),
        (
            ["--id", "d", "--title", "a\x07b"],
            "Error: --title 'a\\x07b' holds the control character U+0007: remove it\n",
        ),
        (
            ["--id", "d", "--publisher", "CMS\nid: x"],
            "Error: --publisher 'CMS\\nid: x' holds the control character U+000A: remove it\n",
        ),
        (["--id", "d", "--series", "  "], "Error: --series must not be empty\n"),
        (
            ["--id", "d", "--source-url", "javascript:alert(1)"],
            "Error: --source-url 'javascript:alert(1)' must be an http(s) URL\n",
        ),
    ],
)
def test_memobot_import_rejects_bad_arguments(cli_env: Path, capsys, argv: list[str], error: str) -> None:
    """Bad ids, metadata and output folders are refused with a message naming the option."""
    assert cli.main(["import", "memo.txt", *argv]) == 1
    assert capsys.readouterr().err == error
    assert not list(Path().glob("*.yaml")) and not list(Path().glob("evil*"))


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("missing.txt", "Error: missing.txt: cannot read the file: No such file or directory\n"),
        ("latin1.txt", "Error: latin1.txt: not UTF-8 text (byte 2); convert it first\n"),
        ("empty.txt", "Error: empty.txt: no text to import\n"),
        ("shy.txt", "Error: shy.txt: no text to import\n"),
        ("fake.pdf", "Error: fake.pdf: not a PDF (a PDF file starts with %PDF-)\n"),
        ("broken.pdf", "Error: broken.pdf: not a readable PDF (Stream has ended unexpectedly)\n"),
    ],
)
def test_memobot_import_rejects_unusable_sources(cli_env: Path, capsys, source: str, error: str) -> None:
    """A missing, non-UTF-8, empty or invisible (soft hyphens only) source, or a file that is no
    PDF, is an error that names the file."""
    Path("latin1.txt").write_bytes("Tr\u00e6ning.".encode("latin-1"))
    Path("empty.txt").write_text("\n\n", encoding="utf-8")
    Path("shy.txt").write_text("\u00ad" * 5000 + "\n" + "\u00ad \u00ad\n", encoding="utf-8")
    Path("fake.pdf").write_text("just text", encoding="utf-8")
    Path("broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    assert cli.main(["import", source, "--id", "d"]) == 1
    assert capsys.readouterr().err == error


@pytest.mark.parametrize(("force", "code"), [(False, 1), (True, 0)])
def test_memobot_import_never_overwrites_unless_forced(cli_env: Path, capsys, force: bool, code: int) -> None:
    """An existing file is left alone, unless --force, which replaces it whole."""
    target = cli_env / "cms-us-defence-2023.yaml"
    before = target.read_text(encoding="utf-8")

    argv = ["import", "memo.txt", "--id", "cms-us-defence-2023", "-o", str(target)]
    assert cli.main([*argv, *(["--force"] if force else [])]) == code

    after = target.read_text(encoding="utf-8")
    if force:
        assert after != before and after.startswith("# DRAFT made by `memobot import` from memo.txt")
    else:
        assert after == before
        assert capsys.readouterr().err == f"Error: {target} already exists; use --force to overwrite it\n"
    assert not [p for p in cli_env.iterdir() if p.name.startswith(".")]  # no temp file left


def test_validate_rejects_every_todo_but_not_the_word_in_lower_case(tmp_path: Path) -> None:
    """The TODO rule catches markers in any field, and only the upper-case marker word."""
    text = (
        "memo:\n  id: m\n  title: TODO\n  publisher: P\n  year: TODO\n  language: da\n"
        "  source_url: https://example.org\nroles:\n  - id: central\n    name: C\nrecommendations: []\n"
        "passages:\n  - id: p1\n    section: [TODO]\n    text: Et afsnit om todo-lister.\n"
        "  - id: TODO\n    section: [A]\n    text: Tekst.\n"
    )
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(tmp_path)
    path = tmp_path / "m.yaml"
    assert exc.value.problems == [
        f"{path}:3: memo.title: {_TODO_RULE}",
        f"{path}:5: memo.year: {_TODO_RULE}",
        f"{path}:14: passages[0].section[0]: {_TODO_RULE}",
        f"{path}:16: passages[1].id: {_TODO_RULE}",
    ]


_PIECES = st.sampled_from(
    [
        "Ord",
        "ord",
        "NATO-",
        "for-",
        "og",
        "Stor-",
        "magt",
        "•\t",
        "- ",
        "* ",
        "1. ",
        "–",
        ": ",
        ".",
        ",",
        "#",
        '"',
        "'",
        "\\",
        "{",
        "}",
        "[",
        "]",
        "&",
        "*",
        "!",
        "%",
        "@",
        "`",
        "|",
        ">",
        "æøå",
        "’",
        "TODO",
        "\n",
        "\n",
        "\n\n",
        " ",
        " ",
        "\t",
        "\u00ad",
        "\f",
        "null",
        "yes",
        "2023",
        "~",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=60).map("".join))
@example("NATO-\n\u00ad \u00ad")  # a line of soft hyphens only, after a line-end hyphen
def test_any_text_gives_a_draft_that_parses_as_yaml_with_its_texts_intact(text: str) -> None:
    """Whatever the source holds, the draft is valid YAML whose values read back exactly as drafted."""
    try:
        draft = draft_memo(text, "m")
    except MemobotError as exc:
        assert str(exc) == "the source: no text to import"
        return
    data = yaml.safe_load(render_yaml(draft))
    assert [p["text"] for p in data["passages"]] == [p.text for p in draft.passages]
    assert [p["section"] for p in data["passages"]] == [list(p.section) for p in draft.passages]
    assert [r["text"] for r in data["recommendations"]] == [r.text for r in draft.recommendations]
    assert data["memo"] == draft.meta
    assert all(not re.search(r"\s{2}|^\s|\s$", p.text) for p in draft.passages)


MD_PAGE = """# A Report Title

**Product Type:** Reports
**Report No.:** R1

---
[Citation](https://x.gov#citation)[Subscribe](https://x.gov/alerts) > R1

- [April 1, 2026 (R1 - Version: 2)](https://x.gov/R1.2.pdf)

A Report TitleApril 1, 2026             (R1)

# Contents

- [Background and Context](https://x.gov#_Toc1)

Background and Context

The **Jones Act** restricts [vessels](https://x.gov/v) that carry _cargo_ between ports.

| Name | Value
| A | 1

| Text Box Title
Other********Than Honorable**** (OTH)**** Discharge****.******Servicemembers serve well.

## Sub part

- A list item.

# Footnotes

| 1. | A note that must not be imported.

Disclaimer: These documents were prepared by the Congressional Research Service."""


def test_markdown_keeps_text_levels_and_drops_page_furniture() -> None:
    """A scraped Markdown page: title from `#`, navigation/metadata/tables/footnotes dropped, TOC
    entries are headings, inline markup removed, `##` nests under the heading above it; a text
    box keeps its title as a passage of kind heading, apart from the running text."""
    draft = draft_memo(MD_PAGE, "r1", markdown=True, language="en")
    assert draft.meta["title"] == "A Report Title"
    assert [(p.section, p.kind, p.text) for p in draft.passages] == [
        (("Background and Context",), P, "The Jones Act restricts vessels that carry cargo between ports."),
        (("Background and Context",), H, "Text Box Title"),
        (("Background and Context",), P, "Other Than Honorable (OTH) Discharge. Servicemembers serve well."),
        (("Background and Context", "Sub part"), B, "A list item."),
    ]


@pytest.mark.parametrize(
    ("paragraphs", "passages"),
    [
        ([5, 5, 5], [15]),
        ([39, 50, 10], [89, 10]),
        ([40, 5], [40, 5]),
        ([100, 60], [100, 60]),
        ([30, 130], [30, 130]),
        ([10] * 12, [40, 40, 40]),
    ],
)
def test_short_paragraphs_merge_into_passages_of_40_to_150_words(paragraphs, passages) -> None:
    """A passage under 40 words takes the next paragraph of its section while it stays within 150."""
    text = "\n\n".join(" ".join(["ord"] * (n - 1) + ["slut."]) for n in paragraphs)
    draft = draft_memo("\n" + text, "m", language="da")
    assert [len(p.text.split()) for p in draft.passages] == passages


def _sentences(*lengths: int) -> str:
    return " ".join(" ".join(["Ord"] + ["ord"] * (n - 2) + ["slut."]) for n in lengths)


@pytest.mark.parametrize(
    ("sentences", "passages"),
    [
        ([50, 50, 50], [150]),  # at the bound: one passage
        ([50, 50, 50, 50], [100, 100]),
        ([100, 100, 100, 100], [100, 100, 100, 100]),
        ([60, 60, 60, 60, 60], [120, 120, 60]),
        ([100, 60, 90], [100, 150]),
        ([200], [200]),  # one sentence is never cut
        ([20, 200, 20], [20, 200, 20]),
    ],
)
def test_long_paragraphs_split_at_sentence_ends(sentences, passages) -> None:
    """A paragraph over 150 words becomes passages of at most 150 words, cut between sentences."""
    draft = draft_memo("\n" + _sentences(*sentences), "m", language="da")
    assert [len(p.text.split()) for p in draft.passages] == passages


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=2, max_value=120), min_size=1, max_size=12))
def test_split_parts_give_the_paragraph_back_and_keep_the_bound(lengths) -> None:
    """Joined, the parts are the paragraph; each is within 150 words or one whole sentence."""
    text = _sentences(*lengths)
    parts = split_long(text)
    assert " ".join(parts) == text
    assert all(len(p.split()) <= 150 or len(sentences(p)) == 1 for p in parts)


def test_a_file_name_with_a_newline_stays_inside_the_header_comment(tmp_path: Path) -> None:
    """A source file name holding a newline and YAML cannot add lines to the draft (issue 12)."""
    source = tmp_path / "memo\nmemo:\n  id: evil.txt"
    source.write_text(_REC_MEMO, encoding="utf-8")
    _, rendered = import_memo(source, tmp_path / "d.yaml", "droner-2024")
    first = rendered.splitlines()[0]
    assert first.startswith("# DRAFT made by `memobot import` from memo\\nmemo:\\n  id: evil.txt on ")
    assert yaml.safe_load(rendered)["memo"]["id"] == "droner-2024"


@pytest.mark.parametrize(
    ("source", "compare_with"),
    [
        ("memo.pdf", "the PDF"),
        ("memo.PDF", "the PDF"),
        ("speech.txt", "the source"),
        ("report.md", "the source"),
    ],
)
def test_draft_header_names_what_to_compare_with(source: str, compare_with: str) -> None:
    """The draft's header asks the curator to compare the passages with the PDF only for a PDF."""
    from dataclasses import replace

    draft = replace(draft_memo(_REC_MEMO, "droner-2024"), source=source)
    header = "\n".join(render_yaml(draft).splitlines()[:6])
    assert f"compare each passage with {compare_with} (" in header


def test_memobot_import_without_todos_asks_only_for_a_check(cli_env: Path, capsys) -> None:
    """A draft with nothing to resolve is not followed by "resolve the TODOs"."""
    source = Path(__file__).parent / "dev-corpus" / "sources" / "en-crs-R48903.md"
    argv = ["import", str(source), "--id", "hormuz", "--title", "Hormuz", "--publisher", "CRS"]
    argv += ["--year", "2026", "--source-url", "https://example.org/hormuz", "--language", "en"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "0 TODO markers to resolve.\n" in out
    assert out.endswith(
        "Next: check the draft against the source (docs/curating.md), then move it into your "
        "knowledge directory and run `memobot validate DIR`.\n"
    )
