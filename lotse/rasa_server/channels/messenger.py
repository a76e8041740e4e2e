"""The base of Lotse's messenger channels (Telegram, Facebook Messenger, WhatsApp via Twilio and
the WhatsApp Cloud API), written once.

`MessengerInput` holds what every channel does alike: its configuration and outbound HTTP client,
the routes (health, webhook, Meta's subscription check), de-duplication of redeliveries and the
background handling of each new message after the webhook has answered, and the "Quellen" button
under an answer's core, which the channel answers itself (`SourceShelf`). `MessengerOutput` shapes
an answer for a phone (the core alone, its sources behind "Quellen"; issue #22) and picks the
language of the texts a channel adds itself (the hint below numbered options, the text above
buttons that came without one). Each channel keeps only what is its own: checking and reading the
platform's deliveries, and sending within the platform's limits.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint
from sanic.response import HTTPResponse

from lotse.knowledge.content import MORE_PAYLOAD, Footer, compact_footer, split_footer
from lotse.language.messages import messages_for
from lotse.rasa_server.channels.common import (
    DAY,
    BackgroundTasks,
    Deduplicator,
    HttpSender,
    Incoming,
    OnNewMessage,
    OptionMemory,
    TTLCache,
    dispatch,
    message_language,
    render_numbered,
    webhook_routes,
)

logger = logging.getLogger(__name__)

# One item of a platform's delivery, as the channel's parser yields it (a message, an update).
Event = Any
# The payload of the "Quellen" button under an answer's core: answered by the channel itself
# (`SourceShelf`), never handed to Rasa; a key after the colon names the sources.
SOURCES_PAYLOAD = "/lotse_sources"


def is_core(buttons: Sequence[Mapping[str, Any]]) -> bool:
    """An answer's short first message: it offers "Mehr dazu" (its details)."""
    return any(b.get("payload") == MORE_PAYLOAD for b in buttons)


def with_sources(text: str, limit: int, reserve: int = 0) -> str:
    """A text with its footer as one short "Quellen:" line and the review date: every title, with
    the address of each source that fits into `limit` characters (compact_footer), `reserve` of them
    left for what the channel adds below (numbered options). Texts without a footer stay as they are.
    An answer's core does not come here: its sources are behind a button (`MessengerOutput.shaped`)."""
    body, found = split_footer(text)
    if found is None:
        return text
    return f"{body}\n\n{compact_footer(found, limit - reserve - len(body) - 2)}"


class SourceShelf:
    """The sources of the cores a channel has sent, by a short key in their "Quellen" button, so a
    tap on the button of any earlier answer shows that answer's sources. Footers are public content
    (no personal data); kept for a day, in the memory of the Rasa process."""

    def __init__(self, max_size: int = 10_000, ttl: float = DAY):
        self._footers: TTLCache[Footer] = TTLCache(max_size, ttl)

    def button(self, found: Footer) -> dict[str, str]:
        """The button that shows these sources, named by their label ("Quellen", "Sources")."""
        key = hashlib.sha256(repr(found).encode("utf-8")).hexdigest()[:12]
        self._footers.set(key, found)
        return {"title": found.label, "payload": f"{SOURCES_PAYLOAD}:{key}"}

    @staticmethod
    def is_request(text: str | None) -> bool:
        """Whether a user message is a tap on (or the typed title of) a "Quellen" button."""
        return bool(text) and (text == SOURCES_PAYLOAD or str(text).startswith(SOURCES_PAYLOAD + ":"))

    def get(self, payload: str) -> Footer | None:
        """The sources a button's payload names; None when they are no longer known (a restart)."""
        return self._footers.get(payload.partition(":")[2])


