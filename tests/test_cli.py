"""The command line, run as a user runs it: a real subprocess of the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RESULT_KEYS = {"passage_id", "memo_id", "memo_title", "section", "text", "score", "citation", "matched_terms"}


def _memobot(*args: str, stdin: str | None = None, cwd: Path | None = None):
    """Run the CLI as a user would, with no knowledge directory set in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "MEMOBOT_KNOWLEDGE_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "memobot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_ask_bundled_from_anywhere(tmp_path: Path) -> None:
    """`memobot ask` answers from the bundled knowledge base wherever it runs, without tokens."""
    result = _memobot("ask", "Hvad er de tre brobyggerroller?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "¶" in result.stdout and "Matching recommendation" in result.stdout


def test_ask_json_shape(tiny_kb: Path) -> None:
    """--json prints exactly the documented object."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "--json", "kystvagten")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answered", "tentative", "results", "recommendation"}
    assert data["answered"] is True and data["tentative"] is False and data["question"] == "kystvagten"
    assert set(data["results"][0]) == RESULT_KEYS
    assert data["results"][0]["text"] == "Danmark kan samarbejde med Norge om kystvagten."
    assert data["recommendation"] == {
        "id": "a-rec-alliance",
        "role": "Alliancebrobygger",
        "text": "Danmark kan samarbejde med Norge om kystvagten.",
        "memo_id": "memo-a",
    }


def test_ask_json_batch_from_stdin(tiny_kb: Path) -> None:
    """With no question, --json reads one question per line and prints one object per line."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "--json", stdin="kystvagten\n\nrugbrød\nkvante\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["question"], d["answered"]) for d in lines] == [
        ("kystvagten", True),
        ("rugbrød", False),
        ("kvante", True),
    ]
    assert lines[1]["results"] == [] and lines[1]["recommendation"] is None


def test_ask_k(tiny_kb: Path) -> None:
    """-k limits the number of excerpts."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "--json", "-k", "1", "Danmark")
    assert len(json.loads(result.stdout)["results"]) == 1


def test_not_answered_text(tiny_kb: Path) -> None:
    """An off-topic question says so and offers the closest topics."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "Hvordan bager man rugbrød?")
    assert result.returncode == 0
    assert "No good answer" in result.stdout and "Closest topics:" in result.stdout


def test_env_var_points_at_knowledge(tiny_kb: Path, tmp_path: Path) -> None:
    """MEMOBOT_KNOWLEDGE_DIR selects the knowledge base, also from a .env file."""
    (tmp_path / ".env").write_text(f"MEMOBOT_KNOWLEDGE_DIR={tiny_kb}\n", encoding="utf-8")
    result = _memobot("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 memos, 5 passages, 3 recommendations, 2 glossary entries" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "stderr_start"),
    [
        (("ask", "-k", "0", "x"), 2, "usage:"),
        (("--knowledge", "/nonexistent", "ask", "x"), 1, "Error: /nonexistent: not a directory"),
        (("eval", "/nonexistent.yaml"), 1, "Error: cannot read question file /nonexistent.yaml"),
    ],
)
def test_errors_are_one_line_with_exit_code(args: tuple, code: int, stderr_start: str) -> None:
    """User mistakes give `Error: …` (or usage) and a non-zero exit, never a traceback."""
    result = _memobot(*args)
    assert result.returncode == code
    assert result.stderr.startswith(stderr_start)
    if code == 1:
        assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_every_problem(tiny_kb: Path) -> None:
    """`memobot validate` prints each problem as FILE:LINE: FIELD: RULE and exits 1."""
    text = (tiny_kb / "a.yaml").read_text(encoding="utf-8")
    (tiny_kb / "a.yaml").write_text(text.replace("year: 2024", "year: x").replace("kind: bullet", "kind: y"))
    result = _memobot("validate", str(tiny_kb))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{tiny_kb}/a.yaml:6: memo.year: must be a whole number, not a string",
        f"{tiny_kb}/a.yaml:33: passages[2].kind: 'y' is not one of: paragraph, bullet, heading, colophon",
    ]
    assert result.stderr.strip() == f"Error: {tiny_kb}: 2 problems; nothing was loaded"


def test_validate_ok_summary(tiny_kb: Path) -> None:
    """A valid directory gets a one-line summary and exit 0."""
    result = _memobot("validate", str(tiny_kb))
    assert result.returncode == 0
    assert result.stdout.startswith(f"OK: {tiny_kb}: 2 memos, 5 passages, 3 recommendations")


