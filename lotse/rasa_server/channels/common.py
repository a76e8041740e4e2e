"""Pieces shared by Lotse's messenger channels, written once (their base classes are in
lotse/rasa_server/channels/messenger.py).

Signature checks, de-duplication, platform text limits, numbered options, long button payloads,
the language of an outgoing message, background processing, the webhook routes and the outbound
HTTP client. Nothing here logs message text or phone
numbers: log lines name the channel, the kind of event and counts only.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine, Generic, Mapping, Optional, Sequence, TypeVar

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.lock_store import LockError
from sanic import Blueprint

from lotse.core.settings import load_settings
from lotse.guards.chat_requests import clean_text
from lotse.language.languages import is_supported, reply_language
from lotse.language.messages import messages_for

logger = logging.getLogger(__name__)

DAY = 24 * 60 * 60

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
V = TypeVar("V")


# --- signatures and tokens -------------------------------------------------------------------

def required_credentials(channel: Any, credentials: Optional[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, str]:
    """The channel's required credentials as strings; Rasa's own error when one is missing."""
    if not credentials or not all(credentials.get(k) for k in keys):
        channel.raise_missing_credentials_exception()
    return {k: str(credentials[k]) for k in keys}


def header(headers: Mapping[str, str], name: str) -> Optional[str]:
    """Case-insensitive header lookup that works for Sanic's headers and for plain dicts."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, val in headers.items():
        if key.lower() == wanted:
            return val
    return None


def parse_json(body: bytes) -> Optional[dict]:
    """A JSON object, or None for anything else (broken, not UTF-8, or nested too deeply to parse)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def as_dict(value: Any) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: platform payloads are read defensively."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


# --- bounded memory --------------------------------------------------------------------------

class TTLCache(Generic[V]):
    """A bounded mapping whose entries expire after `ttl` seconds; when full, the oldest go first."""

    def __init__(self, max_size: int = 10_000, ttl: float = DAY, clock: Callable[[], float] = time.monotonic):
        self.max_size = max_size
        self.ttl = ttl
        self.clock = clock
        self._items: "OrderedDict[str, tuple[float, V]]" = OrderedDict()

    def __len__(self) -> int:
        self._expire(self.clock())
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def get(self, key: str) -> Optional[V]:
        self._expire(self.clock())
        item = self._items.get(key)
        return item[1] if item else None

    def set(self, key: str, value: V) -> None:
        now = self.clock()
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        self._expire(now)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def pop(self, key: str) -> Optional[V]:
        self._expire(self.clock())
        item = self._items.pop(key, None)
        return item[1] if item else None

    def _expire(self, now: float) -> None:
        # Entries are kept in the order they were set, so expired ones are always at the front.
        while self._items:
            stored_at, _ = next(iter(self._items.values()))
            if now - stored_at < self.ttl:
                break
            self._items.popitem(last=False)


class Deduplicator:
    """Remembers delivery ids so a platform's redelivery is handled only once."""

    def __init__(self, max_size: int = 10_000, ttl: float = DAY, clock: Callable[[], float] = time.monotonic):
        self._seen: TTLCache[bool] = TTLCache(max_size, ttl, clock)

    def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen.set(key, True)
        return True


class PayloadTokens:
    """Short stand-ins for button payloads that exceed a platform's limit (Telegram: 64 bytes).

    A token is derived from the payload, so the same payload always gets the same token.
    Tokens are remembered for a day; an unknown token decodes to None.
    """

    PREFIX = "lotse:"

    def __init__(self, max_bytes: int, max_size: int = 10_000, ttl: float = DAY):
        self.max_bytes = max_bytes
        self._payloads: TTLCache[str] = TTLCache(max_size, ttl)

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= self.max_bytes and not payload.startswith(self.PREFIX):
            return payload
        token = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
        self._payloads.set(token, payload)
        return token

    def decode(self, data: str) -> Optional[str]:
        if not data.startswith(self.PREFIX):
            return data
        return self._payloads.get(data)


@dataclass(frozen=True)
class Options:
    """The choices of the last message with buttons: their payloads, their titles, and whether they
    were shown with numbers (then a reply of just a number chooses one)."""

    payloads: tuple[str, ...]
    titles: tuple[str, ...] = ()
    numbered: bool = True


