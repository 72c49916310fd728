"""Loading knowledge files: every validation rule, with file, line, field and rule named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memobot.errors import KnowledgeError
from memobot.loader import load_knowledge

from .conftest import GLOSSARY, MEMO_A, MEMO_B, write_kb


def _problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [p.replace(str(directory) + os.sep, "") for p in caught.value.problems]


def test_loads_two_memos_and_glossary(tiny_kb: Path) -> None:
    """A valid directory loads every memo, passage, recommendation and glossary entry."""
    kb = load_knowledge(tiny_kb)
    assert [m.id for m in kb.memos] == ["memo-a", "memo-b"]
    assert len(kb.passages) == 5 and len(kb.recommendations) == 3 and len(kb.glossary) == 2
    assert len(kb.version) == 12


def test_positions_and_citation(tiny_kb: Path) -> None:
    """Positions count within a section; a citation reads series: title (year), section, ¶."""
    kb = load_knowledge(tiny_kb)
    second = next(p for p in kb.passages if p.id == "b-tek-2")
    assert second.position == 2
    alliance = next(p for p in kb.passages if p.id == "a-alliance-1")
    assert (
        kb.citation(alliance) == "CMS-memo: Arktis i forandring (2024), Anbefalinger › Alliancebrobygger, ¶1"
    )
    assert kb.citation(second) == "Teknologi og forsvar (2023), Teknologi, ¶2"


def test_version_changes_with_content(tiny_kb: Path) -> None:
    """The version is a content hash: an edit changes it, a reload of the same files does not."""
    before = load_knowledge(tiny_kb).version
    assert load_knowledge(tiny_kb).version == before
    (tiny_kb / "a.yaml").write_text(MEMO_A.replace("isen smelter", "isen forsvinder"), encoding="utf-8")
    assert load_knowledge(tiny_kb).version != before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  year: 2024", "  year: '2024'", "a.yaml:6: memo.year: must be a whole number, not a string"),
        (
            "  language: da",
            "  language: fr",
            "a.yaml:7: memo.language: 'fr' is not one of: da, en, sv, nb, de",
        ),
        (
            "  source_url: https://example.org/arktis",
            "  source_url: example.org",
            "a.yaml:8: memo.source_url: 'example.org' must be an http(s) URL",
        ),
        ("  title: Arktis i forandring\n", "", "a.yaml:1: memo.title: required key is missing"),
        (
            "  series: CMS-memo",
            "  series: CMS-memo\n  author: X",
            "a.yaml:5: memo.author: unknown key (allowed: id, title, subtitle, series, publisher, year, "
            "language, source_url)",
        ),
        (
            "  id: memo-a",
            "  id: Memo A",
            "a.yaml:2: memo.id: 'Memo A' must be a lower-case slug ([a-z0-9][a-z0-9._-]*)",
        ),
        (
            "    text: Stormagtskonkurrencen når nu også Arktis, hvor isen smelter.",
            "    text: '   '",
            "a.yaml:25: passages[0].text: must not be empty",
        ),
        (
            "    section: [Indledning]",
            "    section: Indledning",
            "a.yaml:24: passages[0].section: must be a list, not a string",
        ),
        (
            "    supports: [a-rec-central]\n  - id: a-anb-1",
            "    supports: [a-rec-nope]\n  - id: a-anb-1",
            "a.yaml:26: passages[0].supports[0]: no recommendation has the id 'a-rec-nope'",
        ),
        (
            "    supports: [a-rec-central]\n  - id: a-anb-1",
            "    supports: []\n  - id: a-anb-1",
            "a.yaml:26: passages[0].supports: must name at least one recommendation",
        ),
        (
            "    kind: bullet",
            "    kind: table",
            "a.yaml:33: passages[2].kind: 'table' is not one of: paragraph, bullet, heading, colophon",
        ),
        (
            "    role: alliance",
            "    role: allianc",
            "a.yaml:19: recommendations[1].role: unknown role 'allianc' "
            "(roles of this memo: central, alliance)",
        ),
        (
            "    parent: a-rec-central",
            "    parent: a-rec-other",
            "a.yaml:20: recommendations[1].parent: 'a-rec-other' is not another recommendation of this memo",
        ),
        (
            "    text: Danmark bør styrke overvågningen af Arktis.\n  - id: a-rec-alliance",
            "    text: Danmark bør lukke Arktis.\n  - id: a-rec-alliance",
            "a.yaml:17: recommendations[0].text: must be quoted verbatim from a passage of memo 'memo-a'",
        ),
        (
            "  - id: a-anb-1",
            "  - id: a-intro-1",
            "a.yaml:27: passages[1].id: duplicate id 'a-intro-1' (first defined at a.yaml:23)",
        ),
        (
            "    name: Alliancebrobygger\n",
            "    name: Alliancebrobygger\n  - id: alliance\n    name: Igen\n",
            "a.yaml:14: roles[2].id: duplicate role id 'alliance' in this memo",
        ),
        ("  year: 2024", "  year: 2024\n  year: 2025", "a.yaml:7: year: key appears twice in one mapping"),
        (
            "title: Arktis i forandring",
            "title: [Arktis",
            "a.yaml:4: invalid YAML: expected ',' or ']', but got ':'",
        ),
    ],
)
def test_memo_rules(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Each broken rule is reported once, as FILE:LINE: FIELD: RULE."""
    assert old in MEMO_A
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A.replace(old, new, 1)})
    assert _problems(directory) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("glossary:\n  - en: [x]\n", "g.yaml:2: glossary[0].da: required key is missing"),
        (
            "glossary:\n  - da: [x]\n",
            "g.yaml:2: glossary[0]: needs `en` or `synonyms` (what a user may write)",
        ),
        ("glossary:\n  - en: []\n    da: [x]\n", "g.yaml:2: glossary[0].en: must not be empty"),
        ("glossary: {en: x}\n", "g.yaml:1: glossary: must be a list, not a mapping"),
        ("- 1\n- 2\n", "g.yaml:1: (top level): the file must be a mapping, not a list"),
        (
            "hello: world\n",
            "g.yaml:1: (top level): the file needs a top-level `memo` (a memo file) or `glossary` key",
        ),
        ("", "g.yaml:1: (top level): the file must be a mapping, not nothing (null)"),
    ],
)
def test_glossary_and_file_rules(tmp_path: Path, text: str, expected: str) -> None:
    """Glossary files and files of the wrong shape are refused with the rule named."""
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "g.yaml": text})
    assert _problems(directory) == [expected]


