"""The shared store, each backend for real: a SQLite file in a tmp dir and a real redis-server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memobot.errors import ConfigError
from memobot.models import Answer
from memobot.questionlog import QuestionLog, new_answer_key
from memobot.store import QuestionRecord, RedisStore, SqliteStore, Store, StoreSettings, open_store

BACKENDS = ["sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each backend in turn: SQLite in a tmp file, then the session's real Redis (emptied)."""
    if request.param == "sqlite":
        made: Store = SqliteStore(tmp_path / "store.sqlite3")
    else:
        made = RedisStore(request.getfixturevalue("redis_url"))
    try:
        yield made
    finally:
        made.close()


def _record(key: str, when: float, **fields) -> QuestionRecord:
    base = {"question": "q", "user": "h", "channel_kind": "channel", "answered": True}
    return QuestionRecord(key=key, time=when, **{**base, **fields})


def test_a_key_is_claimed_once_until_it_expires(store: Store) -> None:
    """The first claim wins, every later one loses until the ttl has passed; keep() extends it."""
    assert store.claim("event:E1", 0.3) is True
    assert store.claim("event:E1", 0.3) is False
    assert store.claim("event:E2", 0.3) is True
    store.keep("event:E2", 5)
    time.sleep(0.45)
    assert store.claim("event:E1", 5) is True  # expired: claimable again
    assert store.claim("event:E2", 5) is False  # kept


def test_concurrent_claims_have_exactly_one_winner(store: Store) -> None:
    """16 threads racing for each of 40 keys: exactly one claim per key succeeds."""
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def race() -> None:
        barrier.wait()
        for n in range(40):
            if store.claim(f"k{n}", 60):
                with lock:
                    wins.append(f"k{n}")

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(wins) == sorted(f"k{n}" for n in range(40))


# Steps on one fresh key: ("claim", owner, attempt, ttl) with attempt None for a plain claim,
# ("keep", owner or None), ("sleep", seconds); each step's result (sleep: None).
_LEASE_CASES = {
    "fresh claim": ([("claim", "A", 0, 5)], [True]),
    "duplicate first delivery": ([("claim", "A", 0, 5), ("claim", "B", 0, 5)], [True, False]),
    "retry over kept": ([("claim", "A", 0, 5), ("keep", None), ("claim", "B", 1, 5)], [True, True, False]),
    "retry over a mark kept by its owner": (
        [("claim", "A", 0, 5), ("keep", "A"), ("claim", "B", 3, 5)],
        [True, True, False],
    ),
    "retry over unkept lease": (
        [("claim", "A", 0, 5), ("claim", "B", 1, 5), ("keep", "A"), ("keep", "B"), ("claim", "C", 2, 5)],
        [True, True, False, True, False],
    ),
    "second retry over the first retry's lease": (
        [("claim", "A", 0, 5), ("claim", "B", 1, 5), ("claim", "C", 2, 5), ("keep", "B"), ("keep", "C")],
        [True, True, True, False, True],
    ),
    "retry at the lease's own attempt": ([("claim", "A", 1, 5), ("claim", "B", 1, 5)], [True, False]),
    "late original after a retry took it": ([("claim", "B", 1, 5), ("claim", "A", 0, 5)], [True, False]),
    "expired lease": (
        [("claim", "A", 0, 0.2), ("sleep", 0.35), ("claim", "B", 0, 5), ("keep", "A")],
        [True, None, True, False],
    ),
    "expired lease kept by its owner nobody took it from": (
        [("claim", "A", 0, 0.2), ("sleep", 0.35), ("keep", "A"), ("claim", "B", 1, 5)],
        [True, None, True, False],
    ),
    "plain claim is kept at once": ([("claim", "A", None, 5), ("claim", "B", 1, 5)], [True, False]),
    "plain claim over a lease": ([("claim", "A", 0, 5), ("claim", "B", None, 5)], [True, False]),
    "keep without a claim": ([("keep", "A"), ("claim", "B", 1, 5)], [True, False]),
}


@pytest.mark.parametrize(("steps", "expected"), list(_LEASE_CASES.values()), ids=list(_LEASE_CASES))
def test_a_lease_is_taken_over_only_by_a_later_attempt_until_it_is_kept(
    store: Store, steps: list[tuple], expected: list[bool | None]
) -> None:
    """An event's claim is a lease until kept: a redelivery with a higher attempt takes an unkept
    lease over (and the first holder's owner-checked keep then fails: it must not reply), never a
    kept mark, a lease of the same or a higher attempt, or a plain claim; an expired one is free."""
    results: list[bool | None] = []
    for step in steps:
        if step[0] == "claim":
            _, owner, attempt, ttl = step
            results.append(store.claim("event:Ev1", ttl, attempt=attempt, owner=owner))
        elif step[0] == "keep":
            results.append(store.keep("event:Ev1", 5, owner=step[1]))
        else:
            time.sleep(step[1])
            results.append(None)
    assert results == expected


