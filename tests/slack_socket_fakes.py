"""A fake Slack Socket Mode server: a real websocket server on 127.0.0.1 playing Slack's side.

On each connection it sends ``hello``; tests push envelopes (``events_api``, ``slash_commands``,
``interactive``) to the newest connection, and every acknowledgement the app sends back
(``{"envelope_id": ..., "payload": ...}``) is recorded with the time it arrived, so a test can
assert Slack's rule: every envelope acknowledged within 3 seconds.

slack_sdk's builtin client (Bolt's default for ``SocketModeHandler``) opens a plain socket for any
port but 443, so ``ws://127.0.0.1:<port>/link/`` works without TLS. Point the fake Web API's
``apps.connections.open`` at ``url``::

    with FakeSlackAPI() as api, FakeSocketModeServer() as socket_mode:
        api.socket_mode_url = socket_mode.url
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.slack_fakes import APP_ID

__all__ = ["Ack", "Envelope", "FakeSocketModeServer"]

# The client answers close frames by dropping the socket without a close frame of its own, so
# waiting the default 10 s for one would only slow every test's teardown.
_CLOSE_TIMEOUT = 0.5


@dataclass(frozen=True)
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    sent_at: float  # time.monotonic()
    retry_attempt: int


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    received_at: float  # time.monotonic()
    latency: float  # seconds since the envelope was sent


class FakeSocketModeServer:
    """Slack's side of Socket Mode on a random loopback port; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._connects = 0
        self._envelopes: dict[str, Envelope] = {}
        self._acks: list[Ack] = []
        self._other_messages: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        # Slack pings; the client pings too and checks the pongs, which websockets answers itself.
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            ping_interval=0.1,
            close_timeout=_CLOSE_TIMEOUT,
            logger=_quiet_logger(),
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fake-ticket&app_id={APP_ID}"

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketModeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` connections in all have received ``hello``."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._connects >= count, timeout=timeout):
                raise AssertionError(f"expected {count} Socket Mode connection(s), got {self._connects}")

    @property
    def connection_count(self) -> int:
        with self._lock:
            return self._connects

    @property
    def open_connections(self) -> int:
        """Connections open now (a killed client's is gone once its socket closed)."""
        with self._lock:
            return len(self._connections)

    # -- pushing envelopes -------------------------------------------------------------------

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        connection: int | None = None,
    ) -> str:
        """Send one envelope to the newest connection (or to open connection number
        ``connection``, oldest first: Slack spreads envelopes over an app's connections); return
        its ``envelope_id``.

        ``accepts_response_payload`` defaults as Slack's: true for slash commands, false otherwise.
        Reusing an ``envelope_id`` with ``retry_attempt`` > 0 models Slack's redelivery.
        """
        envelope_id = envelope_id or str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands"
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            message["retry_attempt"] = retry_attempt
            message["retry_reason"] = retry_reason
        with self._lock:
            if not self._connections:
                raise AssertionError("no Socket Mode connection to send to")
            target = self._connections[-1 if connection is None else connection % len(self._connections)]
            # Recorded before sending, so an ack racing back always finds its envelope.
            self._envelopes[envelope_id] = Envelope(
                envelope_id, type, payload, time.monotonic(), retry_attempt
            )
        target.send(json.dumps(message))
        return envelope_id

    def send_event(self, event_callback: dict[str, Any], **options: Any) -> str:
        return self.send_envelope("events_api", event_callback, **options)

    def send_slash_command(self, command: dict[str, str], **options: Any) -> str:
        return self.send_envelope("slash_commands", command, **options)

    def send_interactive(self, payload: dict[str, Any], **options: Any) -> str:
        return self.send_envelope("interactive", payload, **options)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}))

    # -- acknowledgements --------------------------------------------------------------------

    def acks(self, envelope_id: str | None = None) -> list[Ack]:
        with self._lock:
            return [a for a in self._acks if envelope_id is None or a.envelope_id == envelope_id]

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        """Block until ``envelope_id`` is acknowledged; return the first ack."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._first_ack(envelope_id) is not None, timeout=timeout):
                raise AssertionError(f"envelope {envelope_id} not acknowledged within {timeout} s")
            ack = self._first_ack(envelope_id)
            assert ack is not None
            return ack

    def assert_all_acked(self, within: float = 3.0) -> list[Ack]:
        """Every envelope sent so far was (or, waiting, is) acknowledged within ``within`` seconds."""
        with self._lock:
            envelope_ids = list(self._envelopes)
        acks = []
        for envelope_id in envelope_ids:
            sent_at = self._envelopes[envelope_id].sent_at
            remaining = max(0.0, sent_at + within - time.monotonic())
            try:
                ack = self.wait_for_ack(envelope_id, timeout=remaining)
            except AssertionError:
                raise AssertionError(f"envelope {envelope_id} not acknowledged within {within} s") from None
            assert ack.latency <= within, f"envelope {envelope_id} acknowledged after {ack.latency:.2f} s"
            acks.append(ack)
        return acks

    def other_messages(self) -> list[dict[str, Any]]:
        """Messages from the client that were not acknowledgements."""
        with self._lock:
            return list(self._other_messages)

    def _first_ack(self, envelope_id: str) -> Ack | None:
        return next((a for a in self._acks if a.envelope_id == envelope_id), None)

    # -- connection handling (server threads) ------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            hello = _hello(len(self._connections))
        try:
            connection.send(json.dumps(hello))
            with self._lock:
                self._connects += 1
                self._lock.notify_all()
            for message in connection:
                self._record(message)
        except ConnectionClosed:
            pass  # the client dropped the socket; that is how slack_sdk's client closes
        finally:
            with self._lock:
                self._connections.remove(connection)

    def _record(self, message: str | bytes) -> None:
        received_at = time.monotonic()
        data = json.loads(message)
        with self._lock:
            envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
            if envelope_id is None:
                self._other_messages.append(data)
            else:
                sent = self._envelopes.get(envelope_id)
                latency = received_at - sent.sent_at if sent else float("nan")
                self._acks.append(Ack(envelope_id, data.get("payload"), received_at, latency))
            self._lock.notify_all()


def _hello(connections: int) -> dict[str, Any]:
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "fake-socket-mode", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID},
    }


def _quiet_logger() -> logging.Logger:
    # websockets logs every connection at INFO; keep test output about the app.
    logger = logging.getLogger("tests.fake_socket_mode")
    logger.setLevel(logging.WARNING)
    return logger
