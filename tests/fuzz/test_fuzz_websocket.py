"""Hostile traffic on the widget's socket.io channel over WebSocket — the transport browsers use —
through the web server's /socket.io/ proxy (issue #12). The python-socketio client needs a newer
aiohttp than Rasa pins, so this speaks engine.io v4 / socket.io v5 itself over aiohttp's
WebSocket client, which also lets it send what no socket.io client would: broken packets, text
frames that are not UTF-8, binary frames, frames above the proxy's 64 KB limit, odd close codes.

Cases (LOTSE_FUZZ_CASES, default 150): a WebSocket handshake with a hostile query string or
Origin; or, on a connected socket, one to three frames: socket.io events with any payload and
forged, expired, foreign or the socket's own token (as for long-polling, tests/fuzz/socketio_cases.py),
engine.io/socket.io packets, random text or bytes, invalid UTF-8, huge frames, WebSocket pings
and closes.

Properties: a handshake is upgraded or refused with a status below 500; no frame the server sends
holds a traceback; a message with the socket's own token is answered (bot_done, never refused);
after every case the server answers an acknowledged event within 30 s, or it has closed the
socket (allowed for a hostile client) and a new one connects; afterwards every process is healthy
and no log has an unhandled error.
"""
from __future__ import annotations

import asyncio
import collections
import json
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from lotse.webserver.socketio_proxy import MAX_WS_MESSAGE
from lotse.widget.sessions import TokenSigner
from tests.fuzz.checks import assert_healthy, run_and_record, traceback_in, unhandled_errors
from tests.fuzz.conftest import WIDGET_SECRET
from tests.fuzz.socketio_cases import (
    EventCase,
    TokenBox,
    engineio_packets,
    event_cases,
    expects_turn,
    resolve,
)
from tests.fuzz.strategies import HOSTILE_STRINGS, hostile_text
from tests.fuzz.test_fuzz_socketio import FUZZ_SETTINGS, check_event, oversized

PROBE_ACK = 1_000_000  # acknowledgement ids of the liveness probe; cases use smaller ones


class Closed(Exception):
    """The server (or the proxy) closed the WebSocket."""


