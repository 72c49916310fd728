"""A real redis-server for the tests: started on a free loopback port in a tmp dir, stopped after.

``.ci/run`` installs the Debian package ``redis-server`` when it is missing; on a machine where
it cannot be installed the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

__all__ = ["RedisServer", "running_redis"]


@dataclass
class RedisServer:
    """A redis-server process of our own."""

    port: int
    """Its TCP port on 127.0.0.1."""
    process: subprocess.Popen
    """The process."""

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A client for assertions and FLUSHALL."""
        return redis.Redis(host="127.0.0.1", port=self.port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[RedisServer]:
    """Start redis-server (no persistence, loopback only) and stop it on exit.

    Raises ``FileNotFoundError`` when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian: apt-get install redis-server)")
    directory.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):  # the free port can be taken between probe and bind: try another
        port = _free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
                "--logfile",
                str(directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = RedisServer(port, process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            try:
                server.client().ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)
        if process.poll() is None:
            break
    else:
        raise RuntimeError(f"redis-server did not start; see {directory / 'redis.log'}")
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
