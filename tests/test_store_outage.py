"""When Redis goes away under a running bot: it keeps answering (without de-duplication) and
says why in the log, one line per delivery, no traceback. A real redis-server of the test's
own, stopped mid-test; the real app on loopback."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from memobot.loader import bundled_knowledge_dir
from memobot.service import KnowledgeService
from tests.redis_support import running_redis
from tests.slack_fakes import FakeSlackAPI
from tests.slack_http_support import running_http_bot
from tests.slack_payloads import app_mention, event_callback

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="redis-server is not installed; .ci/run installs it"
    ),
]


def test_the_bot_answers_when_redis_goes_away_and_says_so(
    fake_slack: FakeSlackAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis up a mention is answered once; after Redis stops, a mention is still answered
    and the log says the store is unreachable, naming no password and carrying no traceback."""
    service = KnowledgeService(bundled_knowledge_dir())
    with running_redis(tmp_path / "redis") as server:
        url = f"redis://:{'s3cret'}@127.0.0.1:{server.port}/0"
        server.client().config_set("requirepass", "s3cret")
        with running_http_bot(fake_slack, service, tmp_path, MEMOBOT_STORE=url) as bot:
            assert bot.post_event(event_callback(app_mention("kvantecenter"))).status == 200
            fake_slack.wait_for("chat.postMessage")
            server.process.terminate()
            server.process.wait(10)
            with caplog.at_level(logging.INFO):
                assert bot.post_event(event_callback(app_mention("afskrækkelse"))).status == 200
                fake_slack.wait_for("chat.postMessage", count=2, timeout=30)
            problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems, "the outage was not logged"
    assert all(r.exc_info is None and "s3cret" not in r.getMessage() for r in problems)
    assert any(
        r.getMessage().startswith("store unreachable (ConnectionError): handling event:") for r in problems
    )
    assert any(r.getMessage().startswith("could not log a question (ConnectionError") for r in problems)
