"""The base of Lotse's messenger channels (Telegram, Facebook Messenger, WhatsApp via Twilio and
the WhatsApp Cloud API), written once.

`MessengerInput` holds what every channel does alike: its configuration and outbound HTTP client,
the routes (health, webhook, Meta's subscription check), de-duplication of redeliveries and the
background handling of each new message after the webhook has answered. `MessengerOutput` picks
the language of the texts a channel adds itself (the hint below numbered options, the text above
buttons that came without one). Each channel keeps only what is its own: checking and reading the
platform's deliveries, and sending within the platform's limits.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint
from sanic.response import HTTPResponse

from lotse.knowledge.content import MORE_PAYLOAD, compact_footer, publishers_footer, split_footer
from lotse.language.messages import messages_for
from lotse.rasa_server.channels.common import (
    BackgroundTasks,
    Deduplicator,
    HttpSender,
    Incoming,
    OnNewMessage,
    OptionMemory,
    dispatch,
    message_language,
    render_numbered,
    webhook_routes,
)

logger = logging.getLogger(__name__)

# One item of a platform's delivery, as the channel's parser yields it (a message, an update).
Event = Any
def is_core(buttons: Sequence[Mapping[str, Any]]) -> bool:
    """An answer's short first message: it offers "Mehr dazu" (its details)."""
    return any(b.get("payload") == MORE_PAYLOAD for b in buttons)


def with_sources(text: str, limit: int, buttons: Sequence[Mapping[str, Any]] = (), reserve: int = 0) -> str:
    """An answer's text with its footer as one short "Quellen:" line and the review date. An
    answer's core (the first message, short for a phone, issue #22) names who published its sources
    (lotse.knowledge.content.publishers_footer); its details ("Mehr dazu") name every title, with
    the address of each source that fits into `limit` characters (compact_footer), `reserve` of
    them left for what the channel adds below (numbered options). Other texts stay as they are."""
    body, found = split_footer(text)
    if found is None:
        return text
    if is_core(buttons):
        return f"{body}\n\n{publishers_footer(found)}"
    return f"{body}\n\n{compact_footer(found, limit - reserve - len(body) - 2)}"


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

    def numbered(self, text: str, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any]) -> str:
        """The buttons as numbered options below the text, with the hint in the message's language."""
        return render_numbered(text, buttons, message_language(text, buttons, message, self.language))

    def numbered_with_sources(self, text: str, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any], limit: int) -> str:
        """An answer with its short sources line (`with_sources`), then its buttons as numbered options."""
        options = self.numbered("", buttons, message)
        return self.numbered(with_sources(text, limit, buttons, reserve=len(options) + 2), buttons, message)

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
            self.tasks.spawn(dispatch(incoming, output, on_new_message, self.name()), f"{self.name()} message")
            handled += 1
        logger.debug("%s: %s message(s) accepted", self.name(), handled)
