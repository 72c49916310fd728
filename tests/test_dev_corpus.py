"""The dev corpus (tests/dev-corpus): six real texts kept byte for byte, and their knowledge files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from memobot import cli
from memobot.importer import draft_memo
from memobot.loader import bundled_knowledge_dir, load_knowledge

CORPUS = Path(__file__).resolve().parent / "dev-corpus"
SOURCES = CORPUS / "sources"
KNOWLEDGE = CORPUS / "knowledge"

# memo id -> (source file, git blob of the source as the provenance README names it, language)
TEXTS = {
    "aabningstale-2019": ("da-aabningstale-2019.txt", "c29178a4a851829bad34bfc8dd2a127acea850c8", "da"),
    "aabningstale-2021": ("da-aabningstale-2021.txt", "229e674d30aa655819f8ea4f23fe4a53b501c9fe", "da"),
    "aabningstale-2022": ("da-aabningstale-2022.txt", "07cec0d023c34a2b0b27399b9dc4ac97e634f571", "da"),
    "crs-r48903": ("en-crs-R48903.md", "34793c2a89c056e0b72840ce603e84bde0f32802", "en"),
    "crs-r48907": ("en-crs-R48907.md", "a824a45a679ae58b7ba24b3357f8170a67ea45c3", "en"),
    "crs-r47324": ("en-crs-R47324.md", "5313fd16ee40e303365cead43d905bdbd7cab0bf", "en"),
}


def _git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("memo_id", TEXTS)
def test_each_source_is_the_original_byte_for_byte(memo_id: str) -> None:
    """Each source text has the git blob hash of the file it was copied from, and the README names it."""
    name, blob, _ = TEXTS[memo_id]
    assert _git_blob((SOURCES / name).read_bytes()) == blob
    assert blob in (SOURCES / "README.md").read_text(encoding="utf-8")


def test_the_knowledge_files_validate(capsys) -> None:
    """`memobot validate tests/dev-corpus/knowledge` accepts the six files."""
    assert cli.main(["validate", str(KNOWLEDGE)]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {KNOWLEDGE}: 6 memos, ")


def test_they_load_together_with_the_bundled_knowledge(tmp_path: Path) -> None:
    """The six memos, the bundled CMS memo and the glossary load as one base: every id is unique."""
    for path in [*bundled_knowledge_dir().glob("*.yaml"), *KNOWLEDGE.glob("*.yaml")]:
        shutil.copy(path, tmp_path / path.name)
    kb = load_knowledge(tmp_path)
    assert {m.id for m in kb.memos} == {*TEXTS, "cms-us-defence-2023"}
    assert kb.glossary
    ids = [p.id for p in kb.passages] + [r.id for r in kb.recommendations]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("memo_id", TEXTS)
def test_metadata_names_the_source(memo_id: str) -> None:
    """Each memo has its id, language, year and an http(s) source URL naming its report or speech."""
    kb = load_knowledge(KNOWLEDGE)
    memo = kb.memo(memo_id)
    language = TEXTS[memo_id][2]
    assert memo.language == language
    if memo_id.startswith("crs-"):
        report = memo_id.split("-")[1].upper()
        assert (memo.publisher, memo.year, memo.series) == ("Congressional Research Service", 2026, "CRS")
        assert memo.source_url == f"https://www.congress.gov/crs-product/{report}"
    else:
        year = int(memo_id.rsplit("-", 1)[1])
        assert memo.year == year
        assert memo.title == f"Statsministerens tale ved Folketingets åbning {year}"
        assert memo.source_url.endswith(f"/{year}MF.txt")


@pytest.mark.parametrize("memo_id", [m for m in TEXTS if m.startswith("aabningstale")])
def test_speech_passages_are_merged_to_40_to_150_words(memo_id: str) -> None:
    """The speeches' one-sentence paragraphs become passages of 40–150 words (the last may be shorter)."""
    passages = [p for p in load_knowledge(KNOWLEDGE).passages if p.memo_id == memo_id]
    words = [len(p.text.split()) for p in passages]
    assert all(w <= 150 for w in words)
    assert all(w >= 40 for w in words[:-1]), [w for w in words if w < 40]


def test_no_footnote_or_boilerplate_became_a_passage() -> None:
    """CRS footnotes, the disclaimer, navigation and the list of PDF versions are not passages."""
    texts = [p.text for p in load_knowledge(KNOWLEDGE).passages if p.memo_id.startswith("crs-")]
    for needle in ("Disclaimer", "usatrade.census.gov", "PDF Version", "Subscribe", "Version: 2", "_Toc"):
        assert not [t for t in texts if needle in t], needle


@pytest.mark.parametrize("memo_id", TEXTS)
def test_the_curated_text_is_the_importers_text(memo_id: str) -> None:
    """Every passage text of a curated file is word for word a passage of a fresh draft, in order
    (curation changed notes and kinds, and deleted at most one passage)."""
    name, _, language = TEXTS[memo_id]
    source = SOURCES / name
    draft = draft_memo(
        source.read_text(encoding="utf-8"), memo_id, language=language, markdown=source.suffix == ".md"
    )
    curated = yaml.safe_load((KNOWLEDGE / f"{memo_id}.yaml").read_text(encoding="utf-8"))["passages"]
    drafted = {p.id: p.text for p in draft.passages}
    assert [p["id"] for p in curated] == [p.id for p in draft.passages if p.id in {c["id"] for c in curated}]
    assert all(" ".join(p["text"].split()) == drafted[p["id"]] for p in curated)
    assert len(draft.passages) - len(curated) <= 1
