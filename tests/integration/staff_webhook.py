"""A fake staff webhook on 127.0.0.1 for fault tests: it can be down (connection refused), answer
an error, or accept an event and answer only after the sender has given up.

It records every POST that reaches it, so a test can tell "arrived twice" (allowed: delivery is at
least once) from "counted twice" (not allowed: a receiver counts an event once per Idempotency-Key).
"""
from __future__ import annotations

import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from lotse.callbacks.outbox import signature
from lotse.runner.stack import free_port


@dataclass(frozen=True)
class Arrival:
    key: str  # Idempotency-Key
    event: str
    reference: str
    body: bytes
    signed: bool  # X-Lotse-Signature matches the body
    status: int  # what the receiver answered
    held_seconds: float  # how long the answer was held back


class StaffWebhook:
    def __init__(self, secret: str, port: Optional[int] = None):
        self.secret = secret
        self.port = port or free_port()  # fixed, so the stack keeps one URL across down and up
        self.arrivals: list[Arrival] = []
        self._status = 200
        self._hold_next = 0.0
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/staff"

    def up(self, status: int = 200, hold_next_seconds: float = 0.0) -> None:
        """Listening and answering `status`; the next POST is answered only after `hold_next_seconds`."""
        with self._lock:
            self._status, self._hold_next = status, hold_next_seconds
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
            self._server.daemon_threads = True
            threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Not listening: connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answered(self, status: int) -> int:
        with self._lock:
            return sum(1 for a in self.arrivals if a.status == status)

    def for_references(self, references: set[str]) -> list[Arrival]:
        with self._lock:
            return [a for a in self.arrivals if a.reference in references]

    def _record(self, key: str, body: bytes, signed: bool) -> Arrival:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        with self._lock:
            arrival = Arrival(
                key, str(payload.get("event", "")), str(payload.get("reference", "")), body, signed,
                self._status, self._hold_next,
            )
            self._hold_next = 0.0
            self.arrivals.append(arrival)
        return arrival

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = hmac.compare_digest(self.headers.get("X-Lotse-Signature", ""), signature(webhook.secret, body))
                arrival = webhook._record(self.headers.get("Idempotency-Key", ""), body, signed)
                time.sleep(arrival.held_seconds)
                try:
                    self.send_response(arrival.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up meanwhile
                    pass

            def log_message(self, *args: object) -> None:
                pass

        return Handler
