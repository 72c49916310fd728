"""Many memos in two languages: per-language analysis, scoped glossaries, translation through the
lexicon, named memos, memo filters and the low-confidence outcome, on tiny real knowledge bases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from memobot.errors import KnowledgeError
from memobot.lexicon import Lexicon, bundled_lexicon, country_names
from memobot.loader import load_knowledge
from memobot.retrieval import Index, LanguageIndex, _floor_idf, _senses, expand_abbreviations

from .conftest import MEMO_A, write_kb

MEMO_EN = """\
memo:
  id: memo-en
  title: Shipping through the Strait
  series: CRS
  publisher: Congressional Research Service
  year: 2026
  language: en
  source_url: https://example.org/strait
roles:
  - id: central
    name: Key point
recommendations:
  - id: en-rec
    role: central
    text: Congress may consider waiving the Jones Act for fuel shipments.
passages:
  - id: en-1
    section: [Introduction]
    text: Boeing and other businesses depend on aircraft parts shipped through the Strait.
    supports: [en-rec]
  - id: en-2
    section: [Introduction]
    text: Many countries rely on the Strait for food imports and national defence supplies.
    supports: [en-rec]
  - id: en-3
    section: [Jones Act]
    text: Congress may consider waiving the Jones Act for fuel shipments.
    supports: [en-rec]
  - id: en-4
    section: [Security]
    text: Naval escorts improve the security of tankers in the Gulf.
    supports: [en-rec]
"""

# A glossary of memo-a only: its English words must not rewrite the English memo's own words.
SCOPED_GLOSSARY = """\
memos: [memo-a]
glossary:
  - en: [countries, coast guard]
    da: [kystvagten]
