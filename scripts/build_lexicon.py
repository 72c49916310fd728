"""Rebuild src/memobot/data/lexicon/*.tsv from Debian's FreeDict and Apertium packages.

Run (lt-proc comes with Debian's lttoolbox; the dictionaries are only downloaded, not installed):
     apt-get install lttoolbox
     apt-get download dict-freedict-dan-eng dict-freedict-eng-dan dict-freedict-eng-nor \\
         dict-freedict-eng-swe dict-freedict-swe-eng apertium-dan-nor apertium-swe-dan
     python3 scripts/build_lexicon.py *.deb

Files written (see data/lexicon/README.md for sources, versions and licences):
- da-en.tsv: FreeDict dan-eng (5 095 headwords) and eng-dan (411), Danish → English. Notes in
  brackets and parentheses are dropped, numbered senses are split, and translations longer
  than four words are left out (they are explanations, not equivalents).
- en-nb.tsv: WikDict eng-nor (11 456 English headwords → Norwegian Bokmål), English → Norwegian.
- en-sv.tsv: FreeDict eng-swe (5 479) and swe-eng (5 220), English → Swedish.
- nb-da.tsv, sv-da.tsv: the Danish words Apertium's nob→dan and swe→dan translators give each
  Norwegian and Swedish word of en-nb.tsv and en-sv.tsv: the word is analysed with the pair's
  morphological analyser (lt-proc; its base-form readings, no compound parts), each analysis is
  translated by the pair's bilingual dictionary (lt-proc -b, its default translation), and the
  Danish word of the same form is generated (lt-proc -g), then the Danish lemma.
  On the pivot side an English headword is one word, or two that the pivot language writes as
  one ("prime minister" → statsminister): memobot joins two neighbouring question words the
  lexicon has as one entry; longer phrases, or phrases translated by phrases, are left out.

Why pivot: FreeDict's Danish–English lexicon is the only direct free one in the registries this
project can reach (Debian, PyPI, npm) and has 5 000 headwords; English dictionaries of Norwegian
and Swedish are bigger, and those languages are so near Danish that Apertium translates them
word for word. The pivot's two halves stay in separate files, each under its source's licence;
memobot joins them when it loads the lexicon (memobot.lexicon.bundled_lexicon).
"""

from __future__ import annotations

import collections
import gzip
import re
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "memobot" / "data" / "lexicon"
_HEADWORD = re.compile(r"^(\S.*?) /[^/]*/( <[^>]*>)?\s*$")
# WikDict's headword line: the word, one or more pronunciations, a part of speech.
_WIKDICT_HEADWORD = re.compile(r"^(\S[^/]*?) /.*/\s*(?:<([^>]*)>)?\s*$")
# Parts of speech whose translations are words to match in a memo (not names, affixes, proverbs,
# or function words, which are stop words).
_WIKDICT_KEPT = {"n", "v", "adj", "adv"}
_APERTIUM = {
    "nb": ("apertium-dan-nor", "nob-dan.automorf.bin", "nor-dan.autobil.bin", "nor-dan.autogen.bin"),
    "sv": ("apertium-swe-dan", "swe-dan.automorf.bin", "swe-dan.autobil.bin", "swe-dan.autogen.bin"),
}
# Apertium tags of an inflected form, not the one a dictionary lists.
_NOT_BASE = {"imp", "pres", "past", "pl", "def", "comp", "sup", "gen"}
# A word or phrase, not a compound's first part ("abbed-").
_WORD = re.compile(r"\w+(?:[ -]\w+)*")
_UNIT = re.compile(r"\^((?:\\.|[^$\\])*)\$")
_SPLIT = re.compile(r"(?<!\\)/")


def _lines(dict_dz: Path) -> list[str]:
    with gzip.open(dict_dz, "rt", encoding="utf-8") as text:  # dictzip reads as gzip
        return text.read().split("\n")


def _entries(dict_dz: Path) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in _lines(dict_dz):
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


def _wikdict(dict_dz: Path) -> list[tuple[str, str, list[str]]]:
    """WikDict entries as (headword, part of speech, translations in sense order).

    After the headword line, each sense is a translation line ("1. kvinne" or, for a single sense,
    "kvinne") and a gloss line in English; a sense without translations is a bare "2.", and a
    translation line may end with the next sense's bare number ("økonomi 2.").
    """
    out: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    first = False
    for line in _lines(dict_dz):
        match = _WIKDICT_HEADWORD.match(line)
        if match:
            current = []
            out.append((match.group(1).strip(), match.group(2) or "", current))
            first = True
            continue
        text = line.strip()
        if current is None or not text:
            continue
        if re.fullmatch(r"\d+\.", text):
            first = False  # a sense without translations: its gloss follows
            continue
        numbered = re.match(r"\d+\.\s+(.*)", text)
        if numbered or first:
            text = re.sub(r"\s+\d+\.$", "", numbered.group(1) if numbered else text)
            if not text.startswith("Note:"):
                current.extend(_senses(text))
        first = False  # anything else is a gloss
    return [entry for entry in out if not entry[0].startswith("00-")]


