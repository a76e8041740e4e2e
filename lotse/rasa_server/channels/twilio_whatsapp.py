"""WhatsApp via Twilio: X-Twilio-Signature validation, buttons as Twilio content, numbered options.

Unlike Rasa's stock Twilio connector it validates every request against the public webhook URL,
answers media-only messages instead of crashing, ignores redeliveries and sends replies through
Twilio's REST API without blocking the event loop. Buttons are sent as WhatsApp's own buttons:
Twilio content (Content API) of type `twilio/quick-reply` (up to three, in a 24-hour session) or
`twilio/list-picker` (up to ten), created once per set of buttons with the text as variable {{1}};
where that is not possible they become numbered options.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence
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
    PayloadTokens,
    TTLCache,
    as_dict,
    button_payloads,
    header,
    message_language,
    required_credentials,
    shorten,
    split_text,
)
from lotse.rasa_server.channels.messenger import MessengerInput, MessengerOutput, with_sources

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
DEFAULT_CONTENT_API_URL = "https://content.twilio.com"
# Twilio content (docs: twilio/quick-reply, twilio/list-picker): the text above the buttons up to
# 1,024 characters; in a session without template approval three quick replies; a list up to ten
# items of 24 characters (id 200, description 72), its button 20.
CONTENT_BODY_LIMIT = 1024
QUICK_REPLY_LIMIT = 3
QUICK_REPLY_TITLE_LIMIT = 20
LIST_ITEM_LIMIT = 10
LIST_ITEM_TITLE_LIMIT = 24
LIST_ITEM_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20
ID_LIMIT = 200
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
    # Twilio's Content API; empty: content.twilio.com, or `api_url` when that is not Twilio's own
    # (a test double serves both).
    content_api_url: str = ""

    @property
    def content_url(self) -> str:
        base = self.content_api_url or (DEFAULT_CONTENT_API_URL if self.api_url == DEFAULT_API_URL else self.api_url)
        return f"{base.rstrip('/')}/v1/Content"

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


def content_types(buttons: Sequence[Mapping[str, Any]], tokens: PayloadTokens, list_button: str) -> Optional[dict]:
    """The Twilio content type for these buttons, the text being variable {{1}}: quick replies (up
    to three), else a list picker (up to ten); None when WhatsApp cannot show them so."""
    payloads = [tokens.encode(p) for p in button_payloads(buttons)]
    wholes = [" ".join(str(b.get("title", "")).split()) for b in buttons]
    if len(buttons) <= QUICK_REPLY_LIMIT:
        titles = [shorten(t, QUICK_REPLY_TITLE_LIMIT) for t in wholes]
        if len(set(titles)) == len(titles):
            actions = [{"title": t, "id": p} for t, p in zip(titles, payloads, strict=True)]
            return {"twilio/quick-reply": {"body": "{{1}}", "actions": actions}}
    if len(buttons) > LIST_ITEM_LIMIT:
        return None
    titles = [shorten(t, LIST_ITEM_TITLE_LIMIT) for t in wholes]
    if len(set(titles)) < len(titles):
        return None
    items = [
        {"item": t, "id": p, "description": shorten(w, LIST_ITEM_DESCRIPTION_LIMIT)}
        for t, w, p in zip(titles, wholes, payloads, strict=True)
    ]
    return {"twilio/list-picker": {"body": "{{1}}", "button": shorten(list_button, LIST_BUTTON_LIMIT), "items": items}}


class ContentShelf:
    """The Twilio content created for each set of buttons (by a hash of its definition), so each
    set is created once per process; kept a day, in memory. A set Twilio refused is not asked for
    again for ten minutes (its buttons are numbered meanwhile)."""

    def __init__(self, max_size: int = 1_000, ttl: float = 24 * 60 * 60, retry_after: float = 600):
        self._sids: TTLCache[str] = TTLCache(max_size, ttl)
        self._refused: TTLCache[bool] = TTLCache(max_size, retry_after)

    def refused(self, types: Mapping[str, Any]) -> bool:
        return self.key(types) in self._refused

    def refuse(self, types: Mapping[str, Any]) -> None:
        self._refused.set(self.key(types), True)

    @staticmethod
    def key(types: Mapping[str, Any]) -> str:
        return hashlib.sha256(json.dumps(types, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]

    def get(self, types: Mapping[str, Any]) -> Optional[str]:
        return self._sids.get(self.key(types))

    def set(self, types: Mapping[str, Any], sid: str) -> None:
        self._sids.set(self.key(types), sid)


class TwilioWhatsAppOutput(MessengerOutput):
    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    channel: TwilioWhatsAppInput
    text_limit = TEXT_LIMIT

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
        shown_text, shown = self.shaped(self.text_above(text, buttons, kwargs), buttons)
        language = message_language(shown_text, shown, kwargs, self.language)
        types = content_types(shown, self.channel.tokens, self.list_button(shown_text, shown, kwargs))
        sid = await self.content_sid(types, language) if types else None
        if sid is None:
            await self._send(recipient_id, self.numbered_with_sources(recipient_id, text, buttons, kwargs))
            return
        self.options.remember_buttons(recipient_id, shown, numbered=False)
        # The text above the buttons may hold 1024 characters; anything before goes out as plain text.
        parts = split_text(shown_text, TEXT_LIMIT)
        parts[-1:] = split_text(parts[-1], CONTENT_BODY_LIMIT)
        for part in parts[:-1]:
            await self._post(recipient_id, {"Body": part})
        await self._post(recipient_id, {"ContentSid": sid, "ContentVariables": json.dumps({"1": parts[-1]}, ensure_ascii=False)})

    async def content_sid(self, types: dict, language: str) -> Optional[str]:
        """The sid of the Twilio content for these buttons, created at the first use; None when
        Twilio did not create it (the buttons are then numbered)."""
        known = self.channel.contents.get(types)
        if known or self.channel.contents.refused(types):
            return known
        definition = {
            "friendly_name": f"lotse_{ContentShelf.key(types)}",
            "language": language,
            "variables": {"1": "Text"},
            "types": types,
        }
        delivery = await self.sender.post(
            self.config.content_url,
            "twilio content",
            json_body=definition,
            auth=aiohttp.BasicAuth(self.config.account_sid, self.config.auth_token),
        )
        sid = str(as_dict(delivery.data if delivery else None).get("sid") or "")
        if not delivery or delivery.status >= 300 or not sid.startswith("HX"):
            logger.warning("twilio_whatsapp: content not created; buttons sent as numbers")
            self.channel.contents.refuse(types)
            return None
        self.channel.contents.set(types, sid)
        return sid

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
                content_api_url=str(credentials.get("content_api_url") or ""),
            )
        )

    def __init__(self, config: TwilioConfig, sender: Optional[HttpSender] = None):
        super().__init__(config, sender)
        self.validator = RequestValidator(config.auth_token)
        self.tokens = PayloadTokens(ID_LIMIT)
        self.contents = ContentShelf()

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

    def parse_message(self, params: Mapping[str, str]) -> Optional[Incoming]:
        sender_id = params.get("From") or ""
        message_sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
        if not sender_id or not message_sid:
            return None  # e.g. a status callback pointed at this URL
        # A quick reply sends its id as ButtonPayload, a list item as ListId; an unknown token
        # (Lotse restarted since) falls back to what the person saw.
        chosen = params.get("ButtonPayload") or params.get("ListId")
        text = ((self.tokens.decode(chosen) if chosen else None) or params.get("Body") or "").strip()
        if not text:
            # Media, locations, contacts: Lotse reads text only (a friendly note, not a crash).
            return Incoming(sender_id, None, message_sid)
        return Incoming(sender_id, text, message_sid)
