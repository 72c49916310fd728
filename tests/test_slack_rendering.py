"""The Slack front end's plain functions: question cleaning, escaping, cutting, Block Kit
rendering within Slack's limits, button values, settings, de-duplication and log redaction."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memobot.errors import ConfigError
from memobot.loader import load_knowledge
from memobot.models import Answer, Hit, KnowledgeBase, Memo, Passage, Recommendation, Role
from memobot.retrieval import Index
from memobot.service import Changes, ReloadReport, Status
from memobot.slack.blocks import (
    ACTION_MORE,
    ACTION_SHARE,
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_HOME_BLOCKS,
    MAX_SECTION_TEXT,
    ButtonValue,
    Message,
    answer_message,
    home_view,
    parse_button_value,
    refresh_message,
    usage_message,
)
from memobot.slack.examples import example_questions
from memobot.slack.logging_setup import TokenRedactor
from memobot.slack.settings import DEFAULT_API_URL, SlackSettings
from memobot.slack.text import ELLIPSIS, clean_question, escape, truncate_words
from tests.conftest import MEMO_A, write_kb

# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("<@U0BOT> Hvad er kvantecenteret?", "Hvad er kvantecenteret?"),
        ("<@U0BOT|memobot> hi", "hi"),
        ("<!channel> <!here> <!everyone> NATO", "NATO"),
        ("<!subteam^S123|@forsvar> NATO", "NATO"),
        ("se <https://example.org/x|rapporten> om Japan", "se rapporten om Japan"),
        ("se <https://example.org/x> om Japan", "se om Japan"),
        ("i <#C123|general> kanalen", "i general kanalen"),
        ("a &lt; b &amp; c &gt; d", "a < b & c > d"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
        ("*fed* _kursiv_ ~streg~ `kode` NATO_ALLIES", "fed kursiv streg kode NATO_ALLIES"),
        ("linje1\nlinje2\t\x00slut", "linje1 linje2 slut"),
        ("   ", ""),
        ("<@U0BOT>", ""),
        ("<<@U1>> Japan", "Japan"),
        ("<a<@U1>b> Japan", "Japan"),
        ("x < y", "x y"),
        (":wave: hvad siger memoet om kvantecentret?", "hvad siger memoet om kvantecentret?"),
        ("tak :+1::skin-tone-3: :flag-dk:", "tak"),
        ("kl. 10:30:45 NB:obs: 3:2", "kl. 10:30:45 NB:obs: 3:2"),
    ],
)
def test_clean_question_strips_slack_markup(typed: str, question: str) -> None:
    """Mentions, broadcasts, links, entities, formatting marks and control characters are removed."""
    assert clean_question(typed) == question


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("&amp;", "&amp;amp;"),
        ("<@U123|x>", "&lt;@U123|x&gt;"),
        ("plain", "plain"),
    ],
)
def test_escape_table(text: str, escaped: str) -> None:
    """&, < and > become Slack's entities, nothing else changes."""
    assert escape(text) == escaped


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("kort tekst", 20, "kort tekst"),
        ("Danmark kan styrke samarbejdet med Japan", 18, "Danmark kan…"),
        ("Danmark kan styrke samarbejdet med Japan", 20, "Danmark kan styrke…"),
        ("Danmark, kan", 9, "Danmark…"),
        ("Supercalifragilistic", 8, "Superca…"),
        ("abc", 1, "…"),
        ("abc", 0, ""),
    ],
)
def test_truncate_words_cuts_at_a_word_boundary(text: str, limit: int, cut: str) -> None:
    """Long text is cut after the last whole word that fits, with "…", never over the limit."""
    assert truncate_words(text, limit) == cut


@given(st.text(), st.integers(min_value=0, max_value=400))
def test_truncate_words_never_exceeds_and_keeps_a_prefix(text: str, limit: int) -> None:
    """Whatever the text, the cut fits the limit and is a prefix of the text (plus "…")."""
    cut = truncate_words(text, limit)
    assert len(cut) <= limit
    assert text.startswith(cut.removesuffix(ELLIPSIS).rstrip(" \n,;:–-")) or cut == ELLIPSIS[:limit]


@given(st.text())
def test_escape_leaves_no_markup(text: str) -> None:
    """Escaped text has no < or >, and every & starts one of Slack's three entities."""
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.sub(r"&(amp|lt|gt);", "", escaped).count("&") == 0