"""


@pytest.fixture
def two_languages(tmp_path: Path) -> Index:
    files = {"a.yaml": MEMO_A, "en.yaml": MEMO_EN, "glossary.yaml": SCOPED_GLOSSARY}
    return Index(load_knowledge(write_kb(tmp_path / "kb", files)))


def _top(index: Index, question: str, **kwargs) -> str | None:
    answer = index.ask(question, **kwargs)
    return answer.hits[0].passage.id if answer.hits else None


def test_each_language_has_its_own_index_and_a_scoped_glossary_its_own(two_languages: Index) -> None:
    """A memo with its own glossary is indexed apart; the English memo in an English index."""
    parts = {(p.language.code, tuple(sorted(p.memo_ids))) for p in two_languages.parts}
    assert parts == {("da", ("memo-a",)), ("en", ("memo-en",))}


@pytest.mark.parametrize(
    ("question", "top"),
    [
        ("Which businesses depend on the Strait?", "en-1"),  # English stems, not Danish ("busines")
        ("Boeing", "en-1"),  # no Scandinavian folding of English ("bøing")
        ("Which countries rely on food imports?", "en-2"),  # memo-a's glossary leaves "countries" be
        ("Hvad med kystvagten og Norge?", "a-alliance-1"),
        ("coast guard", "a-alliance-1"),  # the scoped glossary still works for its own memo
        ("sikkerhed for tankskibe", "en-4"),  # Danish question, English memo: through the lexicon
        ("Jones Act", "en-3"),
    ],
)
def test_questions_meet_passages_of_either_language(two_languages: Index, question: str, top: str) -> None:
    """Each question finds the passage that answers it, whichever language either is in."""
    assert _top(two_languages, question) == top


def test_memo_filter_answers_from_the_named_memos_only(two_languages: Index) -> None:
    """``memos`` restricts the answer; a question only another memo answers is then not answered."""
    assert _top(two_languages, "Jones Act", memos=frozenset({"memo-en"})) == "en-3"
    restricted = two_languages.ask("Jones Act", memos=frozenset({"memo-a"}))
    assert not restricted.answered and all(h.passage.memo_id == "memo-a" for h in restricted.hits)


def test_a_question_naming_a_memo_is_answered_from_it(tmp_path: Path) -> None:
    """ "the CRS report" and a year name memos: the answer comes from the memo so named."""
    other = MEMO_EN.replace("id: memo-en", "id: memo-old").replace("year: 2026", "year: 2019")
    other = other.replace("id: en-", "id: old-").replace("en-rec", "old-rec")
    kb = load_knowledge(write_kb(tmp_path / "kb", {"en.yaml": MEMO_EN, "old.yaml": other}))
    index = Index(kb)
    assert _top(index, "What did the 2019 report say about the Jones Act?") == "old-3"
    assert _top(index, "What did the 2026 report say about the Jones Act?") == "en-3"


def test_a_named_memo_with_nothing_close_gives_way_to_all_memos_with_low_confidence(tmp_path: Path) -> None:
    """A question that names a memo by accident (a word of its title) and that the memo does
    not match at all is shown the closest passages of all memos, marked tentative, with no
    recommendation; one the named memo answers still comes from it."""
    other = MEMO_EN.replace("id: memo-en", "id: memo-fish").replace("id: en-", "id: fish-")
    other = other.replace("en-rec", "fish-rec").replace("Shipping through the Strait", "Arctic Fisheries")
    other = other.replace("Jones Act", "Fishing Act").replace("fuel shipments", "cod quotas")
    other = other.replace("Boeing and other businesses depend on aircraft parts", "Trawlers land cod")
    kb = load_knowledge(write_kb(tmp_path / "kb", {"en.yaml": MEMO_EN, "fish.yaml": other}))
    index = Index(kb)
    question = "Would fisheries block waiving the Jones Act for fuel shipments?"
    assert index.named(question)[0] == {"memo-fish"}
    answer = index.ask(question)
    assert (answer.answered, answer.tentative, answer.recommendation) == (False, True, None)
    assert answer.hits[0].passage.id == "en-3"
    assert _top(index, "What do the fisheries say about cod quotas?") == "fish-3"


def test_partial_matches_are_shown_as_low_confidence_closest_passages(two_languages: Index) -> None:
    """A question half of whose weight a passage covers gets that passage, marked tentative."""
    answer = two_languages.ask("naval escorts for submarines and frigates")
    assert not answer.answered
    assert answer.tentative and answer.hits[0].passage.id == "en-4"
    assert answer.recommendation is None


def test_off_topic_questions_stay_unanswered_without_closest_passages(two_languages: Index) -> None:
    """A question about nothing the memos hold is refused outright."""
    answer = two_languages.ask("opskrift på æblekage")
    assert not answer.answered and not answer.tentative and answer.hits == ()


def test_a_memo_with_its_own_glossary_answers_the_same_when_others_are_loaded(tmp_path: Path) -> None:
    """Loading another memo does not change the ranking or decision inside a memo's own index."""
    alone = Index(load_knowledge(write_kb(tmp_path / "a", {"a.yaml": MEMO_A, "g.yaml": SCOPED_GLOSSARY})))
    files = {"a.yaml": MEMO_A, "g.yaml": SCOPED_GLOSSARY, "en.yaml": MEMO_EN}
    together = Index(load_knowledge(write_kb(tmp_path / "b", files)))
    for question in ("kystvagten", "Arktis isen smelter", "overvågningen af Arktis", "coast guard"):
        one, both = (
            alone.ask(question, memos=frozenset({"memo-a"})),
            together.ask(question, memos=frozenset({"memo-a"})),
        )
        assert (one.answered, [h.passage.id for h in one.hits]) == (
            both.answered,
            [h.passage.id for h in both.hits],
        )


def test_a_glossary_naming_an_unknown_memo_is_refused(tmp_path: Path) -> None:
    """A glossary's `memos` must name memos of the knowledge base."""
    glossary = SCOPED_GLOSSARY.replace("[memo-a]", "[memo-x]")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "g.yaml": glossary}))
    assert caught.value.problems == [f"{tmp_path / 'kb' / 'g.yaml'}:1: memos[0]: no memo has the id 'memo-x'"]


