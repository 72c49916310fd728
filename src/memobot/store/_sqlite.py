"""The embedded store: one SQLite file (standard library), so the quick start needs no server.

Several processes on one machine may share the file (WAL mode, a busy timeout); replicas on
several machines need :mod:`memobot.store._redis`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ._records import QuestionRecord, VoteOutcome

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, expires REAL NOT NULL, attempt INTEGER, owner TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS votes (
    answer_key TEXT NOT NULL, voter TEXT NOT NULL, vote TEXT NOT NULL, time REAL NOT NULL,
    PRIMARY KEY (answer_key, voter));
CREATE TABLE IF NOT EXISTS questions (
    key TEXT PRIMARY KEY, time REAL NOT NULL, question TEXT, user TEXT, channel_kind TEXT NOT NULL,
    answered INTEGER NOT NULL, memo_id TEXT, passage_id TEXT, section TEXT, latency_ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS questions_time ON questions (time);
CREATE INDEX IF NOT EXISTS votes_time ON votes (time);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pacing (key TEXT PRIMARY KEY, next REAL NOT NULL);
"""
# claims.attempt: the delivery attempt of a lease, NULL for a kept mark (and for the rows of a
# store made before leases: they read as kept). claims.owner: the delivery holding the claim.
_CLAIM_COLUMNS = {"attempt": "INTEGER", "owner": "TEXT NOT NULL DEFAULT ''"}

_SWEEP_EVERY = 1000
"""Expired claims are deleted every this many claims (they are ignored before that anyway)."""


class SqliteStore:
    """:class:`~memobot.store.Store` in one SQLite file."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the threads, serialised by a lock: SQLite writes are
        # serialised anyway, and one connection keeps the file handles to one.
        self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._claims = 0
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._add_claim_columns()
        os.chmod(self.path, 0o600)  # the log holds questions users asked

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def _add_claim_columns(self) -> None:
        """Give a claims table made before leases its two columns (another process opening the
        same file may be doing the same: the write lock orders the two)."""
        with self._immediate():
            have = {row[1] for row in self._db.execute("PRAGMA table_info(claims)")}
            for name, kind in _CLAIM_COLUMNS.items():
                if name not in have:
                    self._db.execute(f"ALTER TABLE claims ADD COLUMN {name} {kind}")

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[None]:
        """One write transaction, its lock taken at the start (other processes wait for it)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def claim(self, key: str, ttl: float, *, attempt: int | None = None, owner: str = "") -> bool:
        now = time.time()
        with self._lock:
            # One statement, so one write transaction: the row is taken when it is new, expired,
            # or a lease of a lower attempt than this one (a redelivery taking it over).
            cursor = self._db.execute(
                "INSERT INTO claims (key, expires, attempt, owner) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE "
                "SET expires = excluded.expires, attempt = excluded.attempt, owner = excluded.owner "
                "WHERE claims.expires <= ? OR (excluded.attempt IS NOT NULL "
                "AND claims.attempt IS NOT NULL AND claims.attempt < excluded.attempt)",
                (key, now + ttl, attempt, owner, now),
            )
            self._claims += 1
            if self._claims % _SWEEP_EVERY == 0:
                self._db.execute("DELETE FROM claims WHERE expires <= ?", (now,))
            return cursor.rowcount == 1

    def keep(self, key: str, ttl: float, *, owner: str | None = None) -> bool:
        now = time.time()
        with self._lock:
            if owner is None:
                self._db.execute(
                    "INSERT INTO claims (key, expires, attempt, owner) VALUES (?, ?, NULL, '') "
                    "ON CONFLICT (key) DO UPDATE SET expires = excluded.expires, attempt = NULL, owner = ''",
                    (key, now + ttl),
                )
                return True
            cursor = self._db.execute(
                "INSERT INTO claims (key, expires, attempt, owner) VALUES (?, ?, NULL, ?) "
                "ON CONFLICT (key) DO UPDATE SET expires = excluded.expires, attempt = NULL, "
                "owner = excluded.owner WHERE claims.owner = excluded.owner OR claims.expires <= ?",
                (key, now + ttl, owner, now),
            )
            return cursor.rowcount == 1

    def record_vote(self, answer_key: str, voter: str, vote: str, now: float) -> VoteOutcome:
        with self._lock, self._immediate():
            row = self._db.execute(
                "SELECT vote FROM votes WHERE answer_key = ? AND voter = ?", (answer_key, voter)
            ).fetchone()
            self._db.execute(
                "INSERT INTO votes (answer_key, voter, vote, time) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_key, voter) DO UPDATE "
                "SET vote = excluded.vote, time = excluded.time",
                (answer_key, voter, vote, now),
            )
        if row is None:
            return "new"
        return "same" if row[0] == vote else "changed"

    def pace(self, key: str, interval: float, burst: int, now: float) -> float:
        # Read and write under one lock, across processes.
        with self._lock, self._immediate():
            row = self._db.execute("SELECT next FROM pacing WHERE key = ?", (key,)).fetchone()
            theoretical = max(row[0] if row else now, now)
            self._db.execute(
                "INSERT INTO pacing (key, next) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET next = excluded.next",
                (key, theoretical + interval),
            )
            if row is None:  # a channel new to the table: forget the quiet ones (a row each)
                self._db.execute("DELETE FROM pacing WHERE next <= ?", (now,))
        return max(0.0, theoretical - now - (max(1, burst) - 1) * interval)

    def vote_counts(self, answer_key: str) -> tuple[int, int]:
        with self._lock:
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(vote = 'up'), 0), COALESCE(SUM(vote = 'down'), 0) FROM votes "
                "WHERE answer_key = ?",
                (answer_key,),
            ).fetchone()
        return int(up), int(down)

    def log_question(self, record: QuestionRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO questions (key, time, question, user, channel_kind, answered, "
                "memo_id, passage_id, section, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.time,
                    record.question,
                    record.user,
                    record.channel_kind,
                    int(record.answered),
                    record.memo_id,
                    record.passage_id,
                    record.section,
                    record.latency_ms,
                ),
            )

    def questions(self, since: float) -> list[QuestionRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT q.key, q.time, q.question, q.user, q.channel_kind, q.answered, q.memo_id, "
                "q.passage_id, q.section, q.latency_ms, "
                "(SELECT COUNT(*) FROM votes v WHERE v.answer_key = q.key AND v.vote = 'up'), "
                "(SELECT COUNT(*) FROM votes v WHERE v.answer_key = q.key AND v.vote = 'down') "
                "FROM questions q WHERE q.time >= ? ORDER BY q.time, q.key",
                (since,),
            ).fetchall()
        return [
            QuestionRecord(
                key=r[0],
                time=r[1],
                question=r[2],
                user=r[3],
                channel_kind=r[4],
                answered=bool(r[5]),
                memo_id=r[6],
                passage_id=r[7],
                section=r[8],
                latency_ms=r[9],
                up=r[10],
                down=r[11],
            )
            for r in rows
        ]

    def purge(self, before: float) -> int:
        with self._lock:
            gone = self._db.execute("DELETE FROM questions WHERE time < ?", (before,)).rowcount
            self._db.execute("DELETE FROM votes WHERE time < ?", (before,))
            self._db.execute("DELETE FROM claims WHERE expires <= ?", (time.time(),))
        return gone

    def secret(self) -> bytes:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES ('secret', ?)", (secrets.token_hex(32),)
            )
            (value,) = self._db.execute("SELECT value FROM meta WHERE name = 'secret'").fetchone()
        return bytes.fromhex(value)

    def close(self) -> None:
        with self._lock:
            self._db.close()
