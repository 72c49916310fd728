"""Reload timings: load, reload, watcher and SIGHUP latency, question latency during reloads.

Run: .venv/bin/python benchmarks/reload.py [--memos 1,10,50]

Knowledge bases larger than the bundled one are made of copies of its memo with new ids, so
their text statistics are the real memo's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import yaml

from memobot.live import LiveSettings, find_running_bot, request_reload, start_live_refresh
from memobot.loader import bundled_knowledge_dir
from memobot.service import KnowledgeService
from memobot.watcher import Watcher

_QUESTION = "Hvordan kan Danmark samarbejde med de indopacifiske partnere?"


def _make_kb(directory: Path, memos: int) -> Path:
    """The bundled glossary plus ``memos`` copies of the bundled memo (ids suffixed)."""
    source = bundled_knowledge_dir()
    directory.mkdir(parents=True)
    shutil.copy(source / "glossary.yaml", directory / "glossary.yaml")
    memo = yaml.safe_load((source / "cms-us-defence-2023.yaml").read_text(encoding="utf-8"))
    for n in range(memos):
        copy = yaml.safe_load(yaml.safe_dump(memo))
        suffix = f"-{n}" if n else ""
        copy["memo"]["id"] += suffix
        for rec in copy["recommendations"]:
            rec["id"] += suffix
            if rec.get("parent"):
                rec["parent"] += suffix
        for passage in copy["passages"]:
            passage["id"] += suffix
            passage["supports"] = [s + suffix for s in passage["supports"]]
        (directory / f"memo{suffix}.yaml").write_text(
            yaml.safe_dump(copy, allow_unicode=True, width=10**6), encoding="utf-8"
        )
    return directory


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def _edit(directory: Path, n: int) -> None:
    path = directory / "memo.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(
        r"(Amerikansk forsvars- og sikkerhedspolitik|Ændring \d+:) er", f"Ændring {n}: er", text, count=1
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def _bench_size(root: Path, memos: int) -> None:
    directory = _make_kb(root / f"kb{memos}", memos)
    started = time.perf_counter()
    service = KnowledgeService(directory)
    first = time.perf_counter() - started
    status = service.status()
    unchanged = [service.reload("bench").seconds for _ in range(5)]
    changed = []
    for n in range(5):
        _edit(directory, n)
        report = service.reload("bench")
        assert report.ok and report.changes.changed.get("passages"), report.summary()
        changed.append(report.seconds)
    idle = _ask_times(service, 50)
    during = _ask_during_reloads(service)
    print(
        f"{memos:>5} {status.passages:>8} | start {first * 1000:7.1f} ms"
        f" | reload same {_median_ms(unchanged)} | reload 1 edit {_median_ms(changed)}"
        f" | ask idle {_median_ms(idle)} | ask during reloads {_median_ms(during)}"
        f" (max {max(during) * 1000:.1f} ms)"
    )


def _ask_times(service: KnowledgeService, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        service.ask(_QUESTION)
        times.append(time.perf_counter() - started)
    return times


def _ask_during_reloads(service: KnowledgeService) -> list[float]:
    done = threading.Event()

    def reload_repeatedly() -> None:
        for _ in range(5):
            service.reload("bench")
        done.set()

    worker = threading.Thread(target=reload_repeatedly)
    worker.start()
    times: list[float] = []
    while not done.is_set() and len(times) < 100_000:
        times.extend(_ask_times(service, 1))
    worker.join()
    return times


def _wait(probe, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while not probe():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("no reload seen")
        time.sleep(0.005)
    return time.perf_counter() - started


def _bench_triggers(root: Path) -> None:
    directory = _make_kb(root / "triggers", 1)
    service = KnowledgeService(directory)
    for interval in (0.2, 2.0):
        samples = []
        with Watcher(service, interval=interval):
            for n in range(3):
                before = service.kb.version
                _edit(directory, 100 + n + int(interval * 10))
                samples.append(_wait(lambda before=before: service.kb.version != before))
        print(
            f"watcher, interval {interval:g} s: save → new version serving, median {_median_ms(samples)}"
            f" (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f} ms;"
            " expected: quiet period + 1 to 2 intervals + reload)"
        )
    live = start_live_refresh(service, LiveSettings(watch_interval=0, state_dir=root / "state"))
    try:
        bot = find_running_bot(root / "state")
        samples = []
        for n in range(5):
            _edit(directory, 200 + n)
            started = time.perf_counter()
            report = request_reload(bot, wait=30)
            samples.append(time.perf_counter() - started)
            assert report and report["ok"], report
            bot = find_running_bot(root / "state")
        print(f"SIGHUP (request_reload) → report in status.json, median {_median_ms(samples)}")
    finally:
        live.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memos", default="1,10,50", help="knowledge base sizes, in memos (1,10,50)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("memos passages | timings (medians)")
        for memos in (int(m) for m in args.memos.split(",")):
            _bench_size(root, memos)
        _bench_triggers(root)


if __name__ == "__main__":
    main()