def test_the_english_index_ranks_exactly_as_bm25okapi(tmp_path: Path) -> None:
    """An English language index scores as rank-bm25's BM25Okapi over the same terms."""
    kb = load_knowledge(write_kb(tmp_path / "kb", {"en.yaml": MEMO_EN}))
    index = LanguageIndex(kb, language="en")
    documents = [index._passage_terms(p) for p in kb.passages]
    plain = BM25Okapi(documents, k1=index.settings.k1, b=index.settings.b)
    _floor_idf(plain)
    for question in ("Jones Act fuel", "security of tankers", "Strait businesses food", "countries"):
        terms = list(index.resolve(question).terms)
        expected = plain.get_scores(terms)
        for doc_id, score in index.ranked(tuple(terms)):
            assert score == pytest.approx(expected[doc_id])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["jones", "act", "fuel", "strait", "secur", "tanker", "congress"]),
        min_size=1,
        max_size=3,
        unique=True,
    )
)
def test_a_group_of_one_term_scores_as_that_term(
    tmp_path_factory: pytest.TempPathFactory, terms: list[str]
) -> None:
    """Pirkola grouping: one term alone as a group scores as the term; a group's terms count as
    one, so a group never scores a passage above the sum of its terms."""
    directory = tmp_path_factory.mktemp("kb")
    index = LanguageIndex(load_knowledge(write_kb(directory, {"en.yaml": MEMO_EN})), language="en")
    bm25 = index._bm25
    docs, single = bm25.group_scores([terms[0]])
    expected_docs, expected = bm25.term_scores(terms[0])
    assert list(docs) == list(expected_docs) and np.allclose(single, expected)
    group_docs, grouped = bm25.group_scores(terms)
    summed = bm25.get_scores(terms)
    assert all(g <= summed[d] + 1e-9 for d, g in zip(group_docs, grouped, strict=True))


@pytest.mark.parametrize(
    ("word", "source", "target", "expected"),
    [
        ("forsvar", "da", "en", "defence"),
        ("defence", "en", "da", "forsvar"),
        ("security", "en", "da", "sikkerhed"),
        ("børnefattigdom", "da", "en", "poverty"),  # an unknown compound by its head
        ("rugbrødxyz", "da", "en", None),
    ],
)
def test_lexicon_translates_by_stem(word: str, source: str, target: str, expected: str | None) -> None:
    """The bundled lexicon translates both ways, inflected forms and new compounds too."""
    found = bundled_lexicon().translate(word, source, target)
    assert (expected in found) if expected else found == ()


def test_lexicon_from_pairs() -> None:
    """A lexicon built from pairs looks words up by stem in both directions."""
    lexicon = Lexicon([("skib", "ship"), ("skib", "vessel")])
    assert lexicon.translate("skibene", "da", "en") == ("ship", "vessel")
    assert lexicon.translate("ships", "en", "da") == ("skib",)


MEMO_STAFF = """\
memo:
  id: memo-staff
  title: Personale i forvaltningen
  series: Notat
  publisher: Eksempelministeriet
  year: 2025
  language: da
  source_url: https://example.org/staff
roles:
  - id: central
    name: Central anbefaling
recommendations:
  - id: s-rec
    role: central
    text: Udvalget mangler en sekretær, der kan skrive referater.
passages:
  - id: s-women
    section: [Ligestilling]
    text: Flere kvinder skal i ledelse i forvaltningen.
    supports: [s-rec]
  - id: s-secretary
    section: [Udvalget]
    text: Udvalget mangler en sekretær, der kan skrive referater.
    supports: [s-rec]
  - id: s-abroad
    section: [Udlandet]
    text: Medarbejdere i udlandet får et tillæg.
    supports: [s-rec]
"""


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "kvindelig sekretær" beside "sekretær": the phrase's "kvindelig" is not secretary.
        ("Who takes the minutes as committee secretary?", "s-secretary"),
        ("Are there enough female leaders?", "s-women"),
        # A word whose only translation is a phrase keeps its words ("foreign country").
        ("allowance for staff in a foreign country", "s-abroad"),
    ],
)
def test_a_phrase_translation_stands_for_a_word_only_where_no_one_word_one_does(
    tmp_path: Path, question: str, expected: str
) -> None:
    """A translation phrase that qualifies a one-word translation (female secretary) adds
    none of its words to the question; a phrase that is the only translation still counts."""
    lexicon = Lexicon(
        [
            ("kvindelig sekretær", "secretary"),
            ("sekretær", "secretary"),
            ("kvinde", "female"),
            ("kvinde", "woman"),
            ("udlandet", "foreign country"),
            ("personale", "staff"),
            ("tillæg", "allowance"),
            ("leder", "leader"),
        ]
    )
    index = Index(load_knowledge(write_kb(tmp_path / "kb", {"staff.yaml": MEMO_STAFF})), lexicon=lexicon)
    answer = index.ask(question)
    assert [h.passage.id for h in answer.hits][:1] == [expected]
    if expected == "s-secretary":
        assert all(h.passage.id != "s-women" for h in answer.hits)