def _lt_proc(args: list[str], lines: list[str]) -> list[str]:
    """lt-proc's output line for each input line (thousands in one call)."""
    text = "".join(f"{line}\n" for line in lines)
    out = subprocess.run(["lt-proc", *args], input=text, capture_output=True, text=True, check=True).stdout
    out_lines = out.split("\n")[: len(lines)]
    if len(out_lines) < len(lines):
        raise SystemExit(f"lt-proc {' '.join(args)}: {len(out_lines)} lines out for {len(lines)} in")
    return out_lines


def _lemma(reading: str) -> str:
    """The lemma of an Apertium reading: "samarbejde<n><nt><sg><ind>" → "samarbejde"."""
    head, _, rest = reading.partition("#")  # a multiword lemma: "gå<vblex>#  i gang"
    return " ".join(re.sub(r"<[^>]*>", "", f"{head} {rest}").replace("\\", "").split()).lower()


def _to_danish(words: list[str], analyser: Path, bilingual: Path, generator: Path) -> dict[str, list[str]]:
    """Each word's Danish forms, through Apertium: analyse it, translate each analysis, and
    generate the Danish word of the same form ("forbudt" → forby<vblex><pp> → forbyde<vblex><pp>
    → "forbudt"), followed by its lemma ("forbyde")."""
    # A letter ("a", "å") is no word to pivot through (Apertium's readings of it are letters' names).
    words = [w for w in words if len(w) > 1 and _WORD.fullmatch(w)]
    readings: dict[str, list[str]] = {}
    for word, line in zip(words, _lt_proc([str(analyser)], words), strict=True):
        units = _UNIT.findall(line)
        if len(units) == 1:
            # "*word" is unknown; a compound's parts ("<compound-R>", "<cmp>") are no translation.
            found = [
                r
                for r in _SPLIT.split(units[0])[1:]
                if not r.startswith("*") and "compound" not in r and "<cmp>" not in r
            ]
            # A dictionary gives a word's base form: "sår" is the noun (a wound), not a form of
            # "så" (to sow); "lagre" the infinitive, not the imperative. Only a word with no base
            # reading ("forbudt", a participle; "klær", a plural) keeps its other readings.
            base = [r for r in found if not _NOT_BASE & set(re.findall(r"<([^>]*)>", r))]
            readings[word] = base or found
    distinct = sorted({r for rs in readings.values() for r in rs})
    translated: dict[str, str] = {}
    bilingual_out = _lt_proc(["-b", str(bilingual)], [f"^{r}$" for r in distinct])
    for reading, line in zip(distinct, bilingual_out, strict=True):
        units = _UNIT.findall(line)
        # The first is the default translation; the others are for Apertium's lexical selection
        # rules to choose in context ("handla" → handle, behandle, oparbejde, forarbejde ...).
        # "@word" is a word the bilingual dictionary lacks.
        targets = _SPLIT.split(units[0])[1:2] if len(units) == 1 else []
        if targets and not targets[0].startswith("@"):
            translated[reading] = targets[0]
    targets = sorted(set(translated.values()))
    generated = {}
    generator_out = _lt_proc(["-g", str(generator)], [f"^{t}$" for t in targets])
    for target, line in zip(targets, generator_out, strict=True):
        form = _SPLIT.split(line.strip())[0].replace("\\", "").lower()
        if _WORD.fullmatch(form):  # not "#lemma", "@word": no form generated
            generated[target] = form
    out = {}
    for word, rs in readings.items():
        danish = [translated[r] for r in rs if r in translated]
        forms = [f for t in danish for f in (generated.get(t), _lemma(t))]
        found = list(dict.fromkeys(f for f in forms if f and _WORD.fullmatch(f)))
        if found:
            out[word] = found
    return out


def _write(name: str, header: str, rows: dict[str, dict[str, None]]) -> None:
    with (OUT / name).open("w", encoding="utf-8") as out:
        out.write("".join(f"# {line}\n" for line in header.strip().split("\n")))
        for word in sorted(rows):
            out.write(f"{word}\t{'; '.join(rows[word])}\n")
    print(f"{OUT / name}: {len(rows)} headwords")


