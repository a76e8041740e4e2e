"""One real stack for the fuzzing: Rasa, action server and web page, with all four messenger
channels enabled against a fake platform API (as in tests/integration/test_channels.py), on free ports."""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

import pytest

from lotse.core.settings import load_settings
from lotse.runner.stack import Stack, free_ports
from tests.integration.conftest import MODEL
from tests.integration.test_channels import FakePlatform, channel_env
from tests.integration.widget_client import WidgetClient

ACTIONS_SECRET = "fuzz-actions-secret"
# Known to the tests, so that they can sign expired widget tokens (tests/fuzz/socketio_cases.py).
WIDGET_SECRET = "fuzz-widget-secret-0123456789abcdef0123456789"
T = TypeVar("T")


class LoopThread:
    """An asyncio loop in a thread, so that hypothesis' synchronous tests can drive async clients."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ended_by: BaseException | None = None
        self.thread = threading.Thread(target=self._run_forever, name="fuzz-socketio", daemon=True)
        self.thread.start()

    def _run_forever(self) -> None:
        try:
            self.loop.run_forever()
        except BaseException as exc:  # noqa: BLE001 - reported by run(), not lost in the thread
            self.ended_by = exc

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 90.0) -> T:
        # Fail at once when the loop is gone: a 10,000-case run once waited 90 s per case for it.
        if not self.thread.is_alive():
            coroutine.close()
            raise RuntimeError(f"the fuzz client's event loop has ended ({self.ended_by!r})")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="session")
def fuzz_platform():
    fake = FakePlatform()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory, fuzz_platform):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    data_dir = tmp_path_factory.mktemp("lotse-fuzz")
    ports = free_ports()
    env = {
        **ports,
        "LOTSE_DATA_DIR": str(data_dir),
        # The widget's socket.io channel accepts pages from the public URL only.
        "LOTSE_PUBLIC_URL": f"http://127.0.0.1:{ports['LOTSE_WEB_PORT']}",
        "LOTSE_WIDGET_SECRET": WIDGET_SECRET,
        # Plain HTTP in tests: the console's cookies without Secure, so that requests sends them back.
        "LOTSE_CONSOLE_COOKIE_SECURE": "false",
        "LOTSE_LOG_LEVEL": "WARNING",
        # The action server as when exposed: Rasa must send the shared secret (actions/server.py).
        "LOTSE_ACTIONS_SECRET": ACTIONS_SECRET,
        **channel_env(fuzz_platform.url),
    }
    stack = Stack(load_settings(env), MODEL, data_dir / "logs")
    with pytest.MonkeyPatch.context() as patch:  # the processes inherit the environment at start
        for name, value in env.items():
            patch.setenv(name, value)
        stack.start()
    try:
        stack.wait_ready(timeout=180)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def loop_thread():
    running = LoopThread()
    yield running
    running.close()


@pytest.fixture(scope="session")
def web_url(fuzz_stack) -> str:
    return f"http://{fuzz_stack.settings.web_host}:{fuzz_stack.settings.web_port}"


@pytest.fixture(scope="session")
def foreign_token(loop_thread, web_url) -> str:
    """The valid token of another live widget session, which a fuzzing client must not be able to use."""
    async def connect() -> str:
        other = WidgetClient(web_url)
        try:
            return (await other.connect())["token"]
        finally:
            await other.close()

    return loop_thread.run(connect())
