"""Checks for the web page's POST /api/chat (aiohttp middleware), before the chat handler runs:

- bodies above LOTSE_MAX_BODY_BYTES: 413 (aiohttp's client_max_size stops reading there);
- bodies that are not a chat request (lotse/chat_requests.py), however broken: 400;
- rate limits per client IP and per conversation (lotse/ratelimit.py): 429;
- messages above LOTSE_MAX_MESSAGE_CHARS: a normal answer asking for a shorter message.

Every refusal is `[{"text": ...}]` in the user's language. lotse/webserver.py adds it with
`middlewares=[chat_guard(settings), …]`.
"""
from __future__ import annotations

import logging
import time
from typing import Awaitable, Callable

from aiohttp import web

from lotse.chat_requests import ChatRequest, answer, parse_chat_request, reply_language
from lotse.ratelimit import RateLimits
from lotse.settings import Settings

log = logging.getLogger("lotse.web")
GUARDED = {("POST", "/api/chat")}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def chat_guard(settings: Settings, clock: Callable[[], float] = time.monotonic):
    limits = RateLimits(settings, clock)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if (request.method, request.path) not in GUARDED:
            return await handler(request)
        accept_language = request.headers.get("Accept-Language")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response(answer("request_too_large", reply_language(None, accept_language)), status=413)
        if len(body) > settings.max_body_bytes:
            return web.json_response(answer("request_too_large", reply_language(None, accept_language)), status=413)
        parsed = parse_chat_request(body)
        ip = limits.client_ip(request.remote, request.headers.get("X-Forwarded-For"))
        decision = limits.check(ip, parsed.sender if isinstance(parsed, ChatRequest) else None)
        text = parsed.message if isinstance(parsed, ChatRequest) else None
        if not decision.allowed:
            log.warning("chat: rate limit per %s reached", decision.reason)
            return web.json_response(answer("rate_limited", reply_language(text, accept_language)), status=429)
        if not isinstance(parsed, ChatRequest):
            return web.json_response(answer(parsed, reply_language(None, accept_language)), status=400)
        if len(parsed.message) > settings.max_message_chars:
            return web.json_response(answer("message_too_long", reply_language(parsed.message, accept_language), max=settings.max_message_chars))
        return await handler(request)

    return guard
