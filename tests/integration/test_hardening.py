"""Abuse protection on the running stack (issue #12): rate limits with a clear message,
Rasa's HTTP API off by default, and the staff console never reachable from the widget's origin.

The requests come from 127.0.0.1, which is a trusted proxy and exempt by default; each test
names its own client address in X-Forwarded-For, as a reverse proxy would.
"""
from __future__ import annotations

import uuid

import requests

from lotse.core.settings import web_origin

# Every kind of console page (lotse/console/app.py and its modules register them), and its stylesheet.
CONSOLE_PATHS = ("/login", "/logout", "/transcripts", "/queue", "/queue/export.csv", "/dashboard", "/corrections",
                 "/admin/users", "/admin/audit", "/admin/data", "/static/console.css")


def rasa_chat(stack) -> str:
    return f"{stack.settings.rasa_url}/webhooks/rest/webhook"


def web_chat(stack) -> str:
    return f"http://{stack.settings.web_host}:{stack.settings.web_port}/api/chat"


def post(url: str, sender: str, client: str, message: str = "x" * 2500) -> requests.Response:
    # A too-long message is answered at once (no NLU), so the limit is reached quickly.
    return requests.post(url, json={"sender": sender, "message": message}, headers={"X-Forwarded-For": client}, timeout=30)


def first_refusal(url: str, sender: str, client: str, limit: int) -> requests.Response:
    for _ in range(limit + 20):
        response = post(url, sender, client)
        if response.status_code != 200:
            return response
    raise AssertionError(f"no refusal after {limit + 20} messages")


def test_one_conversation_writing_too_fast_gets_429_with_a_clear_message(stack):
    for url in (rasa_chat(stack), web_chat(stack)):
        client, sender = f"198.51.100.{uuid.uuid4().int % 200 + 1}", "flood-" + uuid.uuid4().hex[:8]
        refused = first_refusal(url, sender, client, stack.settings.rate_per_conversation_per_minute)
        assert refused.status_code == 429
        assert "warten Sie eine Minute" in refused.json()[0]["text"]
        other = post(url, "calm-" + uuid.uuid4().hex[:8], client, "Hallo")
        assert other.status_code == 200 and other.json(), "another conversation is unaffected"


def test_one_address_writing_too_fast_gets_429_other_addresses_do_not(stack):
    for url in (rasa_chat(stack), web_chat(stack)):
        client = f"203.0.113.{uuid.uuid4().int % 200 + 1}"
        for _ in range(stack.settings.rate_per_ip_per_minute + 20):
            response = requests.post(url, data=b"not json", headers={"X-Forwarded-For": client}, timeout=30)
            if response.status_code == 429:
                break
        assert response.status_code == 429 and "Minute" in response.json()[0]["text"]
        assert post(url, "calm-" + uuid.uuid4().hex[:8], "192.0.2.77", "Hallo").status_code == 200


def test_a_too_long_message_gets_a_normal_clear_answer(stack):
    response = requests.post(rasa_chat(stack), json={"sender": "long-" + uuid.uuid4().hex[:8], "message": "Please help me. " * 200}, timeout=30)
    assert response.status_code == 200
    assert "at most 2000 characters" in response.json()[0]["text"]


def test_a_too_large_body_is_refused(stack):
    body = b'{"sender": "big", "message": "' + b"x" * (stack.settings.max_body_bytes + 1) + b'"}'
    for url in (rasa_chat(stack), web_chat(stack)):
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 413


def test_rasa_http_api_is_off_by_default(stack):
    base = stack.settings.rasa_url
    assert requests.post(f"{base}/model/parse", json={"text": "Hallo"}, timeout=10).status_code in (403, 404)
    assert requests.get(f"{base}/conversations/someone/tracker", timeout=10).status_code in (403, 404)
    assert requests.get(f"{base}/status", timeout=10).status_code in (403, 404)


def test_the_staff_console_is_never_reachable_from_the_widgets_origin(stack):
    settings = stack.settings
    widget_origin = web_origin(settings.public_url)  # the demo page and /socket.io/ are served from here
    console = f"http://{settings.console_host}:{settings.console_port}"
    assert settings.console_host == "127.0.0.1"  # the default: not reachable from other hosts at all
    assert web_origin(console) != widget_origin and web_origin(console) not in settings.widget_allowed_origins

    for path in CONSOLE_PATHS:  # the widget's origin serves no console page, not even a redirect to one
        response = requests.get(widget_origin + path, allow_redirects=False, timeout=10)
        assert response.status_code == 404, path
        assert "Anmelden" not in response.text and "console" not in response.headers.get("Location", "")
    login = requests.post(f"{widget_origin}/login", data={"username": "admin", "password": "x"}, timeout=10)
    assert login.status_code in (404, 405)

    # The console itself runs, but a script on the widget's page can neither read it nor frame it.
    page = requests.get(f"{console}/login", headers={"Origin": widget_origin}, timeout=10)
    assert page.status_code == 200 and "Anmelden" in page.text
    assert "Access-Control-Allow-Origin" not in page.headers
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
