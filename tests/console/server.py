"""Run the console app on a free port in a background thread, against given databases."""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from lotse.console.app import create_app
from lotse.console.web import Console
from lotse.runner.stack import free_port


@dataclass
class RunningConsole:
    state: Console
    url: str
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _runner: Any

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def start_console(state: Console) -> RunningConsole:
    loop = asyncio.new_event_loop()
    port = free_port()
    runner = web.AppRunner(create_app(state), access_log=None)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(20):
        raise RuntimeError("console did not start")
    return RunningConsole(state, f"http://127.0.0.1:{port}", loop, thread, runner)