class MessengerOutput(OutputChannel):
    """Base for Lotse's output channels: custom JSON is platform-specific and Lotse sends none.

    `language` is the language of the user's message being answered: the texts a channel adds
    itself fall back to it when the outgoing message does not show its own language."""

    def __init__(self, channel: MessengerInput, language: str | None = None):
        self.channel = channel
        self.config = channel.config
        self.sender = channel.sender
        self.options = channel.options
        self.language = language

    text_limit: ClassVar[int] = 4096

    def numbered(self, text: str, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> str:
        """The buttons as numbered options below the text, with the hint in the message's language."""
        return render_numbered(text, buttons, message_language(text, buttons, message, self.language))

    def shaped(self, text: str, buttons: Sequence[Mapping[str, Any]], reserve: int = 0) -> tuple[str, list[dict[str, Any]]]:
        """The text and buttons to send (issue #22). An answer's core goes without its footer: its
        sources are one more button, "Quellen", that shows them (titles, addresses, review date),
        as the widget folds them under "Quellen". Other texts get their short "Quellen:" line
        (`with_sources`, `reserve` characters left for numbered options)."""
        body, found = split_footer(text)
        if found is not None and is_core(buttons):
            return body, [*buttons, self.channel.sources.button(found)]
        return with_sources(text, self.text_limit, reserve), list(buttons)

    def numbered_with_sources(self, recipient_id: str, text: str, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> str:
        """An answer (`shaped`), then its buttons as numbered options; the options are remembered."""
        reserve = len(self.numbered("", buttons, message)) + 2
        text, buttons = self.shaped(text, buttons, reserve)
        self.options.remember_buttons(recipient_id, buttons, numbered=True)
        return self.numbered(text, buttons, message)

    def list_button(self, text: str, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> str:
        """The label of the button that opens a list of options (WhatsApp): under an answer's core
        it names "Mehr dazu" and "Quellen", the list's first and last rows."""
        key = "list_button_core" if is_core(buttons) else "list_button"
        return messages_for(message_language(text, buttons, message, self.language))(key)

    async def send_sources(self, recipient_id: str, found: Footer) -> None:
        """The sources of an answer, asked for with its "Quellen" button: every title, and every
        address that fits into one message."""
        await self.send_text_message(recipient_id, compact_footer(found, self.text_limit))

    def text_above(self, text: str | None, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> str:
        """The text to show the buttons under: the message's own, or "please choose" in its language."""
        if text:
            return text
        return messages_for(message_language(text, buttons, message, self.language))("buttons_without_text")

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        logger.warning("%s: custom payloads are not supported; not sent", self.name())


class MessengerInput(InputChannel):
    """A messenger's webhook: check and read a delivery, answer at once, handle each new message
    in the background (so the platform never waits for Rasa and never redelivers because of it)."""

    output_class: ClassVar[type[MessengerOutput]]
    # Meta's platforms check the subscription with a GET on the webhook URL; a channel that needs
    # this defines `verify(request)`.
    verify: Callable[[Any], HTTPResponse] | None = None

    @classmethod
    def name(cls) -> str:
        return cls.output_class.name()

    def __init__(self, config: Any, sender: HttpSender | None = None):
        self.config = config
        self.sender = sender or HttpSender()
        self.options = OptionMemory()
        self.sources = SourceShelf()
        self.seen = Deduplicator()
        self.tasks = BackgroundTasks()

    def get_output_channel(self, language: str | None = None) -> MessengerOutput:
        """The channel's output for one answer; `language` is that of the user's message."""
        return self.output_class(self, language)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = webhook_routes(f"lotse_{self.name()}", lambda request: self.handle(request, on_new_message), self.verify)

        @bp.listener("before_server_stop")
        async def _stop(app: Any, loop: Any) -> None:
            # Lets running replies finish (briefly) and closes the HTTP session.
            await self.tasks.join(timeout=5)
            await self.sender.close()

        return bp

    async def handle(self, request: Any, on_new_message: OnNewMessage) -> HTTPResponse:
        return await self.receive(request.headers, request.body, on_new_message)

    async def receive(self, headers: Mapping[str, str], body: bytes, on_new_message: OnNewMessage) -> HTTPResponse:
        """Checks and reads a delivery, answers at once and handles its new messages in the background."""
        delivery = self.read(headers, body)
        if isinstance(delivery, HTTPResponse):
            return delivery
        self.take(self.parse_delivery(delivery), on_new_message)
        return self.acknowledgement()

    def read(self, headers: Mapping[str, str], body: bytes) -> Mapping[str, Any] | HTTPResponse:
        """The platform's delivery when it is authentic and readable, else the response refusing it."""
        raise NotImplementedError

    def parse_delivery(self, delivery: Mapping[str, Any]) -> Iterable[tuple[str, Event]]:
        """(de-duplication key, event) for every event of a delivery."""
        raise NotImplementedError

    def acknowledgement(self) -> HTTPResponse:
        """What the platform expects back for an accepted delivery."""
        raise NotImplementedError

    def accept(self, event: Event) -> Incoming | None:
        """The user message an event brings the first time it is delivered (None: nothing to answer);
        a channel with more to do for a new event does it here."""
        return event if isinstance(event, Incoming) else None

    def take(self, events: Iterable[tuple[str, Event]], on_new_message: OnNewMessage) -> None:
        """Hands every event not seen before to Rasa in the background; redeliveries are dropped."""
        handled = 0
        for key, event in events:
            if not self.seen.first_time(key):
                continue
            incoming = self.accept(event)
            if incoming is None:
                continue
            incoming = self.options.apply(incoming)
            output = self.get_output_channel(incoming.reply_language)
            if self.sources.is_request(incoming.text):
                found = self.sources.get(str(incoming.text))
                if found is not None:
                    self.tasks.spawn(output.send_sources(incoming.sender_id, found), f"{self.name()} sources")
                    handled += 1
                    continue
                # Forgotten since (a restart): the details of the answer in context carry its sources.
                incoming = dataclasses.replace(incoming, text=MORE_PAYLOAD)
            self.tasks.spawn(dispatch(incoming, output, on_new_message, self.name()), f"{self.name()} message")
            handled += 1
        logger.debug("%s: %s message(s) accepted", self.name(), handled)