@given(st.text(alphabet=st.sampled_from("<>@!#|&;ltgamphs:/ UCxy\n"), max_size=60))
def test_clean_question_never_keeps_slack_markup(text: str) -> None:
    """No <@…>, <!…>, <#…> or <http…> markup survives cleaning unless the user typed it as
    entities (&lt;), which is then plain text that output escaping keeps harmless."""
    cleaned = clean_question(text)
    if "&lt;" not in text:
        assert not re.search(r"<[^<>\n]*>", cleaned), cleaned
    assert "<" not in escape(cleaned)


# --- rendering -----------------------------------------------------------------------------

_URL = "https://example.org/memo?a=1&b=2"


def _kb(
    passage_text: str = "Danmark bør styrke overvågningen af Arktis.",
    title: str = "Arktis",
    rec_text: str | None = None,
) -> KnowledgeBase:
    memo = Memo(
        id="m",
        title=title,
        publisher="CMS",
        year=2024,
        language="da",
        source_url=_URL,
        series="CMS-memo",
        roles=(Role("central", "Central anbefaling"),),
    )
    rec = Recommendation(
        id="r", memo_id="m", role_id="central", role="Central anbefaling", text=rec_text or passage_text
    )
    passages = tuple(
        Passage(
            id=f"p{i}",
            memo_id="m",
            section=("Anbefalinger", "Arktis"),
            position=i,
            text=passage_text,
            supports=("r",),
        )
        for i in range(1, 11)
    )
    return KnowledgeBase(memos=(memo,), passages=passages, recommendations=(rec,))


def _answer(
    kb: KnowledgeBase, question: str, terms: tuple[str, ...] = (), k: int = 3, offset: int = 0
) -> Answer:
    hits = tuple(
        Hit(passage=p, score=1.0, citation=kb.citation(p), matched_terms=terms)
        for p in kb.passages[offset : offset + k]
    )
    return Answer(
        question=question,
        answered=True,
        hits=hits,
        recommendation=kb.recommendations[0],
        offset=offset,
        has_more=True,
    )


def _texts(message: Message | dict) -> list[str]:
    blocks = message.blocks if isinstance(message, Message) else message["blocks"]
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return out


def _assert_within_limits(message: Message, max_blocks: int = MAX_BLOCKS) -> None:
    assert message.text and len(message.text) <= 3000
    assert 0 < len(message.blocks) <= max_blocks
    for block in message.blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                assert len(element["text"]) <= MAX_SECTION_TEXT
            if element.get("type") == "button":
                assert len(element["value"]) <= MAX_BUTTON_VALUE
                assert len(element["text"]["text"]) <= 75
    json.dumps(list(message.blocks))


# Our own markup: links to http(s) URLs, Slack dates and user mentions we built from ids.
_OWN_MARKUP = re.compile(
    r"<https?://[^<>|\s]+\|[^<>]*>|<!date\^\d+\^[^<>|]*\|[^<>]*>|<@[UW][A-Z0-9]+>|<#[CGD][A-Z0-9]+>"
)


def _assert_no_foreign_markup(message: Message) -> None:
    for text in [message.text, *_texts(message)]:
        rest = _OWN_MARKUP.sub("", text)
        assert "<" not in rest and ">" not in rest.replace("\n>", "\n").removeprefix(">"), text


def test_answer_shows_quotes_bold_terms_citation_and_role() -> None:
    """Each excerpt is a quote with matched words in bold, cited with the memo title linked to
    its source URL, section and ¶; the recommendation is labelled with its role."""
    kb = _kb(rec_text="Danmark bør overvåge Arktis bedre.")
    message = answer_message(_answer(kb, "Arktis?", terms=("Arktis", "styrke")), kb)
    texts = _texts(message)
    assert texts[0] == "*Question:* Arktis?"
    assert texts[1] == ">Danmark bør *styrke* overvågningen af *Arktis*."
    assert texts[2] == (
        "*1.* CMS-memo: <https://example.org/memo?a=1&amp;b=2|Arktis> (2024) · Anbefalinger › Arktis · ¶1"
    )
    assert any(t.startswith(":bulb: *Matching recommendation — role: Central anbefaling*\n>") for t in texts)
    assert message.text.startswith("Answer to “Arktis?”: “Danmark bør styrke")


def test_long_passage_is_cut_at_a_word_with_an_ellipsis_outside_the_markup() -> None:
    """A passage longer than the excerpt size is cut after a whole word, "…" after it, and
    the cut never falls inside *bold* or an entity."""
    long_text = " ".join(["sikkerhed & samarbejde"] * 400)
    kb = _kb(long_text)
    message = answer_message(_answer(kb, "samarbejde", terms=("samarbejde",)), kb)
    excerpt = _texts(message)[1]
    assert excerpt.endswith("*samarbejde*…") or excerpt.endswith("&amp;…") or excerpt.endswith("sikkerhed…")
    assert excerpt.count("*") % 2 == 0
    assert not re.search(r"&[a-z]*…$", excerpt) or excerpt.endswith("&amp;…")
    _assert_within_limits(message)


