"""Hostile traffic on the widget's socket.io channel, through the web server's /socket.io/ proxy
(issue #12): events with any payload and forged, expired or foreign tokens, and raw engine.io
long-polling requests with broken bodies and query strings.

Properties: no 5xx and no traceback in any answer or event; a message with the socket's own
token is always answered (bot_done); the server answers an acknowledged event after every case
(or has disconnected the hostile client, which may reconnect); afterwards every process is
healthy, no log has an unhandled error, and a new widget client can still chat.
Cases: LOTSE_FUZZ_CASES per test (default 150), as for the HTTP endpoints.
"""
from __future__ import annotations

import asyncio
import collections
import json
from typing import Any

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings

from lotse.rasa_server.channels.secure_socketio import MAX_EVENT_BYTES
from lotse.widget.sessions import TokenSigner
from tests.fuzz.checks import assert_healthy, run_and_record, traceback_in, unhandled_errors
from tests.fuzz.conftest import WIDGET_SECRET
from tests.fuzz.socketio_cases import (
    SESSION_ERRORS,
    EventCase,
    RawCase,
    TokenBox,
    event_cases,
    expects_turn,
    query_string,
    raw_cases,
    resolve,
)
from tests.fuzz.test_fuzz_endpoints import CASES
from tests.integration.widget_client import WidgetClient