@pytest.mark.parametrize(
    ("translations", "name", "senses"),
    [
        (("kvindelig sekretær", "sekretær"), False, ["sekretær"]),
        (("foreign country",), False, ["foreign country"]),
        (("united states of america", "usa"), True, ["united states of america", "usa"]),
        (("united states of america", "usa"), False, ["usa"]),
        (("kvindelig sekretær", "sekretær"), True, ["sekretær"]),
    ],
)
def test_which_translations_stand_for_a_word(
    translations: tuple[str, ...], name: bool, senses: list[str]
) -> None:
    """A common word keeps its one-word translations where it has any; a name keeps its phrases
    (USA → United States) unless they qualify another of its translations."""
    assert list(_senses(translations, name=name)) == senses


MEMO_TRIALS = """\
memo:
  id: memo-trials
  title: Drug trials in the Navy
  series: CRS
  publisher: Congressional Research Service
  year: 2025
  language: en
  source_url: https://example.org/trials
roles:
  - id: central
    name: Key point
recommendations: []
passages:
  - id: trials-1
    section: [Research]
    text: Research on drug trials at sea is funded by the Navy.
  - id: trials-2
    section: [Research]
    text: Research funding for sailors' health has grown since 2020.
  - id: trials-3
    section: [Oversight]
    text: Congress oversees research ethics boards for military medicine.
"""


def test_a_publisher_word_names_all_its_memos_or_none(tmp_path: Path) -> None:
    """A word of several memos' metadata is judged on their passages together: "research" of
    "Congressional Research Service", common in one report's text, names neither report (judged
    memo by memo it named the one report that never uses it, and the answer came from there)."""
    kb = load_knowledge(write_kb(tmp_path / "kb", {"en.yaml": MEMO_EN, "trials.yaml": MEMO_TRIALS}))
    index = Index(kb)
    for question in ("What does the research report say about drug trials?", "research on drug trials?"):
        assert index.named(question)[0] == frozenset(), question
        assert _top(index, question) == "trials-1", question
    # Both reports carry "Service" and neither text uses it: it names them both.
    assert index.named("the service's report on drug trials")[0] == {"memo-en", "memo-trials"}


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What does the research report say about naval escorts?", {"memo-en"}),
        ("CRS on naval escorts", {"memo-en"}),
        ("Congressional escorts", {"memo-en"}),
        ("research on naval escorts", set()),
        ("Which service escorts the tankers?", set()),
    ],
)
def test_an_everyday_word_of_a_memo_name_names_it_only_in_a_question_about_a_document(
    two_languages: Index, question: str, named: set[str]
) -> None:
    """ "Research" and "Service" of "Congressional Research Service" name the report in "the
    research report", not in "research on naval escorts", which is about research; a rare word
    of the name ("CRS", "Congressional") names it either way."""
    assert two_languages.named(question)[0] == named


MEMO_NORTH = """\
memo:
  id: memo-north
  title: Norden og verden
  publisher: Nordisk Tænketank
  year: 2025
  language: da
  source_url: https://example.org/norden
roles:
  - id: central
    name: Hovedpointe
recommendations:
  - id: n-rec
    role: central
    text: Storbritannien har forladt EU
passages:
  - id: north-1
    section: [Rigsfællesskabet]
    text: Færøerne har haft valg, og der er dannet et nyt landsstyre.
    supports: [n-rec]
  - id: north-2
    section: [Klima]
    text: Mange øer i Stillehavet er truet af det stigende hav, og valget om at flytte er svært.
    supports: [n-rec]
  - id: north-3
    section: [Europa]
    text: Storbritannien har forladt EU, men samarbejdet om forsvar fortsætter.
    supports: [n-rec]
  - id: north-4
    section: [Europa]
    text: Et nyt kongerige af samarbejde i Norden er en drøm, ikke en plan.
    supports: [n-rec]
"""


@pytest.mark.parametrize(
    ("question", "top"),
    [
        ("What did the Faroe Islands elect?", "north-1"),  # not the islands of the Pacific
        ("Has the United Kingdom left the EU?", "north-3"),  # not a kingdom of cooperation
        ("Which islands are threatened by the sea?", "north-2"),  # one word: as it was
    ],
)
def test_a_country_name_of_two_words_is_translated_as_one(tmp_path: Path, question: str, top: str) -> None:
    """An English question naming a country in two words finds the Danish memo's one-word name
    (Faroe Islands → Færøerne, United Kingdom → Storbritannien), not the words' own translations."""
    index = Index(load_knowledge(write_kb(tmp_path / "kb", {"north.yaml": MEMO_NORTH})))
    assert _top(index, question) == top