def test_answer_buttons_carry_question_and_offset() -> None:
    """More carries the next offset, Share the current page; both only the question, no state."""
    kb = _kb()
    message = answer_message(_answer(kb, "Arktis?", k=3, offset=3), kb, shareable=True)
    buttons = {e["action_id"]: e for b in message.blocks if b["type"] == "actions" for e in b["elements"]}
    assert parse_button_value(buttons[ACTION_MORE]["value"]) == ButtonValue("Arktis?", 6)
    assert parse_button_value(buttons[ACTION_SHARE]["value"]) == ButtonValue("Arktis?", 3)
    assert _texts(message)[2].startswith("*4.*")
    assert not any("Matching recommendation" in t for t in _texts(message))


def test_no_answer_names_closest_topics_and_examples() -> None:
    """A question without a good answer says so, lists closest topics and example questions."""
    kb = _kb()
    answer = Answer(
        question="rugbrød <b>",
        answered=False,
        hits=(),
        recommendation=None,
        suggestions=("Arktis: Anbefalinger",),
    )
    message = answer_message(answer, kb, examples=("Hvad med Arktis?",))
    [text] = _texts(message)
    assert "nothing in the memos that answers “rugbrød &lt;b&gt;”" in text
    assert "*Closest topics:*\n• Arktis: Anbefalinger" in text
    assert "• `Hvad med Arktis?`" in text
    _assert_within_limits(message)


def test_usage_lists_examples_and_refresh_only_for_admins() -> None:
    """Help shows example questions; /memo refresh is mentioned to admins only."""
    assert "/memo refresh" not in _texts(usage_message(("Q1?",)))[0]
    assert "/memo refresh" in _texts(usage_message(("Q1?",), admin=True))[0]
    assert "• `/memo Q1?`" in _texts(usage_message(("Q1?",)))[0]


def test_example_questions_come_from_the_knowledge_base_and_are_answered(tiny_kb: Path) -> None:
    """Example questions name the knowledge base's roles or glossary phrases, and each one is answered."""
    index = Index(load_knowledge(tiny_kb))
    examples = example_questions(index)
    assert examples
    for question in examples:
        assert index.ask(question).answered
    assert any("alliancebrobygger" in q for q in examples)


@pytest.mark.parametrize("memos", [frozenset({"memo-a"}), frozenset({"memo-b"})])
def test_example_questions_for_a_channel_are_about_its_memos_only(
    tiny_kb: Path, memos: frozenset[str]
) -> None:
    """With a channel's memos, every example question is answered from those memos, and
    questions about the other memo's topics are not offered."""
    index = Index(load_knowledge(tiny_kb))
    examples = example_questions(index, memos=memos)
    assert examples
    for question in examples:
        answer = index.ask(question, memos=memos)
        assert answer.answered and answer.hits[0].passage.memo_id in memos, question
    everywhere = example_questions(index)
    assert set(examples) < set(everywhere)


def test_refresh_report_with_hundreds_of_problems_stays_within_limits() -> None:
    """A refused reload lists problems with file and line, then "… and N more", within 50 blocks."""
    problems = tuple(f"knowledge/m.yaml:{n}: passage p{n}: text must not be empty <{n}>" for n in range(500))
    report = ReloadReport(ok=False, seconds=0.1, version="abc", problems=problems)
    message = refresh_message(report)
    _assert_within_limits(message)
    text = "\n".join(_texts(message))
    assert "knowledge/m.yaml:0: passage p0" in text and "&lt;0&gt;" in text
    assert "460 more problems" in text


def test_refresh_report_ok_lists_changes_and_time() -> None:
    """A successful reload reports the time taken and each changed id."""
    changes = Changes(added={"passages": ("p9",)}, changed={"recommendations": ("r1",)})
    message = refresh_message(ReloadReport(ok=True, seconds=0.25, version="v2", changes=changes))
    text = "\n".join(_texts(message))
    assert "reloaded in 0.25 s" in text and "passages +1" in text
    assert "passages added: p9" in text and "recommendations changed: r1" in text


def _status(**extra) -> Status:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    return Status(
        version="v1",
        directory="/kb",
        memos=1,
        passages=10,
        recommendations=1,
        loaded_at=now,
        load_seconds=0.5,
        memo_titles=(("m", "Arktis", 10, 1),),
        **extra,
    )


