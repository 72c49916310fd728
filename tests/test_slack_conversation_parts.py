"""The plain parts behind conversations: when a follow-up is elliptic, channel pacing, one vote
per answer shown, the per-channel knowledge setting and filter, thread memory, and the citation and
recommendation rendering (pages, links, no repeated recommendation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memobot.errors import ConfigError
from memobot.models import Answer, Hit, KnowledgeBase, Memo, Passage, Recommendation, Role
from memobot.service import KnowledgeService
from memobot.slack.blocks import (
    VOTES_BLOCK_ID,
    ButtonValue,
    _button_value,
    answer_message,
    parse_button_value,
    with_votes,
)
from memobot.slack.followup import is_elliptic, read_with
from memobot.slack.pacing import ChannelPacer
from memobot.slack.scope import allowed_memos, ask_within
from memobot.slack.settings import ChannelScope, SlackSettings
from memobot.slack.threads import AnswerRef, Conversations

# --- follow-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "elliptic"),
    [
        ("og i Japan?", True),
        ("what about cyber?", True),
        ("Hvad koster det?", True),
        ("Hvad med de nordiske lande og Baltikum?", True),
        ("And how does that compare with Norway's approach?", True),
        ("Hvorfor er det vigtigt for Danmark i NATO?", True),
        ("Hvad kan Danmark gøre som alliancebrobygger?", False),
        ("What does the memo say about the quantum centre?", False),
        ("Hvad siger memoet om NATOs kvantecenter?", False),
        ("", False),
    ],
)
def test_elliptic_follow_ups_are_short_open_with_a_conjunction_or_point_back(
    question: str, elliptic: bool
) -> None:
    """Short questions, ones opened by og/and/hvad med/what about, and ones pointing back with
    det/it are read with the earlier question; self-contained questions are not."""
    assert is_elliptic(question) is elliptic


def test_read_with_puts_the_earlier_question_first() -> None:
    """Retrieval sees the earlier question, then the follow-up; no earlier question, no change."""
    assert read_with("Hvad kan Danmark gøre?", "og i Japan?") == "Hvad kan Danmark gøre? og i Japan?"
    assert read_with("  ", "og i Japan?") == "og i Japan?"


def test_conversations_remember_threads_topics_and_answers_and_forget_dm_topics_sooner() -> None:
    """Threads joined, topics and answers are remembered for a day; a DM's topic for half an hour."""
    now = [0.0]
    memory = Conversations(clock=lambda: now[0])
    assert memory.in_thread("C1", "1.1") is None
    memory.join("C1", "1.1")
    memory.leave_unknown("C1", "2.2")
    memory.set_topic("C1", "1.1", "tråd-spørgsmål")
    memory.set_topic("D1", None, "dm-spørgsmål")
    memory.answered("C1", "1.5", AnswerRef("C1", "1.6"))
    now[0] = 1_801.0
    assert (memory.in_thread("C1", "1.1"), memory.in_thread("C1", "2.2")) == (True, False)
    assert memory.topic("C1", "1.1") == "tråd-spørgsmål" and memory.topic("D1", None) is None
    assert memory.answer_to("C1", "1.5") == AnswerRef("C1", "1.6")
    now[0] = 86_401.0
    assert memory.in_thread("C1", "1.1") is None and memory.answer_to("C1", "1.5") is None


# --- pacing ----------------------------------------------------------------------------------


def test_pacer_allows_a_burst_then_one_post_per_interval_per_channel() -> None:
    """Three posts go at once, then one per interval; other channels have their own slots; after
    a quiet spell the burst is back; interval 0 never waits."""
    now = [0.0]
    pacer = ChannelPacer(interval=1.0, burst=3, clock=lambda: now[0])
    assert [pacer.reserve("C1") for _ in range(6)] == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    assert pacer.reserve("C2") == 0.0
    now[0] = 20.0
    assert [pacer.reserve("C1") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    off = ChannelPacer(interval=0.0)
    assert [off.reserve("C1") for _ in range(10)] == [0.0] * 10


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=40))
def test_pacer_never_lets_more_than_the_burst_through_in_one_interval(gaps: list[float]) -> None:
    """Whatever the arrival times, the posting times in one channel never put more than
    ``burst`` posts inside any window shorter than one interval... after waiting as told."""
    now = [0.0]
    pacer = ChannelPacer(interval=1.0, burst=3, clock=lambda: now[0])
    posted = []
    for gap in gaps:
        now[0] += gap
        posted.append(now[0] + pacer.reserve("C1"))
    posted.sort()
    for i in range(len(posted) - 3):
        assert posted[i + 3] - posted[i] >= 1.0 - 1e-9


