"""One real stack for the fuzzing: Rasa, action server and web page, with all four messenger
channels enabled against a fake platform API (as in tests/integration/test_channels.py), on free ports."""
from __future__ import annotations

import pytest

from lotse.settings import load_settings
from lotse.stack import Stack, free_ports
from tests.integration.conftest import MODEL
from tests.integration.test_channels import FakePlatform, channel_env


ACTIONS_SECRET = "fuzz-actions-secret"
# Known to the tests, so that they can sign expired widget tokens (tests/fuzz/socketio_cases.py).
WIDGET_SECRET = "fuzz-widget-secret-0123456789abcdef0123456789"


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
        # The action server as when exposed: Rasa must send the shared secret (lotse/action_server.py).
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
