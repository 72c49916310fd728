"""Slow clients against the real HTTP server, loopback only: half-open connections and clients
trickling one header line at a time, while a signed event is timed from send to ack.

    .venv/bin/python benchmarks/slow_clients.py                     # 500 half-open, 110 trickling
    .venv/bin/python benchmarks/slow_clients.py --half-open 2000

Each phase opens its connections, waits a moment for the server to take them, then sends
signed ``app_mention`` events one after another (and ``GET /healthz``) and prints how long each
took to be acknowledged. The bound that matters: Slack retries an event it has no ack for after
3 s; the target is under 1 s. The bot runs in this process (a thread), its Web API faked.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from tests.slack_fakes import FakeSlackAPI  # noqa: E402
from tests.slack_http_support import running_http_bot  # noqa: E402
from tests.slack_payloads import app_mention, event_callback  # noqa: E402

from memobot.loader import bundled_knowledge_dir  # noqa: E402
from memobot.service import KnowledgeService  # noqa: E402

_TIMEOUT = 10.0  # what tests/slack_http_support.py waits for a reply


def _open(host: str, port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((host, port))
        except OSError:
            s.close()
            break
        sockets.append(s)
    return sockets


def _trickle(sockets: list[socket.socket], stop: threading.Event, every: float) -> None:
    """One header line per connection every ``every`` seconds: never idle, never complete."""
    for s in sockets:
        with contextlib.suppress(OSError):
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    n = 0
    while not stop.wait(every):
        n += 1
        for s in sockets:
            with contextlib.suppress(OSError):
                s.sendall(f"X-Trickle-{n}: {n}\r\n".encode())


def _time_acks(bot, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        try:
            reply = bot.post_event(event_callback(app_mention("kvantecenter")))
            ok = reply.status == 200
        except OSError:
            ok = False
        seconds.append(time.perf_counter() - started if ok else float("inf"))
    return seconds


def _time_health(url: str, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=_TIMEOUT) as response:
                response.read()
            seconds.append(time.perf_counter() - started)
        except OSError:
            seconds.append(float("inf"))
    return seconds


def _line(what: str, seconds: list[float]) -> str:
    finite = [s for s in seconds if s != float("inf")]
    failed = len(seconds) - len(finite)
    if not finite:
        return f"{what}: all {failed} failed or timed out ({_TIMEOUT:.0f} s)"
    return (
        f"{what}: max {max(finite) * 1000:.1f} ms, median {statistics.median(finite) * 1000:.1f} ms"
        f"{f', {failed} failed' if failed else ''} (target: under 1000 ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half-open", type=int, default=500, help="connections that send nothing")
    parser.add_argument(
        "--trickle", type=int, default=110, help="connections sending a header line at a time"
    )
    parser.add_argument("--every", type=float, default=1.0, help="seconds between trickled lines")
    parser.add_argument("--acks", type=int, default=5, help="signed events timed per phase")
    args = parser.parse_args(argv)

    import tempfile

    service = KnowledgeService(bundled_knowledge_dir())
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlackAPI() as fake,
        running_http_bot(fake, service, Path(tmp)) as bot,
    ):
        host, port = bot.server.host, bot.server.port
        print(_line("no attack: event ack", _time_acks(bot, args.acks)))

        half_open = _open(host, port, args.half_open)
        time.sleep(0.5)
        print(f"{len(half_open)} half-open connections")
        print(_line("  event ack", _time_acks(bot, args.acks)))
        print(_line("  /healthz", _time_health(bot.server.url, args.acks)))
        for s in half_open:
            s.close()
        time.sleep(0.5)

        trickling = _open(host, port, args.trickle)
        stop = threading.Event()
        sender = threading.Thread(target=_trickle, args=(trickling, stop, args.every), daemon=True)
        sender.start()
        time.sleep(max(2.0, args.every * 2))
        print(f"{len(trickling)} connections trickling a header line every {args.every:g} s")
        print(_line("  event ack", _time_acks(bot, args.acks)))
        print(_line("  /healthz", _time_health(bot.server.url, args.acks)))
        stop.set()
        sender.join()
        for s in trickling:
            s.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
