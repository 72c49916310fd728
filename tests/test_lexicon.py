"""The general Danish–English lexicon: FreeDict's pairs first, pairs pivoted through Norwegian and
Swedish for the words FreeDict lacks, and the build script's reading of WikDict."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

from memobot.lexicon import Lexicon, bundled_lexicon

ROOT = Path(__file__).resolve().parent.parent


def test_pivoted_translations_fill_freedicts_gaps() -> None:
    """Words FreeDict lacks are translated through Norwegian (WikDict + Apertium) and Swedish."""
    lexicon = bundled_lexicon()
    assert lexicon.translate("economy", "en", "da") == ("økonomi",)  # economy → økonomi → økonomi
    assert "personale" in lexicon.translate("staff", "en", "da")  # staff → personale → personale
    assert "forbidden" in lexicon.translate("forbudt", "da", "en")  # generated form, not only "forbyde"
    assert "court" in lexicon.translate("domstolene", "da", "en")  # an inflected form, by stem


def test_freedict_translation_comes_first_and_from_danish_alone() -> None:
    """FreeDict's translations come first; from Danish the pivots add nothing to them, from English
    (where FreeDict's entries are its Danish dictionary read backwards) they follow them."""
    lexicon = bundled_lexicon()
    assert lexicon.translate("password", "en", "da")[0] == "adgangskode"  # then WikDict's "kodeord"
    assert lexicon.translate("research", "en", "da")[:2] == ("undersøge", "undersøgelse")
    assert "forskning" in lexicon.translate("research", "en", "da")  # English headwords: WikDict
    assert lexicon.translate("forsvar", "da", "en")[0] == "defence"
    assert lexicon.translate("forsvar", "da", "en") == Lexicon(_freedict()).translate("forsvar", "da", "en")


def _freedict() -> list[tuple[str, str]]:
    rows = (ROOT / "src" / "memobot" / "data" / "lexicon" / "da-en.tsv").read_text(encoding="utf-8")
    return [
        (danish, english)
        for line in rows.splitlines()
        if not line.startswith("#")
        for danish, _, englishes in [line.partition("\t")]
        for english in englishes.split("; ")
        if english
    ]


def test_fallback_adds_in_its_directions_only() -> None:
    """In a direction of ``fallback_adds`` the fallback's translations follow the pairs'; in the
    other direction they still answer only what the pairs lack."""
    lexicon = Lexicon(
        [("undersøge", "research")], fallback=[("forskning", "research")], fallback_adds=[("en", "da")]
    )
    assert lexicon.translate("research", "en", "da") == ("undersøge", "forskning")
    assert lexicon.translate("forskning", "da", "en") == ("research",)  # a gap: the fallback fills it
    assert Lexicon([("undersøge", "research")], fallback=[("forskning", "research")]).translate(
        "research", "en", "da"
    ) == ("undersøge",)


def test_irregular_form_found_by_its_lemma() -> None:
    """An irregular form Snowball keeps apart from its lemma is looked up by the lemma (women → woman)."""
    assert Lexicon([("kvinde", "woman")]).translate("women", "en", "da") == ("kvinde",)
    assert "kvinde" in bundled_lexicon().translate("women", "en", "da")


def test_fallback_pairs_answer_only_what_the_pairs_lack() -> None:
    """Fallback pairs answer a word the first pairs lack, and only for a form of the word's own lemma."""
    lexicon = Lexicon([("skib", "ship")], fallback=[("fartøj", "ship"), ("båd", "boat"), ("finger", "digit")])
    assert lexicon.translate("ships", "en", "da") == ("skib",)
    assert lexicon.translate("boats", "en", "da") == ("båd",)
    assert lexicon.translate("digits", "en", "da") == ("finger",)
    assert lexicon.translate("digital", "en", "da") == ()  # Snowball's "digit", but another word


def _build_script():
    spec = importlib.util.spec_from_file_location("build_lexicon", ROOT / "scripts" / "build_lexicon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wikdict_entries_read_translations_not_glosses(tmp_path: Path) -> None:
    """The build script reads WikDict's dictd text: translation lines in sense order, glosses and
    bare sense numbers skipped."""
    text = (
        "00-database-info\nEnglish-Norsk FreeDict+WikDict dictionary\n"
        "woman //ˈwʊm.ən// /[ˈwo.mɪn]/ <n>\nkvinne\nadult female person\n"
        "economy //iːˈkɑ.nə.mi// <n>\nøkonomi 2.\nproduction, distribution and consumption\n 3.\n"
        "effective management of the resources\n"
        "staff //stɑːf// <n>\n1. personale\nemployees of a business\n2. stav, kjepp (gammel)\n"
        "long, straight, thick rod\n"
        "by heart //baɪ ˈhɑɹt//\npå rams\nfrom memory\n"
    )
    path = tmp_path / "freedict-eng-nor.dict.dz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(text)
    assert _build_script()._wikdict(path) == [
        ("woman", "n", ["kvinne"]),
        ("economy", "n", ["økonomi"]),
        ("staff", "n", ["personale", "stav", "kjepp"]),
        ("by heart", "", ["på rams"]),
    ]


@pytest.mark.parametrize(
    ("english", "translation", "kept"),
    [
        ("economy", "økonomi", True),
        ("staff", "personale", True),
        ("prime minister", "statsminister", True),  # a phrase the pivot language writes as one word
        ("by heart", "på rams", False),  # a phrase for a phrase: each word would stand for it
        ("chief executive officer", "direktør", False),  # more than two words
    ],
)
def test_pivot_side_keeps_words_and_two_word_phrases_of_one_word(
    english: str, translation: str, kept: bool
) -> None:
    """On the pivot side the build script keeps one-word headwords, and two-word ones that the
    pivot language writes as one word; memobot joins such neighbouring question words."""
    script = _build_script()
    assert (script._pivot_head(english) and script._pivot_pair(english, translation)) is kept


def test_a_two_word_phrase_translates_as_one_word() -> None:
    """The shipped lexicon translates "prime minister" as statsminister (WikDict → Apertium)."""
    assert "statsminister" in bundled_lexicon().translate("prime minister", "en", "da")


@pytest.mark.parametrize(
    ("noun", "translations"),
    [
        ("afskedigelsen", ("discharge", "dismiss")),  # afskedige; not "dig" (you) of a bad split
        ("behandlingen", ("treatment",)),  # its own entry (behandling) comes first
        ("beskyttelse", ("protection", "protect")),
    ],
)
def test_a_danish_noun_made_of_a_verb_translates_through_the_verb(noun: str, translations: tuple) -> None:
    """A Danish -else/-ing noun the lexicon lacks is translated as the verb it is made of."""
    assert bundled_lexicon().translate(noun, "da", "en") == translations


def test_an_english_noun_made_of_a_verb_translates_through_the_verb() -> None:
    """English -ation/-ment nouns the lexicon lacks go through their verb the same way."""
    assert bundled_lexicon().translate("cooperation", "en", "da")[0] == "samarbejde"
    assert Lexicon([("vurdere", "assess")]).translate("assessments", "en", "da") == ("vurdere",)


def test_a_noun_ending_is_taken_off_only_a_word_long_enough_to_be_a_verb() -> None:
    """ "ting" is no verb "t" + -ing: a short word keeps its own (missing) translation."""
    lexicon = Lexicon([("afskedige", "dismiss"), ("te", "tea")])
    assert lexicon.translate("afskedigelser", "da", "en") == ("dismiss",)
    assert lexicon.translate("ting", "da", "en") == ()
