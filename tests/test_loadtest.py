"""benchmarks/loadtest.py stays runnable: its plan is what it claims, and a tiny burst passes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from tests.slack_fakes import FakeSlackAPI

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "loadtest.py"


def _loadtest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_plan_mixes_kinds_retries_earlier_events_and_puts_the_refresh_in_the_middle(
    fake_slack: FakeSlackAPI,
) -> None:
    """The burst has exactly --requests requests, retries repeat earlier events, one refresh mid-way."""
    loadtest = _loadtest()
    options = loadtest.Options(requests=101, refresh_kb=100)

    plan = loadtest._plan(options, fake_slack, ["kvantecenter", "kystvagten"])

    kinds = Counter(r.kind for r in plan)
    assert len(plan) == 101 and kinds["refresh"] == 1
    assert {"mention", "dm", "memo", "retry"} <= set(kinds)
    assert [r.kind for r in plan].index("refresh") == 50
    for n, request in enumerate(plan):
        if request.kind == "retry":
            originals = [r for r in plan[:n] if r.kind in ("mention", "dm") and r.body == request.body]
            assert originals and request.headers["X-Slack-Retry-Num"] == "1"
    questions = [r.reply for r in plan if r.kind in ("mention", "dm", "memo")]
    assert len(set(questions)) == len(questions)  # every question's reply is recognisable


@pytest.mark.slow
def test_tiny_burst_with_a_refresh_passes(tmp_path: Path) -> None:
    """The script, run as documented on 20 requests with a mid-burst refresh, passes and reports JSON."""
    report_path = tmp_path / "report.json"
    command = [sys.executable, str(SCRIPT), "--requests", "20", "--concurrency", "5"]
    command += ["--refresh-kb", "100", "--deadline", "60", "--json", str(report_path)]

    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=240)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("PASS")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["passed"] and report["requests"] == 20
    assert report["replies_exactly_one"] == report["replies_expected"] > 0
    assert report["acks"]["all"]["within_limit"] == 20
    assert report["refresh"]["ok"] and report["refresh"]["passages_after"] >= 100
