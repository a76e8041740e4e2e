"""Checks for chat requests from the public internet, shared by Rasa's REST channel
(lotse/rasa_server/channels/rest.py) and the web page's /api/chat (lotse/webserver/guard.py).

A request is a JSON object with a string `sender` (1–128 printable characters) and a string
`message`; everything else is refused with a clear answer in the user's language before it
reaches Rasa. NUL characters and lone surrogates (which no database or log can store) are
replaced. Answers are Rasa-shaped: `[{"text": ...}]`.
"""
from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

from lotse.language import languages
from lotse.language.languages import LANGUAGES
from lotse.language.messages import messages_for

if TYPE_CHECKING:
    from lotse.core.settings import Settings
    from lotse.guards.ratelimit import RateLimits

MAX_SENDER_CHARS = 128
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str
    metadata: Optional[dict[str, Any]] = None


def clean_text(text: str) -> str:
    """Without NUL and lone surrogates (replaced by U+FFFD)."""
    if not _needs_cleaning(text):
        return text
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in text)


def _needs_cleaning(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _valid_sender(sender: object) -> bool:
    return (
        isinstance(sender, str)
        and 0 < len(sender) <= MAX_SENDER_CHARS
        and sender.strip() != ""
        and not any(unicodedata.category(ch) in ("Cc", "Cs", "Cf") for ch in sender)
    )


def parse_chat_request(body: bytes) -> Union[ChatRequest, str]:
    """The request, or the key of the message that explains why it was refused."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # ValueError includes JSON and UTF-8 decoding errors
        return "request_unreadable"
    if not isinstance(payload, dict):
        return "request_unreadable"
    sender, message, metadata = payload.get("sender"), payload.get("message"), payload.get("metadata")
    if not _valid_sender(sender) or not isinstance(message, str):
        return "request_unreadable"
    if metadata is not None and not isinstance(metadata, dict):
        return "request_unreadable"
    return ChatRequest(sender, clean_text(message), metadata)


def sender_of(body: bytes) -> Optional[str]:
    """The conversation a (valid) request belongs to, for the rate limit; None otherwise."""
    parsed = parse_chat_request(body)
    return parsed.sender if isinstance(parsed, ChatRequest) else None


def reply_language(text: Optional[str], accept_language: Optional[str]) -> str:
    """The language to answer a refused request in (lotse.language.languages.reply_language): the
    text's own language where it is clear, else the browser's preference, else German."""
    return languages.reply_language((text or "")[:2000], preferred_language(accept_language))


def preferred_language(accept_language: Optional[str]) -> Optional[str]:
    """The first language of an Accept-Language header (or a bare code, "uk") that Lotse speaks."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return None


def answer(key: str, language: str, **values: object) -> list[dict[str, str]]:
    return [{"text": messages_for(language)(key, **values)}]


@dataclass(frozen=True)
class Refusal:
    """What to answer instead of passing a request on: an error status, or 200 with a normal
    reply for a message that is too long."""

    status: int
    answer: list[dict[str, str]]
    sender: Optional[str] = None  # known when the request itself was readable


def screen_chat_request(
    body: bytes, client_ip: str, limits: "RateLimits", settings: "Settings", accept_language: Optional[str]
) -> Union[ChatRequest, Refusal]:
    """The checks every public chat endpoint makes, in order: size, rate, shape, length."""
    if len(body) > settings.max_body_bytes:
        return Refusal(413, answer("request_too_large", reply_language(None, accept_language)))
    parsed = parse_chat_request(body)
    decision = limits.check(client_ip, parsed.sender if isinstance(parsed, ChatRequest) else None)
    text = parsed.message if isinstance(parsed, ChatRequest) else None
    if not decision.allowed:
        logger.warning("chat request: rate limit per %s reached", decision.reason)
        return Refusal(429, answer("rate_limited", reply_language(text, accept_language)))
    if not isinstance(parsed, ChatRequest):
        return Refusal(400, answer(parsed, reply_language(None, accept_language)))
    if len(parsed.message) > settings.max_message_chars:
        language = reply_language(parsed.message, accept_language)
        return Refusal(200, answer("message_too_long", language, max=settings.max_message_chars), parsed.sender)
    return parsed
