"""The question log as curators see it: `memobot report` over a log the real Slack app wrote
(signed requests into the real Bolt app on loopback, the store a real SQLite file), the App
Home summary for admins, and the grouping rules on their own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from memobot.report import build_report, format_report, wording
from memobot.service import KnowledgeService
from memobot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_FEEDBACK_UP
from memobot.store import QuestionRecord
from tests.slack_fakes import RESPONSE_URL_METHOD, Call, FakeSlackAPI
from tests.slack_http_support import ADMIN_ID, BotUnderTest, running_http_bot
from tests.slack_payloads import (
    ASKER_ID,
    DM_CHANNEL_ID,
    app_mention,
    block_actions,
    direct_message,
    event_callback,
    slash_command,
)

ANSWERED = "Hvad kan Danmark gøre som alliancebrobygger?"
UNANSWERED = ("Hvordan bager man rugbrød?", "hvordan bager man  RUGBRØD", "Hvem vandt VM i fodbold?")


def _record(key: str, question: str | None, answered: bool, **fields) -> QuestionRecord:
    return QuestionRecord(
        key=key,
        time=1_700_000_000.0 + len(key),
        question=question,
        user="h",
        channel_kind="im",
        answered=answered,
        **fields,
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hvad med Arktis?", "hvad med  arktis", True),
        ("Hvad med Arktis?", "Hvad med Arktis!!", True),
        ("Hvad med Arktis?", "Hvad med Grønland?", False),
        ("ＫＶＡＮＴＥ", "kvante", True),  # NFKC: full-width letters are the same wording
    ],
)
def test_questions_are_grouped_by_wording(a: str, b: str, same: bool) -> None:
    """Case, spacing, punctuation and compatibility forms do not split a group; words do."""
    assert (wording(a) == wording(b)) is same


def test_the_report_sums_up_groups_topics_and_memo_hits() -> None:
    """Unanswered groups are most asked first, 👎 groups most disliked first; topics and memo
    hits count answered questions only; latency percentiles are of every question."""
    records = [
        _record("a", "Rugbrød?", False, latency_ms=1),
        _record("bb", "rugbrød", False, latency_ms=2),
        _record("ccc", "Fodbold?", False, latency_ms=3),
        _record(
            "dddd", "Arktis?", True, memo_id="m1", passage_id="p1", section="Indledning", down=2, latency_ms=4
        ),
        _record(
            "eeeee", "kvante", True, memo_id="m2", passage_id="p2", section="Teknologi", up=1, latency_ms=100
        ),
        _record("ffffff", None, False, latency_ms=5),
    ]
    report = build_report(records, 7)
    assert (report.questions, report.answered, report.up, report.down) == (6, 2, 1, 2)
    assert [(g.question, g.count) for g in report.unanswered] == [
        ("Rugbrød?", 2),  # the most typed form; on a tie, the first
        ("(text not logged: MEMOBOT_LOG_QUESTIONS=off)", 1),
        ("Fodbold?", 1),
    ]
    assert [(g.question, g.down, g.passage_id) for g in report.disliked] == [("Arktis?", 2, "p1")]
    assert report.topics == (("m1 › Indledning", 1), ("m2 › Teknologi", 1))
    assert report.memo_hits == (("m1", 1), ("m2", 1))
    assert (report.latency_p50_ms, report.latency_p95_ms) == (4, 100)


def test_the_text_report_makes_control_characters_visible() -> None:
    """A question with raw control bytes is printed with them escaped, never sent to the terminal."""
    text = format_report(build_report([_record("a", "evil\x1b[2Jclear\x07", False)], 1))
    assert "evil\\x1b[2Jclear\\x07" in text and "\x1b" not in text and "\x07" not in text


# --- a real log, written by the real app -------------------------------------------------------


def _buttons(call: Call) -> dict[str, dict]:
    return {
        e["action_id"]: e
        for block in call.params.get("blocks") or []
        if block.get("type") == "actions"
        for e in block["elements"]
    }


def _ask_everything(bot: BotUnderTest, fake_slack: FakeSlackAPI) -> None:
    """What a small team does in a day: mentions, DMs, /memo, a 👎 and a 👍 changed to 👎."""
    bot.post_event(event_callback(app_mention(ANSWERED)))
    for question in UNANSWERED:
        bot.post_event(event_callback(direct_message(question)))
    bot.post_command(slash_command("kvantecenter", response_url=fake_slack.new_response_url()))
    posted = fake_slack.wait_for("chat.postMessage", count=1 + len(UNANSWERED))
    fake_slack.wait_for(RESPONSE_URL_METHOD)
    [answer] = [c for c in posted if c.params.get("thread_ts")]
    for user, clicks in (
        ("U0VOTER001", [ACTION_FEEDBACK_DOWN]),
        ("U0VOTER002", [ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN]),
    ):
        for action_id in clicks:
            bot.post_action(
                block_actions(
                    {"action_id": action_id, "value": _buttons(answer)[action_id]["value"]},
                    user=user,
                    response_url=fake_slack.new_response_url(),
                )
            )
    fake_slack.wait_for(RESPONSE_URL_METHOD, count=4)


def _report(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEMOBOT_STORE": f"sqlite:///{store.as_posix().lstrip('/')}"}
    return subprocess.run(
        [sys.executable, "-m", "memobot.cli", "report", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_memobot_report_shows_the_log_the_slack_app_wrote(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """After mentions, DMs, /memo and votes through the real app, `memobot report` lists the
    unanswered questions grouped by wording, the 👎 answer (two users, one vote each), the topic
    and the memo hits."""
    _ask_everything(bot, fake_slack)
    result = _report(tmp_path / "store.sqlite3", "--days", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "Questions of the last 1 days: 5, answered 2 (40%); 👍 0, 👎 2; reply ready in "
    )
    unanswered = lines[lines.index("Unanswered, by wording (times asked, last asked):") + 1 :][:2]
    # Both wordings were asked once and DMs are answered concurrently, so either may be "first";
    # the bot collapses whitespace in what it reads, so the second is logged with one space.
    shown = re.fullmatch(r"\s+\d+  \d{4}-\d\d-\d\d \d\d:\d\d  (.*)", unanswered[0])
    assert shown and shown.group(1) in ("Hvordan bager man rugbrød?", "hvordan bager man RUGBRØD")
    assert unanswered[0].split()[0] == "2" and unanswered[1].endswith("Hvem vandt VM i fodbold?")
    disliked = lines[lines.index("👎 answers, by wording (👎, 👍, times asked, top excerpt):") + 1]
    assert disliked.split()[:3] == ["2", "0", "1"] and ANSWERED in disliked and "[cms23-" in disliked
    memo_hits = lines[lines.index("Top excerpts per memo:") + 1 :]
    memos = [bot.service.index.ask(q).hits[0].passage.memo_id for q in (ANSWERED, "kvantecenter")]
    expected = sorted(((memos.count(m), m) for m in set(memos)), key=lambda t: (-t[0], t[1]))
    assert [line.split() for line in memo_hits] == [[str(n), m] for n, m in expected]

    data = json.loads(_report(tmp_path / "store.sqlite3", "--days", "1", "--json").stdout)
    assert (data["questions"], data["answered"], data["down"]) == (5, 2, 2)
    raw = (tmp_path / "store.sqlite3").read_bytes()
    assert ASKER_ID.encode() not in raw and b"U0VOTER00" not in raw  # hashes only


@pytest.mark.slow
def test_question_logging_off_keeps_no_text_and_no_user_id(
    fake_slack: FakeSlackAPI, bundled_service: KnowledgeService, tmp_path: Path
) -> None:
    """With MEMOBOT_LOG_QUESTIONS=off the store holds no question text and no user id or hash,
    and the report still counts the questions."""
    with running_http_bot(fake_slack, bundled_service, tmp_path, MEMOBOT_LOG_QUESTIONS="off") as bot:
        _ask_everything(bot, fake_slack)
    store = tmp_path / "store.sqlite3"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("store.sqlite3*"))
    assert b"rugbr" not in raw and b"kvantecenter" not in raw and b"alliancebrobygger" not in raw
    assert ASKER_ID.encode() not in raw
    result = _report(store, "--days", "1")
    assert "Questions of the last 1 days: 5, answered 2" in result.stdout
    assert "(text not logged: MEMOBOT_LOG_QUESTIONS=off)" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "stderr_start"),
    [
        (("--days", "0"), 2, "usage:"),
        (("--limit", "x"), 2, "usage:"),
        ((), 1, "Error: no question log at "),
    ],
)
def test_report_mistakes_are_one_line(tmp_path: Path, args: tuple, code: int, stderr_start: str) -> None:
    """A bad option or a store no bot wrote to is one line and a non-zero exit, no traceback."""
    result = _report(tmp_path / "missing.sqlite3", *args)
    assert result.returncode == code
    assert result.stderr.startswith(stderr_start) and "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("user", "shown"), [(ADMIN_ID, True), (ASKER_ID, False)])
def test_the_app_home_shows_admins_the_question_log(
    bot: BotUnderTest, fake_slack: FakeSlackAPI, user: str, shown: bool
) -> None:
    """An admin's App Home sums up the last week's questions (unanswered ones escaped); others
    do not see it."""
    bot.post_event(event_callback(direct_message("<!channel> rugbrød &amp; &lt;b&gt;kage&lt;/b&gt;?")))
    fake_slack.wait_for("chat.postMessage")
    event = {"type": "app_home_opened", "user": user, "channel": DM_CHANNEL_ID, "tab": "home"}
    bot.post_event(event_callback(event))
    [call] = fake_slack.wait_for("views.publish")
    text = json.dumps(call.params["view"], ensure_ascii=False)
    assert ("Question log, last 7 days" in text) is shown
    if shown:
        assert "1 question, 0 answered (0%)" in text and "*Asked but not answered:*" in text
        # Slack sent "<b>" typed by the user as "&lt;b&gt;": shown escaped again, never as markup.
        assert "rugbrød &amp; &lt;b&gt;kage&lt;/b&gt;" in text and "<!channel>" not in text
