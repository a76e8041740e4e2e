"""Faults on the real stack (issue #12): the action server down, Rasa restarted mid-conversation,
the callback database unavailable, the staff webhook receiver down. (Redis gone in the
multi-instance set-up: tests/integration/test_redis_down.py.)

These tests stop and start processes, so they run on their own stack (not the shared `stack`
fixture). The callback database is a throw-away PostgreSQL database where one is reachable at
127.0.0.1:5432 (it is made unavailable with ALLOW_CONNECTIONS false); otherwise SQLite, and the
database test is skipped with the reason. The worker delivers the outbox to a fake staff webhook
(tests/integration/staff_webhook.py) that the webhook test takes down and brings back.
"""
from __future__ import annotations

import time
import uuid
from typing import Iterator, Optional

import pytest
import sqlalchemy as sa

from lotse.core.settings import load_settings
from lotse.database.engine import make_engine
from lotse.database.schema import outbox
from lotse.knowledge.offices import load_office_data, verified_contact
from lotse.runner.stack import Stack, free_ports
from tests.conftest import CONTENT, POSTGRES_ADMIN_URL
from tests.integration.conftest import MODEL, Chat
from tests.integration.staff_webhook import StaffWebhook
from tests.integration.test_callbacks import book, buttons, rows

SWITCHBOARD = verified_contact(load_office_data(CONTENT).switchboard)["phone"]["value"]
OFFICE_QUESTION = "welches Jobcenter ist für Gemen zuständig?"
WEBHOOK_SECRET = "faults-webhook-secret"
WEBHOOK_TIMEOUT_SECONDS = 2.0  # the worker gives up on one POST after this


class FaultStack:
    def __init__(self, stack: Stack, admin: Optional[sa.engine.Engine], database: Optional[str], webhook: StaffWebhook):
        self.stack = stack
        self.admin = admin
        self.database = database
        self.webhook = webhook

    def chat(self) -> Chat:
        return Chat(self.stack.settings.rasa_url)

    def restart(self, name: str) -> None:
        self.stack.stop(name)
        self.stack.start(only=(name,))
        self.stack.wait_ready(timeout=180)

    def outbox_events(self, references: set[str]) -> list:
        engine = make_engine(self.stack.settings.callback_db_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.select(outbox).where(outbox.c.callback_reference.in_(references))))
        finally:
            engine.dispose()

    def undelivered(self) -> int:
        engine = make_engine(self.stack.settings.callback_db_url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))).scalar_one()
        finally:
            engine.dispose()

    def callback_database_allows_connections(self, allowed: bool) -> None:
        assert self.admin is not None and self.database is not None
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
                    {"db": self.database},
                )


def throwaway_postgres() -> tuple[Optional[sa.engine.Engine], Optional[str]]:
    name = f"lotse_faults_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - not reachable here: SQLite instead, the database test skips
        return None, None
    return admin, name


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> Iterator[FaultStack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    data_dir = tmp_path_factory.mktemp("lotse-faults")
    admin, database = throwaway_postgres()
    webhook = StaffWebhook(WEBHOOK_SECRET)
    webhook.up()
    env = {
        **free_ports(),
        "LOTSE_DATA_DIR": str(data_dir),
        "LOTSE_CALLBACK_WEBHOOK_URL": webhook.url,
        "LOTSE_CALLBACK_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOTSE_WEBHOOK_TIMEOUT_SECONDS": str(WEBHOOK_TIMEOUT_SECONDS),
        "LOTSE_WEBHOOK_MAX_RETRY_SECONDS": "3",  # so recovery is quick here (production: an hour at most)
    }
    if database:
        env["LOTSE_CALLBACK_DB_URL"] = f"postgresql://root@127.0.0.1:5432/{database}"
    stack = Stack(load_settings(env), MODEL, data_dir / "logs")
    stack.start()
    try:
        stack.wait_ready(timeout=180)
        yield FaultStack(stack, admin, database, webhook)
    finally:
        stack.stop()
        webhook.down()
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.dispose()


def test_action_server_down_static_answers_go_on_dynamic_ones_say_unavailable_and_it_recovers(faults):
    chat = faults.chat()
    assert "Jobcenter der Stadt Borken" in chat.text(OFFICE_QUESTION)
    faults.stack.stop("actions")
    try:
        knowledge = chat.text("Was ist ein Bildungsgutschein?")
        assert "Bildungsgutschein" in knowledge and "Quelle" in knowledge  # fixed answers need no action server

        started = time.monotonic()
        reply = chat.text(OFFICE_QUESTION)
        assert time.monotonic() - started < 2.5
        assert "nicht erreichbar" in reply and SWITCHBOARD in reply
        assert reply.count(SWITCHBOARD) == 1  # said once

        started = time.monotonic()
        reply = chat.text("Ich hätte gern einen Rückruf")
        assert time.monotonic() - started < 2.5
        assert "nicht erreichbar" in reply and SWITCHBOARD in reply
        after = chat.text("Was ist ein Bildungsgutschein?")
        assert "Bildungsgutschein" in after and "Telefonnummer" not in after  # the form is not stuck
    finally:
        faults.stack.start(only=("actions",))
        faults.stack.wait_ready(timeout=120)
    assert "Jobcenter der Stadt Borken" in chat.text(OFFICE_QUESTION)  # recovered without a Rasa restart
    code = book(faults.chat())  # and the callback form works again
    assert len(rows(faults.stack, reference=code)) == 1


def test_rasa_restarted_mid_booking_continues_from_the_tracker_store(faults):
    chat = faults.chat()
    assert "Worum soll es gehen" in chat.text("Ich hätte gern einen Rückruf")
    assert "In welcher Stadt oder Gemeinde" in chat.text("Kita-Platz")
    assert "einverstanden" in chat.text("Gemen")
    assert "Telefonnummer" in chat.text("/affirm")

    faults.restart("rasa")

    offered = chat.say("0171 2345678")  # the form goes on where it was: the phone number is expected
    windows = [b for b in buttons(offered) if b["payload"].startswith("/inform")]
    assert windows, offered
    assert "ansprechen" in chat.text(windows[0]["payload"])
    readback = chat.text("/deny")
    assert "0171 2345678" in readback and "Stimmt das?" in readback
    done = chat.text("/affirm")
    assert "Rückruf-Code" in done, done
    code = done.split("Rückruf-Code: ")[1].split()[0]
    assert len(rows(faults.stack, reference=code)) == 1
    assert len(rows(faults.stack, conversation_id=chat.sender)) == 1


def test_callback_database_down_no_confirmation_nothing_written_and_it_works_again(faults):
    if faults.database is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432: no database to make unavailable")
    chat = faults.chat()
    chat.text("Ich hätte gern einen Rückruf")
    chat.text("Bescheid")
    chat.text("Velen")
    chat.text("/affirm")
    offered = chat.say("0171 2345678")
    windows = [b for b in buttons(offered) if b["payload"].startswith("/inform")]
    chat.text(windows[0]["payload"])
    assert "Stimmt das?" in chat.text("/deny")

    faults.callback_database_allows_connections(False)
    try:
        reply = chat.text("/affirm")
    finally:
        faults.callback_database_allows_connections(True)
    assert "Rückruf-Code" not in reply  # no confirmation
    assert "nichts eingetragen" in reply and SWITCHBOARD in reply  # try again or call
    assert rows(faults.stack, conversation_id=chat.sender) == []  # nothing half-written

    assert "Stimmt das?" in chat.text("Rückruf bitte")  # the database is back: the same booking again
    done = chat.text("/affirm")
    assert "Rückruf-Code" in done, done
    assert len(rows(faults.stack, conversation_id=chat.sender)) == 1


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.5)