class OptionMemory:
    """The last options shown to each sender, so that a reply "2" means the second numbered option
    and a reply that is just a button's title ("Mehr dazu") means that button.

    Options are valid only for the sender's next message: `resolve` always forgets them, so a later
    number (an age, a count) is never mistaken for an old choice. Native buttons show no numbers, so
    there only their titles count.
    """

    def __init__(self, max_size: int = 10_000, ttl: float = DAY):
        self._options: TTLCache[Options] = TTLCache(max_size, ttl)

    def remember(self, sender_id: str, payloads: Sequence[str], titles: Sequence[str] = (), numbered: bool = True) -> None:
        self._options.set(sender_id, Options(tuple(payloads), tuple(titles), numbered))

    def remember_buttons(self, sender_id: str, buttons: Sequence[Mapping[str, Any]], numbered: bool) -> None:
        """The buttons just sent, shown as numbered options or as the platform's own buttons."""
        self.remember(sender_id, button_payloads(buttons), [str(b.get("title") or "") for b in buttons], numbered)

    def resolve(self, sender_id: str, text: str) -> str:
        options = self._options.pop(sender_id)
        if options is None:
            return text
        chosen = choose_by_title(options.payloads, options.titles, text)
        if chosen is None and options.numbered:
            chosen = choose_option(options.payloads, text)
        return chosen if chosen is not None else text

    def apply(self, incoming: "Incoming") -> "Incoming":
        """The message with a chosen number or title replaced by that option's payload."""
        if incoming.text is None:
            return incoming
        return dataclasses.replace(incoming, text=self.resolve(incoming.sender_id, incoming.text))


