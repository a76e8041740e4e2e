"""Lotse's REST channel: Rasa's `rest` channel (same name, same URL /webhooks/rest/webhook, same
request and answer format) with the checks a public endpoint needs (issue #12):

- bodies above LOTSE_MAX_BODY_BYTES: 413 before parsing;
- anything but a JSON object with a string `sender` and a string `message`: 400 with a clear
  answer (Rasa's own channel answers 500 to a list, a number or a non-string message);
- rate limits per client IP and per conversation (lotse/guards/ratelimit.py): 429 with a clear answer;
- messages above LOTSE_MAX_MESSAGE_CHARS: a normal answer asking for a shorter message;
- a message whose conversation lock cannot be had (the Redis lock store is unreachable, or the
  conversation stays busy for LOTSE_LOCK_WAIT_SECONDS): 503 with Retry-After and "please send it
  again in a moment"; the message was not processed, so sending it again is safe;
- a failure while handling a message is logged with its type only, never with the user's text.

Every refusal is answered `[{"text": ...}]` in the user's language (lotse/guards/chat_requests.py).
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.lock_store import LockError
from sanic import Blueprint, response
from sanic.request import Request

from lotse.core.settings import Settings, load_settings
from lotse.guards.chat_requests import ChatRequest, Refusal, answer, reply_language, screen_chat_request
from lotse.guards.ratelimit import RateLimits
from lotse.rasa_server.channels.common import OnNewMessage, webhook_routes

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class RestInput(RasaRestInput):
    """Registered in credentials.yml as `lotse.rasa_server.channels.rest.RestInput`; its name stays `rest`."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "RestInput":
        return cls()

    def __init__(self, settings: Optional[Settings] = None, clock: Callable[[], float] = time.monotonic):
        self.settings = settings or load_settings()
        self.limits = RateLimits(self.settings, clock)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return webhook_routes("lotse_rest", lambda request: self.handle(request, on_new_message))

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> Any:
        ip = self.limits.client_ip(request.ip, request.headers.get("x-forwarded-for"))
        parsed = screen_chat_request(
            request.body or b"", ip, self.limits, self.settings, request.headers.get("accept-language")
        )
        if isinstance(parsed, Refusal):
            if parsed.status == 200:  # too long: a normal reply, shaped like Rasa's
                return response.json([{"recipient_id": parsed.sender, **parsed.answer[0]}])
            return response.json(parsed.answer, status=parsed.status)
        if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
            return response.stream(
                self.stream_response(on_new_message, parsed.message, parsed.sender, self.name(), parsed.metadata),
                content_type="text/event-stream",
            )
        try:
            return response.json(await self.collect(parsed, on_new_message))
        except LockError as error:  # its text names the cause, never the conversation or the message
            logger.warning("rest: message not processed: %s", error)
            language = reply_language(parsed.message, request.headers.get("accept-language"))
            return response.json(
                answer("try_again_shortly", language), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )

    async def collect(self, parsed: ChatRequest, on_new_message: OnNewMessage) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(parsed.message, collector, parsed.sender, input_channel=self.name(), metadata=parsed.metadata)
            )
        except LockError:  # not processed at all: handle() asks the user to send it again
            raise
        except Exception as error:  # noqa: BLE001 - the user gets what was collected; the log gets no text
            logger.error("rest: handling a message failed: %s", type(error).__name__)
        return collector.messages
