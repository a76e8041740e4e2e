"""A socket.io client that speaks the widget's protocol, for tests against the running stack."""
from __future__ import annotations

import asyncio
from typing import Any, Optional

import socketio


class WidgetClient:
    """Connects through the web server's /socket.io/ proxy, like the widget in a browser."""

    def __init__(self, web_url: str, origin: Optional[str] = None):
        self.web_url = web_url
        self.origin = origin or web_url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "bot_done", "session_error", "session_ended"):
            self.sio.on(name, self._collector(name))
        self.session: dict[str, Any] = {}

    def _collector(self, name: str):
        async def collect(data: Any = None) -> None:
            if name == "session_confirm":
                self.session = data
            await self.events.put((name, data))

        return collect

    async def connect(self, auth: Optional[dict] = None) -> dict[str, Any]:
        # engine.io's WebSocket client needs a newer aiohttp than Rasa pins; long-polling goes
        # through the same proxy and channel (the browser tests use WebSocket).
        await self.sio.connect(
            self.web_url, socketio_path="/socket.io/", headers={"Origin": self.origin}, auth=auth,
            transports=["polling"], wait_timeout=15,
        )
        return await self.next("session_confirm")

    async def next(self, name: str, timeout: float = 30.0) -> Any:
        """The next event of this name; other events before it are dropped."""
        async def wait() -> Any:
            while True:
                event, data = await self.events.get()
                if event == name:
                    return data

        return await asyncio.wait_for(wait(), timeout)

    async def drain(self, seconds: float = 1.0) -> list[tuple[str, Any]]:
        """Everything that arrives within `seconds`."""
        received = []
        try:
            while True:
                received.append(await asyncio.wait_for(self.events.get(), seconds))
        except asyncio.TimeoutError:
            return received

    async def say(self, message: str, **extra: Any) -> list[dict]:
        """Sends a message with this client's token and returns the bot messages of the turn."""
        await self.sio.emit("user_uttered", {"token": self.session.get("token"), "message": message, **extra})
        messages = []
        async def turn() -> None:
            while True:
                event, data = await self.events.get()
                if event == "bot_uttered":
                    messages.append(data)
                elif event == "bot_done":
                    return
                elif event == "session_error":
                    raise PermissionError(data.get("reason"))

        await asyncio.wait_for(turn(), 30)
        return messages

    async def call(self, event: str, data: dict) -> Any:
        return await self.sio.call(event, data, timeout=30)

    async def close(self) -> None:
        if not self.sio.connected:
            return
        try:
            # The disconnect is sent at once; waiting for the open long-poll to end takes up to 30 s.
            await asyncio.wait_for(self.sio.disconnect(), 1.0)
        except asyncio.TimeoutError:
            pass
        http = getattr(self.sio.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()
