"""The website widget's socket.io channel: Rasa's SocketIOInput with sessions the server controls.

Stock Rasa joins whatever `session_id` a client names, so whoever learns an id can read and write
that conversation. Here:
- the server creates every session id and hands it out inside a signed, expiring token
  (lotse.widget.sessions); a client proves its session by presenting the token on connect
  (socket.io `auth`) and with every event. A session id on its own is never accepted;
- a missing, forged, expired or ended token gets a NEW, empty session;
- each socket is bound to one session server-side; only bound sockets are in the session's room,
  so only they receive its bot messages;
- only pages from the allowed origins may connect (LOTSE_WIDGET_ORIGINS and the public URL);
- "Verlauf löschen" (event `erase`) erases the conversation everywhere, ends the session for good
  and binds the socket to a new one; `feedback` stores a thumbs up/down on a bot message.

Events (client -> server): user_uttered {token, message, metadata: {language}}, feedback {token,
message_id, rating}, erase {token}, session_request {token} (re-check, e.g. after a reload).
Events (server -> client): session_confirm {session_id, token, expires_at, resumed, history},
bot_uttered {text, message_id, quick_replies?, sources?, print?}, bot_done, session_error {reason}, session_ended.
An answer's footer (lotse.knowledge.content.footer) is sent apart from its text as `sources`
{label, items: [{title, url}], checked}, so the widget shows titled links under a disclosure;
`message_id` is always the id of the whole text, footer included, as the staff console knows it.
`print` is the situation check's list as data for the widget's page to print (web/widget/print.html).
Nothing here logs message text or session ids.

The classes below subclass Rasa's socket.io channel and python-socketio's and python-engineio's
servers, overriding some of their private methods; they are listed with the versions they were
written for in lotse/core/override_registry.py.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import engineio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from socketio import AsyncServer, packet

from lotse.core.settings import Settings, load_settings
from lotse.knowledge.content import split_footer
from lotse.language.languages import LanguageHints, language_hints, language_of_message
from lotse.language.messages import messages_for
from lotse.rasa_server.channels.common import hand_over
from lotse.widget import feedback
from lotse.widget.sessions import TokenSigner, WidgetSession, signer_from_settings
from lotse.widget.store import PRINT_KEY, WidgetStore

logger = logging.getLogger(__name__)

MAX_EVENT_BYTES = 64 * 1024


def widget_message(text: str, **extra: Any) -> Dict[str, Any]:
    """A bot message as the widget gets it: the text without its footer, the rating id of the whole
    text and, for an answer with a footer, its sources as data."""
    body, footer = split_footer(text)
    message: Dict[str, Any] = {"text": body, "message_id": feedback.message_id(text), **extra}
    if footer is not None:
        message["sources"] = {
            "label": footer.label,
            "items": [{"title": s.title, "url": s.url} for s in footer.sources],
            "checked": footer.checked,
        }
    return message


def with_sources(item: Dict[str, Any]) -> Dict[str, Any]:
    """A restored bot turn of the history shaped like a live message (its footer as `sources`)."""
    if item.get("who") != "bot" or not isinstance(item.get("text"), str):
        return item
    rest = {k: v for k, v in item.items() if k not in ("text", "message_id")}
    return widget_message(item["text"], **rest)


def print_extra(metadata: Dict[str, Any]) -> Dict[str, Any]:
    """`print`: the list of the situation check as data for the widget's page to print, when the bot
    message carries one (actions/situation.py puts it into the message's metadata)."""
    page = metadata.get(PRINT_KEY)
    return {"print": page} if isinstance(page, dict) else {}


class WidgetOutput(SocketIOOutput):
    """Sends each bot message whole (the widget shows paragraphs) with the id used for ratings."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, widget_message(text, **print_extra(kwargs)))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        replies = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]
        await self._send_message(recipient_id, widget_message(text, quick_replies=replies, **print_extra(kwargs)))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        logger.warning("socketio: custom payloads are not supported by the widget; not sent")


def message_hints(data: Dict[str, Any]) -> LanguageHints:
    """What the widget says about the language in the message metadata: `language` (a supported
    code), `language_source` ("chosen" | "page") and `conversation_start`. Only these are passed on
    to Rasa (`LanguageHints.as_metadata`), nothing else from the client."""
    return language_hints(data.get("metadata"))


# The widget sends text packets only: binary events and acknowledgements (and the bytes of their
# attachments) are refused too, because python-socketio treats whatever arrives after a binary
# packet header as its attachment, unchecked (found by tests/fuzz/test_fuzz_websocket.py).
CLIENT_PACKET_TYPES = (packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK)


def well_formed_arguments(decoded: Any) -> bool:
    """An event's data must be a list starting with its name, an acknowledgement's a list
    (`42{"a":1}` or `42[]` made python-socketio raise KeyError/IndexError)."""
    if decoded.packet_type == packet.EVENT:
        return isinstance(decoded.data, list) and bool(decoded.data) and isinstance(decoded.data[0], str)
    if decoded.packet_type == packet.ACK:
        return isinstance(decoded.data, list)
    return True


def refusal_of(data: Any, packet_class: type = packet.Packet) -> Optional[str]:
    """Why an engine.io message from a client is not handed to python-socketio, or None when it may
    be. python-socketio raises on a packet that does not decode (`42[`, invalid JSON), on bytes
    without a pending binary packet and on server-only packet types, and engine.io logs each with
    a traceback: any client could fill Rasa's log with them."""
    if not isinstance(data, str):
        return "binary message"
    try:
        decoded = packet_class(encoded_packet=data)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError) as exc:
        return f"malformed packet ({type(exc).__name__})"
    if decoded.packet_type not in CLIENT_PACKET_TYPES:  # e.g. CONNECT_ERROR, which only a server sends
        return f"packet of type {decoded.packet_type}"
    if not well_formed_arguments(decoded):
        return "event or acknowledgement without an argument list"
    return None


