"""Rasa's HTTP API, when an operator enables it with LOTSE_RASA_API_TOKEN: token required, and
the token is on no command line (`ps` shows every user's command lines)."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from lotse.core.settings import load_settings
from lotse.runner.stack import Stack, free_port
from tests.integration.conftest import MODEL

TOKEN = "api-token-for-tests-7f3a"


@pytest.fixture(scope="module")
def rasa_with_api(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    data_dir = tmp_path_factory.mktemp("lotse-api")
    env = {"LOTSE_RASA_PORT": str(free_port()), "LOTSE_DATA_DIR": str(data_dir), "LOTSE_RASA_API_TOKEN": TOKEN}
    stack = Stack(load_settings(env), MODEL, data_dir / "logs")
    stack.start(only=("rasa",))
    try:
        stack.wait_ready(timeout=180)
        yield stack
    finally:
        stack.stop()


def test_api_needs_the_token(rasa_with_api):
    base = rasa_with_api.settings.rasa_url
    assert requests.post(f"{base}/model/parse", json={"text": "Hallo"}, timeout=30).status_code == 401
    assert requests.get(f"{base}/conversations/x/tracker", params={"token": "wrong"}, timeout=30).status_code == 401
    parsed = requests.post(f"{base}/model/parse", params={"token": TOKEN}, json={"text": "Hallo"}, timeout=30)
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"]


def test_token_is_on_no_command_line(rasa_with_api):
    pid = rasa_with_api.processes["rasa"].pid
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "lotse.rasa_server.server" in cmdline and TOKEN not in cmdline
