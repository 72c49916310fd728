"""The shared store on Redis (``MEMOBOT_STORE=redis://…``): what replicas on several machines use.

Layout, every key under one prefix (``memobot:`` by default):

- ``claim:<key>``: ``lease:<attempt>:<owner>`` while a delivery is being handled, ``kept::<owner>``
  once it is done (expiring, ``PX``): a Lua script takes it when free or over a lease of a lower
  attempt (a value without a lease prefix, as older versions wrote, counts as kept);
- ``q:<answer key>``: one question as JSON, expiring with the retention;
- ``questions``: a sorted set of answer keys by time (the log's order; trimmed on purge);
- ``votes:<answer key>``: a hash voter → vote (one field per voter: a second click replaces it);
- ``secret``: the random key the user hashes are made with (``SET NX`` once).
"""

from __future__ import annotations

import json
import secrets

import redis

from ._records import QuestionRecord, VoteOutcome

__all__ = ["RedisStore"]

# Read the old vote and write the new one in one step, so two clicks racing on two replicas
# still give one "new" and one "changed"/"same".
_VOTE = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return old
"""

# A claim: free, or a lease of a lower attempt than this one (ARGV[2]), is taken; anything else
# (a lease at the same or a higher attempt, a kept mark) is left alone. One script: atomic.
_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held then
  local attempt = string.match(held, '^lease:(%d+):')
  if not attempt or tonumber(attempt) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], 'lease:' .. ARGV[2] .. ':' .. ARGV[3], 'PX', ARGV[1])
return 1
"""

# Keep a claim only while it is still ARGV[2]'s (or free): the fence before the reply.
# A generic cell rate: the key holds the theoretical time of the next free slot.
_PACE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local held = tonumber(redis.call('GET', KEYS[1]) or '')
local theoretical = now
if held and held > now then theoretical = held end
local nxt = theoretical + interval
redis.call('SET', KEYS[1], string.format('%.6f', nxt), 'PX', math.floor((nxt - now) * 1000) + 1000)
local wait = theoretical - now - (burst - 1) * interval
if wait < 0 then wait = 0 end
return string.format('%.6f', wait)
"""

_KEEP = """
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^%a*:%d*:(.*)$') ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], 'kept::' .. ARGV[2], 'PX', ARGV[1])
return 1
"""

_RETENTION_FALLBACK = 400 * 86400
"""Expiry of a vote hash when its question's retention is not known (purge trims it anyway)."""


class RedisStore:
    """:class:`~memobot.store.Store` on a Redis server."""

    def __init__(self, url: str, *, prefix: str = "memobot:", retention_seconds: float | None = None) -> None:
        self._redis = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        self._prefix = prefix
        self._retention = int(retention_seconds or _RETENTION_FALLBACK)
        self._vote = self._redis.register_script(_VOTE)
        self._claim = self._redis.register_script(_CLAIM)
        self._keep = self._redis.register_script(_KEEP)
        self._pace = self._redis.register_script(_PACE)
        self._url_for_repr = _without_password(url)

    def __repr__(self) -> str:
        return f"RedisStore({self._url_for_repr!r})"

    def ping(self) -> None:
        """Raise ``redis.RedisError`` when the server cannot be reached."""
        self._redis.ping()

    def _k(self, *parts: str) -> str:
        return self._prefix + ":".join(parts)

    def claim(self, key: str, ttl: float, *, attempt: int | None = None, owner: str = "") -> bool:
        ms = max(1, int(ttl * 1000))
        if attempt is None:
            return bool(self._redis.set(self._k("claim", key), f"kept::{owner}", nx=True, px=ms))
        return bool(self._claim(keys=[self._k("claim", key)], args=[ms, max(0, int(attempt)), owner]))

    def keep(self, key: str, ttl: float, *, owner: str | None = None) -> bool:
        ms = max(1, int(ttl * 1000))
        if owner is None:
            self._redis.set(self._k("claim", key), b"kept::", px=ms)
            return True
        return bool(self._keep(keys=[self._k("claim", key)], args=[ms, owner]))

    def pace(self, key: str, interval: float, burst: int, now: float) -> float:
        wait = self._pace(
            keys=[self._k("pace", key)], args=[f"{now:.6f}", f"{interval:.6f}", max(1, int(burst))]
        )
        return float(wait)

    def record_vote(self, answer_key: str, voter: str, vote: str, now: float) -> VoteOutcome:
        old = self._vote(keys=[self._k("votes", answer_key)], args=[voter, vote, self._retention])
        if old is None:
            return "new"
        return "same" if old.decode() == vote else "changed"

    def vote_counts(self, answer_key: str) -> tuple[int, int]:
        votes = self._redis.hvals(self._k("votes", answer_key))
        return votes.count(b"up"), votes.count(b"down")

    def log_question(self, record: QuestionRecord) -> None:
        data = json.dumps(record.as_dict(), ensure_ascii=False)
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(self._k("q", record.key), data, ex=self._retention)
        pipe.zadd(self._k("questions"), {record.key: record.time})
        pipe.execute()

    def questions(self, since: float) -> list[QuestionRecord]:
        keys = [k.decode() for k in self._redis.zrangebyscore(self._k("questions"), since, "+inf")]
        if not keys:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.get(self._k("q", key))
            pipe.hvals(self._k("votes", key))
        replies = pipe.execute()
        out = []
        for raw, votes in zip(replies[::2], replies[1::2], strict=True):
            if raw is None:  # expired between the two reads
                continue
            record = QuestionRecord.from_dict(json.loads(raw))
            out.append(record.with_votes(votes.count(b"up"), votes.count(b"down")))
        return out

    def purge(self, before: float) -> int:
        index = self._k("questions")
        old = [k.decode() for k in self._redis.zrangebyscore(index, "-inf", f"({before}")]
        if not old:
            return 0
        pipe = self._redis.pipeline(transaction=True)
        for key in old:
            pipe.delete(self._k("q", key), self._k("votes", key))
        pipe.zrem(index, *old)
        pipe.execute()
        return len(old)

    def secret(self) -> bytes:
        key = self._k("secret")
        self._redis.set(key, secrets.token_hex(32), nx=True)
        return bytes.fromhex(self._redis.get(key).decode())

    def close(self) -> None:
        self._redis.close()


def _without_password(url: str) -> str:
    """The URL as it may be shown: a password in it becomes ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    credentials, _, host = rest.partition("@")
    user = credentials.split(":", 1)[0] if ":" in credentials else ""
    return f"{scheme}://{user}:***@{host}"