class RawSocket:
    """One engine.io v4 WebSocket connection with the socket.io namespace "/" joined, as the widget
    makes it; answers the server's pings and checks every frame it receives for a traceback."""

    def __init__(self, http: aiohttp.ClientSession, web_url: str) -> None:
        self.http = http
        self.web_url = web_url
        self.ws: Optional[aiohttp.ClientWebSocketResponse] = None
        self.frames: asyncio.Queue[str] = asyncio.Queue()
        self.session: dict[str, Any] = {}
        self.problems: list[str] = []
        self.reader: Optional[asyncio.Task] = None

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed and self.reader is not None and not self.reader.done()

    async def connect(self) -> None:
        url = "ws" + self.web_url[len("http"):] + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(url, origin=self.web_url, timeout=15, max_msg_size=0)
        self.reader = asyncio.ensure_future(self._read())
        opening = await self.next_frame(15)
        assert opening.startswith("0{"), f"engine.io open packet expected, got {opening[:200]!r}"
        await self.ws.send_str("40")
        await self.next_event(15, "session_confirm")  # the reader keeps self.session

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                if traceback_in(message.data):
                    self.problems.append(f"traceback in a frame: {message.data[:300]!r}")
                if message.data == "2":  # the server's ping
                    await self.ws.send_str("3")
                    continue
                if message.data.startswith('42["session_confirm",'):
                    # A session_request or erase binds the socket to another session (a foreign token
                    # is a valid one): later cases use the token the server confirmed last.
                    self.session = json.loads(message.data[2:])[1]
                await self.frames.put(message.data)
            elif message.type == aiohttp.WSMsgType.BINARY:
                if traceback_in(message.data.decode("utf-8", "replace")):
                    self.problems.append(f"traceback in a binary frame: {message.data[:300]!r}")

    async def next_frame(self, timeout: float) -> str:
        getter = asyncio.ensure_future(self.frames.get())
        assert self.reader is not None
        done, _ = await asyncio.wait({getter, self.reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.reader in done:
            raise Closed()
        raise asyncio.TimeoutError()

    async def next_event(self, timeout: float, *names: str) -> tuple[str, Any]:
        """The next socket.io event with one of these names; every event is checked on the way."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next_frame(max(0.0, deadline - loop.time()))
            if not frame.startswith("42["):
                continue
            event, *data = json.loads(frame[2:])
            payload = data[0] if data else None
            check_event(event, payload, "a WebSocket case")
            if event in names:
                return event, payload

    async def acknowledged(self, ack_id: int, timeout: float) -> Any:
        prefix = f"43{ack_id}["
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next_frame(max(0.0, deadline - loop.time()))
            if frame.startswith(prefix):
                return json.loads(frame[len(prefix) - 1:])

    def drop_received(self) -> None:
        while not self.frames.empty():
            self.frames.get_nowait()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


# --- cases -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    kind: str  # "text", "bytes-as-text" (not UTF-8), "binary", "ping", "close"
    data: Any  # str for text; bytes otherwise; for "close" the close code; for "event" an EventCase


@dataclass(frozen=True)
class WsCase:
    frames: tuple[Frame, ...] = ()
    handshake: Optional[tuple[str, Optional[str]]] = None  # query string, Origin

    def describe(self) -> str:
        if self.handshake is not None:
            return f"handshake ?{self.handshake[0][:200]!r} origin={self.handshake[1]!r}"
        parts = []
        for frame in self.frames:
            data = frame.data.describe() if isinstance(frame.data, EventCase) else repr(frame.data)
            parts.append(f"{frame.kind}[{len(data)}]: {data[:200]}")
        return "; ".join(parts)


def event_frames(limit: int) -> st.SearchStrategy[Frame]:
    """A socket.io event (sometimes asking for an acknowledgement) with any payload."""
    return st.builds(lambda case, ack: Frame("event", (case, ack)), event_cases(limit), st.one_of(st.none(), st.integers(0, 999)))


frames_of_bytes = st.one_of(
    st.builds(lambda b: Frame("bytes-as-text", b), st.sampled_from([b"4\xff\xfe", b"42[\"\xed\xa0\x80\"]", b"\x80\x80", b"\xc3\x28"])),
    st.builds(lambda b: Frame("binary", b), st.binary(max_size=2000)),
    st.builds(lambda b: Frame("binary", b"\x04" + b), st.binary(max_size=200)),
)


def frame_strategy(limit: int) -> st.SearchStrategy[Frame]:
    packets = engineio_packets().map(lambda body: Frame("bytes-as-text", body))
    return st.one_of(
        event_frames(limit), event_frames(limit), packets, packets,
        # Hostile texts may hold lone surrogates, which are no UTF-8: sent as they encode, byte for byte.
        st.builds(lambda t: Frame("bytes-as-text", t.encode("utf-8", "surrogatepass")), hostile_text),
        frames_of_bytes,
        st.builds(lambda n, piece: Frame("text", "42" + piece * n), st.integers(MAX_WS_MESSAGE, 4 * MAX_WS_MESSAGE), st.sampled_from(["[", "x", "ü"])),
        st.builds(lambda b: Frame("ping", b), st.binary(max_size=125)),
        st.builds(lambda code: Frame("close", code), st.sampled_from([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 3000, 4000, 4999])),
    )


handshakes = st.builds(
    lambda query, origin: WsCase(handshake=(query, origin)),
    st.one_of(
        st.sampled_from(["EIO=4&transport=websocket", "EIO=3&transport=websocket", "EIO=4&transport=polling", "",
                         "EIO=4&transport=websocket&sid=x", "EIO=4&transport=websocket&sid=%FF", "EIO=x&transport=websocket"]),
        st.builds(lambda s: "EIO=4&transport=websocket&sid=" + quote(s, safe="", errors="surrogatepass"), st.sampled_from(HOSTILE_STRINGS)),
    ),
    st.sampled_from([None, "<origin>", "http://evil.example", "null", "http://127.0.0.1:1", "<origin>\u202e"]),
)


def ws_cases(limit: int) -> st.SearchStrategy[WsCase]:
    framed = st.lists(frame_strategy(limit), min_size=1, max_size=3).map(lambda frames: WsCase(frames=tuple(frames)))
    return st.one_of(framed, framed, framed, framed, framed, framed, framed, handshakes)


# --- sending a case and checking the server afterwards ---------------------------------------------

class FuzzSocket:
    """One raw WebSocket kept across cases; a new one when the server has closed it."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.http: Optional[aiohttp.ClientSession] = None
        self.socket: Optional[RawSocket] = None
        self.problems: list[str] = []

    async def ensure_connected(self) -> RawSocket:
        if self.http is None:
            self.http = aiohttp.ClientSession()
        if self.socket is None or not self.socket.connected:
            await self.restart()
        assert self.socket is not None
        return self.socket

    async def restart(self) -> None:
        await self.close_socket()
        assert self.http is not None
        self.socket = RawSocket(self.http, self.web_url)
        await self.socket.connect()

    async def close_socket(self) -> None:
        if self.socket is not None:
            self.problems.extend(self.socket.problems)
            await self.socket.close()
            self.socket = None

    async def close(self) -> None:
        await self.close_socket()
        if self.http is not None:
            await self.http.close()


async def try_handshake(web_url: str, http: aiohttp.ClientSession, query: str, origin: Optional[str]) -> str:
    url = "ws" + web_url[len("http"):] + "/socket.io/" + (f"?{query}" if query else "")
    headers = {"Origin": origin.replace("<origin>", web_url)} if origin is not None else {}
    try:
        ws = await http.ws_connect(url, headers=headers, timeout=15)
    except aiohttp.WSServerHandshakeError as refused:
        assert refused.status < 500, f"handshake answered {refused.status} for ?{query!r} origin={origin!r}"
        return str(refused.status)
    try:
        first = await ws.receive(timeout=15)
        if first.type == aiohttp.WSMsgType.TEXT:
            assert traceback_in(first.data) is None, f"traceback after a handshake: {first.data[:300]!r}"
    finally:
        await ws.close()
    return "upgraded"


async def send_frame(socket: RawSocket, frame: Frame, box: TokenBox) -> bool:
    """Sends one frame; True when it is a message with the socket's own token, which the server must answer."""
    assert socket.ws is not None
    if frame.kind == "event":
        case, ack = frame.data
        payload = resolve(case.payload, box)
        text = json.dumps([case.event, payload] if payload is not None else [case.event])
        await socket.ws.send_str(("42" if ack is None else f"42{ack}") + text)
        return not oversized(case.event, payload) and expects_turn(EventCase(case.event, payload, case.kind), box)
    if frame.kind == "text":
        await socket.ws.send_str(frame.data)
    elif frame.kind == "bytes-as-text":  # a text frame that need not be UTF-8: aiohttp's writer sends bytes as they are
        await socket.ws._writer.send(frame.data, binary=False)  # noqa: SLF001
    elif frame.kind == "binary":
        await socket.ws.send_bytes(frame.data)
    elif frame.kind == "ping":
        await socket.ws.ping(frame.data)
    elif frame.kind == "close":
        await socket.ws.close(code=frame.data)
    return False


async def still_answers(socket: RawSocket, ack_id: int) -> bool:
    """An acknowledged event (a rating of an unknown message with the socket's own token) is
    answered within 30 s: True; the server closed the socket instead: False."""
    probe = {"token": socket.session.get("token"), "message_id": "-", "rating": "-"}
    try:
        await socket.ws.send_str(f"42{ack_id}" + json.dumps(["feedback", probe]))
        answer = await socket.acknowledged(ack_id, 30)
    except (Closed, ConnectionError, aiohttp.ClientConnectionError):
        return False
    except asyncio.TimeoutError:
        if socket.connected:
            raise AssertionError("no answer to an acknowledged event within 30 s") from None
        return False
    assert answer == [{"ok": False, "reason": "invalid"}], f"feedback answered {answer!r}"
    return True


NAMESPACE_PACKETS = ("40", "41")  # socket.io CONNECT and DISCONNECT, as engine.io messages


def changes_namespace(frame: Frame) -> bool:
    """A raw socket.io CONNECT or DISCONNECT packet: after a DISCONNECT the server ignores the
    socket's events while keeping its WebSocket open (socket.io multiplexes namespaces over one
    connection), as a client that left would expect — so there is nothing to probe."""
    if frame.kind == "text":
        return frame.data.startswith(NAMESPACE_PACKETS)
    if frame.kind == "bytes-as-text":
        return frame.data.startswith(tuple(prefix.encode() for prefix in NAMESPACE_PACKETS))
    return False


async def run_case(client: FuzzSocket, case: WsCase, box_for: Any, probe_id: int) -> str:
    socket = await client.ensure_connected()
    if case.handshake is not None:
        assert client.http is not None
        return await try_handshake(client.web_url, client.http, *case.handshake)
    socket.drop_received()
    must_answer = False
    try:
        for number, frame in enumerate(case.frames):
            # Only the first frame's token is surely current: a later one may follow a frame that
            # bound the socket to another session (session_request, erase, a raw packet).
            must_answer |= await send_frame(socket, frame, box_for(socket)) and number == 0
    except (ConnectionError, aiohttp.ClientConnectionError):
        pass  # the server closed the socket between frames
    if must_answer:
        # The channel ends every message it accepts with bot_done; a refused one gets session_error
        # instead (its reason checked on the way), so a refused own message shows as no answer.
        try:
            await socket.next_event(60, "bot_done")
        except Closed:
            pass
        except asyncio.TimeoutError:
            raise AssertionError("a message with the socket's own token got no answer (bot_done) within 60 s") from None
    if any(changes_namespace(frame) for frame in case.frames):
        await client.restart()  # a new socket must still connect
        return "reconnected"
    if socket.connected and await still_answers(socket, probe_id):
        return "answered"
    await client.restart()  # the server closed it, which is allowed: a new socket must connect
    return "reconnected"


def test_hostile_websocket_traffic_is_refused_or_answered(fuzz_stack, loop_thread, web_url, foreign_token):
    signer = TokenSigner(WIDGET_SECRET.encode(), fuzz_stack.settings.widget_session_hours * 3600)
    outcomes: collections.Counter = collections.Counter()
    client = FuzzSocket(web_url)
    probe_ids = iter(range(PROBE_ACK, PROBE_ACK * 10))

    def box_for(socket: RawSocket) -> TokenBox:
        return TokenBox(socket.session["token"], socket.session["session_id"], foreign_token, signer)

    @FUZZ_SETTINGS
    @given(case=ws_cases(fuzz_stack.settings.max_message_chars))
    def check(case: WsCase) -> None:
        try:
            outcomes[loop_thread.run(run_case(client, case, box_for, next(probe_ids)))] += 1
        except AssertionError as failure:
            raise AssertionError(f"{failure} after {case.describe()}") from None
        problems = client.problems + (client.socket.problems if client.socket else [])
        assert problems == [], f"{problems[:3]} after {case.describe()}"

    try:
        run_and_record("socketio_websocket", outcomes, check)
    finally:
        loop_thread.run(client.close())
    assert_healthy(fuzz_stack)
    assert unhandled_errors(fuzz_stack.log_dir) == []
