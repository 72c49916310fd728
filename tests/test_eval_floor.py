"""Retrieval quality on the bundled knowledge base never drops below the measured floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from memobot.evaluate import evaluate, load_question_file, load_questions
from memobot.loader import bundled_knowledge_dir, load_knowledge
from memobot.retrieval import Index

HERE = Path(__file__).parent
DEV = HERE.parent.parent / "shared" / "eval" / "dev-questions.yaml"

# Floors sit a little under what was measured (README, "Retrieval quality"), so a change that
# makes retrieval worse fails here.
OWN_FLOOR = {"hit@1": 0.86, "hit@3": 0.96, "role_accuracy": 0.97, "off_topic_rejection": 1.0}
# The held-out file was written before the quality work and never used to pick a change.
HOLDOUT_FLOOR = {"hit@1": 0.92, "hit@3": 0.95, "role_accuracy": 0.93, "off_topic_rejection": 1.0}
# The second held-out file (everyday-English paraphrases and near-miss off-topic questions) was
# committed before the systematic glossary pass; measured after it and the common-word list:
# hit@1 0.884, hit@3 1.000, role accuracy 0.964, off-topic rejection 1.0.
HOLDOUT2_FLOOR = {"hit@1": 0.86, "hit@3": 0.97, "role_accuracy": 0.93, "off_topic_rejection": 1.0}
# The third held-out file (Slack-style Danish/English) was committed before the quality2 pass
# (baseline hit@1 0.812, hit@3 0.906, role 0.840, off-topic 7/8) and never used to tune.
# Measured after quality2: hit@1 0.844, hit@3 0.938, role 0.880; after quality3 (suspended
# compound heads, English glossary keys): hit@1 0.906, hit@3 0.969, role 0.960, off-topic 7/8.
# After quality5 (a when/how-many question needs a top hit that states a time or number):
# off-topic 8/8.
HOLDOUT3_FLOOR = {"hit@1": 0.87, "hit@3": 0.93, "role_accuracy": 0.92, "off_topic_rejection": 1.0}
# The fourth held-out file (inflections, new compounds, possessives, near misses) was committed
# before the quality3 pass and never used to tune: hit@1 0.919, hit@3 0.946, role 0.933,
# off-topic 7/8, unchanged by it; after quality4 (irregular verbs) hit@1 0.946, hit@3 0.973.
HOLDOUT4_FLOOR = {"hit@1": 0.92, "hit@3": 0.95, "role_accuracy": 0.90, "off_topic_rejection": 0.87}
# The fifth held-out file (past tense, irregular verbs, passive, everyday English) was committed
# before the quality4 pass and never used to tune: baseline hit@1 0.758, hit@3 0.818, role
# 0.870, off-topic 8/8; after quality4 hit@1 0.788, hit@3 0.848, role 0.870, off-topic 8/8.
HOLDOUT5_FLOOR = {"hit@1": 0.76, "hit@3": 0.82, "role_accuracy": 0.84, "off_topic_rejection": 1.0}
# The sixth held-out file (weak past tense, questions about the report, near misses) was
# committed before the quality5 pass and never used to tune: baseline hit@1 0.656, hit@3 0.719,
# role 0.778, off-topic 6/8; after quality5 hit@1 0.656, hit@3 0.719, role 0.778, off-topic 7/8.
HOLDOUT6_FLOOR = {"hit@1": 0.62, "hit@3": 0.68, "role_accuracy": 0.75, "off_topic_rejection": 0.87}
DEV_FLOOR = {"hit@1": 0.90, "hit@3": 0.97, "role_accuracy": 0.95, "off_topic_rejection": 1.0}


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(load_knowledge(bundled_knowledge_dir()))


def _check(index: Index, path: Path, floor: dict[str, float]) -> None:
    scores = evaluate(index, load_questions(path)).scores
    below = {k: round(scores[k], 3) for k, v in floor.items() if scores[k] < v}
    assert not below, f"below the floor {floor}: {below}"


def test_own_question_file(index: Index) -> None:
    """The repo's own 71 questions stay above the floor."""
    _check(index, HERE / "eval-questions.yaml", OWN_FLOOR)


