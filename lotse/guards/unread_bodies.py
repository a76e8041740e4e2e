"""An aiohttp middleware for the web server and the staff console: a connection whose request body
was not read to its end is closed after the answer instead of being kept alive.

Why: such answers are refusals — 413 above the size limit (aiohttp stops reading at
`client_max_size`), 400 for a socket.io body that is not engine.io, 415 for a console form that is
not a form. With aiohttp 3.9 (pinned by Rasa) a kept-alive connection was sometimes never read
again after such a refusal: the client's next request on it got no answer at all (found by the
socket.io fuzzing, three times in 2,500-case runs: after a 413 the next request waited 60 s; the
server's socket held the whole unread request). Closing costs a well-behaved client nothing — it
never sends such bodies — and a client that does opens a new connection for its next request.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def must_close(request: web.Request, answer: web.StreamResponse) -> bool:
    """A 413 (the body was read only up to the limit), or any answer before the body's end."""
    return answer.status == 413 or (request.body_exists and not request.content.at_eof())


@web.middleware
async def close_when_body_unread(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as refusal:  # raised refusals are answers too (aiohttp's 413 is one)
        if must_close(request, refusal):
            refusal.force_close()
        raise
    if must_close(request, response):
        response.force_close()
    return response