def test_webhook_receiver_down_bookings_are_confirmed_and_each_is_delivered_exactly_once_when_it_is_back(faults):
    hook = faults.webhook
    # Earlier tests' notifications first (the worker keeps the outbox in order): ours are then the only ones due.
    wait_until(lambda: faults.undelivered() == 0, 60, "the outbox delivered before the receiver goes down")
    hook.down()  # connection refused
    try:
        first = book(faults.chat())  # book() checks that the user got the confirmation with the code
        wait_until(lambda: any(e.attempts >= 1 for e in faults.outbox_events({first})), 30, "a refused attempt")
        hook.up(status=500)  # listening, but failing
        second = book(faults.chat())
        ours = {first, second}
        assert len(rows(faults.stack, reference=first)) == 1 and len(rows(faults.stack, reference=second)) == 1
        wait_until(lambda: hook.answered(500) >= 2, 60, "the worker retried while the receiver answered 500")
        assert [a for a in hook.for_references(ours) if a.status == 200] == []  # nothing delivered yet
        pending = faults.outbox_events(ours)
        assert len(pending) == 2 and all(e.delivered_at is None for e in pending)
        assert any(e.attempts >= 2 and e.last_error == "HTTP 500" for e in pending)  # refused, then 500: kept

        # Back, but the first event it gets is answered only after the worker has given up on it.
        hook.up(status=200, hold_next_seconds=WEBHOOK_TIMEOUT_SECONDS + 2)
        wait_until(lambda: all(e.delivered_at is not None for e in faults.outbox_events(ours)), 60,
                   "every booking delivered after the receiver came back")
    finally:
        hook.up(status=200)
    time.sleep(3 * 2.0)  # a few more worker cycles: a delivered event is never sent again

    events = {e.event_id: e for e in faults.outbox_events(ours)}
    arrivals = hook.for_references(ours)
    assert all(a.signed for a in arrivals)
    assert {a.key for a in arrivals} == set(events)  # the Idempotency-Key is the outbox event id
    counted = {a.key: a.reference for a in arrivals if a.status == 200}  # a receiver counts once per key
    assert sorted(counted.values()) == sorted(ours)  # each booking exactly once
    assert sorted(e.callback_reference for e in events.values()) == sorted(ours)  # and one event per booking
    for key in events:  # once an answer reached the worker in time, the event is not sent again
        answered = [a for a in arrivals if a.key == key and a.status == 200]
        assert len(answered) == 1 or (len(answered) == 2 and answered[0].held_seconds > 0), answered

    held = [a for a in hook.arrivals if a.held_seconds > 0]
    assert len(held) == 1, held
    repeats = [a for a in hook.arrivals if a.key == held[0].key and a.status == 200]
    assert len(repeats) == 2  # accepted, but too late for the worker: sent again ...
    assert repeats[0].body == repeats[1].body  # ... as the same signed event under the same key
    print(f"\nwebhook down: {len(ours)} bookings confirmed, {len(ours)} rows; failed attempts per event "
          f"{sorted(e.attempts for e in events.values())} (refused, HTTP 500 x{sum(a.status == 500 for a in arrivals)}, "
          f"1 accepted too late and sent again); counted once per Idempotency-Key: {len(counted)} deliveries")
