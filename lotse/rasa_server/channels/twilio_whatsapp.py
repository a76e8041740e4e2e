"""WhatsApp via Twilio: X-Twilio-Signature validation, text-only replies, numbered options.

Unlike Rasa's stock Twilio connector it validates every request against the public webhook URL,
answers media-only messages instead of crashing, ignores redeliveries and sends replies through
Twilio's REST API without blocking the event loop.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional
from urllib.parse import parse_qsl

import aiohttp
from multidict import MultiDict
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from lotse.rasa_server.channels.common import (
    HttpSender,
    Incoming,
    OnNewMessage,
    button_payloads,
    header,
    required_credentials,
    split_text,
)
from lotse.rasa_server.channels.messenger import MessengerInput, MessengerOutput, with_sources

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
TEXT_LIMIT = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    whatsapp_number: str
    api_url: str = DEFAULT_API_URL
    # The webhook URL exactly as entered at Twilio; empty: derived from the request.
    public_url: str = ""

    @property
    def sender_address(self) -> str:
        number = self.whatsapp_number.strip()
        return number if number.startswith("whatsapp:") else f"whatsapp:{number}"

    @property
    def messages_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"


def request_url(headers: Mapping[str, str], scheme: str, host: str, path: str, query: str) -> str:
    """The URL Twilio called, as seen before a TLS-terminating proxy (X-Forwarded-Proto/Host)."""
    forwarded_proto = (header(headers, "X-Forwarded-Proto") or "").split(",")[0].strip()
    forwarded_host = (header(headers, "X-Forwarded-Host") or "").split(",")[0].strip()
    url = f"{forwarded_proto or scheme}://{forwarded_host or host}{path}"
    return f"{url}?{query}" if query else url


class TwilioWhatsAppOutput(MessengerOutput):
    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    async def _post(self, recipient_id: str, fields: dict[str, str]) -> None:
        await self.sender.post(
            self.config.messages_url,
            "twilio send",
            form={"From": self.config.sender_address, "To": recipient_id, **fields},
            auth=aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token),
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, with_sources(text, TEXT_LIMIT))

    async def _send(self, recipient_id: str, text: str) -> None:
        for part in split_text(text, TEXT_LIMIT):
            await self._post(recipient_id, {"Body": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        self.options.remember(recipient_id, button_payloads(buttons))
        await self._send(recipient_id, self.numbered_with_sources(text, buttons, kwargs, TEXT_LIMIT))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(recipient_id, {"MediaUrl": image})


class TwilioWhatsAppInput(MessengerInput):
    output_class = TwilioWhatsAppOutput

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "TwilioWhatsAppInput":
        given = required_credentials(cls, credentials, ("account_sid", "auth_token", "whatsapp_number"))
        return cls(
            TwilioConfig(
                **given,
                api_url=str(credentials.get("api_url") or DEFAULT_API_URL),
                public_url=str(credentials.get("public_url") or ""),
            )
        )

    def __init__(self, config: TwilioConfig, sender: Optional[HttpSender] = None):
        super().__init__(config, sender)
        self.validator = RequestValidator(config.auth_token)

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        url = request_url(request.headers, request.scheme, request.host, request.path, request.query_string)
        return await self.receive(request.headers, request.body, url, on_new_message)

    async def receive(  # type: ignore[override] - Twilio signs the URL too, so it is passed along
        self, headers: Mapping[str, str], body: bytes, url: str, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        params = MultiDict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        signature = header(headers, SIGNATURE_HEADER)
        if not signature or not self.validator.validate(self.config.public_url or url, params, signature):
            logger.warning("twilio_whatsapp: request with missing or wrong signature rejected")
            return response.text("forbidden", status=403)
        incoming = self.parse_message(params)
        self.take([(incoming.message_id, incoming)] if incoming is not None else [], on_new_message)
        return response.text(EMPTY_TWIML, content_type="text/xml")

    @staticmethod
    def parse_message(params: Mapping[str, str]) -> Optional[Incoming]:
        sender_id = params.get("From") or ""
        message_sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
        if not sender_id or not message_sid:
            return None  # e.g. a status callback pointed at this URL
        text = (params.get("ButtonPayload") or params.get("Body") or "").strip()
        if not text:
            # Media, locations, contacts: Lotse reads text only (a friendly note, not a crash).
            return Incoming(sender_id, None, message_sid)
        return Incoming(sender_id, text, message_sid)
