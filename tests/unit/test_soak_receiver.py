"""The soak test's fake staff webhook: it checks signatures and notices a repeated delivery."""
from __future__ import annotations

import json

import requests

from lotse.callbacks.outbox import signature
from scripts.bench import Timings
from scripts.soak import CREATED, Deliveries, SoakConfig, SoakResult, Tally, webhook_server


def post(url: str, secret: str, event_id: str, event: str, reference: str, sign_with: str | None = None) -> int:
    body = json.dumps({"event": event, "reference": reference}).encode("utf-8")
    headers = {"Idempotency-Key": event_id, "X-Lotse-Event": event,
               "X-Lotse-Signature": signature(sign_with or secret, body), "Content-Type": "application/json"}
    return requests.post(url, data=body, headers=headers, timeout=5).status_code


def test_receiver_counts_per_event_id_and_rejects_bad_signatures():
    deliveries = Deliveries("s3cret")
    server = webhook_server(deliveries)
    url = f"http://127.0.0.1:{server.server_address[1]}/staff"
    try:
        assert post(url, "s3cret", "e1", CREATED, "K7M-4PX") == 200
        assert post(url, "s3cret", "e2", CREATED, "H3N-9RT") == 200
        assert post(url, "s3cret", "e1", CREATED, "K7M-4PX") == 200  # a repeat, as after a lost 2xx
        assert post(url, "s3cret", "e3", "callback.cancelled", "H3N-9RT") == 200
        assert post(url, "s3cret", "e4", CREATED, "XXX-444", sign_with="wrong") == 401
    finally:
        server.shutdown()
    assert sorted(deliveries.created_references()) == ["H3N-9RT", "K7M-4PX"]
    assert deliveries.duplicates() == 1
    assert deliveries.other_events() == 1
    assert deliveries.bad_signatures == 1
    assert deliveries.total() == 4


def result(codes: list[str], rows: list[str], deliveries: Deliveries) -> SoakResult:
    tally = Tally(codes=codes)
    return SoakResult(SoakConfig(), Timings(), tally, deliveries, 1.0, rows, 0, 0.0, 0.0, 0.0, 0.0, (0, 0, 0), (0, 0, 0))


def test_consistency_needs_the_same_references_everywhere_and_no_duplicate():
    delivered = Deliveries("s")
    delivered.receive({"X-Lotse-Signature": signature("s", b'{"event": "callback.created", "reference": "K7M-4PX"}'),
                       "Idempotency-Key": "e1"}, b'{"event": "callback.created", "reference": "K7M-4PX"}')
    assert result(["K7M-4PX"], ["K7M-4PX"], delivered).ok
    assert not result(["K7M-4PX"], ["K7M-4PX", "H3N-9RT"], delivered).consistent  # a row nobody was told about
    assert not result(["H3N-9RT"], ["H3N-9RT"], delivered).consistent  # same counts, other references
    delivered.receive({"X-Lotse-Signature": signature("s", b'{"event": "callback.created", "reference": "K7M-4PX"}'),
                       "Idempotency-Key": "e1"}, b'{"event": "callback.created", "reference": "K7M-4PX"}')
    assert not result(["K7M-4PX"], ["K7M-4PX"], delivered).consistent  # delivered twice
