"""The languages memobot analyses, as a table: a memo's ``language`` picks its chain.

Adding a language is one entry here and a stop-word file in data/words/ (Snowball, through
PyStemmer, stems all of them). Danish has the full chain (Scandinavian folding, its irregular
verbs, decompounding against the corpus); the others a tokenizer, folding, stop words and
Snowball.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wordlists import word_list

__all__ = ["LANGUAGES", "Language"]


@dataclass(frozen=True)
class Language:
    """One language's analysis chain settings."""

    code: str
    """ISO 639-1 code, as written in a memo's ``language``."""
    name: str
    """English name, for messages."""
    snowball: str
    """PyStemmer's algorithm name."""
    stop_file: str
    """Stop-word file in data/words/."""
    scandinavian: bool = False
    """Fold aa/ae/oe to å/æ/ø (Lucene's ScandinavianNormalizationFilter)."""
    compounds: bool = False
    """Split compounds against the corpus (the Danish chain only, for now)."""

    @property
    def stop_words(self) -> frozenset[str]:
        """The language's stop words."""
        return word_list(self.stop_file)


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("da", "Danish", "danish", "stop-da.txt", scandinavian=True, compounds=True),
        Language("en", "English", "english", "stop-en.txt"),
        Language("sv", "Swedish", "swedish", "stop-sv.txt"),
        Language("nb", "Norwegian", "norwegian", "stop-nb.txt"),
        Language("de", "German", "german", "stop-de.txt"),
    )
}
