"""Load test, loopback only: the real bot over HTTP under a burst of signed Slack requests.

    .venv/bin/python benchmarks/loadtest.py                          # 500 requests, 50 at a time
    .venv/bin/python benchmarks/loadtest.py --refresh-kb 10000       # same, a 10 000-passage
                                                                     # knowledge base reloaded mid-burst
Three processes, so none of them steals the bot's GIL:

- this one runs the fake Slack Web API (``tests/slack_fakes.py``) and checks the replies;
- the bot: ``memobot serve --http`` on a random port, its ``SLACK_API_URL`` pointing at the fake;
- ``benchmarks/load_sender.py`` sends the burst (mentions, DMs, ``/memo`` questions and Slack's
  retries of earlier events; with ``--refresh-kb`` an admin's ``/memo refresh`` in the middle)
  and times every ack.

It reports acks (all must be 200 within Slack's 3 s; p50/p99), replies (exactly one per question:
none lost, none doubled, none stray; retries must not add one) and errors (HTTP, transport, Web
API calls the fake refused, ERROR lines in the bot's log), and exits 1 when any of that fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))  # the repository, for the one fake Slack Web API in tests/

from tests.slack_fakes import RESPONSE_URL_METHOD, FakeSlackAPI  # noqa: E402
from tests.slack_payloads import (  # noqa: E402
    app_mention,
    direct_message,
    event_callback,
    new_ts,
    slash_command,
    slash_command_body,
)

__all__ = ["Report", "main", "run"]

_ACK_LIMIT = 3.0  # Slack's: no ack within 3 s and Slack shows the user an error / retries
_SECRET = "0123456789abcdef0123456789abcdef"
_BOT_TOKEN = "xoxb-loadtest-token"
_ADMIN = "U0LOADADMIN"
_FORM = "application/x-www-form-urlencoded"
_SENDER = Path(__file__).with_name("load_sender.py")
_FALLBACK_QUESTIONS = (
    "Hvad kan Danmark gøre som alliancebrobygger?",
    "Hvad er NATO's kvantecenter?",
    "Hvordan kan Danmark samarbejde med de indopacifiske partnere?",
    "What does the memo recommend about the Arctic?",
    "kystvagten og overvågning",
    "Hvilken rolle spiller USA i europæisk sikkerhed?",
    "What is the role of a technological bridge builder?",
    "forsvarsindustri og teknologi",
)


# -- options and plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    requests: int = 500
    concurrency: int = 50
    refresh_kb: int | None = None
    deadline: float = 120.0
    workers: int | None = None
    retry_share: float = 0.1
    json_path: Path | None = None
    store: str | None = None


@dataclass
class _Request:
    key: str
    kind: str  # mention, dm, memo, retry, refresh
    body: str
    content_type: str
    reply: tuple[str, ...]  # where its one reply must land (a retry: its original's)
    headers: dict[str, str] = field(default_factory=dict)


def _plan(options: Options, fake: FakeSlackAPI, questions: list[str]) -> list[_Request]:
    """The burst: per ten requests 5 mentions, 2 DMs, 2 /memo and 1 retry of an earlier event."""
    plan: list[_Request] = []
    events: list[_Request] = []
    retry_every = round(1 / options.retry_share) if options.retry_share > 0 else 0
    refreshing = options.refresh_kb is not None
    for n in range(options.requests - refreshing):
        key = f"r{n:05d}"
        question = f"{questions[n % len(questions)]}"
        slot = n % 10
        if retry_every and n % retry_every == retry_every - 1 and events:
            original = events[(n * 7) % len(events)]
            plan.append(
                _Request(
                    key,
                    "retry",
                    original.body,
                    original.content_type,
                    original.reply,
                    {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
                )
            )
        elif slot in (2, 5):
            fields = slash_command(question, response_url=fake.new_response_url())
            plan.append(
                _Request(
                    key,
                    "memo",
                    slash_command_body(fields).decode(),
                    _FORM,
                    _url_reply(fake, fields["response_url"]),
                )
            )
        elif slot in (3, 7):
            channel = f"D{n:09d}"  # one DM channel per question: its reply is recognisable
            event = direct_message(question, channel=channel)
            events.append(_event_request(key, "dm", event, ("post", channel, "")))
            plan.append(events[-1])
        else:
            # One channel per mention, as a burst spreads over a workspace: Slack (and the bot's
            # pacing) allow about one message per second per channel, so 200 mentions in one
            # channel would measure the pacing, not the bot.
            channel = f"C{n:09d}"
            event = app_mention(question, channel=channel, ts=new_ts())
            events.append(_event_request(key, "mention", event, ("post", channel, event["ts"])))
            plan.append(events[-1])
    if refreshing:
        # Inserted, not swapped in: an event it displaced could still be the original of a retry.
        fields = slash_command("refresh", response_url=fake.new_response_url(), user=_ADMIN)
        body = slash_command_body(fields).decode()
        reply = _url_reply(fake, fields["response_url"])
        plan.insert(len(plan) // 2, _Request("refresh", "refresh", body, _FORM, reply))
    return plan


def _event_request(key: str, kind: str, event: dict[str, Any], reply: tuple[str, ...]) -> _Request:
    return _Request(key, kind, json.dumps(event_callback(event)), "application/json", reply)


def _url_reply(fake: FakeSlackAPI, url: str) -> tuple[str, ...]:
    return ("url", url.removeprefix(fake.url))


# -- knowledge base ------------------------------------------------------------------------------


def _knowledge(directory: Path, passages: int) -> str:
    """Write a knowledge base of about ``passages`` passages; returns how it was made."""
    import corpus  # benchmarks/corpus.py, beside this script

    corpus.write_knowledge_base(directory, passages)
    return "benchmarks/corpus.py"


def _questions(directory: Path | None, count: int) -> list[str]:
    if directory is not None:
        import corpus

        return corpus.make_questions(directory, count=min(count, 300))
    return list(_FALLBACK_QUESTIONS)


# -- the bot process ------------------------------------------------------------------------------


class _Bot:
    """``memobot serve --http`` on a random port, its log kept in ``log_path``."""

    def __init__(self, env: dict[str, str], cwd: Path, log_path: Path) -> None:
        self.log_path = log_path
        self.url: str | None = None
        self._ready = threading.Event()
        self._log = log_path.open("w", encoding="utf-8")
        command = [sys.executable, "-c", "import sys; from memobot.cli import main; sys.exit(main())"]
        command += ["serve", "--http", "--host", "127.0.0.1", "--port", "0"]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self._reader = threading.Thread(target=self._read_log, name="bot-log", daemon=True)
        self._reader.start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._log.write(line)
            self._log.flush()
            found = re.search(r"serving Slack on (http://\S+?)/slack/events", line)
            if found:
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()  # the process ended; wait_ready() sees url is None

    def wait_ready(self, timeout: float) -> float:
        """Block until the bot serves; returns the start-up time."""
        if not self._ready.wait(timeout) or self.url is None:
            raise RuntimeError(f"the bot did not start; see {self.log_path}")
        return time.monotonic() - self.started

    def health(self) -> dict[str, Any]:
        """GET /healthz; an empty dict when the bot does not answer it (reported as an error)."""
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=10) as response:
                return json.load(response)
        except (OSError, ValueError) as exc:
            _progress(f"/healthz failed: {type(exc).__name__}: {exc}")
            return {}

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        self._log.close()
        return self.process.returncode

    def log_errors(self) -> list[str]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if " ERROR " in line or line.startswith("Traceback")]


def _bot_env(
    fake: FakeSlackAPI, state: Path, knowledge: Path | None, workers: int | None, store: str | None = None
) -> dict[str, str]:
    # Start from a clean slate: a developer's own Slack or memobot settings must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MEMOBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=_BOT_TOKEN,
        SLACK_SIGNING_SECRET=_SECRET,
        SLACK_API_URL=fake.api_url,
        MEMOBOT_ADMINS=_ADMIN,
        MEMOBOT_STATE_DIR=str(state),
        MEMOBOT_WATCH_INTERVAL="0",  # only the planned /memo refresh reloads
        MEMOBOT_LOG_LEVEL="INFO",  # as in production; the "serving Slack on" line gives the port
    )
    if knowledge is not None:
        env["MEMOBOT_KNOWLEDGE_DIR"] = str(knowledge)
    if workers is not None:
        env["MEMOBOT_WORKERS"] = str(workers)
    if store is not None:
        env["MEMOBOT_STORE"] = store
    return env


# -- the report -----------------------------------------------------------------------------------


@dataclass
class Latencies:
    count: int = 0
    p50: float = math.nan
    p99: float = math.nan
    max: float = math.nan
    within_limit: int = 0

    @classmethod
    def of(cls, seconds: list[float]) -> Latencies:
        if not seconds:
            return cls()
        ordered = sorted(seconds)
        return cls(
            count=len(ordered),
            p50=_percentile(ordered, 50),
            p99=_percentile(ordered, 99),
            max=ordered[-1],
            within_limit=sum(s <= _ACK_LIMIT for s in ordered),
        )


@dataclass
class Report:
    requests: int
    concurrency: int
    kinds: dict[str, int]
    knowledge: str
    passages: int
    startup_seconds: float
    burst_seconds: float
    acks: dict[str, Latencies]
    replies_expected: int
    replies_exactly_one: int
    lost: list[str]
    doubled: list[str]
    stray: int
    reply_latency: Latencies
    http_errors: int
    http_error_detail: dict[str, int]
    transport_errors: int
    not_sent: int
    web_api_errors: int
    bot_log_errors: list[str]
    bot_exit_code: int | None
    refresh: dict[str, Any] | None

    @property
    def passed(self) -> bool:
        acks = self.acks["all"]
        refresh_ok = self.refresh is None or bool(self.refresh.get("ok"))
        return (
            acks.count == self.requests
            and acks.within_limit == self.requests
            and self.replies_exactly_one == self.replies_expected
            and not (self.lost or self.doubled or self.stray)
            and not (self.http_errors or self.transport_errors or self.not_sent or self.web_api_errors)
            and not self.bot_log_errors
            and self.bot_exit_code == 0
            and refresh_ok
        )


def _percentile(ordered: list[float], pct: float) -> float:
    # Nearest rank: with 500 samples p99 is the 495th, an ack that really happened.
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _collect(
    plan: list[_Request],
    results: list[dict[str, Any]],
    fake: FakeSlackAPI,
    deadline: float,
) -> dict[str, Any]:
    """Wait (until ``deadline``) for the replies, then match them to the questions."""
    by_key = {r["key"]: r for r in results}
    questions = [r for r in plan if r.kind in ("mention", "dm", "memo")]
    posts = sum(1 for r in questions if r.reply[0] == "post")
    urls = len(questions) - posts + sum(1 for r in plan if r.kind == "refresh")
    for method, count in (("chat.postMessage", posts), (RESPONSE_URL_METHOD, urls)):
        with contextlib.suppress(AssertionError):  # lost replies are counted below, not raised
            fake.wait_for(method, count=count, timeout=max(0.1, deadline - time.monotonic()))
    fake.wait_quiet(1.0, timeout=30)  # a doubled reply would come late: give it time to show

    arrived: dict[tuple[str, ...], list[float]] = {}
    for call in fake.calls():
        if call.method == "chat.postMessage":
            reply = ("post", str(call.params.get("channel")), str(call.params.get("thread_ts") or ""))
        elif call.method == RESPONSE_URL_METHOD:
            reply = ("url", call.path)
        else:
            continue
        arrived.setdefault(reply, []).append(call.time)
    expected = {r.reply for r in plan if r.kind != "retry"}
    counts = {r.key: len(arrived.get(r.reply, [])) for r in questions}
    reply_seconds = [
        arrived[r.reply][0] - by_key[r.key]["started"]
        for r in questions
        if arrived.get(r.reply) and by_key.get(r.key, {}).get("started") is not None
    ]
    return {
        "exactly_one": sum(c == 1 for c in counts.values()),
        "lost": [k for k, c in counts.items() if c == 0],
        "doubled": [k for k, c in counts.items() if c > 1],
        "stray": sum(len(v) for k, v in arrived.items() if k not in expected),
        "reply_latency": Latencies.of(reply_seconds),
        "web_api_errors": sum(1 for c in fake.calls() if c.method != RESPONSE_URL_METHOD and not c.ok),
        "refresh_reply": next((arrived.get(r.reply, [None])[0] for r in plan if r.kind == "refresh"), None),
    }


def _ack_latencies(plan: list[_Request], results: list[dict[str, Any]], window: tuple[float, float] | None):
    ok = [r for r in results if r["seconds"] is not None and r["status"] == 200]
    kinds = {r.key: r.kind for r in plan}
    groups: dict[str, list[float]] = {"all": [r["seconds"] for r in ok]}
    for result in ok:
        groups.setdefault(kinds[result["key"]], []).append(result["seconds"])
    if window is not None:
        start, end = window
        groups["during refresh"] = [
            r["seconds"] for r in ok if r["started"] < end and r["started"] + r["seconds"] > start
        ]
    # A non-200 or failed request counts in "all" as an ack that never came in time.
    failed = [r for r in results if r not in ok]
    latencies = {name: Latencies.of(values) for name, values in groups.items()}
    latencies["all"].count += len(failed)
    return latencies


# -- running --------------------------------------------------------------------------------------


def run(options: Options) -> Report:
    """One load test; see the module docstring."""
    with tempfile.TemporaryDirectory(prefix="memobot-load-") as tmp, FakeSlackAPI() as fake:
        tmp_path = Path(tmp)
        knowledge_dir: Path | None = None
        knowledge = "bundled"
        if options.refresh_kb is not None:
            knowledge_dir = tmp_path / "knowledge"
            _progress(f"writing a {options.refresh_kb}-passage knowledge base")
            knowledge = _knowledge(knowledge_dir, options.refresh_kb)
        plan = _plan(options, fake, _questions(knowledge_dir, options.requests))
        bot = _Bot(
            _bot_env(fake, tmp_path / "state", knowledge_dir, options.workers, options.store),
            tmp_path,
            tmp_path / "bot.log",
        )
        try:
            _progress("starting the bot")
            startup = bot.wait_ready(timeout=120)
            passages = int(bot.health().get("passages", 0))
            _progress(f"sending {len(plan)} requests, {options.concurrency} at a time")
            fake.reset()  # auth.test at start-up is not part of the burst
            stop_at = time.monotonic() + options.deadline
            burst_started = time.monotonic()
            results = _send(bot.url or "", plan, options)
            burst_seconds = time.monotonic() - burst_started
            _progress("waiting for the replies")
            replies = _collect(plan, results, fake, stop_at)
            health = bot.health()
        finally:
            _progress("stopping the bot")
            exit_code = bot.stop()
        refresh = _refresh_summary(plan, results, replies["refresh_reply"], health)
        window = (refresh["sent"], refresh["replied"]) if refresh and refresh.get("replied") else None
        report = Report(
            requests=len(plan),
            concurrency=options.concurrency,
            kinds=dict(Counter(r.kind for r in plan)),
            knowledge=knowledge,
            passages=passages,
            startup_seconds=startup,
            burst_seconds=burst_seconds,
            acks=_ack_latencies(plan, results, window),
            replies_expected=sum(1 for r in plan if r.kind in ("mention", "dm", "memo")),
            replies_exactly_one=replies["exactly_one"],
            lost=replies["lost"],
            doubled=replies["doubled"],
            stray=replies["stray"],
            reply_latency=replies["reply_latency"],
            http_errors=sum(1 for r in results if r["status"] not in (None, 200)) + (not health),
            http_error_detail=dict(
                Counter(f"{r['kind']} {r['status']}" for r in results if r["status"] not in (None, 200))
            ),
            transport_errors=sum(1 for r in results if r["error"] and r["started"] is not None),
            not_sent=sum(1 for r in results if r["started"] is None),
            web_api_errors=replies["web_api_errors"],
            bot_log_errors=bot.log_errors(),
            bot_exit_code=exit_code,
            refresh=refresh,
        )
        if options.json_path is not None:
            options.json_path.write_text(json.dumps(_jsonable(report), indent=2), encoding="utf-8")
        return report


def _progress(message: str) -> None:
    print(f"[loadtest] {message}", file=sys.stderr, flush=True)


def _send(url: str, plan: list[_Request], options: Options) -> list[dict[str, Any]]:
    """Run the burst in the sender process and return its per-request results."""
    payload = {
        "url": url + "/slack/events",
        "signing_secret": _SECRET,
        "concurrency": options.concurrency,
        "deadline": options.deadline,
        "requests": [
            {
                "key": r.key,
                "kind": r.kind,
                "body": r.body,
                "content_type": r.content_type,
                "headers": r.headers,
            }
            for r in plan
        ],
    }
    done = subprocess.run(
        [sys.executable, str(_SENDER)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=options.deadline + 120,
        check=True,
    )
    return json.loads(done.stdout)


def _refresh_summary(
    plan: list[_Request], results: list[dict[str, Any]], replied: float | None, health: dict[str, Any]
) -> dict[str, Any] | None:
    key = next((r.key for r in plan if r.kind == "refresh"), None)
    if key is None:
        return None
    sent = next((r for r in results if r["key"] == key), {})
    last = health.get("last_reload") or {}
    return {
        "ok": bool(last.get("ok")) and replied is not None,
        "sent": sent.get("started"),
        "replied": replied,
        "reload_seconds": last.get("seconds"),
        "passages_after": health.get("passages"),
        "position": next(i for i, r in enumerate(plan) if r.key == key),
    }


def _jsonable(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["passed"] = report.passed
    return _no_nan(data)


def _no_nan(value: Any) -> Any:
    # NaN (no samples) is not JSON; null says the same.
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


# -- output ---------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:,.1f}"


def _detail(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))})" if counts else ""


def render(report: Report) -> str:
    """The report as a plain-text table."""
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.kinds.items()))
    lines = [
        f"memobot load test — HTTP mode on 127.0.0.1, {os.cpu_count()} CPU(s)",
        f"burst: {report.requests} requests ({kinds}), {report.concurrency} at a time, "
        f"sent in {report.burst_seconds:.1f} s ({report.requests / max(report.burst_seconds, 1e-9):.0f}/s)",
        f"knowledge: {report.passages:,} passages ({report.knowledge}); "
        f"bot ready in {report.startup_seconds:.1f} s",
        "",
        f"{'acks':<22}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'≤ 3 s':>12}",
    ]
    for name, lat in report.acks.items():
        label = name if name == "all" else f"  {name}"
        lines.append(
            f"{label:<22}{lat.count:>7}{_ms(lat.p50):>10}{_ms(lat.p99):>10}{_ms(lat.max):>10}"
            f"{f'{lat.within_limit}/{lat.count}':>12}"
        )
    rl = report.reply_latency
    lines += [
        f"{'reply posted after':<22}{rl.count:>7}{_ms(rl.p50):>10}{_ms(rl.p99):>10}{_ms(rl.max):>10}",
        "",
        f"replies: {report.replies_expected} questions, exactly one reply {report.replies_exactly_one}, "
        f"lost {len(report.lost)}, doubled {len(report.doubled)}, stray {report.stray}",
        f"errors: HTTP {report.http_errors}{_detail(report.http_error_detail)}, "
        f"transport {report.transport_errors}, "
        f"not sent {report.not_sent}, Web API {report.web_api_errors}, bot log {len(report.bot_log_errors)}, "
        f"bot exit code {report.bot_exit_code}",
    ]
    if report.refresh is not None:
        r = report.refresh
        took = "—" if r.get("reload_seconds") is None else f"{r['reload_seconds']:.2f} s"
        window = "—" if not r.get("replied") else f"{r['replied'] - r['sent']:.2f} s"
        lines.append(
            f"refresh: request #{r['position']} of {report.requests}, reload {took} "
            f"(ack → report {window}), {'ok' if r['ok'] else 'FAILED'}, "
            f"serving {r.get('passages_after')} passages"
        )
    for line in report.bot_log_errors[:5]:
        lines.append(f"  bot: {line}")
    for name, keys in (("lost", report.lost), ("doubled", report.doubled)):
        if keys:
            lines.append(f"  {name}: {', '.join(keys[:10])}{' …' if len(keys) > 10 else ''}")
    lines += ["", "PASS" if report.passed else "FAIL"]
    return "\n".join(lines)


def _options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests in the burst (default 500)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once (default 50)")
    parser.add_argument(
        "--refresh-kb",
        type=int,
        metavar="N",
        help="serve an N-passage knowledge base and reload it (/memo refresh) mid-burst",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=120.0,
        help="seconds for sending and for the replies to arrive (default 120)",
    )
    parser.add_argument("--workers", type=int, help="the bot's MEMOBOT_WORKERS (default: its own)")
    parser.add_argument("--retry-share", type=float, default=0.1, help="share of requests that are retries")
    parser.add_argument("--json", type=Path, dest="json_path", help="also write the report as JSON here")
    parser.add_argument(
        "--store",
        help="the bot's MEMOBOT_STORE, e.g. redis://127.0.0.1:6379/0 (default: SQLite in its state dir); "
        "give it an empty database: the burst's event ids repeat between runs and the store remembers them",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")
    if not 0 <= args.retry_share < 1:
        parser.error("--retry-share must be from 0 up to (not including) 1")
    return Options(**vars(args))


def main(argv: list[str] | None = None) -> int:
    report = run(_options(argv))
    print(render(report))
    return 0 if report.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
