"""The fuzzing stack runs its action server as if exposed, with LOTSE_ACTIONS_SECRET set."""
from __future__ import annotations

import uuid

import requests

from actions.server import SECRET_HEADER
from tests.fuzz.conftest import ACTIONS_SECRET


def actions_url(stack, path: str) -> str:
    return f"http://{stack.settings.actions_host}:{stack.settings.actions_port}{path}"


def test_action_server_refuses_calls_without_the_shared_secret(fuzz_stack):
    call = {"next_action": "action_find_office", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.21"}
    assert requests.post(actions_url(fuzz_stack, "/webhook"), json=call, timeout=10).status_code == 403
    wrong = requests.post(actions_url(fuzz_stack, "/webhook"), json=call, headers={SECRET_HEADER: "guess"}, timeout=10)
    assert wrong.status_code == 403
    assert requests.get(actions_url(fuzz_stack, "/actions"), timeout=10).status_code == 403
    assert requests.get(actions_url(fuzz_stack, "/health"), timeout=10).status_code == 200
    assert requests.get(actions_url(fuzz_stack, "/actions"), headers={SECRET_HEADER: ACTIONS_SECRET}, timeout=10).status_code == 200


def test_rasa_still_runs_custom_actions_with_the_secret(fuzz_stack):
    sender = "secret-" + uuid.uuid4().hex[:8]
    url = f"{fuzz_stack.settings.rasa_url}/webhooks/rest/webhook"
    answer = requests.post(url, json={"sender": sender, "message": "48599"}, timeout=30)  # the office finder action
    assert answer.status_code == 200
    assert "Jobcenter der Stadt Gronau" in "\n".join(m.get("text", "") for m in answer.json())