def test_home_view_shows_the_last_failure() -> None:
    """The Home tab shows when the last refresh failed and its problems."""
    failed_at = datetime(2025, 1, 3, tzinfo=timezone.utc)
    view = home_view(_status(last_error=("m.yaml:3: bad <yaml>",), last_error_at=failed_at), _kb(), ("Q?",))
    text = "\n".join(_texts(view))
    assert "*Last failed refresh:* <!date^1735862400^" in text
    assert "m.yaml:3: bad &lt;yaml&gt;" in text
    assert (
        "<https://example.org/memo?a=1&amp;b=2|Arktis> (CMS, 2024)\n10 passages · 1 recommendations" in text
    )


_ANY_TEXT = st.text(min_size=0, max_size=4000)
_WORDS = st.lists(st.text(min_size=1, max_size=30), max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=_ANY_TEXT, passage=_ANY_TEXT, title=st.text(max_size=500), terms=_WORDS, k=st.integers(1, 10))
def test_answer_rendering_respects_limits_and_escaping_for_any_text(
    question: str, passage: str, title: str, terms: list[str], k: int
) -> None:
    """For any question, passage, title and matched words, the answer stays within Slack's limits
    and carries no markup but our own links."""
    kb = _kb(passage or "x", title=title or "t")
    message = answer_message(
        _answer(kb, question, tuple(terms), k=k), kb, shareable=True, shared_by="U0ASKER001"
    )
    _assert_within_limits(message)
    _assert_no_foreign_markup(message)


@settings(max_examples=40, deadline=None)
@given(
    question=_ANY_TEXT,
    suggestions=st.lists(st.text(max_size=400), max_size=6),
    examples=st.lists(st.text(max_size=400), max_size=6),
)
def test_no_answer_rendering_respects_limits_for_any_text(
    question: str, suggestions: list[str], examples: list[str]
) -> None:
    """The no-answer reply stays within limits and escaped for any question and suggestions."""
    answer = Answer(
        question=question, answered=False, hits=(), recommendation=None, suggestions=tuple(suggestions)
    )
    message = answer_message(answer, _kb(), examples=examples)
    _assert_within_limits(message)
    _assert_no_foreign_markup(message)


@settings(max_examples=40, deadline=None)
@given(problems=st.lists(st.text(max_size=3000), max_size=80))
def test_refresh_and_home_rendering_respect_limits_for_any_problems(problems: list[str]) -> None:
    """Refresh reports and the Home tab stay within limits whatever the problems say."""
    message = refresh_message(ReloadReport(ok=False, seconds=0.1, version="v", problems=tuple(problems)))
    _assert_within_limits(message)
    _assert_no_foreign_markup(message)
    view = home_view(_status(last_error=tuple(problems), last_error_at=datetime.now(timezone.utc)), _kb(), ())
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    for text in _texts(view):
        assert len(text) <= MAX_SECTION_TEXT


@given(st.text(max_size=3000).filter(str.strip), st.integers(0, 5))
def test_button_values_round_trip_or_are_left_out(question: str, offset: int) -> None:
    """Every button carries a value that parses back to the question it was made for."""
    kb = _kb()
    message = answer_message(_answer(kb, question, k=2, offset=offset), kb, shareable=True)
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                value = parse_button_value(element["value"])
                assert value is not None and value.question == question
                assert value.offset in (offset, offset + 2)


# --- settings ------------------------------------------------------------------------------

_GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc", "SLACK_SIGNING_SECRET": "a" * 32}


