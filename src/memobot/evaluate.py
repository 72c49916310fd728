"""Measure retrieval on a question file: hit@1, hit@3, MRR@5, role accuracy, off-topic rejection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .analysis import fold
from .errors import MemobotError
from .retrieval import Index

__all__ = [
    "EvalQuestion",
    "EvalReport",
    "QuestionFile",
    "evaluate",
    "load_question_file",
    "load_questions",
    "normalise_for_match",
]

_ROLE_ANY = "any"


def normalise_for_match(text: str) -> str:
    """The question files' matching form: NFKD without marks, lower case, hyphenation joined."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class EvalQuestion:
    """One question of a question file."""

    q: str
    """The question."""
    expect: tuple[str, ...]
    """Phrases a relevant passage contains; empty for an off-topic question."""
    role: str = _ROLE_ANY
    """Role key the matching recommendation should have, or "any"."""
    lang: str = ""
    """Language the question is written in ("da", "en"), or empty when the file does not say."""


@dataclass(frozen=True)
class QuestionFile:
    """A question file: its questions and, optionally, the memo they are about."""

    questions: tuple[EvalQuestion, ...]
    """The questions, in file order."""
    memo: str = ""
    """Id of the memo whose passages answer them (a hit elsewhere does not count), or empty."""


@dataclass
class EvalReport:
    """Scores of one run over a question file."""

    on_topic: int = 0
    off_topic: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_rank: float = 0.0
    role_checked: int = 0
    role_right: int = 0
    rejected: int = 0
    confident_hit1: int = 0
    """On-topic questions answered (not only shown closest passages) with a right top hit."""
    tentative: int = 0
    """On-topic questions that got low-confidence closest passages instead of an answer."""
    misses: list[str] = field(default_factory=list)

    def ratio(self, count: float, total: int) -> float:
        return count / total if total else 1.0

    @property
    def scores(self) -> dict[str, float]:
        return {
            "hit@1": self.ratio(self.hit1, self.on_topic),
            "hit@3": self.ratio(self.hit3, self.on_topic),
            "mrr@5": self.ratio(self.reciprocal_rank, self.on_topic),
            "role_accuracy": self.ratio(self.role_right, self.role_checked),
            "off_topic_rejection": self.ratio(self.rejected, self.off_topic),
            "confident_hit@1": self.ratio(self.confident_hit1, self.on_topic),
        }


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a question file's questions (docs/knowledge-format.md, "Question files")."""
    return list(load_question_file(path).questions)


def load_question_file(path: str | Path) -> QuestionFile:
    """Read a question file: ``questions`` (each ``q``, ``expect``, optional ``role`` and
    ``lang``) and an optional top-level ``memo``."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MemobotError(f"cannot read question file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise MemobotError(f"{path}: invalid YAML: {exc}") from exc
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise MemobotError(f"{path}: questions: must be a list of {{q, expect, role}}")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise MemobotError(f"{path}: questions[{i}].q: must be a string")
        expect = item.get("expect") or []
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
            raise MemobotError(f"{path}: questions[{i}].expect: must be a list of strings")
        lang = item.get("lang") or ""
        if not isinstance(lang, str):
            raise MemobotError(f"{path}: questions[{i}].lang: must be a language code such as da or en")
        out.append(EvalQuestion(item["q"], tuple(expect), str(item.get("role") or _ROLE_ANY), lang))
    memo = data.get("memo") or ""
    if not isinstance(memo, str):
        raise MemobotError(f"{path}: memo: must be a memo id")
    return QuestionFile(tuple(out), memo)


def _role_matches(key: str, role_id: str, role_name: str) -> bool:
    key = fold(key)
    return key in (fold(role_id), fold(role_name)) or fold(role_name).startswith(key)


def evaluate(index: Index, questions: Sequence[EvalQuestion], depth: int = 5, memo: str = "") -> EvalReport:
    """Ask every question and score the answers; with ``memo``, only its passages are hits."""
    report = EvalReport()
    for question in questions:
        answer = index.ask(question.q, k=depth)
        if not question.expect:
            report.off_topic += 1
            if answer.answered:
                top = answer.hits[0].passage.id if answer.hits else "-"
                report.misses.append(f"off-topic answered: {question.q!r} -> {top}")
            else:
                report.rejected += 1
            continue
        report.on_topic += 1
        phrases = [normalise_for_match(p) for p in question.expect]
        ranks = [
            i
            for i, hit in enumerate(answer.hits, 1)
            if (not memo or hit.passage.memo_id == memo)
            and any(p in normalise_for_match(hit.passage.text) for p in phrases)
        ]
        first = ranks[0] if ranks else None
        report.hit1 += first == 1
        report.confident_hit1 += first == 1 and answer.answered
        report.tentative += answer.tentative
        report.hit3 += first is not None and first <= 3
        report.reciprocal_rank += 1 / first if first else 0.0
        if first != 1:
            got = answer.hits[0].passage.id if answer.hits else "(not answered)"
            report.misses.append(f"rank {first or '-'}: {question.q!r} -> top {got}")
        if question.role != _ROLE_ANY:
            report.role_checked += 1
            rec = answer.recommendation
            if rec and _role_matches(question.role, rec.role_id, rec.role):
                report.role_right += 1
            else:
                got = f"{rec.role_id}" if rec else "none"
                report.misses.append(f"role {got} != {question.role}: {question.q!r}")
    return report