def test_country_names_come_from_iso_3166_in_both_directions() -> None:
    """pycountry's Danish names of ISO 3166 translate both ways; a register name with a comma is
    left out."""
    lexicon = bundled_lexicon()
    assert lexicon.translate("færøerne", "da", "en") == ("Faroe Islands",)
    assert "Tyskland" in lexicon.translate("germany", "en", "da")
    assert ("Korea, Republikken", "Korea, Republic of") not in country_names()


def test_a_danish_compound_keeps_its_name_modifier_in_an_english_memo(two_languages: Index) -> None:
    """ "Boeingfabrikkerne" is translated by its head (factories) and keeps its modifier, the
    name "Boeing", which the English memo has as it is."""
    assert _top(two_languages, "Hvad med Boeingfabrikkerne?") == "en-1"
    english = next(p for p in two_languages.parts if p.language.code == "en")
    assert english._compound_modifier("boeingfabrikkerne", "da", "en") == english.analyzer.word_terms(
        "Boeing"
    )
    assert english._compound_modifier("fabrikkerne", "da", "en") == ()  # a word the lexicon has


MEMO_CABINET = """\
memo:
  id: memo-cabinet
  title: Regeringens år
  publisher: Nordisk Tænketank
  year: 2025
  language: da
  source_url: https://example.org/cabinet
roles:
  - id: central
    name: Hovedpointe
recommendations:
  - id: c-rec
    role: central
    text: Landmanden dyrker korn
passages:
  - id: cab-1
    section: [Rigsfællesskabet]
    text: Statsministeren rejser til Færøerne, når det nye landsstyre er dannet.
    supports: [c-rec]
  - id: cab-2
    section: [Landbruget]
    text: Landmanden dyrker korn og passer sine dyr hver dag.
    supports: [c-rec]
  - id: cab-3
    section: [Velfærd]
    text: Vores velfærd er bygget af generationer, og staten skal passe på den.
    supports: [c-rec]
  - id: cab-4
    section: [Grønland]
    text: Statsministeren vil samarbejde tættere med Grønland om børnene.
    supports: [c-rec]
  - id: cab-5
    section: [Europa]
    text: Et land er mere end en mand, og en mand er mere end sit land.
    supports: [c-rec]
"""


@pytest.fixture
def cabinet(tmp_path: Path) -> Index:
    return Index(load_knowledge(write_kb(tmp_path / "kb", {"cabinet.yaml": MEMO_CABINET})))


@pytest.mark.parametrize(
    ("question", "top"),
    [
        ("Is the PM going to the Faroe Islands?", "cab-1"),  # PM → prime minister → statsminister
        ("Will the prime minister visit the Faroe Islands?", "cab-1"),
        ("What did the PM say about Greenland?", "cab-4"),
    ],
)
def test_an_abbreviation_is_read_as_what_it_stands_for(cabinet: Index, question: str, top: str) -> None:
    """ "PM" in a question is "prime minister", which the lexicon translates as one word
    (statsminister): left as it is, an unknown capitalised word, the question was refused."""
    answer = cabinet.ask(question)
    assert answer.answered, question
    assert answer.hits[0].passage.id == top


@pytest.mark.parametrize(
    ("question", "expanded"),
    [
        ("Is the PM going?", "Is the prime minister going?"),
        ("the PM's speech", "the prime minister's speech"),
        ("Which MPs voted?", "Which members of parliament voted?"),
        ("the meeting at 3 PM", "the meeting at 3 PM"),  # a time of day
        ("pm me the link", "pm me the link"),  # case-sensitive
        ("the PMO and PMs", "the PMO and prime ministers"),  # whole words only
    ],
)
def test_abbreviations_expand_as_whole_case_sensitive_words(question: str, expanded: str) -> None:
    """The abbreviation table expands whole, case-sensitive words, and not a time of day."""
    assert expand_abbreviations(question) == expanded


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        # A translation's own word, not its compound parts: landmand, not land or mand.
        ("farmers", "landmand", {"land", "mand"}),
        # An English word is no Danish compound: Greenland is not green + land.
        ("Greenland", "grønland", {"land"}),
    ],
)
def test_a_foreign_word_stands_for_whole_translations_not_parts(
    cabinet: Index, question: str, present: str, absent: set[str]
) -> None:
    """In an English question on a Danish memo, a word stands for its translations' own terms;
    the parts the Danish analyser would find in a translation ("land|mand") or in the English
    word itself ("green|land") match passages about something else (cab-5's "land", "mand")."""
    query = cabinet.parts[0].resolve(f"What about {question}?")
    terms = {t for _, found in query.concepts for t in found}
    assert present in terms
    assert not terms & absent
    assert cabinet.ask(f"What do {question} do?").hits[0].passage.id != "cab-5"