@pytest.mark.parametrize(
    ("mode", "change", "variable"),
    [
        ("socket", {"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ("socket", {"SLACK_BOT_TOKEN": "xoxp-secret-value"}, "SLACK_BOT_TOKEN is malformed"),
        ("socket", {"SLACK_APP_TOKEN": ""}, "SLACK_APP_TOKEN is not set"),
        ("socket", {"SLACK_APP_TOKEN": "xoxb-secret-value"}, "SLACK_APP_TOKEN is malformed"),
        ("http", {"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ("http", {"SLACK_SIGNING_SECRET": "secret value!"}, "SLACK_SIGNING_SECRET is malformed"),
        ("http", {"SLACK_API_URL": "ftp://secret-value"}, "SLACK_API_URL is malformed"),
        ("http", {"MEMOBOT_ADMINS": "U123,secret-value"}, "MEMOBOT_ADMINS is malformed"),
        ("http", {"MEMOBOT_MAX_QUESTION_CHARS": "secret-value"}, "MEMOBOT_MAX_QUESTION_CHARS is malformed"),
        ("http", {"MEMOBOT_MAX_QUESTION_CHARS": "5000"}, "MEMOBOT_MAX_QUESTION_CHARS is malformed"),
        ("http", {"MEMOBOT_RESULTS": "0"}, "MEMOBOT_RESULTS is malformed"),
        ("http", {"MEMOBOT_HTTP_PORT": "70000"}, "MEMOBOT_HTTP_PORT is malformed"),
        ("http", {"MEMOBOT_HTTP_HOST": "secret value"}, "MEMOBOT_HTTP_HOST is malformed"),
    ],
)
def test_bad_settings_name_the_variable_never_the_value(mode: str, change: dict, variable: str) -> None:
    """A missing or malformed setting stops start-up naming the variable and what is expected."""
    with pytest.raises(ConfigError) as caught:
        SlackSettings.from_env(mode, {**_GOOD, **change})
    assert str(caught.value).startswith(variable)
    assert "secret" not in str(caught.value).replace("Secret", "")


def test_settings_defaults_and_parsing(tmp_path: Path) -> None:
    """Defaults are Slack's API URL, 500 characters, 3 results; admins split on commas or spaces;
    the store defaults to SQLite in the state directory."""
    settings = SlackSettings.from_env(
        "any",
        {"SLACK_BOT_TOKEN": "xoxb-1", "MEMOBOT_ADMINS": "U1A, W2B U3C", "MEMOBOT_STATE_DIR": str(tmp_path)},
    )
    assert settings.api_url == DEFAULT_API_URL
    assert (settings.max_question_chars, settings.results) == (500, 3)
    assert (
        settings.admins == {"U1A", "W2B", "U3C"} and settings.is_admin("W2B") and not settings.is_admin("U9")
    )
    assert settings.store.sqlite_path == (tmp_path / "memobot.sqlite3").resolve()
    assert "xoxb" not in repr(settings)
    assert SlackSettings.from_env(
        "any", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://h:1/api"}
    ).api_url == ("http://h:1/api/")


# --- de-duplication and logging ---------------------------------------------------------------


def test_token_redactor_removes_tokens_and_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """Log records never carry Slack tokens or the configured secrets."""
    logger = logging.getLogger("memobot.test.redact")
    redactor = TokenRedactor(secrets=("s3cr3t-signing",))
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="memobot.test.redact"):
            logger.info("token %s app %s secret %s", "xoxb-123-abc", "xapp-1-A-2-f", "s3cr3t-signing")
    finally:
        logger.removeFilter(redactor)
    assert caplog.messages == ["token [redacted] app [redacted] secret [redacted]"]


def test_examples_fall_back_gracefully_on_a_small_knowledge_base(tmp_path: Path) -> None:
    """A knowledge base without glossary gives Danish role examples only, all answered."""
    index = Index(load_knowledge(write_kb(tmp_path / "kb", {"a.yaml": MEMO_A})))
    examples = example_questions(index)
    assert examples == ("Hvad står der om alliancebrobygger?",)


def test_examples_ask_a_bounded_number_of_questions_once_per_version(tmp_path: Path) -> None:
    """Many memos sharing role names cost one question per distinct role, and a burst of
    callers on many threads computes the examples once."""
    import threading

    files = {
        f"m{n}.yaml": MEMO_A.replace("id: memo-a", f"id: memo-{n}").replace("a-", f"m{n}-") for n in range(60)
    }

    class CountingIndex(Index):
        asked = 0

        def ask(self, question: str, k: int = 3, offset: int = 0, memos=None):
            CountingIndex.asked += 1
            return super().ask(question, k=k, offset=offset, memos=memos)

    index = CountingIndex(load_knowledge(write_kb(tmp_path / "kb", files)))
    results: list[tuple[str, ...]] = []
    threads = [threading.Thread(target=lambda: results.append(example_questions(index))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0]
    assert CountingIndex.asked <= 2  # "Central anbefaling" and "Alliancebrobygger", once each


def test_english_examples_are_about_topics_inside_roles_not_names() -> None:
    """On the bundled memo, English examples use common-noun glossary phrases answered inside a role."""
    from memobot.loader import bundled_knowledge_dir

    index = Index(load_knowledge(bundled_knowledge_dir()))
    english = [q for q in example_questions(index, limit=6) if q.startswith("What does the memo say about ")]
    assert english
    for question in english:
        topic = question.removeprefix("What does the memo say about ")
        assert topic[:1].islower(), question
        hit = index.ask(question, k=1).hits[0]
        assert len(hit.passage.section) >= 2, question  # under Anbefalinger › <role>