def test_holdout_question_file(index: Index) -> None:
    """The held-out questions (tests/holdout-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout-questions.yaml", HOLDOUT_FLOOR)


def test_second_holdout_question_file(index: Index) -> None:
    """The second held-out questions (tests/holdout2-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout2-questions.yaml", HOLDOUT2_FLOOR)


def test_third_holdout_question_file(index: Index) -> None:
    """The third held-out questions (tests/holdout3-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout3-questions.yaml", HOLDOUT3_FLOOR)


def test_fourth_holdout_question_file(index: Index) -> None:
    """The fourth held-out questions (tests/holdout4-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout4-questions.yaml", HOLDOUT4_FLOOR)


def test_fifth_holdout_question_file(index: Index) -> None:
    """The fifth held-out questions (tests/holdout5-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout5-questions.yaml", HOLDOUT5_FLOOR)


def test_sixth_holdout_question_file(index: Index) -> None:
    """The sixth held-out questions (tests/holdout6-questions.yaml) stay above the floor."""
    _check(index, HERE / "holdout6-questions.yaml", HOLDOUT6_FLOOR)


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval is not beside this checkout")
def test_dev_question_file(index: Index) -> None:
    """The shared dev questions stay above the issue's targets."""
    _check(index, DEV, DEV_FLOOR)


# --- every memo loaded together: the CMS memo and the six dev-corpus memos -------------------

DEV_CORPUS = HERE / "dev-corpus"


@pytest.fixture(scope="module")
def all_memos(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The bundled knowledge base and the dev-corpus memos in one knowledge directory."""
    directory = tmp_path_factory.mktemp("all-memos")
    for source in [*bundled_knowledge_dir().glob("*.yaml"), *(DEV_CORPUS / "knowledge").glob("*.yaml")]:
        (directory / source.name).write_bytes(source.read_bytes())
    return Index(load_knowledge(directory))


# Floors a little under what benchmarks/quality_multi.py measured with every memo loaded
# (README, "Retrieval quality"); hit@k counts low-confidence closest passages, as shown.
MULTI_FLOOR = {
    "aabningstale-2019": {"hit@3": 0.30, "off_topic_rejection": 0.6},
    "aabningstale-2021": {"hit@3": 0.45, "off_topic_rejection": 1.0},
    "aabningstale-2022": {"hit@3": 0.50, "off_topic_rejection": 1.0},
    "crs-r47324": {"hit@3": 0.60, "off_topic_rejection": 1.0},
    "crs-r48903": {"hit@3": 0.75, "off_topic_rejection": 1.0},
    "crs-r48907": {"hit@3": 0.60, "off_topic_rejection": 1.0},
}


@pytest.mark.parametrize("memo", sorted(MULTI_FLOOR))
def test_dev_corpus_memos_with_every_memo_loaded(all_memos: Index, memo: str) -> None:
    """Each dev-corpus memo's tuned-on questions stay above the floor with all seven memos loaded."""
    questions = load_question_file(DEV_CORPUS / "questions" / f"{memo}.yaml")
    scores = evaluate(all_memos, questions.questions, memo=questions.memo).scores
    below = {k: round(scores[k], 3) for k, v in MULTI_FLOOR[memo].items() if scores[k] < v}
    assert not below, f"below the floor {MULTI_FLOOR[memo]}: {below}"


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval is not beside this checkout")
def test_dev_question_file_with_every_memo_loaded(all_memos: Index) -> None:
    """The shared dev questions lose nothing when the six other memos are loaded beside the CMS memo."""
    _check(all_memos, DEV, {"hit@1": 1.0, "hit@3": 1.0})


def test_loose_translations_do_not_outvote_the_questions_own_language(all_memos: Index) -> None:
    """A Danish question the Danish speech half matches in its own words is shown from the speech
    (closest passages), not answered from an English report that shares only loosely translated
    everyday words (regeringen → government, hårdt → hard, år → year, arbejde → work)."""
    answer = all_memos.ask(
        "Hvad vil regeringen gøre for folk, der er slidt op efter mange år med hårdt fysisk arbejde?"
    )
    assert answer.hits and answer.hits[0].passage.memo_id.startswith("aabningstale-"), answer.hits[:1]
