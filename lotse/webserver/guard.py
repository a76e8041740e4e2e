"""Checks for the web page's POST /api/chat (aiohttp middleware), before the chat handler runs:

- bodies above LOTSE_MAX_BODY_BYTES: 413 (aiohttp's client_max_size stops reading there);
- bodies that are not a chat request (lotse/guards/chat_requests.py), however broken: 400;
- rate limits per client IP and per conversation (lotse/guards/ratelimit.py): 429;
- messages above LOTSE_MAX_MESSAGE_CHARS: a normal answer asking for a shorter message.

Every refusal is `[{"text": ...}]` in the user's language. lotse/webserver/app.py adds it with
`middlewares=[chat_guard(settings), …]`.
"""
from __future__ import annotations

import time
from typing import Awaitable, Callable

from aiohttp import web

from lotse.core.settings import Settings
from lotse.guards.chat_requests import Refusal, answer, reply_language, screen_chat_request
from lotse.guards.ratelimit import RateLimits

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
        ip = limits.client_ip(request.remote, request.headers.get("X-Forwarded-For"))
        parsed = screen_chat_request(body, ip, limits, settings, accept_language)
        if isinstance(parsed, Refusal):
            return web.json_response(parsed.answer, status=parsed.status)
        return await handler(request)

    return guard