def _pivot_head(english: str) -> bool:
    """An English headword kept on the pivot side: one word, or two (a phrase that the pivot
    language writes as one compound: "prime minister" → statsminister)."""
    return len(english.split()) <= 2


def _pivot_pair(english: str, translation: str) -> bool:
    """A pivot pair kept: an English phrase only where its translation is one word. memobot
    joins two neighbouring question words the lexicon has as one entry (retrieval
    ``LanguageIndex._phrases``); a phrase translated by a phrase would stand for each of its
    words."""
    return len(english.split()) == 1 or len(translation.split()) == 1


def main(debs: list[str]) -> int:
    direct: dict[str, dict[str, None]] = collections.defaultdict(dict)
    pivot: dict[str, dict[str, dict[str, None]]] = {p: collections.defaultdict(dict) for p in _APERTIUM}
    with tempfile.TemporaryDirectory() as tmp:
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        share = Path(tmp) / "usr" / "share"
        dictd = share / "dictd"
        for head, lines in _entries(dictd / "freedict-dan-eng.dict.dz"):
            for line in lines:
                for english in _senses(line):
                    direct[head.lower()].setdefault(english)
        for head, lines in _entries(dictd / "freedict-eng-dan.dict.dz"):
            for line in lines:
                for danish in _senses(line):
                    direct[danish].setdefault(head.lower())
        for head, pos, norwegian in _wikdict(dictd / "freedict-eng-nor.dict.dz"):
            if pos in _WIKDICT_KEPT and _pivot_head(head):
                for word in norwegian:
                    if _pivot_pair(head, word):
                        pivot["nb"][head.lower()].setdefault(word)
        for head, lines in _entries(dictd / "freedict-eng-swe.dict.dz"):
            if _pivot_head(head):
                for line in lines:
                    for swedish in _senses(line):
                        if _pivot_pair(head, swedish):
                            pivot["sv"][head.lower()].setdefault(swedish)
        for head, lines in _entries(dictd / "freedict-swe-eng.dict.dz"):
            for line in lines:
                for english in _senses(line):
                    if _pivot_head(english) and _pivot_pair(english, head):
                        pivot["sv"][english].setdefault(head.lower())
        to_danish = {}
        for language, (package, *transducers) in _APERTIUM.items():
            folder = share / "apertium" / package
            words = sorted({w for ws in pivot[language].values() for w in ws})
            to_danish[language] = _to_danish(words, *(folder / t for t in transducers))
    _write(
        "da-en.tsv",
        """
Danish<TAB>English translations separated by '; '. Built by scripts/build_lexicon.py from
FreeDict dan-eng 0.3.1 and eng-dan 0.1.0 (Debian dict-freedict-dan-eng/-eng-dan 2022.04.21-1);
GPL-3+ or CC-BY-SA-3.0+ (dual licence), see README.md beside this file.
""",
        direct,
    )
    _write(
        "en-nb.tsv",
        """
English<TAB>Norwegian Bokmål translations separated by '; ', in WikDict's sense order. Built by
scripts/build_lexicon.py from WikDict eng-nor 2022.11.18 (Debian dict-freedict-eng-nor
2022.12.07-2), from Wiktionary's translations; CC-BY-SA-3.0, see README.md beside this file.
""",
        pivot["nb"],
    )
    _write(
        "en-sv.tsv",
        """
English<TAB>Swedish translations separated by '; '. Built by scripts/build_lexicon.py from
FreeDict eng-swe 0.2 and swe-eng 0.2 (Debian dict-freedict-eng-swe/-swe-eng 2022.04.21-1);
GPL-2+, see README.md beside this file.
""",
        pivot["sv"],
    )
    _write(
        "nb-da.tsv",
        """
Norwegian Bokmål<TAB>Danish words separated by '; ', for the words of en-nb.tsv. Built by
scripts/build_lexicon.py with Apertium's nob→dan translator (Debian apertium-dan-nor 1.5.0-2):
analyser, bilingual dictionary, Danish generator; GPL-3+, see README.md beside this file.
""",
        {w: dict.fromkeys(ds) for w, ds in to_danish["nb"].items()},
    )
    _write(
        "sv-da.tsv",
        """
Swedish<TAB>Danish words separated by '; ', for the words of en-sv.tsv. Built by
scripts/build_lexicon.py with Apertium's swe→dan translator (Debian apertium-swe-dan 0.8.1-3):
analyser, bilingual dictionary, Danish generator; GPL-3+, see README.md beside this file.
""",
        {w: dict.fromkeys(ds) for w, ds in to_danish["sv"].items()},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
