"""Rasa's HTTP API is opt-in and its token stays off the command line; the REST channel's checks."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

from lotse.core.settings import load_settings
from lotse.rasa_server.server import rasa_arguments
from lotse.runner.stack import Stack


def stack_for(tmp_path, **env: str) -> Stack:
    return Stack(load_settings({"LOTSE_DATA_DIR": str(tmp_path), **env}), Path("model.tar.gz"), tmp_path / "logs")


def test_rasa_runs_without_its_http_api_by_default(tmp_path):
    stack = stack_for(tmp_path)
    command = stack.commands()["rasa"]
    assert "--enable-api" not in command and "--auth-token" not in command
    assert rasa_arguments(command[3:], {}) == command[3:]
    assert "LOTSE_RASA_API_TOKEN" not in stack.process_env("rasa", {"LOTSE_RASA_API_TOKEN": "stale"})


def test_the_api_token_reaches_rasa_but_never_a_command_line_or_another_process(tmp_path):
    stack = stack_for(tmp_path, LOTSE_RASA_API_TOKEN="s3cret-token")
    assert all("s3cret-token" not in " ".join(cmd) for cmd in stack.commands().values())
    rasa_env = stack.process_env("rasa", {"PATH": "/bin"})
    assert rasa_env["LOTSE_RASA_API_TOKEN"] == "s3cret-token"
    for name in ("actions", "web", "worker"):
        assert "LOTSE_RASA_API_TOKEN" not in stack.process_env(name, {"LOTSE_RASA_API_TOKEN": "s3cret-token"})
    arguments = rasa_arguments(["run", "--model", "m.tar.gz"], rasa_env)
    assert arguments[-3:] == ["--enable-api", "--auth-token", "s3cret-token"]


def test_only_rasa_refuses_large_bodies_before_reading_them(tmp_path):
    stack = stack_for(tmp_path, LOTSE_MAX_WEBHOOK_BODY_BYTES="65536")
    assert stack.process_env("rasa", {})["SANIC_REQUEST_MAX_SIZE"] == "65536"
    assert "SANIC_REQUEST_MAX_SIZE" not in stack.process_env("actions", {})  # Rasa sends it whole conversations


# --- the REST channel, without a server ------------------------------------------------------

def request(body: bytes, ip: str = "198.51.100.7", **headers: str) -> SimpleNamespace:
    return SimpleNamespace(body=body, headers={k.lower().replace("_", "-"): v for k, v in headers.items()}, ip=ip, args={})


def handle(channel, req) -> tuple[int, object]:
    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, f"echo {message.text}")

    result = asyncio.run(channel.handle(req, on_new_message))
    return result.status, json.loads(result.body)


def rest_channel(**env: str):
    from lotse.rasa_server.channels.rest import RestInput

    return RestInput(load_settings({"LOTSE_RATE_PER_CONVERSATION_PER_MINUTE": "2", **env}), clock=lambda: 0.0)


def test_rest_channel_answers_a_normal_message():
    status, body = handle(rest_channel(), request(b'{"sender": "u1", "message": "Hallo"}'))
    assert (status, body) == (200, [{"recipient_id": "u1", "text": "echo Hallo"}])


def test_rest_channel_refuses_broken_and_oversized_requests_clearly():
    channel = rest_channel(LOTSE_MAX_BODY_BYTES="100")
    status, body = handle(channel, request(b'[1, 2]', accept_language="en"))
    assert status == 400 and body == [{"text": "The message could not be read. Please write it again."}]
    status, body = handle(channel, request(b'{"sender": "u1", "message": "' + b"x" * 200 + b'"}'))
    assert status == 413 and "zu groß" in body[0]["text"]


def test_rest_channel_answers_a_too_long_message_in_its_language():
    channel = rest_channel(LOTSE_MAX_MESSAGE_CHARS="20")
    status, body = handle(channel, request(json.dumps({"sender": "u1", "message": "Привіт, мені потрібна робота для мене"}).encode()))
    assert status == 200 and "не більше 20 символів" in body[0]["text"]


def test_rest_channel_rate_limit_is_per_conversation():
    channel = rest_channel()
    statuses = [handle(channel, request(b'{"sender": "u1", "message": "Hallo"}'))[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    status, body = handle(channel, request(b'{"sender": "u1", "message": "Hallo"}', accept_language="uk"))
    assert status == 429 and "зачекайте хвилину" in body[0]["text"]
    assert handle(channel, request(b'{"sender": "u2", "message": "Hallo"}'))[0] == 200


def test_rest_channel_asks_to_send_again_when_the_conversation_lock_cannot_be_had():
    from rasa.core.lock_store import LockError

    async def no_lock(message):
        raise LockError("Lock store unavailable (ConnectionError); message not processed.")

    channel = rest_channel()
    result = asyncio.run(channel.handle(request(b'{"sender": "u1", "message": "Hallo"}'), no_lock))
    assert result.status == 503 and result.headers["Retry-After"] == "5"
    assert json.loads(result.body) == [{"text": "Ihre Nachricht konnte gerade nicht bearbeitet werden. "
                                                "Bitte schicken Sie sie in einem Moment noch einmal."}]
    english = asyncio.run(channel.handle(request(b'{"sender": "u2", "message": "Where do I apply for a childcare place?"}'), no_lock))
    assert english.status == 503 and "send it again in a moment" in json.loads(english.body)[0]["text"]


def test_widget_and_messenger_users_are_asked_to_send_again_when_the_conversation_lock_cannot_be_had():
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.lock_store import LockError

    from lotse.rasa_server.channels.common import hand_over

    async def no_lock(message):
        raise LockError("busy")

    output = CollectingOutputChannel()
    handled = asyncio.run(hand_over(no_lock, UserMessage("Привіт", output, "s1", input_channel="socketio"), "uk"))
    assert handled is False
    assert [m["text"] for m in output.messages] == [
        "Ваше повідомлення зараз не вдалося обробити. Будь ласка, надішліть його ще раз за хвилинку."]


# --- the action server's shared secret -------------------------------------------------------

def test_action_server_refuses_to_listen_beyond_localhost_without_a_secret():
    from actions.server import startup_problem

    assert startup_problem("127.0.0.1", "") is None
    assert startup_problem("::1", "") is None
    assert "LOTSE_ACTIONS_SECRET" in startup_problem("0.0.0.0", "")
    assert startup_problem("0.0.0.0", "s3cret") is None


def test_action_server_requires_the_secret_except_for_health():
    from actions.server import SECRET_HEADER, secret_check

    check = secret_check("s3cret")

    def status(path: str, headers: dict) -> int:
        result = asyncio.run(check(SimpleNamespace(path=path, headers=headers)))
        return 200 if result is None else result.status

    assert status("/webhook", {}) == 403
    assert status("/webhook", {SECRET_HEADER: "wrong"}) == 403
    assert status("/webhook", {SECRET_HEADER: "s3cret"}) == 200
    assert status("/health", {}) == 200
    assert asyncio.run(secret_check("")(SimpleNamespace(path="/webhook", headers={}))) is None  # localhost default


def test_only_rasa_and_the_action_server_get_the_actions_secret(tmp_path):
    stack = stack_for(tmp_path, LOTSE_ACTIONS_SECRET="a-secret")
    from lotse.core.settings import process_environment

    env = process_environment(stack.settings, {})
    assert stack.process_env("rasa", env)["LOTSE_ACTIONS_SECRET"] == "a-secret"
    assert stack.process_env("actions", env)["LOTSE_ACTIONS_SECRET"] == "a-secret"
    assert "LOTSE_ACTIONS_SECRET" not in stack.process_env("web", env)
    assert all("a-secret" not in " ".join(cmd) for cmd in stack.commands().values())


# --- the chat page's /api/chat ---------------------------------------------------------------

def test_chat_page_rate_limit_per_conversation_with_a_clear_message(monkeypatch):
    from tests.unit.test_webserver import _with_client

    monkeypatch.setenv("LOTSE_RATE_PER_CONVERSATION_PER_MINUTE", "2")
    monkeypatch.setenv("LOTSE_RATE_EXEMPT_IPS", "")

    async def check(client):
        statuses = [(await client.post("/api/chat", json={"sender": "a", "message": "Hallo"})).status for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = await client.post("/api/chat", json={"sender": "a", "message": "Hello"}, headers={"Accept-Language": "en"})
        assert refused.status == 429
        assert (await refused.json())[0]["text"].startswith("You have sent a lot of messages")
        assert (await client.post("/api/chat", json={"sender": "b", "message": "Hallo"})).status == 200

    _with_client(check)


def test_chat_page_survives_nesting_too_deep_to_parse():
    from tests.unit.test_webserver import _with_client

    async def check(client):
        response = await client.post("/api/chat", data=b"[" * 5000 + b"]" * 5000, headers={"Content-Type": "application/json"})
        assert response.status == 400 and "nicht gelesen" in (await response.json())[0]["text"]

    _with_client(check)


# --- messenger channels ----------------------------------------------------------------------

class RecordingOutput:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        self.sent.append(text)


def test_messenger_message_above_the_limit_gets_a_clear_answer_and_never_reaches_rasa(monkeypatch):
    from lotse.rasa_server.channels.common import Incoming, dispatch

    monkeypatch.setenv("LOTSE_MAX_MESSAGE_CHARS", "50")
    handled: list = []

    async def on_new_message(message):
        handled.append(message.text)

    output = RecordingOutput()
    asyncio.run(dispatch(Incoming("u1", "I need help " * 10, "m1", "en"), output, on_new_message, "telegram"))
    assert handled == [] and "at most 50 characters" in output.sent[0]
    asyncio.run(dispatch(Incoming("u1", "Hallo\x00\ud800", "m2"), output, on_new_message, "telegram"))
    assert handled == ["Hallo\ufffd\ufffd"]


def test_signed_payloads_with_wrong_types_are_ignored_not_crashed_on():
    from lotse.rasa_server.channels.common import PayloadTokens
    from lotse.rasa_server.channels.facebook import FacebookConfig, FacebookInput
    from lotse.rasa_server.channels.whatsapp_cloud import WhatsAppCloudConfig, WhatsAppCloudInput, parse_message

    facebook = FacebookInput(FacebookConfig("v", "s", "t"))
    for delivery in ({"object": "page", "entry": "x"}, {"object": "page", "entry": [1, {"messaging": [[], {"sender": []}]}]}):
        assert list(facebook.parse_delivery(delivery)) == []
    whatsapp = WhatsAppCloudInput(WhatsAppCloudConfig("v", "s", "t", "1"))
    assert list(whatsapp.parse_delivery({"object": "whatsapp_business_account", "entry": [{"changes": ["x", {"value": []}]}]})) == []
    odd = parse_message({"id": "w1", "from": "49", "timestamp": 10**400, "type": "text", "text": "not an object"}, PayloadTokens(256))
    assert odd is not None and odd.sent_at is None and odd.incoming.text is None


def test_rasas_warning_that_quotes_a_users_message_is_silenced():
    import warnings

    from lotse.rasa_server.server import quiet_user_text_warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        quiet_user_text_warnings()
        warnings.warn("Failed to parse arguments in line '/restart my phone is 0170 1234567'. Expected …", UserWarning, stacklevel=1)
        warnings.warn("another warning", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["another warning"]


def test_messenger_ids_with_lone_surrogates_cannot_reach_the_tracker_store():
    """A lone surrogate in the sender or message id made the database driver fail, and Rasa exited."""
    from lotse.rasa_server.channels.common import Incoming, dispatch

    received: list = []

    async def on_new_message(message):
        received.append((message.sender_id, message.message_id, message.text))

    asyncio.run(dispatch(Incoming("u\ud800", "Hallo", "m\udfff"), RecordingOutput(), on_new_message, "telegram"))
    assert received == [("u\ufffd", "m\ufffd", "Hallo")]
    for value in received[0]:
        value.encode("utf-8")  # what the database driver does; raised UnicodeEncodeError before


def test_objects_of_the_loaded_model_are_frozen_out_of_the_garbage_collector(monkeypatch):
    import asyncio
    import gc

    import rasa.core.run

    from lotse.rasa_server.server import freeze_after_model_load

    async def fake_load(*args, **kwargs):
        return "agent"

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", fake_load)
    freeze_after_model_load()
    try:
        assert asyncio.run(rasa.core.run.load_agent_on_start("model")) == "agent"
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