# python-engineio's words for a session that closed between its "is the sid known" check and
# its look-up; it raises KeyError with them.
CLOSED_SESSION = ("Session is disconnected", "Session not found")


class TolerantEngineIOServer(engineio.AsyncServer):
    """A long-polling request on an engine.io session that is closing (the client sent a close
    packet, or the server dropped it a moment ago) raised KeyError in python-engineio: a 500 and a
    traceback in Rasa's log (found by the 10,000-case socket.io fuzzing). Refused with 400, as an
    unknown session is."""

    async def handle_request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().handle_request(*args, **kwargs)
        except KeyError as exc:
            if not exc.args or exc.args[0] not in CLOSED_SESSION:
                raise
            logger.info("socketio: request on a closed engine.io session refused")
            environ = self._async["translate_request"](*args, **kwargs)
            return await self._make_response(self._bad_request("Session is disconnected"), environ)


class TolerantAsyncServer(AsyncServer):
    """Drops what python-socketio cannot dispatch (refusal_of) with one line at INFO instead of a
    traceback in Rasa's log (found by tests/fuzz/test_fuzz_socketio.py and test_fuzz_websocket.py)."""

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> Any:
        refusal = refusal_of(data, self.packet_class)
        if refusal is not None:
            logger.info("socketio: %s from a client dropped", refusal)
            return None
        return await super()._handle_eio_message(eio_sid, data)

    def _engineio_server_class(self) -> type:
        return TolerantEngineIOServer