def test_two_words_join_only_where_the_index_has_their_translation(cabinet: Index) -> None:
    """ "prime minister" is one concept (statsminister, in the memo); "welfare state" is two,
    since the memo says velfærd and staten, not velfærdsstat."""
    query = cabinet.parts[0].resolve("What did the prime minister say about the welfare state?")
    sources = [concept.source for concept, _ in query.concepts]
    assert "prime minister" in sources
    assert "welfare state" not in sources


def _english_cabinet(tmp_path: Path, first_passage: str) -> Index:
    """MEMO_CABINET as an English memo whose first passage (cab-1) is ``first_passage``."""
    memo = MEMO_CABINET.replace("language: da", "language: en").replace(
        "Statsministeren rejser til Færøerne, når det nye landsstyre er dannet.", first_passage
    )
    return Index(load_knowledge(write_kb(tmp_path / "kb", {"cabinet.yaml": memo})))


def test_an_abbreviation_a_memo_uses_is_matched_as_it_is(tmp_path: Path) -> None:
    """A memo that writes "PM" answers "the PM" in its own word: the abbreviation is read in
    full only where no memo uses it."""
    index = _english_cabinet(tmp_path, "The PM travels to the Faroe Islands once a government is formed.")
    answer = index.ask("Where does the PM travel to?")
    assert answer.answered
    assert answer.hits[0].passage.id == "cab-1"


def test_a_question_saying_us_finds_a_report_that_writes_u_s(tmp_path: Path) -> None:
    """A report writes "U.S.", its readers write "US": one word, so the question is answered
    instead of refused for naming something the report never mentions."""
    index = _english_cabinet(tmp_path, "Five U.S.-flagged ships carry fertilizer through the strait.")
    answer = index.ask("Do US ships carry fertilizer?")
    assert answer.answered
    assert answer.hits[0].passage.id == "cab-1"


@pytest.mark.parametrize(
    ("word", "found", "not_found"),
    [
        ("floor", "seafloor", None),  # an English compound of two words: sea|floor
        ("train", None, "constrain"),  # con|strain is no compound of "train"
        ("minister", None, "administ"),  # nor admini|ster of "minister"
    ],
)
def test_an_english_word_ends_a_longer_one_only_after_a_whole_word(
    tmp_path: Path, word: str, found: str | None, not_found: str | None
) -> None:
    """An unknown English word falls back to indexed words ending in it only where what comes
    before is itself an indexed word ("sea|floor"): "train" must not match "constrained"."""
    index = _english_cabinet(
        tmp_path, "The seafloor near the sea is mapped; supply is constrained and the administration waits."
    )
    terms = {t for _, f in index.parts[0].resolve(f"What about the {word}?").concepts for t in f}
    if found:
        assert found in terms
    if not_found:
        assert not_found not in terms


def test_topics_offered_for_an_unmatched_question_cover_every_memo(tmp_path: Path) -> None:
    """A question that matches nothing is offered each memo's first topic before any memo's
    second, so a knowledge base of many memos does not offer only the first memo's roles."""
    roles = "    name: Hovedpointe\n  - id: second\n    name: Andet\n  - id: third\n    name: Tredje\n"
    north = MEMO_NORTH.replace("    name: Hovedpointe\n", roles, 1)
    files = {"a-north.yaml": north, "b-cabinet.yaml": MEMO_CABINET}  # the first memo has three roles
    index = Index(load_knowledge(write_kb(tmp_path / "kb", files)))
    answer = index.ask("🙂🙂🙂")
    assert not answer.answered
    titles = {label.split(":")[0] for label in answer.suggestions}
    assert titles == {"Norden og verden", "Regeringens år"}