def test_all_problems_reported_together(tmp_path: Path) -> None:
    """Every problem of a load is listed, across files, not only the first."""
    broken_a = MEMO_A.replace("  year: 2024", "  year: soon").replace("    kind: bullet", "    kind: x")
    broken_b = MEMO_B.replace("  language: da", "  language: fr")
    directory = write_kb(tmp_path / "kb", {"a.yaml": broken_a, "b.yaml": broken_b})
    problems = _problems(directory)
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == ["a.yaml", "a.yaml", "b.yaml"]


def test_ids_unique_across_files(tmp_path: Path) -> None:
    """A passage id used in two memo files is refused, naming both places."""
    clash = MEMO_B.replace("id: b-tek-1", "id: a-intro-1")
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "b.yaml": clash})
    [problem] = _problems(directory)
    assert problem.startswith("b.yaml:16: passages[0].id: duplicate id 'a-intro-1' (first defined at ")
    assert problem.endswith("a.yaml:23)")


def test_links_stay_within_a_memo(tmp_path: Path) -> None:
    """A passage cannot support another memo's recommendation."""
    cross = MEMO_B.replace(
        "    supports: [b-rec-kvante]\n  - id: b-tek-2", "    supports: [a-rec-central]\n  - id: b-tek-2"
    )
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "b.yaml": cross})
    assert _problems(directory) == [
        "b.yaml:19: passages[0].supports[0]: recommendation 'a-rec-central' belongs to memo 'memo-a', "
        "not 'memo-b'"
    ]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "{dir}: not a directory"),
        ("empty", "{dir}: no memo file found (a *.yaml file with a `memo` key)"),
        ("latin1", "{dir}/a.yaml: not UTF-8 text (byte 0)"),
    ],
)
def test_directory_rules(tmp_path: Path, setup: str, expected: str) -> None:
    """A missing, empty or unreadable directory is refused with a clear message."""
    directory = tmp_path / "kb"
    if setup != "missing":
        directory.mkdir()
    if setup == "latin1":
        (directory / "a.yaml").write_bytes("\xe6ble: 1\n".encode("latin-1"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    assert caught.value.problems == [expected.replace("{dir}", str(directory))]


def test_hidden_and_other_files_are_ignored(tiny_kb: Path) -> None:
    """Editor swap files, hidden folders and non-YAML files never count."""
    (tiny_kb / ".a.yaml.swp").write_text("broken: [", encoding="utf-8")
    (tiny_kb / ".git").mkdir()
    (tiny_kb / ".git" / "x.yaml").write_text("broken: [", encoding="utf-8")
    (tiny_kb / "notes.txt").write_text("not yaml", encoding="utf-8")
    assert len(load_knowledge(tiny_kb).memos) == 2


def test_bundled_knowledge_is_valid() -> None:
    """The knowledge base shipped with memobot loads cleanly."""
    from memobot.loader import bundled_knowledge_dir

    kb = load_knowledge(bundled_knowledge_dir())
    assert kb.memos and len(kb.passages) >= 27
    assert all(p.supports for p in kb.passages)


def test_glossary_only_directory_is_refused(tmp_path: Path) -> None:
    """A directory with a glossary but no memo has nothing to answer from."""
    directory = write_kb(tmp_path / "kb", {"g.yaml": GLOSSARY})
    assert _problems(directory) == [f"{directory}: no memo file found (a *.yaml file with a `memo` key)"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  year: 2024", "  year: 2024\ttab"),  # libyaml accepts a tab in a plain value
        ("  year: 2024", "  year: 2024\n\ufeff"),  # and a byte-order mark after the start
        ("title: Arktis i forandring", "title: [Arktis"),  # its error message differs
    ],
)
def test_fast_parser_refuses_what_the_python_parser_refuses(tmp_path: Path, old: str, new: str) -> None:
    """libyaml parses, but what the pure-Python parser refuses is refused with its message."""
    import yaml

    text = MEMO_A.replace(old, new, 1)
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.load(text, Loader=yaml.SafeLoader)
    directory = write_kb(tmp_path / "kb", {"a.yaml": text})
    (problem,) = _problems(directory)
    assert problem.endswith(f"invalid YAML: {caught.value.problem}")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  year: 2024", "  year: 2024\n  [a, b]: x", "a.yaml:7: memo: keys must be strings, not a list"),
        (
            "    section: [Indledning]",
            "    section: [Indledning]\n    ? {a: 1}\n    : x",
            "a.yaml:25: passages[0]: keys must be strings, not a mapping",
        ),
        ("memo:\n", "? [memo]\n: x\nmemo:\n", "a.yaml:1: (top level): keys must be strings, not a list"),
        # Reported where it stands, before a duplicate key further down.
        (
            "  year: 2024",
            "  {a: 1}: x\n  year: 2024\n  year: 2025",
            "a.yaml:6: memo: keys must be strings, not a mapping",
        ),
    ],
)
def test_compound_keys_are_refused(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """A mapping key that is a list or a mapping is reported, with its line, at any level."""
    assert old in MEMO_A
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A.replace(old, new, 1)})
    assert _problems(directory) == [expected]


