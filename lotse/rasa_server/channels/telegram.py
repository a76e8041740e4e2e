"""Telegram channel: webhook with secret-token check, inline-keyboard buttons, background replies.

Unlike Rasa's stock connector it never calls Telegram at start-up or per update; the webhook is
registered once with `python -m lotse.rasa_server.channels.telegram set-webhook --url https://…/webhooks/telegram/webhook`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from sanic import response
from sanic.response import HTTPResponse

from lotse.core.credentials import channel_values
from lotse.guards.secrets import secrets_equal
from lotse.language.languages import is_supported
from lotse.rasa_server.channels.common import (
    HttpSender,
    Incoming,
    PayloadTokens,
    as_dict,
    as_list,
    header,
    parse_json,
    split_text,
)
from lotse.rasa_server.channels.messenger import MessengerInput, MessengerOutput, with_sources

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
WEBHOOK_PATH = "/webhooks/telegram/webhook"


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    secret: str
    api_url: str = DEFAULT_API_URL

    def method_url(self, method: str) -> str:
        return f"{self.api_url.rstrip('/')}/bot{self.token}/{method}"


def config_from_credentials(credentials: Optional[Mapping[str, Any]]) -> TelegramConfig:
    if not credentials or not credentials.get("access_token") or not credentials.get("secret_token"):
        TelegramInput.raise_missing_credentials_exception()
    return TelegramConfig(
        token=str(credentials["access_token"]),
        secret=str(credentials["secret_token"]),
        api_url=str(credentials.get("api_url") or DEFAULT_API_URL),
    )


def inline_keyboard(buttons: Sequence[Mapping[str, Any]], tokens: PayloadTokens) -> dict:
    """One button per row: Lotse's titles are often too long to sit side by side."""
    rows = [
        [{"text": str(b.get("title", "")), "callback_data": tokens.encode(str(b.get("payload") or b.get("title") or ""))}]
        for b in buttons
    ]
    return {"inline_keyboard": rows}


