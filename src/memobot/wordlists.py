"""Word lists shipped as data files beside the code (src/memobot/data/words/), as Lucene keeps
stop words and exceptions: one place to read and change them, no lists in the code."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["abbreviations", "data_text", "general_words", "word_list"]


@cache
def data_text(name: str, folder: str = "words") -> str:
    """A data file's lines without comments (``#`` to the end of a line) or blank lines."""
    text = resources.files("memobot").joinpath("data", folder, name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@cache
def word_list(name: str, folder: str = "words") -> frozenset[str]:
    """The whitespace-separated words of a data file."""
    return frozenset(data_text(name, folder).split())


@cache
def abbreviations() -> dict[str, str]:
    """Abbreviation → what it stands for (data/words/abbreviations.tsv), case-sensitive."""
    pairs = (line.split("\t", 1) for line in data_text("abbreviations.tsv").splitlines())
    return {short.strip(): long.strip() for short, long in pairs}


@cache
def general_words(language: str) -> frozenset[str]:
    """The words of wordfreq's general word list of a language (lower case; ~30 000 for
    Danish): what a compound's head may be besides the words of the knowledge base."""
    from wordfreq import top_n_list

    return frozenset(top_n_list(language, 1_000_000))
