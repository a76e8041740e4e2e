"""The widget's socket.io channel through the running stack: a conversation belongs to whoever holds
its server-issued token, and to nobody who merely names its session id."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
import requests

from lotse.widget.sessions import TokenSigner, WidgetSession, widget_secret
from tests.integration.widget_client import WidgetClient


def web_url(stack) -> str:
    return f"http://127.0.0.1:{stack.settings.web_port}"


def tracker_texts(stack, session_id: str) -> list[str]:
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = db.execute(
            "select data from events where sender_id = ? and type_name = 'user' order by id", (session_id,)
        ).fetchall()
    return [json.loads(row[0])["text"] for row in rows]


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_a_made_up_or_foreign_session_id_gets_no_access(stack):
    async def scenario():
        victim, attacker = WidgetClient(web_url(stack)), WidgetClient(web_url(stack))
        try:
            mine = await victim.connect()
            assert mine["resumed"] is False and mine["history"] == []
            victim_id = mine["session_id"]
            assert any("Lotse" in m["text"] for m in await victim.say("Hallo"))

            # Stock Rasa would join the victim's room here.
            theirs = await attacker.connect(auth={"session_id": victim_id})
            assert theirs["session_id"] != victim_id and theirs["history"] == []
            await attacker.sio.emit("session_request", {"session_id": victim_id})
            again = await attacker.next("session_confirm")
            assert again["session_id"] != victim_id and again["history"] == []

            # Messages that name the victim's session are refused, with or without a token.
            await attacker.sio.emit("user_uttered", {"session_id": victim_id, "message": "Zeig mir alles"})
            assert (await attacker.next("session_error"))["reason"] == "invalid"
            with pytest.raises(PermissionError):
                await attacker.say("ich wohne in Gemen", session_id=victim_id)

            # A forged token for the victim's id (right shape, wrong signature) starts a new session.
            forged = f"v1.{victim_id}.{int(time.time()) + 3600}.{'0' * 64}"
            forger = WidgetClient(web_url(stack))
            try:
                confirm = await forger.connect(auth={"token": forged})
                assert confirm["session_id"] != victim_id and confirm["history"] == []
                assert confirm["token"] != forged
            finally:
                await forger.close()

            # Nor can the attacker erase or rate the victim's conversation.
            for event, data in (("erase", {}), ("feedback", {"message_id": "0" * 16, "rating": "down"})):
                answer = await attacker.call(event, {"token": forged, "session_id": victim_id, **data})
                assert answer["ok"] is False, event

            # The victim saw nothing of the attacker and the attacker nothing of the victim.
            assert not [e for e in await victim.drain(1.0) if e[0] == "bot_uttered"]
            assert tracker_texts(stack, victim_id) == ["Hallo"]

            # Positive control: the real token resumes the conversation with its history.
            reloaded = WidgetClient(web_url(stack))
            try:
                resumed = await reloaded.connect(auth={"token": mine["token"]})
                assert resumed["resumed"] is True and resumed["session_id"] == victim_id
                assert [item["text"] for item in resumed["history"] if item["who"] == "user"] == ["Hallo"]
            finally:
                await reloaded.close()
        finally:
            await victim.close()
            await attacker.close()

    run(scenario())


def test_an_expired_token_starts_a_new_empty_session(stack):
    signer = TokenSigner(widget_secret(stack.settings), 3600, clock=lambda: time.time() - 7200)

    async def scenario():
        first = WidgetClient(web_url(stack))
        try:
            mine = await first.connect()
            await first.say("Hallo")
        finally:
            await first.close()
        expired = signer.token_for(WidgetSession(mine["session_id"], int(time.time()) - 60))
        late = WidgetClient(web_url(stack))
        try:
            confirm = await late.connect(auth={"token": expired})
            assert confirm["session_id"] != mine["session_id"] and confirm["history"] == []
        finally:
            await late.close()

    run(scenario())


def test_pages_from_other_origins_cannot_connect(stack):
    # Plain HTTP: python-engineio's client drops its session before reading a refusal, which hangs
    # now and then on a busy machine.
    url = f"{web_url(stack)}/socket.io/?EIO=4&transport="
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    for origin, polling_status, websocket_status in (("https://evil.example", 400, 400), ("null", 400, 400), (web_url(stack), 200, 101)):
        polling = requests.get(url + "polling", headers={"Origin": origin}, timeout=15)
        assert polling.status_code == polling_status, origin
        websocket = requests.get(url + "websocket", headers={"Origin": origin, **upgrade}, timeout=15, stream=True)
        assert websocket.status_code == websocket_status, origin
        websocket.close()
    assert polling.text.startswith('0{"sid"')  # the engine.io handshake of an allowed page


def test_ratings_are_stored_only_for_bot_messages_of_ones_own_conversation(stack):
    async def scenario():
        client = WidgetClient(web_url(stack))
        try:
            await client.connect()
            answer = (await client.say("Hallo"))[0]
            token = client.session["token"]
            assert await client.call("feedback", {"token": token, "message_id": answer["message_id"], "rating": "down"}) == {"ok": True}
            unknown = await client.call("feedback", {"token": token, "message_id": "0" * 16, "rating": "up"})
            assert unknown["ok"] is False
            return client.session["session_id"], answer["message_id"]
        finally:
            await client.close()

    session_id, message_id = run(scenario())
    db = stack.settings.callback_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select bot_message_id, rating from feedback where conversation_id = ?", (session_id,)).fetchall()
    assert rows == [(message_id, "down")]


def test_erasing_removes_the_conversation_and_its_token_stops_working(stack):
    async def scenario():
        client, other_tab = WidgetClient(web_url(stack)), WidgetClient(web_url(stack))
        try:
            old = await client.connect()
            await client.say("Hallo")
            await other_tab.connect(auth={"token": old["token"]})
            assert await client.call("erase", {"token": old["token"]}) == {"ok": True}
            new = client.session
            assert new["session_id"] != old["session_id"] and new["resumed"] is False
            await other_tab.next("session_ended")
            assert tracker_texts(stack, old["session_id"]) == []

            # The old token does not bring the conversation back, not even an empty one.
            returning = WidgetClient(web_url(stack))
            try:
                confirm = await returning.connect(auth={"token": old["token"]})
                assert confirm["session_id"] != old["session_id"] and confirm["history"] == []
            finally:
                await returning.close()
            # The tab that erased goes on in its new conversation.
            assert await client.say("Hallo")
            assert tracker_texts(stack, new["session_id"]) == ["Hallo"]
        finally:
            await client.close()
            await other_tab.close()

    run(scenario())
