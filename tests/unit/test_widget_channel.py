"""The widget channel's checks, without a server: which events may act on which conversation."""
from __future__ import annotations

import asyncio
import time

from lotse.core.settings import load_settings
from lotse.rasa_server.channels.secure_socketio import SecureSocketIOInput, WidgetOutput, message_hints, with_sources
from lotse.widget import feedback
from lotse.widget.sessions import TokenSigner

SECRET = b"k" * 32


def channel() -> SecureSocketIOInput:
    return SecureSocketIOInput(settings=load_settings({}), signer=TokenSigner(SECRET, 3600))


def bound(ch: SecureSocketIOInput, sid: str = "socket-1"):
    session, token = ch.signer.issue()
    ch.bindings[sid] = session
    return session, token


def test_an_event_with_the_bound_token_acts_on_its_session():
    ch = channel()
    session, token = bound(ch)
    assert ch.authorised("socket-1", {"token": token, "message": "Hallo"}) == (session, "")
    assert ch.authorised("socket-1", {"token": token, "session_id": session.session_id}) == (session, "")


def test_events_are_refused_without_binding_or_with_someone_elses_token_or_id():
    ch = channel()
    session, token = bound(ch)
    other, other_token = bound(ch, "socket-2")
    assert ch.authorised("socket-3", {"token": token}) == (None, "no_session")
    assert ch.authorised("socket-1", {"token": other_token}) == (None, "invalid")
    assert ch.authorised("socket-1", {"message": "Hallo"}) == (None, "invalid")
    assert ch.authorised("socket-1", {"token": token, "session_id": other.session_id}) == (None, "invalid")
    assert ch.authorised("socket-1", "not a dict") == (None, "invalid")
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert ch.authorised("socket-1", {"token": forged}) == (None, "invalid")


def test_an_expired_binding_is_refused():
    ch = channel()
    ch.signer.clock = lambda: time.time() - 7200
    _, token = bound(ch)
    assert ch.authorised("socket-1", {"token": token}) == (None, "expired")


def test_creating_the_channel_touches_nothing(tmp_path):
    SecureSocketIOInput(settings=load_settings({"LOTSE_DATA_DIR": str(tmp_path / "data")}))
    assert not (tmp_path / "data").exists()  # the secret is read or made when the server starts


def test_only_the_language_hints_pass_as_metadata():
    sent = {"metadata": {"language": "uk", "language_source": "page", "conversation_start": True,
                         "user_id": "admin", "intent": "/restart", "language_source_extra": 1}}
    assert message_hints(sent).as_metadata() == {"language": "uk", "language_source": "page", "conversation_start": True}
    chosen = {"metadata": {"language": "en", "language_source": "chosen", "conversation_start": "yes"}}
    assert message_hints(chosen).as_metadata() == {"language": "en", "language_source": "chosen", "conversation_start": False}
    # an older widget sends only the language: it counts as chosen, as it did before
    assert message_hints({"metadata": {"language": "de"}}).as_metadata()["language_source"] == "chosen"
    for data in ({}, {"metadata": "de"}, {"metadata": {"language": "<b>"}}, {"metadata": {"language": "deutsch"}},
                 {"metadata": {"language": "fr", "language_source": "chosen"}}):
        assert message_hints(data).as_metadata() == {}


class FakeServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, **kwargs):
        self.emitted.append((event, data, room))


def test_bot_messages_carry_the_id_used_for_ratings_and_stay_whole():
    sio = FakeServer()
    output = WidgetOutput(sio, "bot_uttered")
    text = "Erster Absatz.\n\nZweiter Absatz."
    asyncio.run(output.send_text_message("conv", text))
    asyncio.run(output.send_text_with_buttons("conv", "Bitte wählen:", [{"title": "Ja", "payload": "/affirm"}]))
    assert sio.emitted == [
        ("bot_uttered", {"text": text, "message_id": feedback.message_id(text)}, "conv"),
        ("bot_uttered", {"text": "Bitte wählen:", "message_id": feedback.message_id("Bitte wählen:"),
                         "quick_replies": [{"title": "Ja", "payload": "/affirm"}]}, "conv"),
    ]


