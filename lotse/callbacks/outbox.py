"""The outbox of staff notifications: queued in the transaction of the change they report
(`enqueue`, called by lotse/callbacks/store.py) and delivered from there to the configured webhook.

Each event is POSTed as JSON, signed with HMAC-SHA256 over the raw body
(`X-Lotse-Signature: sha256=<hex>`) and carries its event id as `Idempotency-Key`, so a receiver
can drop the rare repeat. An event counts as delivered only after a 2xx answer; otherwise it is
retried with exponential backoff (at most `max_delay` seconds apart; LOTSE_WEBHOOK_MAX_RETRY_SECONDS).
A webhook outage therefore delays events but loses none.

Delivery is at least once: an answer that does not arrive within `timeout` seconds
(LOTSE_WEBHOOK_TIMEOUT_SECONDS) counts as a failure, although the receiver may have processed the
event, so it is sent again with the same `Idempotency-Key` and the same signed body. The receiver
counts an event once per key (tests/integration/test_faults.py shows this on the running stack).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lotse.database.schema import outbox

log = logging.getLogger("lotse.outbox")
BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 3600.0
TIMEOUT_SECONDS = 5.0


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def enqueue(conn: Connection, event_type: str, reference: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue one notification inside the caller's transaction, due at once."""
    conn.execute(
        outbox.insert().values(
            event_id=str(uuid.uuid4()), event_type=event_type, callback_reference=reference,
            payload=json.dumps(payload, ensure_ascii=False), created_at=now, next_attempt_at=now,
        )
    )


def due_events(engine: Engine, now: datetime, limit: int = 50) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(outbox)
                .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.id)
                .limit(limit)
            )
        )


def mark_delivered(engine: Engine, event_id: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.event_id == event_id).values(delivered_at=now))


def mark_failed(engine: Engine, event_id: str, attempts: int, next_attempt_at: datetime, error: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            outbox.update().where(outbox.c.event_id == event_id).values(
                attempts=attempts, next_attempt_at=next_attempt_at, last_error=error[:200]
            )
        )


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def backoff(attempts: int, max_delay: float = MAX_DELAY_SECONDS) -> timedelta:
    delay = min(BASE_DELAY_SECONDS * (2 ** max(attempts - 1, 0)), max_delay)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def deliver_due(
    engine: Engine,
    url: str,
    secret: str,
    now: datetime,
    session: requests.Session,
    timeout: float = TIMEOUT_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
) -> DeliveryReport:
    report = DeliveryReport()
    for event in due_events(engine, now):
        body = event.payload.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": event.event_id,
            "X-Lotse-Event": event.event_type,
            "X-Lotse-Signature": signature(secret, body),
        }
        try:
            response = session.post(url, data=body, headers=headers, timeout=timeout)
            ok = 200 <= response.status_code < 300
            error = "" if ok else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            ok, error = False, type(exc).__name__
        if ok:
            mark_delivered(engine, event.event_id, now)
            report.delivered += 1
        else:
            attempts = event.attempts + 1
            mark_failed(engine, event.event_id, attempts, now + backoff(attempts, max_delay), error)
            report.failed += 1
            log.warning("webhook delivery failed (attempt %d): %s", attempts, error)
            break  # the receiver is down: keep order, try again later
    return report