class SecureSocketIOInput(SocketIOInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        socketio_path: Text = "/socket.io",
        settings: Optional[Settings] = None,
        signer: Optional[TokenSigner] = None,
        store: Optional[WidgetStore] = None,
    ) -> None:
        super().__init__(user_message_evt, bot_message_evt, namespace, True, socketio_path, None)
        self.settings = settings or load_settings()
        self._signer = signer
        self._store = store
        self._app: Any = None
        # socket id -> the session the server bound it to; the only source of a message's sender
        self.bindings: Dict[str, WidgetSession] = {}

    @property
    def signer(self) -> TokenSigner:
        # Created on first use: reading or generating the secret touches the data directory.
        if self._signer is None:
            self._signer = signer_from_settings(self.settings)
        return self._signer

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio is not None else super().get_output_channel()

    # --- sessions ----------------------------------------------------------------------------

    async def _blocking(self, function: Callable[..., Any], *args: Any) -> Any:
        if self._store is None:
            self._store = await asyncio.to_thread(WidgetStore.open, self.settings)
        return await asyncio.to_thread(function, self._store, *args)

    async def _is_revoked(self, session_id: str) -> bool:
        try:
            return bool(await self._blocking(WidgetStore.is_revoked, session_id))
        except Exception as exc:  # noqa: BLE001 - fail closed: an unknown state is treated as ended
            logger.error("socketio: revocation check failed (%s); starting a new session", type(exc).__name__)
            return True

    async def _bind(self, sio: AsyncServer, sid: str, presented: Any) -> Optional[tuple[WidgetSession, str, bool]]:
        """Binds the socket to the session its token proves, or to a new session; None when the
        socket went away meanwhile (the revocation look-up awaits)."""
        session = self.signer.verify(presented)
        if session is not None and await self._is_revoked(session.session_id):
            session = None
        if session is None:
            session, token = self.signer.issue()
            resumed = False
        else:
            token, resumed = str(presented), True
        previous = self.bindings.get(sid)
        if previous is not None and previous.session_id != session.session_id:
            await sio.leave_room(sid, previous.session_id, namespace=self.namespace)
        if not await self._join(sio, sid, session):
            return None
        return session, token, resumed

    async def _join(self, sio: AsyncServer, sid: str, session: WidgetSession) -> bool:
        """Puts the socket in its session's room and binds it; False when the socket has gone
        (python-socketio raises KeyError or ValueError then; found by the fuzzing: an event
        followed at once by a disconnect)."""
        try:
            await sio.enter_room(sid, session.session_id, namespace=self.namespace)
        except (KeyError, ValueError):
            self.bindings.pop(sid, None)
            return False
        self.bindings[sid] = session
        return True

    async def _confirm(self, sio: AsyncServer, sid: str, session: WidgetSession, token: str, resumed: bool) -> None:
        history: list = []
        if resumed:
            try:
                history = await self._blocking(WidgetStore.transcript, session.session_id)
            except Exception as exc:  # noqa: BLE001 - the conversation goes on even if the old turns cannot be shown
                logger.error("socketio: transcript unavailable (%s)", type(exc).__name__)
        payload = {
            "session_id": session.session_id,
            "token": token,
            "expires_at": session.expires_at,
            "resumed": resumed,
            "history": [with_sources(item) for item in history],
        }
        await sio.emit("session_confirm", payload, room=sid, namespace=self.namespace)

    def authorised(self, sid: str, data: Any) -> tuple[Optional[WidgetSession], str]:
        """The session an event may act on, or None and the reason it is refused."""
        bound = self.bindings.get(sid)
        if bound is None:
            return None, "no_session"
        if not isinstance(data, dict):
            return None, "invalid"
        presented = self.signer.verify(data.get("token"))
        if bound.expires_at <= time.time():
            return None, "expired"
        if presented is None or presented.session_id != bound.session_id:
            return None, "invalid"
        claimed = data.get("session_id")
        if claimed is not None and claimed != bound.session_id:
            return None, "invalid"
        return bound, ""

    async def _refuse(self, sio: AsyncServer, sid: str, reason: str) -> None:
        logger.info("socketio: event refused (%s)", reason)
        await sio.emit("session_error", {"reason": reason}, room=sid, namespace=self.namespace)

    async def _end_session(self, sio: AsyncServer, session: WidgetSession, except_sid: str) -> None:
        """Unbinds every socket of an erased session; other tabs are told it has ended."""
        for other, bound in list(self.bindings.items()):
            if bound.session_id != session.session_id:
                continue
            await sio.leave_room(other, session.session_id, namespace=self.namespace)
            del self.bindings[other]
            if other != except_sid:
                await sio.emit("session_ended", {}, room=other, namespace=self.namespace)

    def _conversation_lock(self, session_id: str) -> Any:
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        lock_store = getattr(agent, "lock_store", None)
        return lock_store.lock(session_id) if lock_store is not None else _NoLock()

    # --- the blueprint -----------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = TolerantAsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.settings.widget_allowed_origins),
            cors_credentials=False,
            max_http_buffer_size=MAX_EVENT_BYTES,
        )
        self.sio = sio
        bp = SocketBlueprint(sio, self.socketio_path, "secure_socketio_webhook", __name__)
        namespace = self.namespace

        @bp.listener("after_server_start")
        async def _open_store(app: Any, loop: Any) -> None:  # noqa: ARG001 - Sanic's listener signature
            self._app = app
            try:
                purged = await self._blocking(WidgetStore.purge_revocations)
                logger.info("socketio: widget store ready (%s expired revocations purged)", purged)
            except Exception as exc:  # noqa: BLE001 - retried on first use
                logger.error("socketio: widget store not ready (%s)", type(exc).__name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Any) -> Any:
            return response.json({"status": "ok"})

        def client_event(sid: str) -> bool:
            """python-socketio also calls the connect and disconnect handlers for a client's EVENT
            named "connect" or "disconnect"; only then is the socket fully connected (during a real
            connection or disconnection it is pending). Such events are ignored: a "disconnect"
            event would otherwise unbind a socket that stays connected."""
            return bool(sio.manager.is_connected(sid, namespace or "/"))

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Any = None, auth: Any = None) -> Optional[bool]:
            if client_event(sid):
                return None
            token = auth.get("token") if isinstance(auth, dict) else None
            bound = await self._bind(sio, sid, token)
            if bound is None:
                return False
            await self._confirm(sio, sid, *bound)
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *args: Any) -> None:
            if not client_event(sid):
                self.bindings.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            # A client-chosen session_id is ignored: only a valid token resumes a conversation.
            token = data.get("token") if isinstance(data, dict) else None
            bound = await self._bind(sio, sid, token)
            if bound is not None:
                await self._confirm(sio, sid, *bound)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session, reason = self.authorised(sid, data)
            if session is None:
                await self._refuse(sio, sid, reason)
                return
            output = WidgetOutput(sio, self.bot_message_evt)
            text = data.get("message")
            if not isinstance(text, str) or not text.strip():
                return
            try:
                hints = message_hints(data)
                # for the channel's own notices (too long, try again): the rules, without the conversation
                language = language_of_message(text[: self.settings.max_message_chars], hints, hints.language)
                limit = self.settings.max_message_chars  # the same limit and text as the REST channel
                if len(text) > limit:
                    too_long = messages_for(language)("message_too_long", max=limit)
                    await output.send_text_message(session.session_id, too_long)
                    return
                message = UserMessage(
                    text.strip(), output, session.session_id, input_channel=self.name(), metadata=hints.as_metadata()
                )
                await hand_over(on_new_message, message, language)  # "send it again" when there is no turn lock
            finally:
                await sio.emit("bot_done", {}, room=session.session_id, namespace=namespace)

        @sio.on("feedback", namespace=namespace)
        async def rate(sid: str, data: Any = None) -> Dict[str, Any]:
            session, reason = self.authorised(sid, data)
            if session is None:
                await self._refuse(sio, sid, reason)
                return {"ok": False, "reason": reason}
            message_id, rating = data.get("message_id"), data.get("rating")
            if not feedback.is_valid(session.session_id, message_id, rating):
                return {"ok": False, "reason": "invalid"}
            try:
                stored = await self._blocking(WidgetStore.record_feedback, session.session_id, message_id, rating)
            except Exception as exc:  # noqa: BLE001 - the widget tells the user it did not work
                logger.error("socketio: feedback not stored (%s)", type(exc).__name__)
                return {"ok": False, "reason": "unavailable"}
            return {"ok": True} if stored else {"ok": False, "reason": "unknown_message"}

        @sio.on("erase", namespace=namespace)
        async def erase(sid: str, data: Any = None) -> Dict[str, Any]:
            session, reason = self.authorised(sid, data)
            if session is None:
                await self._refuse(sio, sid, reason)
                return {"ok": False, "reason": reason}
            try:
                async with self._conversation_lock(session.session_id):
                    report = await self._blocking(WidgetStore.erase, session)
            except Exception as exc:  # noqa: BLE001 - the widget tells the user it did not work
                logger.error("socketio: erasure failed (%s)", type(exc).__name__)
                return {"ok": False, "reason": "unavailable"}
            logger.info("socketio: conversation erased (%s rows)", report.total)
            await self._end_session(sio, session, except_sid=sid)
            new_session, token = self.signer.issue()
            if await self._join(sio, sid, new_session):  # unless the socket went away meanwhile
                await self._confirm(sio, sid, new_session, token, resumed=False)
            return {"ok": True}

        return bp


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: Any) -> None:
        return None