# --- votes ------------------------------------------------------------------------------------


def test_the_tally_replaces_the_older_one_just_above_the_buttons() -> None:
    """with_votes puts one tally block right above the actions block, replacing an earlier one."""
    blocks = [{"type": "section"}, {"type": "actions", "elements": []}]
    once = with_votes(blocks, 1, 0)
    twice = with_votes(once, 1, 1, mine="down")
    assert [b.get("block_id") for b in twice] == [None, VOTES_BLOCK_ID, None]
    assert twice[1]["elements"][0]["text"].startswith("Your 👎 is counted. Feedback: 👍 1 · 👎 1")


# --- per-channel knowledge --------------------------------------------------------------------

_ENV = {"SLACK_BOT_TOKEN": "xoxb-1"}


def test_channel_knowledge_setting_parses_ids_and_series() -> None:
    """Entries are "channel=ids or series:NAME", separated by ';'; other channels see everything."""
    settings = SlackSettings.from_env(
        "any",
        {**_ENV, "MEMOBOT_CHANNEL_KNOWLEDGE": " C0NATO0001 = memo-a, series:CMS memo ; G0EU000001=memo-b;"},
    )
    assert settings.scope_for("C0NATO0001") == ChannelScope(frozenset({"memo-a"}), frozenset({"CMS memo"}))
    assert settings.scope_for("G0EU000001") == ChannelScope(frozenset({"memo-b"}))
    assert settings.scope_for("C0OTHER001") is None and settings.scope_for(None) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("memo-a", "MEMOBOT_CHANNEL_KNOWLEDGE entry 1 is malformed: expected entries like"),
        ("C0NATO0001=memo-a;nato=memo-b", "MEMOBOT_CHANNEL_KNOWLEDGE entry 2 is malformed"),
        ("C0NATO0001=", "MEMOBOT_CHANNEL_KNOWLEDGE entry 1 is malformed"),
        ("C0NATO0001=series:", "MEMOBOT_CHANNEL_KNOWLEDGE entry 1 is malformed"),
        ("C0NATO0001=a;C0NATO0001=b", "MEMOBOT_CHANNEL_KNOWLEDGE entry 2 names a channel a second time"),
        ("C0NATO0001=a b", "MEMOBOT_CHANNEL_KNOWLEDGE entry 1 is malformed"),
    ],
)
def test_bad_channel_knowledge_is_refused_naming_the_entry(value: str, message: str) -> None:
    """A malformed entry stops start-up with one line naming the variable, the entry and the rule."""
    with pytest.raises(ConfigError) as caught:
        SlackSettings.from_env("any", {**_ENV, "MEMOBOT_CHANNEL_KNOWLEDGE": value})
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "MEMOBOT_CHANNEL_PACE is malformed"), ("fast", "MEMOBOT_CHANNEL_PACE is malformed")],
)
def test_bad_channel_pace_is_refused(value: str, message: str) -> None:
    """The pace is a number of seconds from 0 to 10."""
    with pytest.raises(ConfigError, match=message):
        SlackSettings.from_env("any", {**_ENV, "MEMOBOT_CHANNEL_PACE": value})
    assert SlackSettings.from_env("any", {**_ENV, "MEMOBOT_CHANNEL_PACE": "0"}).channel_pace == 0.0