class TelegramOutput(MessengerOutput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    channel: TelegramInput
    text_limit = TEXT_LIMIT

    async def call(self, method: str, body: dict) -> None:
        await self.sender.post(self.config.method_url(method), f"telegram {method}", json_body=body)

    async def _send(self, chat_id: str, text: str, reply_markup: Optional[dict] = None) -> None:
        parts = split_text(text, TEXT_LIMIT)
        for number, part in enumerate(parts, 1):
            body: dict = {"chat_id": chat_id, "text": part, "link_preview_options": {"is_disabled": True}}
            if reply_markup and number == len(parts):
                body["reply_markup"] = reply_markup
            await self.call("sendMessage", body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, with_sources(text, TEXT_LIMIT))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        text, shown = self.shaped(self.text_above(text, buttons, kwargs), buttons)
        self.options.remember_buttons(recipient_id, shown, numbered=False)
        await self._send(recipient_id, text, inline_keyboard(shown, self.channel.tokens))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.call("sendPhoto", {"chat_id": recipient_id, "photo": image})


class TelegramInput(MessengerInput):
    output_class = TelegramOutput

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "TelegramInput":
        return cls(config_from_credentials(credentials))

    def __init__(self, config: TelegramConfig, sender: Optional[HttpSender] = None):
        super().__init__(config, sender)
        self.tokens = PayloadTokens(CALLBACK_DATA_LIMIT)

    def read(self, headers: Mapping[str, str], body: bytes) -> dict | HTTPResponse:
        """The update, when it carries the secret token set with the webhook."""
        if not secrets_equal(header(headers, SECRET_HEADER), self.config.secret):
            logger.warning("telegram: update with missing or wrong secret token rejected")
            return response.json({"ok": False}, status=403)
        update = parse_json(body)
        if update is None:
            return response.json({"ok": False}, status=400)
        return update

    def parse_delivery(self, delivery: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Telegram delivers one update at a time, identified by its update_id."""
        if delivery.get("update_id") is not None:
            yield str(delivery["update_id"]), delivery

    def acknowledgement(self) -> HTTPResponse:
        return response.json({"ok": True})

    def accept(self, update: Mapping[str, Any]) -> Incoming | None:
        if isinstance(update.get("callback_query"), dict):
            # Stops the button's loading indicator; the reply does not wait for it.
            query_id = update["callback_query"].get("id")
            self.tasks.spawn(
                self.get_output_channel().call("answerCallbackQuery", {"callback_query_id": query_id}),
                "telegram answerCallbackQuery",
            )
        return self.parse_update(update)

    def parse_update(self, update: Mapping[str, Any]) -> Optional[Incoming]:
        if isinstance(update.get("callback_query"), dict):
            return self._parse_button(update["callback_query"])
        message = update.get("message")
        if not isinstance(message, dict):
            return None  # edited messages, channel posts, member updates: nothing to answer
        chat = as_dict(message.get("chat"))
        if chat.get("type", "private") != "private" or "id" not in chat:
            return None  # Lotse talks one to one only; a group would share a person's questions
        text = message.get("text")
        hint = language_hint(as_dict(message.get("from")).get("language_code"))
        if isinstance(text, str) and (text == "/start" or text.startswith("/start ")):
            # What Telegram sends when someone opens the bot: greet in the app's language.
            text = "/greet" + (json.dumps({"language": hint}) if hint else "")
        return Incoming(
            str(chat["id"]), text if isinstance(text, str) else None, str(message.get("message_id", "")), hint
        )

    def _parse_button(self, query: Mapping[str, Any]) -> Optional[Incoming]:
        message = as_dict(query.get("message"))
        chat_id = as_dict(message.get("chat")).get("id") or as_dict(query.get("from")).get("id")
        if chat_id is None:
            return None
        data = str(query.get("data") or "")
        payload = self.tokens.decode(data)
        if payload is None:
            # Lotse restarted since it sent the button: fall back to what the button said.
            payload = _button_text(message, data)
        return Incoming(str(chat_id), payload, str(query.get("id", "")))


def language_hint(code: object) -> Optional[str]:
    """Telegram's IETF language tag ("en", "uk", "de-AT") as a language Lotse speaks, or None."""
    language = str(code or "").split("-")[0].lower()
    return language if is_supported(language) else None


def _button_text(message: Mapping[str, Any], data: str) -> Optional[str]:
    rows = as_list(as_dict(message.get("reply_markup")).get("inline_keyboard"))
    for row in rows:
        for button in map(as_dict, as_list(row)):
            if button.get("callback_data") == data:
                return str(button.get("text") or "")
    return None


# --- webhook registration (the only place that calls setWebhook) ------------------------------

async def set_webhook(config: TelegramConfig, url: str, sender: Optional[HttpSender] = None) -> tuple[bool, str]:
    sender = sender or HttpSender()
    try:
        delivery = await sender.post(
            config.method_url("setWebhook"),
            "telegram setWebhook",
            json_body={"url": url, "secret_token": config.secret, "allowed_updates": ["message", "callback_query"]},
        )
    finally:
        await sender.close()
    if delivery is None:
        return False, "Telegram could not be reached"
    data = delivery.data if isinstance(delivery.data, dict) else {}
    return bool(data.get("ok")), str(data.get("description") or f"HTTP {delivery.status}")


def main(argv: Optional[Sequence[str]] = None, env: Optional[Mapping[str, str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lotse.rasa_server.channels.telegram", description="Telegram channel tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("set-webhook", help="register Lotse's webhook (with the secret token) at Telegram")
    register.add_argument("--url", required=True, help=f"public HTTPS URL ending in {WEBHOOK_PATH}")
    args = parser.parse_args(argv)

    values = channel_values("telegram", os.environ if env is None else env)
    if values is None:
        print("Set LOTSE_TELEGRAM_TOKEN and LOTSE_TELEGRAM_SECRET first.", file=sys.stderr)
        return 2
    if not args.url.startswith("https://"):
        print("Telegram only delivers to HTTPS URLs.", file=sys.stderr)
        return 2
    if not args.url.rstrip("/").endswith(WEBHOOK_PATH):
        print(f"Note: Lotse receives Telegram updates at {WEBHOOK_PATH}.", file=sys.stderr)
    ok, description = asyncio.run(set_webhook(config_from_credentials(values), args.url))
    print(("Webhook registered: " if ok else "Webhook not registered: ") + description)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