FUZZ_SETTINGS = settings(max_examples=CASES, deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


class FuzzClient:
    """One widget client kept across cases; it reconnects when the server has dropped it."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.widget: WidgetClient | None = None
        self.reconnects = 0
        self.unexpected: list[str] = []

    async def ensure_connected(self) -> WidgetClient:
        if self.widget is None or not self.widget.sio.connected:
            if self.widget is not None:
                await self.widget.close()
                self.reconnects += 1
            self.widget = WidgetClient(self.web_url)
            self.widget.sio.on("*", self._unexpected_event)
            await self.widget.connect()
        return self.widget

    async def _unexpected_event(self, event: str, *data: Any) -> None:
        self.unexpected.append(f"{event}: {json.dumps(data, default=repr)[:200]}")

    async def restart(self) -> None:
        if self.widget is not None:
            await self.widget.close()
        self.widget = None
        await self.ensure_connected()

    @property
    def engineio_sid(self) -> str:
        return getattr(self.widget.sio.eio, "sid", None) or "" if self.widget else ""

    async def close(self) -> None:
        if self.widget is not None:
            await self.widget.close()


def check_event(event: str, data: Any, what: str) -> None:
    text = json.dumps(data, default=repr)
    assert traceback_in(text) is None, f"traceback in {event} after {what}: {text[:300]}"
    if event == "session_error":
        assert isinstance(data, dict) and data.get("reason") in SESSION_ERRORS, f"session_error {data!r} after {what}"


async def drain(widget: WidgetClient, what: str) -> None:
    """Checks the events that have arrived so far (without waiting)."""
    while not widget.events.empty():
        event, data = widget.events.get_nowait()
        check_event(event, data, what)


async def await_turn(widget: WidgetClient, what: str, timeout: float = 60.0) -> str:
    """Waits for the end of a turn (bot_done) or its refusal (session_error), checking every event."""
    async def wait() -> str:
        while True:
            event, data = await widget.events.get()
            check_event(event, data, what)
            if event in ("bot_done", "session_error"):
                return event

    return await asyncio.wait_for(wait(), timeout)


def oversized(event: str, payload: Any) -> bool:
    """Near or above the channel's event size limit: the server refuses the request that carries it."""
    return len(json.dumps([event, payload])) > 0.9 * MAX_EVENT_BYTES


def engineio_session_exists(web_url: str, sid: str) -> bool:
    """Whether the server still has this engine.io session: a NOOP packet posted to it is accepted
    (200) or refused as an unknown session (400). Unlike a GET, it takes no packets from the client."""
    answer = requests.post(f"{web_url}/socket.io/?EIO=4&transport=polling&sid={sid}", data=b"6",
                           headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": web_url}, timeout=30)
    assert answer.status_code in (200, 400), f"{answer.status_code} for a NOOP packet: {answer.text[:200]!r}"
    return answer.status_code == 200


async def alive(client: FuzzClient, what: str) -> str:
    """The server still answers an acknowledged event (a rating of an unknown message, with the
    socket's own token), or it has dropped the hostile client (allowed) — the client notices that
    only at its next ping, so the server is asked whether the session still exists; then the
    client reconnects, which must work."""
    widget = client.widget
    if widget is not None and widget.sio.connected:
        probe = {"token": widget.session.get("token"), "message_id": "-", "rating": "-"}
        errors = (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError)
        for timeout in (2, 30):  # the second try only when the server still has the session
            try:
                answer = await widget.sio.call("feedback", probe, timeout=timeout)
                assert answer == {"ok": False, "reason": "invalid"}, f"feedback answered {answer!r} after {what}"
                return "answered"
            except errors:
                sid = client.engineio_sid
                if not (widget.sio.connected and sid and await asyncio.to_thread(engineio_session_exists, client.web_url, sid)):
                    break
        else:
            raise AssertionError(f"no answer to an acknowledged event after {what}")
        await widget.close()
    await client.ensure_connected()
    return "reconnected"


async def send_event(client: FuzzClient, case: EventCase, box_for: Any) -> str:
    widget = await client.ensure_connected()
    box = box_for(widget)
    payload = resolve(case.payload, box)
    what = case.describe()
    await drain(widget, what)  # what earlier cases left, so that a turn's events are its own
    too_big = oversized(case.event, payload)
    try:
        await widget.sio.emit(case.event, payload)
    except (socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError):
        return await alive(client, what)
    if too_big:
        # Most likely refused: ask the server first instead of waiting for the acknowledgement.
        await asyncio.sleep(0.3)
        if not await asyncio.to_thread(engineio_session_exists, client.web_url, client.engineio_sid):
            await client.restart()
            return "reconnected"
        return await alive(client, what)
    if widget.sio.connected and expects_turn(EventCase(case.event, payload, case.kind), box):
        try:
            outcome = await await_turn(widget, what)
        except asyncio.TimeoutError:
            if widget.sio.connected:
                raise AssertionError(f"a message with the socket's own token got no answer: {what}") from None
            outcome = "dropped"
        # The client learns a new token from session_confirm, which python-socketio hands to its
        # handler as a task of its own: a case sent right after an erase or a session_request may
        # still carry the old token. A refusal counts only when the token was still the socket's.
        if outcome == "session_error" and widget.session.get("token") == box.valid:
            raise AssertionError(f"a message with the socket's own token was refused: {what}")
    await drain(widget, what)
    return await alive(client, what)


@pytest.fixture(scope="module")
def fuzz_client(loop_thread, web_url):
    client = FuzzClient(web_url)
    yield client
    loop_thread.run(client.close())


def test_events_named_connect_or_disconnect_do_not_unbind_the_socket(loop_thread, web_url):
    """python-socketio hands a client's events named "connect"/"disconnect" to the connect and
    disconnect handlers (found by the fuzzing: the socket was unbound and every message refused)."""
    async def scenario() -> list[dict]:
        widget = WidgetClient(web_url)
        try:
            await widget.connect()
            for event, payload in (("disconnect", None), ("disconnect", "client disconnect"), ("connect", None), ("connect", {"token": "x"})):
                await widget.sio.emit(event, payload)
            return await widget.say("Hallo")
        finally:
            await widget.close()

    assert any("Lotse" in reply.get("text", "") for reply in loop_thread.run(scenario()))


def test_hostile_events_are_refused_or_answered(fuzz_stack, loop_thread, fuzz_client, foreign_token):
    signer = TokenSigner(WIDGET_SECRET.encode(), fuzz_stack.settings.widget_session_hours * 3600)
    outcomes: collections.Counter = collections.Counter()

    def box_for(widget: WidgetClient) -> TokenBox:
        return TokenBox(widget.session["token"], widget.session["session_id"], foreign_token, signer)

    @FUZZ_SETTINGS
    @given(case=event_cases(fuzz_stack.settings.max_message_chars))
    def check(case: EventCase) -> None:
        outcomes[loop_thread.run(send_event(fuzz_client, case, box_for))] += 1

    run_and_record("socketio_events", outcomes, check)
    assert fuzz_client.unexpected == []
    assert_healthy(fuzz_stack)


def test_raw_engineio_requests_never_give_5xx_or_a_traceback(fuzz_stack, loop_thread, fuzz_client, web_url):
    statuses: collections.Counter = collections.Counter()
    http = requests.Session()
    limit = fuzz_stack.settings.max_body_bytes

    def after_case(case: RawCase) -> None:
        """The server still answers; a request naming the client's own session may have taken its
        packets (engine.io hands them to whichever long-poll is open), so that client starts afresh."""
        loop_thread.run(alive(fuzz_client, case.describe()))
        if case.own_sid:
            loop_thread.run(fuzz_client.restart())

    @FUZZ_SETTINGS
    @given(case=raw_cases)
    def check(case: RawCase) -> None:
        loop_thread.run(fuzz_client.ensure_connected())
        query = query_string(case.query, fuzz_client.engineio_sid)
        headers = {k: v.replace("<origin>", web_url) for k, v in case.headers.items()}
        # A GET naming the live session is a long-poll: engine.io holds it open until it has
        # something to send (up to its ping interval, 25 s). Held open is the normal answer.
        long_poll = case.method == "GET" and case.own_sid
        try:
            response = http.request(case.method, f"{web_url}/socket.io/" + (f"?{query}" if query else ""),
                                    data=case.body, headers=headers, timeout=3 if long_poll else 60)
        except requests.ReadTimeout:
            assert long_poll, f"no answer within 60 s to {case.describe()}"
            statuses["held (long-poll)"] += 1
            http.close()
            after_case(case)
            return
        except requests.ConnectionError:
            assert len(case.body) > limit, f"connection dropped for {case.describe()}"
            statuses["refused"] += 1
            http.close()
            return
        statuses[str(response.status_code)] += 1
        assert response.status_code < 500, f"{response.status_code} for {case.describe()}: {response.text[:300]!r}"
        assert traceback_in(response.text) is None, f"traceback in the answer to {case.describe()}"
        after_case(case)

    run_and_record("socketio_raw", statuses, check)
    assert_healthy(fuzz_stack)


def test_a_new_widget_client_still_chats_and_no_log_has_an_unhandled_error(fuzz_stack, loop_thread, web_url):
    async def chat() -> list[dict]:
        widget = WidgetClient(web_url)
        try:
            await widget.connect()
            return await widget.say("Hallo")
        finally:
            await widget.close()

    replies = loop_thread.run(chat())
    assert any("Lotse" in reply.get("text", "") for reply in replies), replies
    assert_healthy(fuzz_stack)
    assert unhandled_errors(fuzz_stack.log_dir) == []