def test_eval_command(tiny_kb: Path, tmp_path: Path) -> None:
    """`memobot eval` prints the scores and the misses."""
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "questions:\n"
        "  - {q: kystvagten, expect: [kystvagten], role: alliance}\n"
        "  - {q: kvante, expect: [nordpolen], role: any}\n"
        "  - {q: rugbrød, expect: []}\n",
        encoding="utf-8",
    )
    result = _memobot("--knowledge", str(tiny_kb), "eval", str(questions))
    assert result.returncode == 0, result.stderr
    assert "hit@1                0.500" in result.stdout
    assert "role_accuracy        1.000" in result.stdout
    assert "off_topic_rejection  1.000" in result.stdout
    assert "rank -: 'kvante'" in result.stdout


@pytest.mark.parametrize(
    ("memo", "code", "expected"),
    [
        ("memo-b", 0, "b-tek-2"),  # from the memo asked for
        ("memo-a", 0, None),  # the other memo does not answer it
        (
            "memo-x",
            1,
            "Error: --memo 'memo-x': no memo has that id (the knowledge base has: memo-a, memo-b)\n",
        ),
    ],
)
def test_ask_memo_restricts_the_answer(tiny_kb: Path, memo: str, code: int, expected: str | None) -> None:
    """`ask --memo ID` answers from that memo only; an unknown id is named in one line."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "--json", "--memo", memo, "kvantecenter København")
    assert result.returncode == code
    if code:
        assert result.stderr == expected and result.stdout == ""
        return
    data = json.loads(result.stdout)
    top = data["results"][0]["passage_id"] if data["answered"] else None
    assert top == expected


def test_low_confidence_closest_passages_are_printed_as_such(tiny_kb: Path) -> None:
    """A question half covered by a passage prints it under a low-confidence notice, alone."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "kystvagten og vejret")
    assert result.returncode == 0, result.stderr
    notice = "No confident answer in the knowledge base; the closest passages (low confidence):"
    assert notice in result.stdout
    assert "Matching recommendation" not in result.stdout


# --- issue 11's CLI defects, each pinned ------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--knowledge", "{kb}", "ask", "--json", "kystvagten"),
        ("ask", "--knowledge", "{kb}", "--json", "kystvagten"),  # refused before: option after the command
        ("ask", "--json", "kystvagten", "--knowledge", "{kb}"),
        (
            "--knowledge",
            "/nonexistent",
            "ask",
            "--knowledge",
            "{kb}",
            "--json",
            "kystvagten",
        ),  # the later wins
    ],
)
def test_knowledge_is_accepted_before_or_after_the_command(tiny_kb: Path, args: tuple) -> None:
    """`--knowledge DIR` works on either side of the sub-command (docs/performance.md uses it after)."""
    result = _memobot(*(a.format(kb=tiny_kb) for a in args))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["memo_id"] == "memo-a"


def test_validate_and_eval_take_knowledge_after_the_command(tiny_kb: Path) -> None:
    """The other commands accept it after their name too."""
    result = _memobot("validate", "--knowledge", str(tiny_kb))
    assert result.returncode == 0 and "2 memos" in result.stdout


@pytest.mark.parametrize("question", ["", "   ", "\t"])
def test_an_empty_question_is_an_error(tiny_kb: Path, question: str) -> None:
    """`memobot ask ""` is a user mistake: one line and exit 1 (it printed "No good answer", exit 0)."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", question)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: the question is empty: give a question, or none to read them from standard input\n"
    )


@pytest.mark.parametrize(
    ("k", "note"), [("5", "(3 excerpts relevant enough; -k 5 shows up to 5.)"), ("3", None)]
)
def test_fewer_relevant_excerpts_than_k_says_so(tiny_kb: Path, k: str, note: str | None) -> None:
    """-k is a maximum: when fewer passages are relevant the text output says how many, so "-k 5"
    showing two is explained rather than looking broken."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", "-k", k, "Danmark")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("(score ") == 3
    assert (note in result.stdout) if note else ("relevant enough" not in result.stdout)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("kyst\x07vagten\x1b[2J", "Q: kyst\\x07vagten\\x1b[2J"),
        ("kystvagten\x9b31m", "Q: kystvagten\\x9b31m"),
        ("kyst\u202evagten", "Q: kyst\\u202evagten"),
    ],
)
def test_control_characters_from_stdin_are_never_echoed_raw(tiny_kb: Path, typed: str, shown: str) -> None:
    """Escape sequences, bells, C1 controls and bidi overrides typed into stdin are printed
    visibly escaped, never sent to the terminal as they are."""
    result = _memobot("--knowledge", str(tiny_kb), "ask", stdin=typed + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == shown
    assert not any(c in result.stdout for c in "\x07\x1b\x9b\u202e")
