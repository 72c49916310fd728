"""``GET /healthz`` on a large knowledge base, over real HTTP on loopback.

    .venv/bin/python benchmarks/healthz.py                 # 100 000 passages
    .venv/bin/python benchmarks/healthz.py --passages 10000

Prints the time per request (median and 99th percentile of ``--calls`` sequential requests) and,
as the baseline, what building the old answer cost per call (the full ``status()`` with every
memo's counts, JSON-encoded: what /healthz did before it was precomputed). Target: under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))
sys.path.insert(0, str(_ROOT / "benchmarks"))

from corpus import write_knowledge_base  # noqa: E402
from tests.slack_fakes import FakeSlackAPI  # noqa: E402
from tests.slack_http_support import running_http_bot  # noqa: E402

from memobot.service import KnowledgeService  # noqa: E402


def _percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_knowledge_base(Path(tmp) / "kb", args.passages, seed=1)
        started = time.perf_counter()
        service = KnowledgeService(directory)
        print(f"{args.passages:,} passages loaded in {time.perf_counter() - started:.1f} s")

        old = []
        for _ in range(3):
            started = time.perf_counter()
            json.dumps({"ok": True, **service.status().as_dict()}, ensure_ascii=False).encode()
            old.append(time.perf_counter() - started)
        print(f"full status() per call, what /healthz built before (no HTTP): {_percentiles(old)}")

        with FakeSlackAPI() as fake, running_http_bot(fake, service, Path(tmp)) as bot:
            url = bot.server.url + "/healthz"
            seconds, size = [], 0
            for _ in range(args.calls):
                started = time.perf_counter()
                with urllib.request.urlopen(url, timeout=10) as response:
                    size = len(response.read())
                seconds.append(time.perf_counter() - started)
            print(
                f"after (GET /healthz over HTTP, {size} bytes): {_percentiles(seconds)} (target: under 5 ms)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