def test_racing_retries_take_an_unkept_lease_over_exactly_once(store: Store) -> None:
    """12 threads delivering retry 1 of each of 30 leased events at once: exactly one takes each
    lease over; only that one's keep succeeds."""
    for n in range(30):
        assert store.claim(f"event:E{n}", 60, attempt=0, owner="first")
    wins: dict[str, list[str]] = {f"event:E{n}": [] for n in range(30)}
    lock = threading.Lock()
    barrier = threading.Barrier(12)

    def race(who: str) -> None:
        barrier.wait()
        for key in wins:
            if store.claim(key, 60, attempt=1, owner=who):
                with lock:
                    wins[key].append(who)

    threads = [threading.Thread(target=race, args=(f"r{n}",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(len(winners) == 1 for winners in wins.values()), wins
    for key, [winner] in wins.items():
        assert not store.keep(key, 60, owner="first")
        assert store.keep(key, 60, owner=winner)


def test_claims_written_before_leases_count_as_kept(tmp_path: Path, request) -> None:
    """A claim an older memobot wrote (SQLite: a row without attempt and owner, the table
    migrated on open; Redis: the value "1") is kept: no retry takes it over."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE claims (key TEXT PRIMARY KEY, expires REAL NOT NULL)")
    old.execute("INSERT INTO claims VALUES ('event:Old', ?)", (time.time() + 60,))
    old.commit()
    old.close()
    sqlite = SqliteStore(path)
    server = request.getfixturevalue("redis_server")
    server.client().flushall()
    server.client().set("memobot:claim:event:Old", b"1", px=60_000)
    redis_store = RedisStore(server.url)
    try:
        for made in (sqlite, redis_store):
            assert made.claim("event:Old", 5, attempt=1, owner="B") is False
            assert made.keep("event:Old", 5, owner="B") is False
            assert made.claim("event:New", 5, attempt=0, owner="A") is True
    finally:
        sqlite.close()
        redis_store.close()


@pytest.mark.parametrize(
    ("votes", "outcomes", "up", "down"),
    [
        (["up"], ["new"], 1, 0),
        (["up", "up"], ["new", "same"], 1, 0),
        (["up", "down"], ["new", "changed"], 0, 1),
        (["down", "up", "up", "down"], ["new", "changed", "same", "changed"], 0, 1),
    ],
)
def test_one_vote_per_voter_and_answer(
    store: Store, votes: list[str], outcomes: list[str], up: int, down: int
) -> None:
    """A voter's second click replaces the first; the answer counts one vote per voter (in the
    log and in vote_counts)."""
    store.log_question(_record("a1", time.time()))
    assert [store.record_vote("a1", "voter-1", v, time.time()) for v in votes] == outcomes
    assert store.record_vote("a1", "voter-2", "up", time.time()) == "new"
    [record] = store.questions(0)
    assert (record.up, record.down) == (up + 1, down)
    assert store.vote_counts("a1") == (up + 1, down)  # what the answer's message shows
    assert store.vote_counts("never-voted") == (0, 0)


def test_questions_come_back_in_order_and_purge_forgets_old_ones(store: Store) -> None:
    """questions(since) returns the records at or after ``since`` oldest first, as written;
    purge(before) deletes older questions with their votes."""
    now = time.time()
    old, mid, new = (
        _record("old", now - 100, question="gammel", answered=False),
        _record("mid", now - 50, memo_id="m", passage_id="p", section="A › B", latency_ms=1.5),
        _record("new", now, question=None, user=None, channel_kind="im"),
    )
    for record in (new, old, mid):
        store.log_question(record)
    assert store.questions(0) == [old, mid, new]
    assert store.questions(now - 60) == [mid, new]
    store.record_vote("old", "v", "down", now - 100)
    assert store.purge(now - 60) == 1
    assert [r.key for r in store.questions(0)] == ["mid", "new"]


def test_the_secret_is_made_once_per_store(store: Store, tmp_path: Path, request) -> None:
    """Every connection to the same store sees the same random secret (replicas hash alike)."""
    first = store.secret()
    if isinstance(store, SqliteStore):
        other: Store = SqliteStore(store.path)
    else:
        other = RedisStore(request.getfixturevalue("redis_server").url)
    try:
        assert other.secret() == first and len(first) == 32
    finally:
        other.close()


def test_two_sqlite_connections_share_claims(tmp_path: Path) -> None:
    """Two processes' worth of connections to one SQLite file see each other's claims."""
    a, b = SqliteStore(tmp_path / "s.sqlite3"), SqliteStore(tmp_path / "s.sqlite3")
    try:
        assert a.claim("x", 60) and not b.claim("x", 60)
    finally:
        a.close()
        b.close()


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MEMOBOT_STORE": "redis:/oops"},
            "MEMOBOT_STORE is malformed: expected redis://HOST:PORT/DB, "
            "rediss://…, unix:///PATH.sock or sqlite:///PATH",
        ),
        (
            {"MEMOBOT_STORE": "postgres://u:pw@h/db"},
            "MEMOBOT_STORE is malformed: expected redis://HOST:PORT/DB, "
            "rediss://…, unix:///PATH.sock or sqlite:///PATH",
        ),
        ({"MEMOBOT_LOG_QUESTIONS": "maybe"}, "MEMOBOT_LOG_QUESTIONS is malformed: expected on or off"),
        (
            {"MEMOBOT_LOG_RETENTION_DAYS": "0"},
            "MEMOBOT_LOG_RETENTION_DAYS is malformed: expected a whole number of days from 1 to 3650",
        ),
        (
            {"MEMOBOT_LOG_RETENTION_DAYS": "-3"},
            "MEMOBOT_LOG_RETENTION_DAYS is malformed: expected a whole number of days from 1 to 3650",
        ),
    ],
)
def test_malformed_store_settings_are_one_clear_line(env: dict, message: str) -> None:
    """A malformed store setting names the variable and the rule, never the value."""
    with pytest.raises(ConfigError) as caught:
        StoreSettings.from_env(env)
    assert str(caught.value) == message
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "url", "log_questions", "days"),
    [
        ({"MEMOBOT_STATE_DIR": "/srv/m"}, "sqlite:///srv/m/memobot.sqlite3", True, 90),
        (
            {"MEMOBOT_STORE": "sqlite:///var/x.db", "MEMOBOT_LOG_QUESTIONS": "off"},
            "sqlite:///var/x.db",
            False,
            90,
        ),
        (
            {"MEMOBOT_STORE": "redis://r:6379/2", "MEMOBOT_LOG_RETENTION_DAYS": "7"},
            "redis://r:6379/2",
            True,
            7,
        ),
        (
            {"STATE_DIRECTORY": "/var/lib/memobot:/var/lib/other"},
            "sqlite:///var/lib/memobot/memobot.sqlite3",
            True,
            90,
        ),
    ],
)
def test_store_settings_from_the_environment(env: dict, url: str, log_questions: bool, days: int) -> None:
    """MEMOBOT_STORE picks the store; without it SQLite sits in the state directory (systemd's
    STATE_DIRECTORY counts)."""
    settings = StoreSettings.from_env(env)
    assert (settings.url, settings.log_questions, settings.retention_days) == (url, log_questions, days)


def test_the_default_store_is_in_the_platform_state_dir_never_in_the_package(tmp_path: Path) -> None:
    """With nothing set the SQLite file goes under $XDG_STATE_HOME/memobot, outside the package."""
    import memobot

    settings = StoreSettings.from_env({"XDG_STATE_HOME": str(tmp_path)})
    package = Path(memobot.__file__).resolve().parent
    assert settings.sqlite_path is not None
    assert package not in settings.sqlite_path.parents


def test_an_unreachable_redis_is_one_line_without_the_password() -> None:
    """open_store pings Redis: a server that is not there stops start-up naming it, password hidden."""
    from tests.redis_support import _free_port

    port = _free_port()
    with pytest.raises(ConfigError) as caught:
        open_store(StoreSettings(url=f"redis://:hunter2@127.0.0.1:{port}/0"))
    assert str(caught.value) == (
        f"cannot reach the store redis://:***@127.0.0.1:{port}/0 (ConnectionError); "
        "is redis-server running? (MEMOBOT_STORE)"
    )


def test_an_unwritable_sqlite_store_is_one_line(tmp_path: Path) -> None:
    """A SQLite path that cannot be created stops start-up with the path and the reason."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as caught:
        open_store(StoreSettings(url=f"sqlite:///{(blocker / 'db.sqlite3').as_posix().lstrip('/')}"))
    assert str(caught.value).startswith(f"cannot open the store {blocker / 'db.sqlite3'}: ")
    assert str(caught.value).endswith("; set MEMOBOT_STORE")


# --- the question log's privacy rules ---------------------------------------------------------

_UNANSWERED = Answer(question="q", answered=False, hits=(), recommendation=None)


@pytest.mark.parametrize(("log_questions", "kept"), [(True, True), (False, False)])
def test_question_logging_off_stores_no_text_and_no_user(
    tmp_path: Path, log_questions: bool, kept: bool
) -> None:
    """MEMOBOT_LOG_QUESTIONS=off: the record has no question text and no user hash, but still
    the outcome; on: the text and a hash, never the user id."""
    store = SqliteStore(tmp_path / "s.sqlite3")
    log = QuestionLog(store, StoreSettings(url="sqlite:///x", log_questions=log_questions))
    log.record_question(
        "k1",
        question="Hvad med Arktis?",
        user="U0SECRET42",
        channel_kind="im",
        answer=_UNANSWERED,
        latency_ms=3,
    )
    [record] = log.recent(1)
    raw = (tmp_path / "s.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("s.sqlite3-*")
    )
    assert (record.question is not None, record.user is not None) == (kept, kept)
    assert (record.answered, record.channel_kind) == (False, "im")
    assert b"U0SECRET42" not in raw
    assert (b"Arktis" in raw) is kept
    store.close()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(users=st.lists(st.from_regex(r"U[A-Z0-9]{8,10}", fullmatch=True), min_size=2, max_size=6, unique=True))
def test_votes_are_one_per_user_and_never_name_the_user(tmp_path: Path, users: list[str]) -> None:
    """Whatever users click, each counts once per answer (last click wins) and no user id is stored."""
    store = SqliteStore(tmp_path / f"{new_answer_key()}.sqlite3")
    log = QuestionLog(store, StoreSettings(url="sqlite:///x"))
    log.record_question(
        "a", question="q", user=users[0], channel_kind="channel", answer=_UNANSWERED, latency_ms=1
    )
    for n, user in enumerate(users):
        log.record_vote("a", user, "up")
        if n % 2:
            assert log.record_vote("a", user, "down") == "changed"
    [record] = log.recent(1)
    assert (record.up, record.down) == (len(users) - len(users) // 2, len(users) // 2)
    stored = " ".join(map(str, store._db.execute("SELECT * FROM votes").fetchall()))
    stored += str(record)
    assert not any(user in stored for user in users)
    store.close()


def test_an_unknown_vote_is_refused(tmp_path: Path) -> None:
    """Only "up" and "down" are votes."""
    log = QuestionLog(SqliteStore(tmp_path / "s.sqlite3"), StoreSettings(url="sqlite:///x"))
    with pytest.raises(ValueError, match="vote must be one of"):
        log.record_vote("a", "U1", "sideways")


def test_the_log_forgets_questions_past_the_retention(tmp_path: Path) -> None:
    """With MEMOBOT_LOG_RETENTION_DAYS=2, logging a question (the hourly sweep) deletes those
    older than two days with their votes, and keeps the rest."""
    now = [1_800_000_000.0]
    store = SqliteStore(tmp_path / "s.sqlite3")
    log = QuestionLog(store, StoreSettings(url="sqlite:///x", retention_days=2), clock=lambda: now[0])
    for n, age_days in enumerate((5, 3, 1)):
        store.log_question(_record(f"q{n}", now[0] - age_days * 86400))
    store.record_vote("q0", "v", "down", now[0] - 5 * 86400)
    log.record_question("new", question="q", user="U1", channel_kind="im", answer=_UNANSWERED, latency_ms=1)
    assert [r.key for r in store.questions(0)] == ["q2", "new"]
    assert store._db.execute("SELECT COUNT(*) FROM votes").fetchone() == (0,)
    store.log_question(_record("old-again", now[0] - 4 * 86400))
    now[0] += 60  # within the hour: no second sweep yet
    log.record_question("new2", question="q", user="U1", channel_kind="im", answer=_UNANSWERED, latency_ms=1)
    assert "old-again" in [r.key for r in store.questions(0)]
    now[0] += 3600
    log.record_question("new3", question="q", user="U1", channel_kind="im", answer=_UNANSWERED, latency_ms=1)
    assert "old-again" not in [r.key for r in store.questions(0)]
    store.close()


def test_pacing_slots_are_shared_by_every_replica(store: Store, tmp_path: Path) -> None:
    """Posting slots live in the store: three at once, then one per interval, whichever replica
    asks (two pacers, one store); other channels have their own; a quiet spell brings the
    burst back."""
    from memobot.slack.pacing import ChannelPacer

    now = [1_800_000_000.0]
    one, two = (ChannelPacer(interval=1.0, burst=3, store=store, wall_clock=lambda: now[0]) for _ in range(2))
    waits = [pacer.reserve("C1") for pacer in (one, two, one, two, one, two)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 1.0, 2.0, 3.0], abs=1e-5)
    assert two.reserve("C2") == 0.0
    now[0] += 20.0
    assert [one.reserve("C1") for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 1.0], abs=1e-5)


def test_pacing_goes_on_per_process_when_the_store_fails(tmp_path: Path) -> None:
    """A store that cannot be reached (a real Redis client, nothing listening) does not stop
    posting: the pacer paces this process alone."""
    import socket

    from memobot.slack.pacing import ChannelPacer

    with socket.socket() as probe:  # a loopback port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = RedisStore(f"redis://127.0.0.1:{port}")
    now = [0.0]
    pacer = ChannelPacer(interval=1.0, burst=3, clock=lambda: now[0], store=down)
    assert [pacer.reserve("C1") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
