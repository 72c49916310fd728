"""What the shared store costs per operation, against the in-process claim it replaced.

    .venv/bin/python benchmarks/store.py            # SQLite in a tmp dir, and a redis-server of its own

Prints microseconds per claim, per logged question and per vote for: a dict behind a lock (what
`SeenKeys` did before the store: the baseline, no sharing), SQLite (the default store) and Redis
on loopback (what replicas share). A mention costs three claims (event id: lease, then hold;
channel and ts) and one logged question.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from tests.redis_support import running_redis  # noqa: E402

from memobot.store import QuestionRecord, RedisStore, SqliteStore  # noqa: E402

N = 3000


class _InProcess:
    """The baseline: a dict and a lock, as the old per-process de-duplication."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, ttl: float) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = time.monotonic() + ttl
            return True


def _per_op(work, n: int = N) -> float:
    started = time.perf_counter()
    for i in range(n):
        work(i)
    return (time.perf_counter() - started) / n * 1e6


def _measure(name: str, store) -> str:
    claim = _per_op(lambda i: store.claim(f"event:{name}:{i}", 60))
    if not hasattr(store, "log_question"):
        return f"| {name} | {claim:.1f} | – | – |"
    log = _per_op(
        lambda i: store.log_question(
            QuestionRecord(
                key=f"{name}{i}",
                time=time.time(),
                question="Hvad med Arktis?",
                user="h",
                channel_kind="im",
                answered=True,
                memo_id="m",
                passage_id="p",
                section="s",
            )
        )
    )
    vote = _per_op(lambda i: store.record_vote(f"{name}{i % 100}", f"v{i}", "up", time.time()))
    return f"| {name} | {claim:.1f} | {log:.1f} | {vote:.1f} |"


def main() -> int:
    rows = ["| store | claim µs | log a question µs | vote µs |", "| --- | ---: | ---: | ---: |"]
    rows.append(_measure("in-process dict (baseline)", _InProcess()))
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SqliteStore(Path(tmp) / "bench.sqlite3")
        rows.append(_measure("SQLite (default)", sqlite))
        sqlite.close()
        with running_redis(Path(tmp) / "redis") as server:
            redis = RedisStore(server.url)
            rows.append(_measure("Redis on loopback", redis))
            redis.close()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
