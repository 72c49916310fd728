"""Curator commands: `memobot import`, `memobot refresh`, `memobot status`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import config
from .errors import KnowledgeError, MemobotError
from .importer import count_todos, import_memo
from .live import LiveSettings, RunningBot, find_running_bot, request_reload
from .loader import load_knowledge

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the curator's sub-commands to the `memobot` parser."""
    imp = sub.add_parser(
        "import",
        help="turn a memo (PDF, Markdown or text) into a draft knowledge file",
        description="Turn a memo into a draft memo file with TODO markers where a curator must "
        "decide (at most 15). Never overwrites a file unless --force.",
    )
    imp.add_argument(
        "source",
        type=Path,
        help="the memo: a PDF, a Markdown file (.md) or plain text (UTF-8, e.g. from pdftotext)",
    )
    imp.add_argument("--id", required=True, dest="memo_id", help="the memo's id (a lower-case slug)")
    imp.add_argument("--title", help="the memo's title (default: the first line of the text)")
    imp.add_argument("--subtitle", help="its subtitle (default: the lines under the title)")
    imp.add_argument("--series", help="series that starts each citation, e.g. CMS-memo")
    imp.add_argument("--publisher", help="who published it")
    imp.add_argument("--year", type=_year, help="year of publication")
    imp.add_argument("--source-url", help="where a reader finds the original")
    imp.add_argument("--language", choices=("da", "en"), help="language of the text (default: detected)")
    imp.add_argument("--prefix", help="start of passage and recommendation ids (default: the memo id)")
    imp.add_argument(
        "--output",
        "-o",
        type=Path,
        help="file to write (default: ID.yaml in the current directory, never the knowledge directory "
        "a bot serves: a draft is not valid until curated)",
    )
    imp.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    imp.set_defaults(run=_cmd_import)

    refresh = sub.add_parser(
        "refresh",
        help="validate the knowledge directory, then make the running bot reload it",
        description="Validate the knowledge directory; if it is valid, send SIGHUP to the running "
        "bot (found through its pid file in the state directory) and print its reload report.",
    )
    refresh.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for the bot's report (30; 0: do not wait)",
    )
    refresh.set_defaults(run=_cmd_refresh)

    status = sub.add_parser(
        "status",
        help="show the knowledge base version, size, load time and last error",
        description="Show what the running bot serves (from its status file), or, when no bot is "
        "running, what the knowledge directory holds now.",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(run=_cmd_status)


def _year(text: str) -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year between 1900 and 2100")
    return int(text)


# -- import ----------------------------------------------------------------------------------


def _cmd_import(args: argparse.Namespace) -> int:
    # The id is checked (a slug) before anything is written, so it is safe as a file name.
    output = args.output or Path(f"{args.memo_id}.yaml")
    draft, rendered = import_memo(
        args.source,
        output,
        args.memo_id,
        force=args.force,
        title=args.title,
        subtitle=args.subtitle,
        series=args.series,
        publisher=args.publisher,
        year=args.year,
        source_url=args.source_url,
        language=args.language,
        prefix=args.prefix,
    )
    kinds = [p.kind for p in draft.passages]
    sections = len(dict.fromkeys(p.section for p in draft.passages))
    todos = count_todos(rendered)
    print(
        f"Wrote {output}: {len(draft.passages)} passages ({kinds.count('paragraph')} paragraphs, "
        f"{kinds.count('bullet')} bullets) in {sections} sections, "
        f"{len(draft.recommendations)} recommendations pre-filled, "
        f"{todos} TODO marker{'' if todos == 1 else 's'} to resolve."
    )
    first = "resolve the TODOs and check" if todos else "check"
    print(
        f"Next: {first} the draft against the source (docs/curating.md), then "
        "move it into your knowledge directory and run `memobot validate DIR`."
    )
    return 0


# -- refresh and status ----------------------------------------------------------------------


def _validate(directory: Path) -> bool:
    """Print problems like `memobot validate`; True when the directory is valid."""
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        count = len(exc.problems)
        print(
            f"Error: {directory}: {count} problem{'s' if count != 1 else ''}; "
            "the bot was not asked to reload",
            file=sys.stderr,
        )
        return False
    print(
        f"OK: {directory}: {len(kb.memos)} memo{'s' if len(kb.memos) != 1 else ''}, "
        f"{len(kb.passages)} passages, {len(kb.recommendations)} recommendations (version {kb.version})"
    )
    return True


def _running_bot(directory: Path) -> tuple[RunningBot | None, Path]:
    state_dir = LiveSettings.from_env().state_dir_for(directory)
    return find_running_bot(state_dir), state_dir


def _cmd_refresh(args: argparse.Namespace) -> int:
    directory = config.knowledge_dir(args.knowledge)
    if not _validate(directory):
        return 1
    bot, state_dir = _running_bot(directory)
    if bot is None:
        raise MemobotError(
            f"no running memobot found (no live {state_dir / 'bot.pid'}); "
            "the directory is valid and will be loaded when the bot starts"
        )
    served = (bot.status or {}).get("directory")
    if served and Path(served) != directory.resolve():
        raise MemobotError(f"the memobot running as pid {bot.pid} serves {served}, not {directory.resolve()}")
    print(f"Asked memobot (pid {bot.pid}) to reload {directory}.")
    report = request_reload(bot, wait=max(args.wait, 0.0))
    if args.wait <= 0:
        return 0
    if report is None:
        raise MemobotError(f"no reload report from pid {bot.pid} within {args.wait:g} s; see the bot's log")
    print(report["summary"])
    if report.get("ok"):
        print(f"memobot now serves version {report['version']}.")
    for kind_verb, ids in _change_lines(report.get("changes", {})):
        print(f"  {kind_verb}: {', '.join(ids)}")
    for problem in report.get("problems", []):
        print(f"  {problem}")
    return 0 if report.get("ok") else 1


def _change_lines(changes: dict) -> list[tuple[str, list[str]]]:
    return [
        (f"{kind} {verb}", ids)
        for verb in ("added", "removed", "changed")
        for kind, ids in (changes.get(verb) or {}).items()
        if ids
    ]


def _cmd_status(args: argparse.Namespace) -> int:
    directory = config.knowledge_dir(args.knowledge)
    bot, state_dir = _running_bot(directory)
    if bot is not None and bot.status is not None:
        status = bot.status.get("status", {})
        header = f"running memobot (pid {bot.pid}); status as of {bot.status.get('updated_at')}"
        source, pid = "running-bot", bot.pid
    else:
        # Imported here: building an index is the heavy part, and only this branch needs it.
        from .service import KnowledgeService

        status = KnowledgeService(directory).status().as_dict()
        if bot is None:
            header = f"no memobot running (no live {state_dir / 'bot.pid'}); loaded {directory} now"
        else:
            header = f"memobot (pid {bot.pid}) has not written its status yet; loaded {directory} now"
        source, pid = "loaded-now", None
    if args.json:
        print(
            json.dumps(
                {"source": source, "pid": pid, "state_dir": str(state_dir), **status}, ensure_ascii=False
            )
        )
        return 0
    print(f"memobot status: {header}")
    for line in _status_lines(status):
        print(f"  {line}")
    return 0


def _count(number: object, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _status_lines(status: dict) -> list[str]:
    lines = [
        f"knowledge  {status.get('directory')}",
        f"version    {status.get('version')}",
        f"size       {_count(status.get('memos'), 'memo')}, {status.get('passages')} passages, "
        f"{status.get('recommendations')} recommendations, {status.get('glossary_entries')} glossary entries",
        f"loaded at  {status.get('loaded_at')} (in {status.get('load_seconds')} s)",
    ]
    last = status.get("last_reload")
    if last:
        lines.append(f"last reload #{last['number']} ({last['trigger'] or 'manual'}): {last['summary']}")
    errors = status.get("last_error")
    if errors:
        lines.append(f"last error {status.get('last_error_at')}, {len(errors)} problem(s):")
        lines += [f"  {problem}" for problem in errors]
    else:
        lines.append("last error none")
    if status.get("stale"):
        lines.append("WARNING    the files on disk were refused; the bot serves the last good version")
    return lines
