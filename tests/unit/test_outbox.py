"""Staff notifications through the outbox: a webhook outage delays events but loses none."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from lotse.callbacks.outbox import deliver_due, due_events, signature
from lotse.callbacks.store import CallbackStore
from lotse.runner.stack import free_port
from tests.unit.test_callback_store import booking

SECRET = "test-secret"


class Receiver:
    """A fake staff webhook on 127.0.0.1 that records deliveries and checks signatures."""

    def __init__(self, port: int):
        self.port = port
        self.deliveries: list[dict] = []
        self.bad_signatures = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers["X-Lotse-Signature"] != signature(SECRET, body):
                    receiver.bad_signatures += 1
                receiver.deliveries.append({"key": self.headers["Idempotency-Key"], "event": json.loads(body)})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def test_every_event_is_delivered_exactly_once_after_an_outage(db_url):
    store = CallbackStore.open(db_url, capacity=5)
    refs = [store.book(booking(phone=f"+49171555000{i}"), f"c{i}#1").reference for i in range(3)]
    store.cancel(refs[0])
    port = free_port()
    receiver = Receiver(port)
    url = f"http://127.0.0.1:{port}/hook"
    session = requests.Session()
    now = datetime.now(timezone.utc)

    # The receiver is down: nothing is delivered, nothing is lost.
    for minute in range(3):
        report = deliver_due(store.engine, url, SECRET, now + timedelta(minutes=minute), session)
        assert report.delivered == 0
    assert len(due_events(store.engine, now + timedelta(days=1))) == 4

    receiver.start()
    try:
        later = now + timedelta(hours=2)
        report = deliver_due(store.engine, url, SECRET, later, session)
        assert report.delivered == 4
        assert deliver_due(store.engine, url, SECRET, later + timedelta(hours=1), session).delivered == 0
    finally:
        receiver.stop()
    keys = [d["key"] for d in receiver.deliveries]
    assert len(keys) == len(set(keys)) == 4
    assert receiver.bad_signatures == 0
    assert [d["event"]["event"] for d in receiver.deliveries] == [
        "callback.created", "callback.created", "callback.created", "callback.cancelled"
    ]
    assert "phone" not in json.dumps([d["event"] for d in receiver.deliveries])


def test_failed_delivery_backs_off(db_url):
    store = CallbackStore.open(db_url, capacity=5)
    store.book(booking(), "x#1")
    now = datetime.now(timezone.utc)
    deliver_due(store.engine, f"http://127.0.0.1:{free_port()}/hook", SECRET, now, requests.Session())
    assert due_events(store.engine, now) == []  # not due again at once
    event = due_events(store.engine, now + timedelta(minutes=5))[0]
    assert event.attempts == 1 and event.last_error


def test_the_pause_between_attempts_is_capped_so_an_event_arrives_soon_after_a_long_outage(db_url):
    store = CallbackStore.open(db_url, capacity=5)
    store.book(booking(), "x#1")
    now = datetime.now(timezone.utc)
    url = f"http://127.0.0.1:{free_port()}/hook"
    for _ in range(12):  # uncapped, the 12th pause would be over an hour
        now = now + timedelta(hours=2)
        deliver_due(store.engine, url, SECRET, now, requests.Session(), max_delay=10)
    due = due_events(store.engine, now + timedelta(seconds=13))  # 10 s at most, with 20 % jitter
    assert [event.attempts for event in due] == [12]
