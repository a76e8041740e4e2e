"""Facebook Messenger channel: hub verification, X-Hub-Signature-256, every event of a batch.

Unlike Rasa's stock connector it accepts only the SHA-256 signature (compared in constant time),
handles every messaging event of every entry, ignores redeliveries and answers before replying.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

from sanic import response
from sanic.response import HTTPResponse

from lotse.guards.secrets import hmac_sha256_valid, secrets_equal
from lotse.rasa_server.channels.common import (
    HttpSender,
    Incoming,
    PayloadTokens,
    as_dict,
    as_list,
    button_payloads,
    header,
    parse_json,
    required_credentials,
    shorten,
    split_text,
)
from lotse.rasa_server.channels.messenger import MessengerInput, MessengerOutput, with_sources

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com/v19.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20
QUICK_REPLY_PAYLOAD_LIMIT = 1000


@dataclass(frozen=True)
class FacebookConfig:
    verify_token: str
    app_secret: str
    page_access_token: str
    api_url: str = DEFAULT_API_URL


def signed_delivery(app_secret: str, headers: Mapping[str, str], body: bytes, channel: str) -> Union[dict, HTTPResponse]:
    """Meta's webhook body (Messenger and WhatsApp Cloud API), or the error response to send.

    The body counts only with a valid `X-Hub-Signature-256` over the raw bytes."""
    if not hmac_sha256_valid(app_secret, body, header(headers, SIGNATURE_HEADER)):
        logger.warning("%s: delivery with missing or wrong signature rejected", channel)
        return response.text("forbidden", status=403)
    delivery = parse_json(body)
    if delivery is None:
        return response.text("bad request", status=400)
    return delivery


def hub_challenge(args: Mapping[str, str], verify_token: str) -> HTTPResponse:
    """Meta's subscription check (shared with the WhatsApp Cloud API): echo the challenge."""
    if args.get("hub.mode") == "subscribe" and secrets_equal(args.get("hub.verify_token"), verify_token):
        return response.text(str(args.get("hub.challenge") or ""))
    return response.text("forbidden", status=403)


def quick_replies(buttons: Sequence[Mapping[str, Any]], tokens: PayloadTokens) -> list[dict]:
    return [
        {
            "content_type": "text",
            "title": shorten(str(b.get("title", "")), QUICK_REPLY_TITLE_LIMIT),
            "payload": tokens.encode(payload),
        }
        for b, payload in zip(buttons, button_payloads(buttons), strict=True)
    ]


class MetaInput(MessengerInput):
    """Meta's webhooks (Messenger and the WhatsApp Cloud API): the subscription check, the signed
    body and the answer Meta expects."""

    def verify(self, request: Any) -> HTTPResponse:
        return hub_challenge(request.args, self.config.verify_token)

    def read(self, headers: Mapping[str, str], body: bytes) -> dict | HTTPResponse:
        return signed_delivery(self.config.app_secret, headers, body, self.name())

    def acknowledgement(self) -> HTTPResponse:
        return response.text("EVENT_RECEIVED")


class FacebookOutput(MessengerOutput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    channel: FacebookInput
    text_limit = TEXT_LIMIT

    async def _post(self, recipient_id: str, message: dict) -> None:
        await self.sender.post(
            f"{self.config.api_url.rstrip('/')}/me/messages",
            "facebook send",
            json_body={"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message},
            headers={"Authorization": f"Bearer {self.config.page_access_token}"},
        )

    async def _send(self, recipient_id: str, text: str, replies: Optional[list[dict]] = None) -> None:
        parts = split_text(text, TEXT_LIMIT)
        for number, part in enumerate(parts, 1):
            message: dict = {"text": part}
            if replies and number == len(parts):
                message["quick_replies"] = replies
            await self._post(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, with_sources(text, TEXT_LIMIT))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        shown_text, shown = self.shaped(self.text_above(text, buttons, kwargs), buttons)
        if len(shown) > QUICK_REPLY_LIMIT:
            await self._send(recipient_id, self.numbered_with_sources(recipient_id, text, buttons, kwargs))
            return
        self.options.remember_buttons(recipient_id, shown, numbered=False)
        await self._send(recipient_id, shown_text, quick_replies(shown, self.channel.tokens))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(recipient_id, {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}})


class FacebookInput(MetaInput):
    output_class = FacebookOutput

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "FacebookInput":
        given = required_credentials(cls, credentials, ("verify_token", "app_secret", "page_access_token"))
        return cls(FacebookConfig(**given, api_url=str(credentials.get("api_url") or DEFAULT_API_URL)))

    def __init__(self, config: FacebookConfig, sender: Optional[HttpSender] = None):
        super().__init__(config, sender)
        self.tokens = PayloadTokens(QUICK_REPLY_PAYLOAD_LIMIT)

    def parse_delivery(self, delivery: Mapping[str, Any]) -> Iterator[tuple[str, Incoming]]:
        """(de-duplication key, message) for every user message or postback in every entry."""
        if delivery.get("object") != "page":
            return
        for entry in map(as_dict, as_list(delivery.get("entry"))):
            for event in map(as_dict, as_list(entry.get("messaging"))):
                parsed = parse_event(event, self.tokens)
                if parsed is not None:
                    yield parsed


def parse_event(event: Mapping[str, Any], tokens: PayloadTokens) -> Optional[tuple[str, Incoming]]:
    sender_id = str(as_dict(event.get("sender")).get("id") or "")
    if not sender_id:
        return None
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None  # the page's own messages, Lotse's replies included
        mid = str(message.get("mid") or f"{sender_id}:{event.get('timestamp')}")
        quick_reply = as_dict(message.get("quick_reply"))
        # An unknown token (Lotse restarted) falls back to the button's title, which is the text.
        text = (tokens.decode(str(quick_reply["payload"])) if quick_reply.get("payload") else None) or message.get("text")
        return f"m:{mid}", Incoming(sender_id, str(text) if text else None, mid)
    postback = event.get("postback")
    if isinstance(postback, dict):
        payload = str(postback.get("payload") or postback.get("title") or "")
        key = postback.get("mid") or f"{sender_id}:{event.get('timestamp')}:{payload}"
        return f"p:{key}", Incoming(sender_id, payload, str(key))
    return None  # deliveries, reads, reactions