class ReplyWindow:
    """When each sender last wrote to us (WhatsApp allows free-form replies for 24 hours only)."""

    def __init__(self, max_size: int = 10_000, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._last: TTLCache[float] = TTLCache(max_size, DAY, clock)

    def touch(self, sender_id: str, sent_at: Optional[float] = None) -> None:
        now = self.clock()
        # The platform's own timestamp is what counts; never trust one from the future.
        self._last.set(sender_id, min(sent_at, now) if sent_at else now)

    def is_open(self, sender_id: str) -> bool:
        last = self._last.get(sender_id)
        return last is not None and self.clock() - last < DAY


# --- text ------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…:;](?=\s)")


def text_units(text: str) -> int:
    """Length in UTF-16 code units: Telegram counts so, and it is never less than the character count."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_length(text: str, limit: int) -> int:
    """How many characters of `text` fit into `limit` units."""
    window = text[:limit]
    excess = text_units(window) - limit
    while excess > 0:
        # A character is one or two units, so dropping excess // 2 characters never drops too many.
        window = window[: -max(1, excess // 2)]
        excess = text_units(window) - limit
    return max(1, len(window))


def _cut_position(text: str, size: int) -> int:
    """Where to cut `text` so that the first part is at most `size` characters long."""
    for separator in ("\n\n", "\n"):
        position = text.rfind(separator, 0, size + len(separator))
        if position > 0:
            return position
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, size + 1) if m.end() <= size]
    if sentence_ends:
        return sentence_ends[-1]
    position = text.rfind(" ", 0, size + 1)
    return position if position > 0 else size


def split_text(text: str, limit: int) -> list[str]:
    """Splits text into parts within `limit`, preferring paragraph, then line, then sentence breaks."""
    parts: list[str] = []
    rest = text.strip()
    while text_units(rest) > limit:
        cut = _cut_position(rest, _fitting_length(rest, limit))
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def shorten(title: str, limit: int) -> str:
    """Shortens a button title to `limit` characters, at a word boundary where possible."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    word_end = cut.rfind(" ") if title[limit - 1] != " " else len(cut)
    if word_end >= limit * 0.6:
        cut = cut[:word_end]
    return cut.rstrip(" ,;:-–") + "…"


def render_numbered(text: str, buttons: Sequence[Mapping[str, Any]], language: str | None = None) -> str:
    """Buttons as numbered options below the text, for channels that cannot show them."""
    options = "\n".join(f"{number}) {button.get('title', '')}" for number, button in enumerate(buttons, 1))
    head = f"{text.strip()}\n\n" if text and text.strip() else ""
    return f"{head}{options}\n\n{messages_for(language)('reply_with_number')}"


def choose_option(payloads: Sequence[str], reply: str) -> Optional[str]:
    """The payload chosen by a reply that is just a number ("2", "2.", "2)"), else None."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", reply or "")
    if not match:
        return None
    number = int(match.group(1))
    return payloads[number - 1] if 1 <= number <= len(payloads) else None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text or "").casefold().split())


def choose_by_title(payloads: Sequence[str], titles: Sequence[str], reply: str) -> Optional[str]:
    """The payload of the button whose title the reply is ("mehr dazu!" for "Mehr dazu"), else None."""
    wanted = _plain(reply)
    if not wanted:
        return None
    for payload, title in zip(payloads, titles, strict=False):  # no titles: nothing to match
        if _plain(title) == wanted:
            return payload
    return None


def button_payloads(buttons: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(b.get("payload") or b.get("title") or "") for b in buttons]


def message_language(
    text: str | None, buttons: Sequence[Mapping[str, Any]], message: Mapping[str, Any], fallback: str | None
) -> str:
    """The language of a message Lotse sends, for the texts a channel adds to it.

    In order: the `language` condition of the response variation Rasa chose (a templated response
    carries its variation's `condition` in the message); the language its text and button titles
    are clearly written in; `fallback` (the language of the user's message); German."""
    for condition in map(as_dict, as_list(message.get("condition"))):
        if condition.get("name") == "language" and is_supported(condition.get("value")):
            return str(condition["value"])
    written = " ".join([text or "", *(str(b.get("title", "")) for b in buttons)])
    return reply_language(written, fallback)


# --- receiving -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Incoming:
    """One user message from a platform; `text` is None when the message carries no text."""

    sender_id: str
    text: Optional[str]
    message_id: str
    language_hint: Optional[str] = None  # the app's or phone's language, where the platform sends it

    @property
    def reply_language(self) -> str:
        """The language to answer in when the conversation's own language is not known."""
        return reply_language(self.text, self.language_hint)


class BackgroundTasks:
    """Runs message handling after the webhook has answered, and keeps the tasks referenced."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any], what: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, what))
        return task

    def _finished(self, task: asyncio.Task, what: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            # The exception's message may quote the user's text: log its type and place only.
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            logger.error("%s failed: %s at %s", what, type(error).__name__, where)

    async def join(self, timeout: Optional[float] = None) -> None:
        """Waits for the running tasks (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None:
                return


async def dispatch(
    incoming: Incoming, output: OutputChannel, on_new_message: OnNewMessage, channel: str
) -> None:
    """Hands a text to Rasa, or tells the user that only text can be read."""
    if incoming.text is None:
        await output.send_text_message(incoming.sender_id, messages_for(incoming.reply_language)("text_only"))
        return
    limit = load_settings().max_message_chars
    if len(incoming.text) > limit:
        await output.send_text_message(incoming.sender_id, messages_for(incoming.reply_language)("message_too_long", max=limit))
        return
    # Every string that reaches the tracker store: a lone surrogate in any of them made the
    # database driver fail, and Rasa exits on that error (found by tests/fuzz).
    incoming = dataclasses.replace(
        incoming,
        text=clean_text(incoming.text),
        sender_id=clean_text(incoming.sender_id),
        message_id=clean_text(incoming.message_id),
    )
    # The language hint is not passed on: it chose the greeting (/start), and it is no evidence about
    # a message (lotse.language.languages.language_of_message).
    message = UserMessage(
        incoming.text, output, incoming.sender_id, input_channel=channel, message_id=incoming.message_id,
    )
    await hand_over(on_new_message, message, incoming.reply_language)


async def hand_over(on_new_message: OnNewMessage, message: UserMessage, language: Optional[str]) -> bool:
    """Passes a message to Rasa. When its conversation's turn lock cannot be had (the lock store,
    Redis, is unreachable, or the conversation stayed busy for LOTSE_LOCK_WAIT_SECONDS), the message
    is not processed and the user is asked to send it again; False then."""
    try:
        await on_new_message(message)
    except LockError as error:  # its text names the cause, never the conversation or the message
        logger.warning("%s: message not processed: %s", message.input_channel, error)
        await message.output_channel.send_text_message(message.sender_id, messages_for(language)("try_again_shortly"))
        return False
    return True


RequestHandler = Callable[[Any], Awaitable[Any]]


def webhook_routes(name: str, receive: RequestHandler, verify: Callable[[Any], Any] | None = None) -> Blueprint:
    """The routes every Lotse channel has: health (GET /) and the webhook (POST /webhook), and
    optionally the platform's subscription check (GET /webhook)."""
    from sanic import response

    bp = Blueprint(name, __name__)

    @bp.route("/", methods=["GET"])
    async def health(_: Any) -> Any:
        return response.json({"status": "ok"})

    if verify is not None:
        @bp.route("/webhook", methods=["GET"])
        async def subscription_check(request: Any) -> Any:
            return verify(request)

    @bp.route("/webhook", methods=["POST"])
    async def webhook(request: Any) -> Any:
        return await receive(request)

    return bp


# --- sending ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    status: int
    data: Any


class HttpSender:
    """Outbound platform calls: one aiohttp session, a timeout, retries with backoff on 5xx,
    429 and connection errors. `what` names the call in logs; URLs are never logged because
    Telegram's carries the bot token."""

    def __init__(
        self,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def _current_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # A session belongs to one event loop (tests run several loops one after another).
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._loop = loop
        return self._session

    async def post(
        self,
        url: str,
        what: str,
        *,
        json_body: Optional[dict] = None,
        form: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
        auth: Optional[aiohttp.BasicAuth] = None,
    ) -> Optional[Delivery]:
        """Returns the platform's answer, or None when it could not be reached at all."""
        for attempt in range(self.retries + 1):
            if attempt:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with self._current_session().post(
                    url, json=json_body, data=form, headers=headers, auth=auth
                ) as response:
                    data = await _read_body(response)
                    if response.status < 500 and response.status != 429:
                        if response.status >= 400:
                            logger.warning("%s rejected with HTTP %s", what, response.status)
                        return Delivery(response.status, data)
                    logger.warning("%s: HTTP %s (attempt %s)", what, response.status, attempt + 1)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("%s: %s (attempt %s)", what, type(error).__name__, attempt + 1)
        logger.error("%s failed after %s attempts", what, self.retries + 1)
        return None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def _read_body(response: aiohttp.ClientResponse) -> Any:
    raw = await response.read()
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        return None
