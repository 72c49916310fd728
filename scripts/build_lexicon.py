"""Rebuild src/memobot/data/lexicon/da-en.tsv from Debian's FreeDict packages.

Run: apt-get download dict-freedict-dan-eng dict-freedict-eng-dan
     python3 scripts/build_lexicon.py dict-freedict-dan-eng_*.deb dict-freedict-eng-dan_*.deb

FreeDict dan-eng (5 095 headwords) and eng-dan (411) are the only free, maintained
Danish–English lexicons in the registries this project can reach (Debian, PyPI); their licence
is GPL-3+ or CC-BY-SA-3.0+ (dual), which permits redistributing the data with attribution.
Notes in brackets and parentheses are dropped, numbered senses are split, and translations
longer than four words are left out (they are explanations, not equivalents).
"""

from __future__ import annotations

import collections
import gzip
import re
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "memobot" / "data" / "lexicon" / "da-en.tsv"
_HEADWORD = re.compile(r"^(\S.*?) /[^/]*/( <[^>]*>)?\s*$")


def _entries(dict_dz: Path) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in gzip.open(dict_dz, "rt", encoding="utf-8").read().split("\n"):
        match = _HEADWORD.match(line)
        if match:
            current = []
            out.append((match.group(1).strip(), current))
        elif current is not None and line.strip():
            current.append(line.strip())
    return [(head, lines) for head, lines in out if not head.startswith("00-")]


def _senses(line: str) -> list[str]:
    line = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", line)
    parts = [re.sub(r"^\d+\.\s*", "", p).strip(" .;") for p in re.split(r"[,;]", line)]
    return [p.lower() for p in parts if p and len(p.split()) <= 4 and "http" not in p]


def main(debs: list[str]) -> int:
    pairs: dict[str, dict[str, None]] = collections.defaultdict(dict)
    with tempfile.TemporaryDirectory() as tmp:
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        share = Path(tmp) / "usr" / "share" / "dictd"
        for head, lines in _entries(share / "freedict-dan-eng.dict.dz"):
            for line in lines:
                for english in _senses(line):
                    pairs[head.lower()].setdefault(english)
        for head, lines in _entries(share / "freedict-eng-dan.dict.dz"):
            for line in lines:
                for danish in _senses(line):
                    pairs[danish].setdefault(head.lower())
    with OUT.open("w", encoding="utf-8") as out:
        out.write(
            "# Danish<TAB>English translations separated by '; '. Built by scripts/build_lexicon.py from\n"
            "# FreeDict dan-eng 0.3.1 and eng-dan 0.1.0 (Debian dict-freedict-dan-eng/-eng-dan 2022.04.21-1);\n"
            "# GPL-3+ or CC-BY-SA-3.0+ (dual licence), see README.md beside this file.\n"
        )
        for danish in sorted(pairs):
            out.write(f"{danish}\t{'; '.join(pairs[danish])}\n")
    print(f"{OUT}: {len(pairs)} Danish headwords")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