def test_an_answer_reaches_the_widget_without_its_footer_and_with_its_sources_as_data():
    sio = FakeServer()
    footer = ("Quellen: Kita-Portal – https://www.kreis-borken.de/kita; Elterngeld – https://www.elterngeld.de/a?b=1\n"
              "Geprüft am 07.12.2026")
    text = f"Die Kita kostet je nach Einkommen.\n\n{footer}"
    asyncio.run(output_for(sio).send_text_with_buttons("conv", text, [{"title": "Mehr", "payload": "/more"}]))
    (_, message, _), = sio.emitted
    assert message["text"] == "Die Kita kostet je nach Einkommen."
    assert message["message_id"] == feedback.message_id(text)  # ratings name the whole text, as the console does
    assert message["quick_replies"] == [{"title": "Mehr", "payload": "/more"}]
    assert message["sources"] == {
        "label": "Quellen",
        "items": [{"title": "Kita-Portal", "url": "https://www.kreis-borken.de/kita"},
                  {"title": "Elterngeld", "url": "https://www.elterngeld.de/a?b=1"}],
        "checked": "Geprüft am 07.12.2026",
    }


def test_restored_turns_carry_their_sources_like_live_ones():
    text = "Antwort.\n\nSource: Jobcenter – https://www.jobcenter-borken.de\nChecked on 01.12.2026"
    restored = with_sources({"who": "bot", "text": text, "message_id": feedback.message_id(text)})
    assert restored["who"] == "bot" and restored["text"] == "Antwort."
    assert restored["sources"]["items"] == [{"title": "Jobcenter", "url": "https://www.jobcenter-borken.de"}]
    assert with_sources({"who": "user", "text": "Hallo"}) == {"who": "user", "text": "Hallo"}


def output_for(sio) -> WidgetOutput:
    return WidgetOutput(sio, "bot_uttered")


def test_packets_a_server_cannot_dispatch_are_recognised():
    from socketio import packet

    from lotse.rasa_server.channels.secure_socketio import well_formed_arguments

    def decoded(text: str):  # a socket.io packet, i.e. an engine.io message without its leading "4"
        return packet.Packet(encoded_packet=text)

    assert well_formed_arguments(decoded('2["user_uttered",{"message":"Hallo"}]'))
    assert well_formed_arguments(decoded("0")) and well_formed_arguments(decoded("31[]"))
    for text in ('2{"a":1}', "2[]", "2[1,2]", '2"x"', "2", "31"):
        assert not well_formed_arguments(decoded(text)), text


def test_binary_data_and_binary_packets_from_a_client_are_refused():
    """The widget sends text only; python-socketio took any frame after a binary packet header as
    its attachment, unchecked, and raised on bytes with none pending (found by the WebSocket fuzzing)."""
    from lotse.rasa_server.channels.secure_socketio import refusal_of

    assert refusal_of('2["user_uttered",{"message":"Hallo"}]') is None
    assert refusal_of('21["feedback",{}]') is None and refusal_of("0") is None
    assert refusal_of(b"\x04binary") == "binary message"
    for text in ('51-["user_uttered",{"_placeholder":true,"num":0}]', "61-[1]", "4", '2["x"', "2"):
        assert refusal_of(text) is not None, text


def test_a_socket_that_goes_away_while_being_bound_is_not_left_bound():
    """python-socketio raises when a socket that disconnected meanwhile joins a room (found by the
    WebSocket fuzzing: a session_request followed at once by an engine.io close)."""
    class GoneServer(FakeServer):
        async def enter_room(self, sid, room, namespace=None):
            raise ValueError("sid is not connected to requested namespace")

    ch = channel()
    assert asyncio.run(ch._bind(GoneServer(), "gone-socket", None)) is None  # no token: a new session
    assert "gone-socket" not in ch.bindings


def test_a_request_on_a_closing_engineio_session_is_refused_not_a_server_error():
    """python-engineio raised KeyError ("Session is disconnected") for a long-polling request on a
    session that had just closed: a 500 and a traceback in Rasa's log (found by the 10,000-case run)."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from lotse.rasa_server.channels.secure_socketio import TolerantEngineIOServer

    class ClosingSocket:
        closed = True

    async def status_of_a_post_to_a_closing_session() -> int:
        server = TolerantEngineIOServer(async_mode="aiohttp")
        app = web.Application()
        server.attach(app)
        server.sockets["closing"] = ClosingSocket()
        async with TestClient(TestServer(app)) as client:
            response = await client.post("/engine.io/?EIO=4&transport=polling&sid=closing", data="6")
            return response.status

    assert asyncio.run(status_of_a_post_to_a_closing_session()) == 400
