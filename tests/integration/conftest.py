"""Start the real stack (action server, Rasa with the SQLite tracker store, web page) once."""
from __future__ import annotations

import shutil
import uuid

import pytest
import requests

from lotse.core.settings import load_settings
from lotse.knowledge.content import MORE_PAYLOAD
from lotse.runner.stack import Stack, free_ports
from tests.conftest import ROOT

MODEL = ROOT / "models" / "lotse.tar.gz"
# Headless Chromium comes from Debian (.ci/run installs it); test tools cannot download browsers here.
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    data_dir = tmp_path_factory.mktemp("lotse-data")
    ports = free_ports()
    # The demo page embeds the widget from the public URL, and only allowed origins may connect.
    public_url = f"http://127.0.0.1:{ports['LOTSE_WEB_PORT']}"
    # DEBUG: Rasa then logs every user message, so test_privacy_logs can show they are redacted.
    env = {**ports, "LOTSE_DATA_DIR": str(data_dir), "LOTSE_PUBLIC_URL": public_url, "LOTSE_LOG_LEVEL": "DEBUG",
           # A busy CI machine must not turn a slow action into "unavailable" (test_faults has its own stack).
           "LOTSE_ACTION_TIMEOUT_SECONDS": "15"}
    settings = load_settings(env)
    running = Stack(settings, MODEL, data_dir / "logs")
    running.start()
    try:
        running.wait_ready(timeout=180)
        yield running
    finally:
        running.stop()


class Chat:
    def __init__(self, base_url: str):
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = "it-" + uuid.uuid4().hex[:12]

    def say(self, message: str) -> list[dict]:
        response = requests.post(self.url, json={"sender": self.sender, "message": message}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def text(self, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(message))

    def whole(self, message: str) -> list[str]:
        """The texts a person reads who asks `message` and then taps "Mehr dazu" (issue #22): the
        answer's core first, then its details."""
        messages = self.say(message)
        if any(b.get("payload") == MORE_PAYLOAD for m in messages for b in m.get("buttons") or []):
            messages += self.say(MORE_PAYLOAD)
        return [m.get("text", "") for m in messages]


@pytest.fixture
def chat(stack):
    return Chat(stack.settings.rasa_url)
