"""The `memobot` command line: ask, validate, eval (and the Slack and curator commands)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from . import config
from .errors import KnowledgeError, MemobotError
from .evaluate import evaluate, load_question_file
from .loader import load_knowledge
from .models import Answer
from .retrieval import Index

__all__ = ["answer_to_json", "main"]

_WIDTH = 100


def answer_to_json(answer: Answer, index: Index) -> dict:
    """The documented JSON shape of an answer."""
    rec = answer.recommendation
    return {
        "question": answer.question,
        "answered": answer.answered,
        "tentative": answer.tentative,
        "results": [
            {
                "passage_id": hit.passage.id,
                "memo_id": hit.passage.memo_id,
                "memo_title": index.kb.memo(hit.passage.memo_id).title,
                "section": hit.passage.section_label,
                "text": hit.passage.text,
                "score": round(hit.score, 6),
                "citation": hit.citation,
                "matched_terms": list(hit.matched_terms),
            }
            for hit in answer.hits
        ],
        "recommendation": None
        if rec is None
        else {"id": rec.id, "role": rec.role, "text": rec.text, "memo_id": rec.memo_id},
    }


_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (and bidirectional overrides) a terminal would act on instead of showing."""


def _visible(text: str) -> str:
    """``text`` safe for a terminal: control characters shown as ``\\x07`` / ``\\u202e``."""
    return _INVISIBLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def _format_answer(answer: Answer, k: int | None = None) -> str:
    return _visible(_answer_text(answer, k))


def _answer_text(answer: Answer, k: int | None) -> str:
    wrap = textwrap.TextWrapper(width=_WIDTH, initial_indent="   ", subsequent_indent="   ")
    lines = [f"Q: {answer.question}", ""]
    if not answer.answered and not answer.tentative:
        lines.append("No good answer in the knowledge base for that question.")
        if answer.suggestions:
            lines.append("Closest topics:")
            lines += [f"  - {s}" for s in answer.suggestions]
        return "\n".join(lines)
    if answer.tentative:
        lines += ["No confident answer in the knowledge base; the closest passages (low confidence):", ""]
    for n, hit in enumerate(answer.hits, answer.offset + 1):
        lines.append(f"{n}. {hit.citation}  (score {hit.score:.2f})")
        lines += wrap.wrap(f"“{hit.passage.text}”")
        if hit.matched_terms:
            lines.append(f"   matched: {', '.join(hit.matched_terms)}")
        lines.append("")
    if k is not None and len(answer.hits) < k:
        found = len(answer.hits)
        lines.append(f"({found} excerpt{'s' if found != 1 else ''} relevant enough; -k {k} shows up to {k}.)")
        lines.append("")
    rec = answer.recommendation
    if rec is not None:
        lines.append(f"Matching recommendation ({rec.role}):")
        lines += wrap.wrap(f"“{rec.text}”")
    return "\n".join(lines).rstrip()


def _index(args: argparse.Namespace) -> Index:
    return Index(load_knowledge(config.knowledge_dir(args.knowledge)))


def _cmd_ask(args: argparse.Namespace) -> int:
    if args.question is not None and not args.question.strip():
        raise MemobotError("the question is empty: give a question, or none to read them from standard input")
    index = _index(args)
    memos = None
    if args.memo:
        known = {m.id for m in index.kb.memos}
        unknown = [m for m in args.memo if m not in known]
        if unknown:
            have = ", ".join(sorted(known))
            raise MemobotError(f"--memo {unknown[0]!r}: no memo has that id (the knowledge base has: {have})")
        memos = frozenset(args.memo)
    questions = [args.question] if args.question is not None else (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        if args.question is None and not question.strip():
            continue
        answer = index.ask(question, k=args.k, memos=memos)
        if args.json:
            print(json.dumps(answer_to_json(answer, index), ensure_ascii=False), flush=True)
        else:
            print(_format_answer(answer, args.k), end="\n\n" if args.question is None else "\n", flush=True)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    directory = config.knowledge_dir(args.directory or args.knowledge)
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        count = len(exc.problems)
        print(
            f"Error: {directory}: {count} problem{'s' if count != 1 else ''}; nothing was loaded",
            file=sys.stderr,
        )
        return 1
    print(
        f"OK: {directory}: {len(kb.memos)} memo{'s' if len(kb.memos) != 1 else ''}, "
        f"{len(kb.passages)} passages, {len(kb.recommendations)} recommendations, "
        f"{len(kb.glossary)} glossary entries (version {kb.version})"
    )
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    index = _index(args)
    questions = load_question_file(args.questions)
    report = evaluate(index, questions.questions, memo=questions.memo)
    if args.json:
        print(json.dumps({**report.scores, "misses": report.misses}, ensure_ascii=False))
        return 0
    print(f"{args.questions}: {report.on_topic} on-topic, {report.off_topic} off-topic questions")
    for name, value in report.scores.items():
        print(f"  {name:<20} {value:.3f}")
    if report.misses:
        print("Misses:")
        for miss in report.misses:
            print(f"  {miss}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memobot", description="Answer questions about policy memos with cited excerpts."
    )
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="knowledge directory (default: $MEMOBOT_KNOWLEDGE_DIR, else the bundled one)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question (or one per line from standard input)")
    ask.add_argument("question", nargs="?", help="the question; omit to read standard input")
    ask.add_argument("-k", type=_positive, default=3, metavar="N", help="excerpts to show (3)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument(
        "--memo", action="append", metavar="ID", help="answer from this memo only (repeat for several)"
    )
    ask.set_defaults(run=_cmd_ask)

    validate = sub.add_parser("validate", help="check a knowledge directory")
    validate.add_argument("directory", nargs="?", help="directory to check (default: as --knowledge)")
    validate.set_defaults(run=_cmd_validate)

    ev = sub.add_parser("eval", help="score retrieval on a question file")
    ev.add_argument("questions", type=Path, help="YAML question file")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.set_defaults(run=_cmd_eval)

    for register in _EXTRA_COMMANDS:
        register(sub)
    # `memobot ask --knowledge DIR …` as well as `memobot --knowledge DIR ask …`: every
    # sub-command takes it too. SUPPRESS keeps the sub-command from overwriting a value given
    # before it with its own default.
    for command in sub.choices.values():
        if not any("--knowledge" in action.option_strings for action in command._actions):
            command.add_argument(
                "--knowledge", metavar="DIR", default=argparse.SUPPRESS, help="knowledge directory (as above)"
            )
    return parser


# Front ends in other modules (Slack, curator tools) add their sub-commands here.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def _curator_commands(sub: argparse._SubParsersAction) -> None:
    from .curator import register

    register(sub)


_EXTRA_COMMANDS.append(_curator_commands)


def _slack_commands(sub: argparse._SubParsersAction) -> None:
    from .slack.cli import register

    register(sub)


_EXTRA_COMMANDS.append(_slack_commands)


def _report_commands(sub: argparse._SubParsersAction) -> None:
    from .report import register

    register(sub)


_EXTRA_COMMANDS.append(_report_commands)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError(f"{value} must be between 1 and 50")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    config.load_env()
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except KnowledgeError as exc:
        count = len(exc.problems)
        if count == 1:
            # One problem, one line: it names the file, line and field itself.
            print(f"Error: {exc.problems[0]}", file=sys.stderr)
            return 1
        print(f"Error: the knowledge base has {count} problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except MemobotError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
