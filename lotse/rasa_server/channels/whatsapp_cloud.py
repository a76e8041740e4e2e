"""WhatsApp Cloud API channel (Meta): hub verification, X-Hub-Signature-256, 24-hour window.

Rasa has no connector for it. This one checks the signature on the raw body, handles every
message of every entry and change, ignores redeliveries, answers before replying, sends
buttons as interactive reply buttons and never sends a free-form message outside the 24 hours
after the user's last message (WhatsApp allows only templates there; Lotse sends none).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Sequence

from lotse.rasa_server.channels.common import (
    HttpSender,
    Incoming,
    PayloadTokens,
    ReplyWindow,
    as_dict,
    as_list,
    button_payloads,
    required_credentials,
    shorten,
    split_text,
)
from lotse.rasa_server.channels.facebook import MetaInput
from lotse.rasa_server.channels.messenger import MessengerOutput, with_sources

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com/v19.0"
TEXT_LIMIT = 4096
BUTTON_BODY_LIMIT = 1024
BUTTON_LIMIT = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_ROW_LIMIT = 10
LIST_ROW_TITLE_LIMIT = 24
LIST_ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20
LIST_ROW_ID_LIMIT = 200
# Message types that carry no text: the user gets the "text only" note.
MEDIA_TYPES = {"image", "audio", "video", "document", "sticker", "location", "contacts", "voice"}


@dataclass(frozen=True)
class WhatsAppCloudConfig:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_url: str = DEFAULT_API_URL


@dataclass(frozen=True)
class CloudMessage:
    message_id: str
    sender_id: str
    sent_at: Optional[float]
    incoming: Optional[Incoming]  # None: nothing to answer (a reaction, an unsupported type)


def reply_buttons(buttons: Sequence[Mapping[str, Any]], tokens: PayloadTokens) -> Optional[list[dict]]:
    """Interactive reply buttons, or None when WhatsApp cannot show these (too many, equal titles)."""
    titles = [shorten(str(b.get("title", "")), BUTTON_TITLE_LIMIT) for b in buttons]
    if len(buttons) > BUTTON_LIMIT or len(set(titles)) < len(titles):
        return None
    return [
        {"type": "reply", "reply": {"id": tokens.encode(payload), "title": title}}
        for title, payload in zip(titles, button_payloads(buttons), strict=True)
    ]


def list_rows(buttons: Sequence[Mapping[str, Any]], tokens: PayloadTokens) -> Optional[list[dict]]:
    """The rows of an interactive list (up to ten), or None when WhatsApp cannot show these. A title
    longer than a row allows is shortened, and then given whole as the row's description."""
    if len(buttons) > LIST_ROW_LIMIT:
        return None
    rows = []
    for button, payload in zip(buttons, button_payloads(buttons), strict=True):
        whole = " ".join(str(button.get("title", "")).split())
        row = {"id": tokens.encode(payload), "title": shorten(whole, LIST_ROW_TITLE_LIMIT)}
        if row["title"] != whole:
            row["description"] = shorten(whole, LIST_ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    titles = [r["title"] for r in rows]
    return rows if len(set(titles)) == len(titles) else None


class WhatsAppCloudOutput(MessengerOutput):
    @classmethod
    def name(cls) -> str:
        return "whatsapp_cloud"

    channel: WhatsAppCloudInput
    text_limit = TEXT_LIMIT

    async def _post(self, recipient_id: str, message: dict) -> None:
        if not self.channel.window.is_open(recipient_id):
            logger.warning("whatsapp_cloud: outside the 24-hour window; free-form %s message not sent", message.get("type"))
            return
        await self.sender.post(
            f"{self.config.api_url.rstrip('/')}/{self.config.phone_number_id}/messages",
            "whatsapp_cloud send",
            json_body={"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient_id, **message},
            headers={"Authorization": f"Bearer {self.config.access_token}"},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_text(recipient_id, with_sources(text, TEXT_LIMIT))

    async def _send_text(self, recipient_id: str, text: str) -> None:
        for part in split_text(text, TEXT_LIMIT):
            await self._post(recipient_id, {"type": "text", "text": {"body": part, "preview_url": False}})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        text, shown = self.shaped(self.text_above(text, buttons, kwargs), buttons)
        choices = reply_buttons(shown, self.channel.tokens)
        if choices is not None:
            action: dict[str, Any] = {"buttons": choices}
            kind = "button"
        else:
            rows = list_rows(shown, self.channel.tokens)
            if rows is None:
                await self._send_text(recipient_id, self.numbered_with_sources(recipient_id, text, buttons, kwargs))
                return
            label = self.list_button(text, shown, kwargs)
            action = {"button": shorten(label, LIST_BUTTON_LIMIT), "sections": [{"rows": rows}]}
            kind = "list"
        self.options.remember_buttons(recipient_id, shown, numbered=False)
        # The text above buttons or a list may hold 1024 characters; anything before goes out as plain text.
        parts = split_text(text, TEXT_LIMIT)
        parts[-1:] = split_text(parts[-1], BUTTON_BODY_LIMIT)
        for part in parts[:-1]:
            await self._send_text(recipient_id, part)
        interactive = {"type": kind, "body": {"text": parts[-1]}, "action": action}
        await self._post(recipient_id, {"type": "interactive", "interactive": interactive})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(recipient_id, {"type": "image", "image": {"link": image}})


class WhatsAppCloudInput(MetaInput):
    output_class = WhatsAppCloudOutput

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "WhatsAppCloudInput":
        given = required_credentials(cls, credentials, ("verify_token", "app_secret", "access_token", "phone_number_id"))
        return cls(WhatsAppCloudConfig(**given, api_url=str(credentials.get("api_url") or DEFAULT_API_URL)))

    def __init__(self, config: WhatsAppCloudConfig, sender: Optional[HttpSender] = None, window: Optional[ReplyWindow] = None):
        super().__init__(config, sender)
        self.window = window or ReplyWindow()
        # Row ids of a list may be 200 characters, button ids 256: one limit for both.
        self.tokens = PayloadTokens(min(BUTTON_ID_LIMIT, LIST_ROW_ID_LIMIT))

    def accept(self, message: CloudMessage) -> Incoming | None:
        # Every new message opens the 24 hours, also one Lotse does not answer (a reaction).
        self.window.touch(message.sender_id, message.sent_at)
        return message.incoming

    def parse_delivery(self, delivery: Mapping[str, Any]) -> Iterator[tuple[str, CloudMessage]]:
        """Every user message in every entry and change addressed to Lotse's number."""
        if delivery.get("object") != "whatsapp_business_account":
            return
        for entry in map(as_dict, as_list(delivery.get("entry"))):
            for change in map(as_dict, as_list(entry.get("changes"))):
                value = as_dict(change.get("value"))
                if change.get("field") != "messages":
                    continue
                if str(as_dict(value.get("metadata")).get("phone_number_id", "")) != self.config.phone_number_id:
                    continue  # another number of the same Meta app
                for message in map(as_dict, as_list(value.get("messages"))):  # "statuses" (sent, read) are not messages
                    parsed = parse_message(message, self.tokens)
                    if parsed is not None:
                        yield parsed.message_id, parsed


def parse_message(message: Mapping[str, Any], tokens: PayloadTokens) -> Optional[CloudMessage]:
    message_id, sender_id = str(message.get("id") or ""), str(message.get("from") or "")
    if not message_id or not sender_id:
        return None
    try:
        sent_at: Optional[float] = float(message.get("timestamp"))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        sent_at = None
    kind = message.get("type")
    text: Optional[str] = None
    if kind == "text":
        text = as_dict(message.get("text")).get("body")
    elif kind == "interactive":
        interactive = as_dict(message.get("interactive"))
        reply = as_dict(interactive.get("button_reply") or interactive.get("list_reply"))
        # An unknown token (Lotse restarted since sending the button) falls back to its title.
        text = tokens.decode(str(reply.get("id") or "")) or reply.get("title")
    elif kind == "button":
        button = as_dict(message.get("button"))
        text = button.get("payload") or button.get("text")
    elif kind not in MEDIA_TYPES:
        return CloudMessage(message_id, sender_id, sent_at, None)
    incoming = Incoming(sender_id, str(text) if text else None, message_id)
    return CloudMessage(message_id, sender_id, sent_at, incoming)