def test_compound_ids_are_refused(tmp_path: Path) -> None:
    """A recommendation id that is a list is a wrong type like any other (it used to crash)."""
    text = MEMO_A.replace("  - id: a-rec-alliance", "  - id: [x]", 1)
    directory = write_kb(tmp_path / "kb", {"a.yaml": text})
    assert _problems(directory) == [
        "a.yaml:18: recommendations[1].id: must be a string, not a list",
        "a.yaml:35: passages[2].supports[0]: no recommendation has the id 'a-rec-alliance'",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PyYAML resolves these as timestamps or numbers but fails to construct them.
        (
            "x: 2024-13-45\n",
            "g.yaml:1: invalid YAML: '2024-13-45' is not a valid timestamp (month must be in 1..12)",
        ),
        ("x: [1, !!timestamp soon]\n", "g.yaml:1: invalid YAML: 'soon' is not a valid timestamp"),
        ("x: 0x_\n", "g.yaml:1: invalid YAML: '0x_' is not a valid int"),
        ("[" * 2000 + "]" * 2000 + "\n", "g.yaml: invalid YAML: nested too deeply"),
    ],
)
def test_malformed_values_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    """Values that make PyYAML fail with a Python error are reported as invalid YAML."""
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "g.yaml": text})
    [problem] = _problems(directory)
    assert problem.startswith(expected)


@pytest.mark.parametrize(
    "new",
    [
        "  year: !!int 2024",  # an explicit tag
        "  <<: {year: 2024}",  # a merge key
    ],
)
def test_unusual_yaml_loads_as_pyyaml_reads_it(tmp_path: Path, new: str) -> None:
    """Tags and merge keys take PyYAML's own constructor; the result is the same (aliases are
    refused: tests/test_hostile_knowledge.py)."""
    directory = write_kb(tmp_path / "kb", {"a.yaml": MEMO_A.replace("  year: 2024", new, 1)})
    assert load_knowledge(directory).memos[0].year == 2024


_YAML_BITS = st.sampled_from(
    [
        "\n", "\n  ", "\n    ", ": ", "- ", "? ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "!!int ",
        "!!timestamp ", "!!binary ", "<<: ", "'", '"', "#", "|", ">", "---", "...", "\t", "\ufeff", "~",
        "memo", "glossary", "id", "text", "passages", "roles", "recommendations", "supports", "section",
        "year", "2024", "  - id: ",
        "2024-13-45", "0x_", "1e400", "true", "null", "TODO", "x", "a-rec-central",
    ]
)  # fmt: skip


@st.composite
def _yamlish(draw: st.DrawFn) -> str:
    """Text of YAML's building blocks, or a valid memo file with such text spliced in."""
    bits = draw(st.lists(st.one_of(_YAML_BITS, st.text(max_size=4)), max_size=40))
    if draw(st.booleans()):
        return "".join(bits)
    at = draw(st.integers(0, len(MEMO_A)))
    cut = draw(st.integers(0, 20))
    return MEMO_A[:at] + "".join(bits) + MEMO_A[at + cut :]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_yamlish(), min_size=1, max_size=2))
def test_any_text_is_loaded_or_refused(texts: list[str]) -> None:
    """Whatever a knowledge file holds, loading it succeeds or raises KnowledgeError."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for n, text in enumerate(texts):
            (directory / f"f{n}.yaml").write_text(text, encoding="utf-8")
        try:
            load_knowledge(directory)
        except KnowledgeError as exc:
            assert exc.problems