@pytest.mark.parametrize(
    ("scope", "question", "memos_seen"),
    [
        (None, "kvantecenter", {"memo-b"}),
        (ChannelScope(frozenset({"memo-a"})), "kvantecenter", set()),
        (ChannelScope(frozenset({"memo-a"})), "Danmark", {"memo-a"}),
        (ChannelScope(series=frozenset({"CMS-memo"})), "Danmark", {"memo-a"}),
        (ChannelScope(frozenset({"memo-b"})), "Danmark", {"memo-b"}),
        (ChannelScope(frozenset({"no-such-memo"})), "Danmark", set()),
    ],
)
def test_ask_within_only_returns_the_channels_memos(
    tiny_kb: Path, scope: ChannelScope | None, question: str, memos_seen: set[str]
) -> None:
    """Filtered answers hold only the allowed memos' passages and their recommendation; none
    allowed is "no good answer"."""
    index = KnowledgeService(tiny_kb).index
    answer = ask_within(index, question, k=3, memos=allowed_memos(index, scope))
    assert {h.passage.memo_id for h in answer.hits} == memos_seen
    assert answer.answered is bool(memos_seen)
    if answer.recommendation is not None:
        assert answer.recommendation.memo_id in memos_seen


# --- citations ----------------------------------------------------------------------------------


def _one_hit_answer(
    text: str, rec_text: str, page: int | None, url: str = "https://example.org/m.pdf"
) -> tuple:
    memo = Memo(
        id="m",
        title="Memo",
        publisher="P",
        year=2024,
        language="da",
        source_url=url,
        roles=(Role("r", "Rolle"),),
    )
    rec = Recommendation(id="rec", memo_id="m", role_id="r", role="Rolle", text=rec_text)
    passage = Passage(
        id="p", memo_id="m", section=("Anbefalinger", "Rolle"), position=2, text=text, page=page
    )
    kb = KnowledgeBase(memos=(memo,), passages=(passage,), recommendations=(rec,))
    hit = Hit(passage=passage, score=1.0, citation=kb.citation(passage), matched_terms=())
    return Answer(question="q", answered=True, hits=(hit,), recommendation=rec), kb


def _texts(message) -> list[str]:
    out = []
    for block in message.blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return out


@pytest.mark.parametrize(
    ("page", "url", "citation"),
    [
        (
            7,
            "https://example.org/m.pdf",
            "*1.* <https://example.org/m.pdf#page=7|Memo> (2024) · Anbefalinger › Rolle · ¶2 · p. 7",
        ),
        (
            None,
            "https://example.org/m.pdf",
            "*1.* <https://example.org/m.pdf|Memo> (2024) · Anbefalinger › Rolle · ¶2",
        ),
        (
            3,
            "https://example.org/m#top",
            "*1.* <https://example.org/m#top|Memo> (2024) · Anbefalinger › Rolle · ¶2 · p. 3",
        ),
    ],
)
def test_citation_links_the_source_at_the_page_with_section_and_page(page, url: str, citation: str) -> None:
    """The memo title opens its source_url, at #page=N when the passage knows its page (unless
    the URL already has a fragment); section path, ¶ and page are shown."""
    answer, kb = _one_hit_answer("Danmark bør handle.", "Noget andet.", page, url)
    assert _texts(answer_message(answer, kb))[2] == citation


def test_a_recommendation_already_shown_as_an_excerpt_is_not_quoted_again() -> None:
    """When an excerpt is the recommendation's own text, the recommendation shows its role and
    points at that excerpt with a link, instead of quoting it a second time."""
    same, kb = _one_hit_answer("Danmark bør  handle.", "danmark bør handle.", 4)
    texts = _texts(answer_message(same, kb))
    assert texts.count(">Danmark bør  handle.") == 1
    assert (
        ":bulb: *Matching recommendation — role: Rolle:* excerpt 1 above is the memo's recommendation "
        "(<https://example.org/m.pdf#page=4|in the memo>)." in texts
    )
    different, kb = _one_hit_answer("Danmark bør handle.", "Danmark bør vente.", None)
    assert any(
        t.startswith(":bulb: *Matching recommendation — role: Rolle*\n>Danmark bør vente.")
        for t in _texts(answer_message(different, kb))
    )


@given(st.text(max_size=300), st.text(max_size=300), st.integers(0, 1000))
def test_button_values_keep_the_earlier_question_and_carry_no_markup(
    question: str, earlier: str, offset: int
) -> None:
    """A follow-up's buttons carry its earlier question back intact, and never a raw < > &."""
    value = ButtonValue(question or "q", offset, (), earlier=earlier)
    encoded = _button_value(value)
    if encoded is None:
        return
    assert not set("<>&") & set(encoded)
    parsed = parse_button_value(encoded)
    if (question or "q").strip():
        assert parsed == value
