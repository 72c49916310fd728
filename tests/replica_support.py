"""Real `memobot serve` processes for the replica tests: started on loopback against the fake
Slack, sharing one real Redis, each with its own log file and state directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from memobot.loader import bundled_knowledge_dir
from tests.redis_support import _free_port
from tests.slack_http_support import SIGNING_SECRET
from tests.slack_payloads import signed_headers

__all__ = ["Replica", "start_replica"]


@dataclass
class Replica:
    """One `memobot serve` process."""

    name: str
    """"A", "B", …"""
    process: subprocess.Popen
    """The process."""
    log: Path
    """Its standard error (the bot's log)."""
    port: int | None = None
    """HTTP port (HTTP mode only)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> int | None:
        """POST a signed body to /slack/events: the HTTP status, or None when the connection failed
        (a killed replica), as Slack would see it."""
        sent = {**(headers or signed_headers(body, SIGNING_SECRET)), "Content-Type": content_type}
        request = urllib.request.Request(self.url + "/slack/events", data=body, headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no draining, as a crashed machine."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait (the bot finishes its answers)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def start_replica(name: str, tmp: Path, env: dict[str, str], *, http: bool) -> Replica:
    """Start `memobot serve` (``--http`` on a free port) and wait until it serves."""
    state = tmp / f"state-{name}"
    log = tmp / f"replica-{name}.log"
    full_env = {
        **os.environ,
        "MEMOBOT_KNOWLEDGE_DIR": str(bundled_knowledge_dir()),
        "MEMOBOT_STATE_DIR": str(state),
        "MEMOBOT_WATCH_INTERVAL": "0",
        "MEMOBOT_LOG_LEVEL": "INFO",
        **env,
    }
    command = [sys.executable, "-m", "memobot.cli", "serve"]
    port = None
    if http:
        port = _free_port()
        command += ["--http", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
    replica = Replica(name, process, log, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"replica {name} exited {process.returncode}:\n{replica.log_tail()}")
        if http:
            try:
                with urllib.request.urlopen(replica.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return replica
            except OSError:
                pass
        elif "connecting to Slack in Socket Mode" in log.read_text(encoding="utf-8", errors="replace"):
            return replica
        time.sleep(0.05)
    replica.stop()
    raise AssertionError(f"replica {name} did not start:\n{replica.log_tail()}")
