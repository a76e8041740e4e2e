"""Forwards the widget's socket.io traffic (/socket.io/) from the web server to Rasa.

Why a proxy: the browser then talks to one public address (the web server), and Rasa, whose REST
channel accepts any sender id unauthenticated, never has to be reachable from outside. Both
socket.io transports are forwarded: HTTP long-polling (the first request of every connection) and
WebSocket. The page's Origin header is passed on unchanged, so Rasa's origin allowlist decides.
Nothing is logged about the content.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Callable, Optional

from aiohttp import ClientError, ClientSession, ClientTimeout, WSCloseCode, WSMsgType, WSServerHandshakeError, web

logger = logging.getLogger("lotse.web")

PREFIX = "/socket.io/"
# A long-poll GET is held open by the server for up to its ping interval (25 s).
POLL_TIMEOUT = ClientTimeout(total=60, sock_connect=5)
MAX_WS_MESSAGE = 64 * 1024
REQUEST_HEADERS = ("Origin", "Content-Type", "Accept")
RESPONSE_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Vary",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
)


PACKET_TYPES = frozenset("0123456")  # engine.io v4 packet types
BINARY_PREFIX = "b"  # a base64-encoded binary message
CLOSE_PACKET = "1"
RECORD_SEPARATOR = "\x1e"


def is_engineio_packet(text: str) -> bool:
    """One engine.io v4 packet as text: a packet type, or "b" and base64. Rasa's engine.io raised
    on anything else (an empty frame, `\x1c…`, broken base64) and logged a traceback."""
    if text.startswith(BINARY_PREFIX):
        try:
            base64.b64decode(text[1:], validate=True)
        except (binascii.Error, ValueError):
            return False
        return True
    return text[:1] in PACKET_TYPES


def is_polling_payload(body: bytes) -> bool:
    """An engine.io v4 long-polling payload: UTF-8 text, packets separated by \x1e."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(is_engineio_packet(packet) for packet in text.split(RECORD_SEPARATOR))


def _pick(headers, names: tuple[str, ...]) -> dict[str, str]:
    return {name: headers[name] for name in names if name in headers}


async def forward_polling(client: ClientSession, request: web.Request, upstream: str) -> web.Response:
    body = await request.read()
    if request.method == "POST" and not is_polling_payload(body):
        # Rasa's engine.io logged a traceback for each body on a live session that is not UTF-8
        # or whose packets have no valid type (found by the 10,000-case fuzz run): refused here.
        return web.Response(status=400, text="Bad request")
    try:
        async with client.request(
            request.method, upstream, data=body or None, headers=_pick(request.headers, REQUEST_HEADERS), timeout=POLL_TIMEOUT
        ) as answer:
            data = await answer.read()
            return web.Response(status=answer.status, body=data, headers=_pick(answer.headers, RESPONSE_HEADERS))
    except (ClientError, asyncio.TimeoutError) as exc:
        logger.warning("socket.io backend unavailable: %s", type(exc).__name__)
        return web.Response(status=502, text="backend unavailable")


async def _pump(source, target, accept: Callable[[str], bool] = lambda text: True) -> None:
    async for message in source:
        if message.type == WSMsgType.TEXT:
            if not accept(message.data):
                # The same refusal as for a long-polling body (found by tests/fuzz/test_fuzz_websocket.py).
                await source.close(code=WSCloseCode.UNSUPPORTED_DATA, message=b"not an engine.io packet")
                break
            await target.send_str(message.data)
            if message.data.startswith(CLOSE_PACKET):  # its type; engine.io ignores what follows
                # The engine.io session ends here, but Rasa's engine.io kept the WebSocket open until
                # its next ping time-out (45 s): both sides are closed now.
                break
        elif message.type == WSMsgType.BINARY:
            await target.send_bytes(message.data)
        else:
            break


async def forward_websocket(client: ClientSession, request: web.Request, upstream: str) -> web.StreamResponse:
    origin: Optional[str] = request.headers.get("Origin")
    try:
        backend = await client.ws_connect(
            "ws" + upstream[len("http"):], origin=origin, max_msg_size=MAX_WS_MESSAGE, timeout=10.0
        )
    except WSServerHandshakeError as exc:
        return web.Response(status=exc.status or 502, text="refused")  # e.g. an origin not on the allowlist
    except (ClientError, asyncio.TimeoutError) as exc:
        logger.warning("socket.io backend unavailable: %s", type(exc).__name__)
        return web.Response(status=502, text="backend unavailable")
    browser = web.WebSocketResponse(max_msg_size=MAX_WS_MESSAGE)
    await browser.prepare(request)
    pumps = [asyncio.ensure_future(_pump(browser, backend, is_engineio_packet)), asyncio.ensure_future(_pump(backend, browser))]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        await backend.close()
        await browser.close()
    return browser


def upstream_url(rasa_url: str, request: web.Request) -> str:
    return f"{rasa_url}{PREFIX}?{request.query_string}" if request.query_string else f"{rasa_url}{PREFIX}"


async def forward(client: ClientSession, rasa_url: str, request: web.Request) -> web.StreamResponse:
    upstream = upstream_url(rasa_url, request)
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await forward_websocket(client, request, upstream)
    return await forward_polling(client, request, upstream)
