"""``clean_question`` on hostile text: the old repeated replacing (the baseline, copied here)
against the one-pass cleaning, in seconds per call.

    .venv/bin/python benchmarks/clean_question.py
"""

from __future__ import annotations

import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from memobot.slack.text import (
    _FORMATTING,
    _SPACE,
    RAW_FACTOR,
    _markup_words,
    _unescape,
    clean_question,
)

_MARKUP = re.compile(r"<([^<>\n]*)>")


def _old(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _MARKUP.sub(lambda m: f" {_markup_words(m.group(1))} ", text)
    text = _unescape(text.replace("<", " ").replace(">", " "))
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return _SPACE.sub(" ", _FORMATTING.sub(" ", text)).strip()


def _seconds(function, text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def main() -> int:
    cap = 500 * RAW_FACTOR
    cases = {
        "a question with a mention (60 chars)": "<@U0BOT> Hvad siger notatet om kvantecenteret i København?",
        "20 000 nested <…> pairs (40 000 chars)": "<" * 20_000 + ">" * 20_000,
        "<x| nested 13 000 deep (39 000 chars)": "<x|" * 13_000,
        f"labels in labels at the length cap ({cap:,} chars)": "<|a" * (cap // 3) + ">" * (cap // 3),
        "10 000 mentions (60 000 chars)": "<@U0BOT1> " * 6_000,
    }
    print(f"{'text':<52} {'before s':>10} {'after s':>10}")
    for name, text in cases.items():
        before, after = _seconds(_old, text), _seconds(clean_question, text)
        assert _old(text) == clean_question(text), name
        print(f"{name:<52} {before:>10.4f} {after:>10.4f}")
    print(f"Slack paths refuse texts over {RAW_FACTOR}× the question limit before cleaning.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
