"""The load test's second process: sends a planned burst of Slack requests, times every ack.

Run by ``benchmarks/loadtest.py``, which pipes a JSON plan in and reads JSON results back:

    plan    {"url", "signing_secret", "concurrency", "deadline", "requests": [
             {"key", "kind", "body", "content_type", "headers"}, ...]}
    results [{"key", "kind", "started", "seconds", "status", "error", "body"}, ...]

A separate process so the bot under test and the load generator never share a GIL. Each request
is signed just before it is sent (as Slack does) and goes out on a fresh connection.
``started`` is ``time.monotonic()``: on Linux one clock for every process, so the orchestrator
can line the acks up with what reached the fake Slack Web API.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.slack_payloads

from tests.slack_payloads import signed_headers

__all__ = ["send_burst"]

_TIMEOUT = 30.0  # per request; Slack gives up after 3 s, we want to see how late it was


def send_burst(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Send every planned request, ``concurrency`` at a time, none started after ``deadline`` s."""
    url = urlsplit(plan["url"])
    secret = plan["signing_secret"]
    stop_at = time.monotonic() + float(plan["deadline"])
    lock = threading.Lock()
    results: list[dict[str, Any]] = []

    def send(request: dict[str, Any]) -> None:
        if time.monotonic() > stop_at:
            result = {
                "key": request["key"],
                "kind": request["kind"],
                "started": None,
                "seconds": None,
                "status": None,
                "error": "not sent: deadline",
                "body": "",
            }
        else:
            result = _send_one(url.hostname or "127.0.0.1", url.port or 80, url.path, secret, request)
        with lock:
            results.append(result)

    with ThreadPoolExecutor(max_workers=int(plan["concurrency"]), thread_name_prefix="sender") as pool:
        list(pool.map(send, plan["requests"]))
    return results


def _send_one(host: str, port: int, path: str, secret: str, request: dict[str, Any]) -> dict[str, Any]:
    body = request["body"].encode("utf-8")
    headers = {
        "Content-Type": request["content_type"],
        **signed_headers(body, secret),
        **request.get("headers", {}),
    }
    started = time.monotonic()
    status, error, answer = None, None, b""
    connection = http.client.HTTPConnection(host, port, timeout=_TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        status, answer = response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return {
        "key": request["key"],
        "kind": request["kind"],
        "started": started,
        "seconds": time.monotonic() - started,
        "status": status,
        "error": error,
        "body": answer.decode("utf-8", "replace")[:2000],
    }


def main() -> int:
    plan = json.load(sys.stdin)
    json.dump(send_burst(plan), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
