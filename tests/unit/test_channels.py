"""Messenger channels, offline: signatures, de-duplication, batches, buttons, text limits, options,
the WhatsApp 24-hour rule and the generated Rasa credentials. Handlers are called directly."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.server
import json
import logging
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from lotse.core.credentials import MESSENGER_CHANNELS, channel_credentials, render_credentials, write_credentials
from lotse.core.settings import load_settings
from lotse.guards.secrets import hmac_sha256_valid, secrets_equal
from lotse.language.messages import messages_for
from lotse.rasa_server.channels import common
from lotse.rasa_server.channels.common import (
    DAY,
    Delivery,
    HttpSender,
    OptionMemory,
    PayloadTokens,
    ReplyWindow,
    TTLCache,
    choose_option,
    render_numbered,
    split_text,
    text_units,
)
from lotse.rasa_server.channels.facebook import FacebookConfig, FacebookInput, hub_challenge
from lotse.rasa_server.channels.telegram import TelegramConfig, TelegramInput, set_webhook
from lotse.rasa_server.channels.telegram import main as telegram_main
from lotse.rasa_server.channels.twilio_whatsapp import TwilioConfig, TwilioWhatsAppInput, request_url
from lotse.rasa_server.channels.whatsapp_cloud import WhatsAppCloudConfig, WhatsAppCloudInput
from lotse.runner.stack import Stack
from tests.conftest import ROOT

TEXT_ONLY_REPLY = messages_for("de", ROOT / "content")("text_only")

BUTTONS = [
    {"title": "Welches Jobcenter ist zuständig?", "payload": "/ask_office"},
    {"title": "Kita-Platz finden", "payload": "/ask_kita_anmeldung"},
]
FOUR_BUTTONS = BUTTONS + [
    {"title": "Umschulung in Teilzeit", "payload": "/ask_umschulung"},
    {"title": "Was kannst du?", "payload": "/ask_capabilities"},
]
LONG_PAYLOAD = '/inform{"callback_window": "2025-11-25T14:00/2025-11-25T16:00", "municipality": "borken"}'


class FakeSender(HttpSender):
    """Records outbound calls instead of making them. With `content_sid`, Twilio's Content API
    creates content under that sid; without, it answers without one (the buttons become numbers)."""

    def __init__(self, content_sid: Optional[str] = None) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []
        self.content_sid = content_sid

    async def post(self, url: str, what: str, **kwargs: Any) -> Optional[Delivery]:
        self.calls.append({"url": url, "what": what, **kwargs})
        if what == "twilio content" and self.content_sid:
            return Delivery(201, {"sid": self.content_sid})
        return Delivery(200, {"ok": True})

    def bodies(self, what: str = "") -> list[dict]:
        """The bodies of the calls named `what`; the messages sent (no content created) by default."""
        return [c.get("json_body") or c.get("form") for c in self.calls if what in c["what"] and (what or c["what"] != "twilio content")]


class Inbox:
    """Stands in for Rasa: collects messages; optionally answers through the output channel."""

    def __init__(self, reply: Optional[dict] = None):
        self.messages: list = []
        self.reply = reply

    async def __call__(self, message) -> None:
        self.messages.append(message)
        if self.reply:
            await message.output_channel.send_response(message.sender_id, dict(self.reply))

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


def run(coroutine):
    return asyncio.run(coroutine)


async def deliver(channel, *args) -> Any:
    """Calls the webhook handler and waits for the background processing, like Rasa would."""
    result = await channel.receive(*args)
    await channel.tasks.join()
    return result


def meta_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- common ----------------------------------------------------------------------------------

def test_hmac_sha256_signature_check():
    body = b'{"object":"page"}'
    good = meta_signature("app-secret", body)
    assert hmac_sha256_valid("app-secret", body, good)
    assert not hmac_sha256_valid("app-secret", body + b" ", good)
    assert not hmac_sha256_valid("other", body, good)
    assert not hmac_sha256_valid("app-secret", body, None)
    assert not hmac_sha256_valid("app-secret", body, "")
    assert not hmac_sha256_valid("app-secret", body, good.replace("sha256=", "sha1="))
    assert not hmac_sha256_valid("app-secret", body, "sha256=ÿ-not-ascii")
    assert not hmac_sha256_valid("", body, meta_signature("", body))


def test_secrets_equal():
    assert secrets_equal("abc", "abc")
    assert not secrets_equal("abd", "abc") and not secrets_equal(None, "abc") and not secrets_equal("", "")
    assert not secrets_equal("äöü", "abc")


def test_ttl_cache_expires_and_is_bounded():
    now = [0.0]
    cache: TTLCache[int] = TTLCache(max_size=3, ttl=10, clock=lambda: now[0])
    for i in range(5):
        cache.set(str(i), i)
    assert len(cache) == 3 and cache.get("0") is None and cache.get("4") == 4
    now[0] = 9.9
    assert cache.get("2") == 2
    now[0] = 10.0
    assert len(cache) == 0


def test_deduplicator_and_default_limits():
    seen = common.Deduplicator()
    assert seen.first_time("a") and not seen.first_time("a") and seen.first_time("b")
    assert seen._seen.max_size == 10_000 and seen._seen.ttl == DAY


@pytest.mark.parametrize("limit", [4096, 2000, 1600, 1024])
def test_split_text_keeps_every_part_within_the_limit(limit):
    paragraph = "Das ist ein Satz über die Kita. " * 20 + "\n\n"
    text = (paragraph * 40) + "x" * (limit + 5) + " Ende 😀" * 300
    parts = split_text(text, limit)
    assert len(parts) > 1
    assert all(0 < text_units(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())  # nothing lost


def test_split_text_prefers_paragraphs_then_sentences():
    text = "Erster Absatz. Noch ein Satz.\n\nZweiter Absatz ist hier! Und mehr Text folgt hier."
    assert split_text(text, 200) == [text]
    assert split_text(text, 40) == ["Erster Absatz. Noch ein Satz.", "Zweiter Absatz ist hier!", "Und mehr Text folgt hier."]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    assert split_text("", 10) == [""]


def test_numbered_options_render_and_map_back():
    text = render_numbered("Wobei kann ich helfen?", BUTTONS)
    assert "1) Welches Jobcenter ist zuständig?\n2) Kita-Platz finden" in text and "Zahl" in text
    payloads = ["/ask_office", "/ask_kita_anmeldung"]
    assert choose_option(payloads, "2") == "/ask_kita_anmeldung"
    assert choose_option(payloads, " 1) ") == "/ask_office" and choose_option(payloads, "1.") == "/ask_office"
    assert choose_option(payloads, "3") is None and choose_option(payloads, "0") is None
    assert choose_option(payloads, "2 Kinder") is None


def test_options_are_valid_for_the_next_message_only():
    options = OptionMemory()
    options.remember("u1", ["/a", "/b"])
    assert options.resolve("u2", "1") == "1"  # another sender
    assert options.resolve("u1", "2") == "/b"
    assert options.resolve("u1", "2") == "2"  # e.g. the age of a child, later
    options.remember("u1", ["/a"])
    assert options.resolve("u1", "Hallo") == "Hallo" and options.resolve("u1", "1") == "1"


def test_payload_tokens_shorten_long_payloads():
    tokens = PayloadTokens(64)
    assert tokens.encode("/ask_office") == "/ask_office"
    token = tokens.encode(LONG_PAYLOAD)
    assert len(token.encode()) <= 64 and token == tokens.encode(LONG_PAYLOAD)
    assert tokens.decode(token) == LONG_PAYLOAD and tokens.decode("/ask_office") == "/ask_office"
    assert PayloadTokens(64).decode(token) is None  # after a restart


def test_background_errors_are_logged_without_the_message(caplog):
    async def failing():
        raise ValueError("Hallo, meine Nummer ist 0171 2345678")

    async def go():
        tasks = common.BackgroundTasks()
        tasks.spawn(failing(), "test message")
        await tasks.join()

    with caplog.at_level(logging.ERROR):
        run(go())
    assert "ValueError" in caplog.text and "0171" not in caplog.text and "Hallo" not in caplog.text


def test_http_sender_retries_server_errors_and_not_client_errors():
    statuses = [503, 502, 200]
    seen: list[str] = []
    delays: list[float] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        status = statuses.pop(0) if request.path == "/flaky" else 400
        return web.json_response({"ok": status == 200}, status=status)

    async def no_sleep(seconds: float) -> None:
        delays.append(seconds)

    async def go():
        app = web.Application()
        app.router.add_post("/{name}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        sender = HttpSender(sleep=no_sleep)
        try:
            flaky = await sender.post(f"http://127.0.0.1:{port}/flaky", "test", json_body={"a": 1})
            bad = await sender.post(f"http://127.0.0.1:{port}/bad", "test", json_body={"a": 1})
        finally:
            await sender.close()
            await runner.cleanup()
        unreachable = await HttpSender(sleep=no_sleep).post(f"http://127.0.0.1:{port}/gone", "test", json_body={})
        return flaky, bad, unreachable

    flaky, bad, unreachable = run(go())
    assert flaky == Delivery(200, {"ok": True}) and seen.count("/flaky") == 3
    assert bad.status == 400 and seen.count("/bad") == 1
    assert unreachable is None
    assert delays[:2] == [0.5, 1.0] and len(delays) == 2 + 3  # backoff; 3 retries when unreachable


def test_http_sender_defaults():
    sender = HttpSender()
    assert sender.timeout == 10.0 and sender.retries == 3


# --- Telegram --------------------------------------------------------------------------------

def telegram(sender: Optional[FakeSender] = None) -> TelegramInput:
    return TelegramInput(TelegramConfig("123:token", "s3cret", "http://fake/telegram"), sender or FakeSender())


def telegram_update(update_id: int, text: str = "Hallo", chat_id: int = 4711, chat_type: str = "private") -> bytes:
    message = {
        "message_id": update_id,
        "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
        "chat": {"id": chat_id, "type": chat_type},
        "date": 1700000000,
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def test_telegram_secret_token_is_required():
    channel, inbox = telegram(), Inbox()
    body = telegram_update(1)
    ok = run(deliver(channel, {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, body, inbox))
    missing = run(deliver(channel, {}, telegram_update(2), inbox))
    wrong = run(deliver(channel, {"X-Telegram-Bot-Api-Secret-Token": "s3cres"}, telegram_update(3), inbox))
    assert ok.status == 200 and missing.status == 403 and wrong.status == 403
    assert inbox.texts == ["Hallo"] and inbox.messages[0].sender_id == "4711"
    assert inbox.messages[0].input_channel == "telegram"


def test_telegram_never_calls_the_api_except_for_replies():
    sender = FakeSender()
    channel = TelegramInput.from_credentials({"access_token": "1:t", "secret_token": "s"})
    channel.sender = sender
    channel.blueprint(Inbox())
    run(deliver(channel, {"x-telegram-bot-api-secret-token": "s"}, telegram_update(1), Inbox()))
    assert sender.calls == []
    assert channel.config.api_url == "https://api.telegram.org"


def test_telegram_deduplicates_by_update_id():
    channel, inbox = telegram(), Inbox()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    for _ in range(2):
        assert run(deliver(channel, headers, telegram_update(7), inbox)).status == 200
    assert run(deliver(channel, headers, telegram_update(8, "Danke"), inbox)).status == 200
    assert inbox.texts == ["Hallo", "Danke"]


def test_telegram_start_groups_and_media():
    sender = FakeSender()
    channel, inbox = telegram(sender), Inbox()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    run(deliver(channel, headers, telegram_update(1, "/start"), inbox))
    run(deliver(channel, headers, telegram_update(2, "Hallo", chat_id=-100, chat_type="group"), inbox))
    photo = {"update_id": 3, "message": {"message_id": 3, "chat": {"id": 4711, "type": "private"}, "photo": [{"file_id": "x"}]}}
    run(deliver(channel, headers, json.dumps(photo).encode(), inbox))
    assert inbox.texts == ["/greet"]
    assert sender.bodies("sendMessage") == [
        {"chat_id": "4711", "text": TEXT_ONLY_REPLY, "link_preview_options": {"is_disabled": True}}
    ]


def test_telegram_buttons_are_inline_keyboards_and_callbacks_map_back():
    sender = FakeSender()
    channel = telegram(sender)
    buttons = BUTTONS + [{"title": "Dienstag 14–16 Uhr", "payload": LONG_PAYLOAD}]
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": buttons})
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    run(deliver(channel, headers, telegram_update(1), inbox))
    sent = sender.bodies("sendMessage")[0]
    assert sender.calls[0]["url"] == "http://fake/telegram/bot123:token/sendMessage"
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in buttons]
    assert [row[0]["callback_data"] for row in keyboard][:2] == ["/ask_office", "/ask_kita_anmeldung"]
    token = keyboard[2][0]["callback_data"]
    assert len(token.encode()) <= 64

    inbox.reply = None
    for update_id, data in ((2, "/ask_office"), (3, token)):
        query = {"id": f"q{update_id}", "from": {"id": 4711}, "message": {"message_id": 1, "chat": {"id": 4711, "type": "private"}, "reply_markup": sent["reply_markup"]}, "data": data}
        run(deliver(channel, headers, json.dumps({"update_id": update_id, "callback_query": query}).encode(), inbox))
    assert inbox.texts[1:] == ["/ask_office", LONG_PAYLOAD]
    assert sender.bodies("answerCallbackQuery") == [{"callback_query_id": "q2"}, {"callback_query_id": "q3"}]

    # After a restart the token is unknown: the button's title is used as the text.
    restarted, inbox2 = telegram(FakeSender()), Inbox()
    query = {"id": "q9", "from": {"id": 4711}, "message": {"message_id": 1, "chat": {"id": 4711, "type": "private"}, "reply_markup": sent["reply_markup"]}, "data": token}
    run(deliver(restarted, headers, json.dumps({"update_id": 9, "callback_query": query}).encode(), inbox2))
    assert inbox2.texts == ["Dienstag 14–16 Uhr"]


def test_telegram_long_text_is_split_with_buttons_on_the_last_part():
    sender = FakeSender()
    output = telegram(sender).get_output_channel()
    run(output.send_text_with_buttons("4711", ("Ein Satz. " * 300 + "\n\n") * 3, BUTTONS))
    sent = sender.bodies("sendMessage")
    assert len(sent) == 3 and all(len(s["text"]) <= 4096 for s in sent)
    assert [("reply_markup" in s) for s in sent] == [False, False, True]


class _Recorder(http.server.BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        type(self).calls.append((self.path, json.loads(self.rfile.read(length))))
        body = json.dumps({"ok": True, "result": True, "description": "Webhook was set"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def test_telegram_set_webhook_cli(capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "LOTSE_TELEGRAM_TOKEN": "123:token",
        "LOTSE_TELEGRAM_SECRET": "s3cret",
        "LOTSE_TELEGRAM_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
    }
    try:
        url = "https://lotse.example.org/webhooks/telegram/webhook"
        assert telegram_main(["set-webhook", "--url", url], env) == 0
        assert telegram_main(["set-webhook", "--url", "http://insecure/webhooks/telegram/webhook"], env) == 2
        assert telegram_main(["set-webhook", "--url", url], {}) == 2
    finally:
        server.shutdown()
    assert _Recorder.calls == [
        ("/bot123:token/setWebhook", {"url": url, "secret_token": "s3cret", "allowed_updates": ["message", "callback_query"]})
    ]
    assert "Webhook registered" in capsys.readouterr().out


def test_telegram_set_webhook_reports_failure():
    class Refusing(FakeSender):
        async def post(self, url, what, **kwargs):
            return Delivery(400, {"ok": False, "description": "Bad Request: bad webhook"})

    ok, description = run(set_webhook(TelegramConfig("1:t", "s"), "https://x/webhooks/telegram/webhook", Refusing()))
    assert not ok and "bad webhook" in description


# --- Facebook Messenger ----------------------------------------------------------------------

FB_SECRET = "fb-app-secret"


def facebook(sender: Optional[FakeSender] = None) -> FacebookInput:
    return FacebookInput(FacebookConfig("verify-me", FB_SECRET, "page-token", "http://fake/facebook/v19.0"), sender or FakeSender())


def fb_event(psid: str, text: str, mid: str) -> dict:
    return {"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": 1700000000000, "message": {"mid": mid, "text": text}}


def fb_delivery(*entries: list[dict]) -> bytes:
    return json.dumps(
        {"object": "page", "entry": [{"id": "PAGE", "time": 1700000000000, "messaging": events} for events in entries]}
    ).encode()


def fb_post(channel, body: bytes, inbox, signature: Optional[str] = "sign"):
    headers = {} if signature is None else {"X-Hub-Signature-256": meta_signature(FB_SECRET, body) if signature == "sign" else signature}
    return run(deliver(channel, headers, body, inbox))


def test_facebook_hub_verification():
    good = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    response = hub_challenge(good, "verify-me")
    assert response.status == 200 and response.body == b"1158201444"
    assert hub_challenge({**good, "hub.verify_token": "nope"}, "verify-me").status == 403
    assert hub_challenge({**good, "hub.mode": "unsubscribe"}, "verify-me").status == 403
    assert hub_challenge({}, "verify-me").status == 403


def test_facebook_signature_is_required_and_sha1_is_not_enough():
    channel, inbox = facebook(), Inbox()
    body = fb_delivery([fb_event("p1", "Hallo", "m1")])
    sha1 = "sha1=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert fb_post(channel, body, inbox, signature=None).status == 403
    assert fb_post(channel, body, inbox, signature=meta_signature("wrong", body)).status == 403
    assert run(deliver(channel, {"X-Hub-Signature": sha1}, body, inbox)).status == 403
    assert inbox.messages == []
    assert fb_post(channel, body, inbox).status == 200
    assert inbox.texts == ["Hallo"] and inbox.messages[0].sender_id == "p1"


def test_facebook_handles_every_event_of_every_entry():
    channel, inbox = facebook(), Inbox()
    body = fb_delivery(
        [fb_event("p1", "Hallo", "m1"), fb_event("p2", "Kita", "m2")],
        [fb_event("p3", "Umschulung", "m3"), {"sender": {"id": "p3"}, "delivery": {"mids": ["x"]}},
         {"sender": {"id": "PAGE"}, "message": {"mid": "m4", "text": "echo", "is_echo": True}}],
    )
    assert fb_post(channel, body, inbox).status == 200
    assert sorted(inbox.texts) == ["Hallo", "Kita", "Umschulung"]


def test_facebook_deduplicates_messages_and_postbacks():
    channel, inbox = facebook(), Inbox()
    body = fb_delivery([fb_event("p1", "Hallo", "m1")])
    fb_post(channel, body, inbox)
    fb_post(channel, body, inbox)
    postback = {"sender": {"id": "p1"}, "timestamp": 1700000001000, "postback": {"title": "Start", "payload": "/greet", "mid": "pb1"}}
    no_mid = {"sender": {"id": "p1"}, "timestamp": 1700000002000, "postback": {"title": "Hilfe", "payload": "/ask_capabilities"}}
    for _ in range(2):
        fb_post(channel, fb_delivery([postback, no_mid]), inbox)
    assert inbox.texts == ["Hallo", "/greet", "/ask_capabilities"]


def test_facebook_quick_replies_both_ways():
    sender = FakeSender()
    channel = facebook(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": BUTTONS})
    fb_post(channel, fb_delivery([fb_event("p1", "Hallo", "m1")]), inbox)
    call = sender.calls[0]
    assert call["url"] == "http://fake/facebook/v19.0/me/messages"
    assert call["headers"] == {"Authorization": "Bearer page-token"}
    message = call["json_body"]["message"]
    assert call["json_body"]["recipient"] == {"id": "p1"}
    assert message["text"] == "Wobei kann ich helfen?"
    assert [q["payload"] for q in message["quick_replies"]] == ["/ask_office", "/ask_kita_anmeldung"]
    assert all(len(q["title"]) <= 20 for q in message["quick_replies"])

    inbox.reply = None
    tapped = {"sender": {"id": "p1"}, "message": {"mid": "m2", "text": "Kita-Platz finden", "quick_reply": {"payload": "/ask_kita_anmeldung"}}}
    fb_post(channel, fb_delivery([tapped]), inbox)
    assert inbox.texts[-1] == "/ask_kita_anmeldung"


def test_facebook_splits_at_2000_and_numbers_more_than_13_buttons():
    sender = FakeSender()
    output = facebook(sender).get_output_channel()
    run(output.send_text_message("p1", "Ein Satz. " * 450))
    assert [len(b["message"]["text"]) <= 2000 for b in sender.bodies()] == [True, True, True]
    many = [{"title": f"Ort {i}", "payload": f"/inform_place{{\"municipality\": \"o{i}\"}}"} for i in range(14)]
    run(output.send_text_with_buttons("p1", "Welcher Ort?", many))
    last = sender.bodies()[-1]["message"]
    assert "quick_replies" not in last and "14) Ort 13" in last["text"]
    assert output.options.resolve("p1", "14") == many[13]["payload"]


# --- WhatsApp via Twilio ---------------------------------------------------------------------

TWILIO_TOKEN = "twilio-auth-token"
PUBLIC_URL = "https://lotse.example.org/webhooks/twilio_whatsapp/webhook"


def twilio(sender: Optional[FakeSender] = None, public_url: str = PUBLIC_URL) -> TwilioWhatsAppInput:
    config = TwilioConfig("AC123", TWILIO_TOKEN, "+4915100000000", "http://fake/twilio", public_url)
    return TwilioWhatsAppInput(config, sender or FakeSender())


def twilio_form(sid: str, body: str = "Hallo", media: int = 0, sender: str = "whatsapp:+491711111111") -> dict:
    form = {
        "SmsMessageSid": sid, "NumMedia": str(media), "ProfileName": "A", "SmsSid": sid, "WaId": sender[10:],
        "SmsStatus": "received", "Body": body, "To": "whatsapp:+4915100000000", "NumSegments": "1",
        "MessageSid": sid, "AccountSid": "AC123", "From": sender, "ApiVersion": "2010-04-01",
    }
    if media:
        form.update({"MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/media/ME1"})
    return form


def twilio_post(channel, form: dict, inbox, url: str = PUBLIC_URL, signature: Optional[str] = "sign", request_at: str = "http://127.0.0.1:5005/webhooks/twilio_whatsapp/webhook"):
    headers = {}
    if signature is not None:
        headers["X-Twilio-Signature"] = RequestValidator(TWILIO_TOKEN).compute_signature(url, form) if signature == "sign" else signature
    return run(deliver(channel, headers, urlencode(form).encode(), request_at, inbox))


def test_twilio_signature_is_checked_against_the_public_url():
    channel, inbox = twilio(), Inbox()
    assert twilio_post(channel, twilio_form("SM1"), inbox).status == 200
    assert twilio_post(channel, twilio_form("SM2"), inbox, signature=None).status == 403
    assert twilio_post(channel, twilio_form("SM3"), inbox, signature="c2lnbmF0dXJl").status == 403
    # signed for the internal URL, but Twilio called the public one
    assert twilio_post(channel, twilio_form("SM4"), inbox, url="http://127.0.0.1:5005/webhooks/twilio_whatsapp/webhook").status == 403
    tampered = twilio_form("SM5")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL, tampered)
    tampered["Body"] = "Etwas anderes"
    assert run(deliver(channel, {"X-Twilio-Signature": signature}, urlencode(tampered).encode(), PUBLIC_URL, inbox)).status == 403
    assert inbox.texts == ["Hallo"] and inbox.messages[0].sender_id == "whatsapp:+491711111111"


def test_twilio_falls_back_to_the_forwarded_request_url():
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lotse.example.org"}
    url = request_url(headers, "http", "127.0.0.1:5005", "/webhooks/twilio_whatsapp/webhook", "")
    assert url == PUBLIC_URL
    assert request_url({}, "http", "127.0.0.1:5005", "/w", "a=1") == "http://127.0.0.1:5005/w?a=1"
    channel, inbox = twilio(public_url=""), Inbox()
    form = twilio_form("SM1")
    request = SimpleNamespace(  # what the route handler reads from Sanic's request
        headers={**headers, "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL, form)},
        scheme="http", host="127.0.0.1:5005", path="/webhooks/twilio_whatsapp/webhook", query_string="",
        body=urlencode(form).encode(),
    )

    async def go():
        result = await channel.handle(request, inbox)
        await channel.tasks.join()
        return result

    assert run(go()).status == 200
    assert inbox.texts == ["Hallo"]
    request.headers = {k: v for k, v in request.headers.items() if not k.startswith("X-Forwarded")}
    assert run(go()).status == 403  # without the proxy's headers the URL differs


def test_twilio_media_only_gets_a_friendly_german_reply():
    sender = FakeSender()
    channel, inbox = twilio(sender), Inbox()
    response = twilio_post(channel, twilio_form("SM1", body="", media=1), inbox)
    assert response.status == 200 and response.content_type.startswith("text/xml")
    assert inbox.messages == []
    assert sender.bodies() == [{"From": "whatsapp:+4915100000000", "To": "whatsapp:+491711111111", "Body": TEXT_ONLY_REPLY}]
    assert sender.calls[0]["url"] == "http://fake/twilio/2010-04-01/Accounts/AC123/Messages.json"
    assert sender.calls[0]["auth"] == aiohttp.BasicAuth("AC123", TWILIO_TOKEN)


def test_twilio_deduplicates_by_message_sid():
    channel, inbox = twilio(), Inbox()
    for _ in range(2):
        twilio_post(channel, twilio_form("SM1"), inbox)
    twilio_post(channel, twilio_form("SM2", "Danke"), inbox)
    assert inbox.texts == ["Hallo", "Danke"]


def test_twilio_buttons_become_numbers_and_numbers_become_payloads():
    sender = FakeSender()
    channel = twilio(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": BUTTONS})
    twilio_post(channel, twilio_form("SM1"), inbox)
    assert sender.bodies()[0]["Body"].startswith("Wobei kann ich helfen?\n\n1) Welches Jobcenter ist zuständig?\n2) Kita-Platz finden")
    inbox.reply = None
    twilio_post(channel, twilio_form("SM2", "2"), inbox)
    twilio_post(channel, twilio_form("SM3", "2"), inbox)  # options were for one reply only
    twilio_post(channel, twilio_form("SM4", "1", sender="whatsapp:+491722222222"), inbox)  # someone else
    assert inbox.texts == ["Hallo", "/ask_kita_anmeldung", "2", "1"]


def test_twilio_buttons_are_whatsapp_buttons_through_twilio_content():
    sender = FakeSender(content_sid="HX" + "a" * 32)
    channel = twilio(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": BUTTONS})
    twilio_post(channel, twilio_form("SM1"), inbox)
    twilio_post(channel, twilio_form("SM2"), Inbox(reply={"text": "Und jetzt?", "buttons": BUTTONS}))
    [created] = sender.bodies("twilio content")  # once for the same buttons
    assert [c["url"] for c in sender.calls if c["what"] == "twilio content"] == ["http://fake/twilio/v1/Content"]
    quick = created["types"]["twilio/quick-reply"]
    assert quick["body"] == "{{1}}" and [a["id"] for a in quick["actions"]] == ["/ask_office", "/ask_kita_anmeldung"]
    assert all(len(a["title"]) <= 20 for a in quick["actions"])
    first, second = sender.bodies("twilio send")
    assert first["ContentSid"] == "HX" + "a" * 32 and "Body" not in first
    assert json.loads(first["ContentVariables"]) == {"1": "Wobei kann ich helfen?"}
    assert json.loads(second["ContentVariables"]) == {"1": "Und jetzt?"}
    # A tap sends the id as ButtonPayload; the title typed chooses too; a number does not (none shown).
    twilio_post(channel, {**twilio_form("SM3", "Kita-Platz finden"), "ButtonPayload": "/ask_kita_anmeldung"}, inbox)
    assert inbox.texts[-1] == "/ask_kita_anmeldung"

    inbox.reply = {"text": "Wobei kann ich helfen?", "buttons": FOUR_BUTTONS}
    sender.content_sid = "HX" + "b" * 32
    twilio_post(channel, twilio_form("SM4"), inbox)
    listed = sender.bodies("twilio content")[-1]["types"]["twilio/list-picker"]
    assert listed["button"] == "Auswahl öffnen" and len(listed["items"]) == 4
    assert all(len(i["item"]) <= 24 and len(i["description"]) <= 72 for i in listed["items"])
    assert sender.bodies("twilio send")[-1]["ContentSid"] == "HX" + "b" * 32
    inbox.reply = None
    twilio_post(channel, {**twilio_form("SM5", "Was kannst du?"), "ListId": "/ask_capabilities"}, inbox)
    assert inbox.texts[-1] == "/ask_capabilities"


def test_the_number_hint_is_in_the_language_of_the_conversation():
    def hint(language: str) -> str:
        return messages_for(language, ROOT / "content")("reply_with_number")

    sender = FakeSender()
    channel = twilio(sender)
    english = [{"title": "Which office is responsible?", "payload": "/ask_office"}, {"title": "Find a Kita place", "payload": "/ask_kita"}]
    replies = [
        {"text": "What can I help you with?", "buttons": english},  # the language it is written in
        {"text": "Чим я можу вам допомогти?", "buttons": [{"title": "Дитсадок", "payload": "/ask_kita"}]},
        # a templated response names the language its variation was chosen for
        {"text": "Kita?", "buttons": BUTTONS, "condition": [{"type": "slot", "name": "language", "value": "uk"}]},
        {"text": "", "buttons": [{"title": "Kita", "payload": "/ask_kita"}]},  # nothing to tell by: the user's language
    ]
    for number, reply in enumerate(replies, 1):
        text = "I need help with childcare, please" if number == 4 else "Hallo"
        twilio_post(channel, twilio_form(f"SM{number}", text), Inbox(reply=reply))
    assert [body["Body"].rsplit("\n\n", 1)[1] for body in sender.bodies()] == [hint("en"), hint("uk"), hint("uk"), hint("en")]
    assert hint("de") == "Antworten Sie einfach mit der Zahl."
    assert render_numbered("Wobei kann ich helfen?", BUTTONS).endswith(hint("de"))


def test_buttons_without_text_get_please_choose_in_the_conversations_language():
    sender = FakeSender()
    channel = telegram(sender)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    uk = [{"type": "slot", "name": "language", "value": "uk"}]
    run(deliver(channel, headers, telegram_update(1), Inbox(reply={"text": "", "buttons": BUTTONS, "condition": uk})))
    run(deliver(channel, headers, telegram_update(2), Inbox(reply={"text": "", "buttons": BUTTONS})))
    assert [body["text"] for body in sender.bodies("sendMessage")] == ["Будь ласка, виберіть:", "Bitte wählen Sie:"]


def test_twilio_splits_at_1600():
    sender = FakeSender()
    run(twilio(sender).get_output_channel().send_text_message("whatsapp:+49171", "Ein Satz. " * 400))
    assert [len(b["Body"]) <= 1600 for b in sender.bodies()] == [True, True, True]


# --- WhatsApp Cloud API ----------------------------------------------------------------------

WA_SECRET = "wa-app-secret"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def whatsapp(sender: Optional[FakeSender] = None, clock: Optional[Clock] = None) -> WhatsAppCloudInput:
    config = WhatsAppCloudConfig("verify-me", WA_SECRET, "wa-token", "1234567890", "http://fake/whatsapp/v19.0")
    return WhatsAppCloudInput(config, sender or FakeSender(), ReplyWindow(clock=clock or Clock()))


def wa_text(wa_id: str, text: str, message_id: str, timestamp: int = 1_700_000_000) -> dict:
    return {"from": wa_id, "id": message_id, "timestamp": str(timestamp), "type": "text", "text": {"body": text}}


def wa_delivery(*changes: list[dict], phone_number_id: str = "1234567890", statuses: bool = False) -> bytes:
    def value(messages: list[dict]) -> dict:
        v: dict = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "4915100000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "A"}, "wa_id": m["from"]} for m in messages],
            "messages": messages,
        }
        if statuses:
            v["statuses"] = [{"id": "wamid.S", "status": "read", "timestamp": "1700000000", "recipient_id": "49171"}]
        return v

    entry = {"id": "WABA", "changes": [{"value": value(m), "field": "messages"} for m in changes]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def wa_post(channel, body: bytes, inbox, signature: Optional[str] = "sign"):
    headers = {} if signature is None else {"X-Hub-Signature-256": meta_signature(WA_SECRET, body) if signature == "sign" else signature}
    return run(deliver(channel, headers, body, inbox))


def test_whatsapp_hub_verification_and_signature():
    assert hub_challenge({"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}, "verify-me").body == b"42"
    channel, inbox = whatsapp(), Inbox()
    body = wa_delivery([wa_text("49171", "Hallo", "wamid.1")])
    assert wa_post(channel, body, inbox, signature=None).status == 403
    assert wa_post(channel, body, inbox, signature=meta_signature("wrong", body)).status == 403
    assert wa_post(channel, body, inbox, signature=meta_signature(WA_SECRET, body + b"\n")).status == 403
    assert inbox.messages == []
    assert wa_post(channel, body, inbox).status == 200
    assert inbox.texts == ["Hallo"] and inbox.messages[0].sender_id == "49171"


def test_whatsapp_batch_all_entries_changes_and_messages():
    channel, inbox = whatsapp(), Inbox()
    entry_a = json.loads(wa_delivery([wa_text("491", "Hallo", "wamid.1"), wa_text("492", "Kita", "wamid.2")], statuses=True))
    entry_b = json.loads(wa_delivery([wa_text("493", "Umschulung", "wamid.3")]))["entry"][0]
    other_number = json.loads(wa_delivery([wa_text("494", "fremd", "wamid.4")], phone_number_id="999"))["entry"][0]
    entry_a["entry"] += [entry_b, other_number]
    assert wa_post(channel, json.dumps(entry_a).encode(), inbox).status == 200
    assert sorted(inbox.texts) == ["Hallo", "Kita", "Umschulung"]


def test_whatsapp_deduplicates_by_message_id():
    channel, inbox = whatsapp(), Inbox()
    body = wa_delivery([wa_text("491", "Hallo", "wamid.1")])
    wa_post(channel, body, inbox)
    wa_post(channel, body, inbox)
    assert inbox.texts == ["Hallo"]


def test_whatsapp_buttons_both_ways():
    sender = FakeSender()
    channel = whatsapp(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": BUTTONS})
    wa_post(channel, wa_delivery([wa_text("491", "Hallo", "wamid.1")]), inbox)
    call = sender.calls[0]
    assert call["url"] == "http://fake/whatsapp/v19.0/1234567890/messages"
    assert call["headers"] == {"Authorization": "Bearer wa-token"}
    body = call["json_body"]
    assert body["to"] == "491" and body["type"] == "interactive"
    buttons = body["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/ask_office", "/ask_kita_anmeldung"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert body["interactive"]["body"]["text"] == "Wobei kann ich helfen?"

    inbox.reply = None
    reply = {"from": "491", "id": "wamid.2", "timestamp": "1700000001", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "/ask_kita_anmeldung", "title": "Kita-Platz finden"}}}
    wa_post(channel, wa_delivery([reply]), inbox)
    assert inbox.texts[-1] == "/ask_kita_anmeldung"


def test_whatsapp_four_to_ten_buttons_are_a_list_and_more_become_numbers():
    sender = FakeSender()
    channel = whatsapp(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": FOUR_BUTTONS})
    wa_post(channel, wa_delivery([wa_text("491", "Hallo", "wamid.1")]), inbox)
    sent = sender.bodies()[0]["interactive"]
    assert sent["type"] == "list" and sent["body"]["text"] == "Wobei kann ich helfen?"
    assert sent["action"]["button"] == "Auswahl öffnen"
    rows = sent["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [b["payload"] for b in FOUR_BUTTONS]
    assert all(len(r["title"]) <= 24 for r in rows)
    # A title too long for a row is shortened and given whole below it.
    assert rows[0] == {"id": "/ask_office", "title": "Welches Jobcenter ist…", "description": "Welches Jobcenter ist zuständig?"}
    inbox.reply = None
    chosen = {"from": "491", "id": "wamid.2", "timestamp": "1700000001", "type": "interactive",
              "interactive": {"type": "list_reply", "list_reply": {"id": "/ask_capabilities", "title": "Was kannst du?"}}}
    wa_post(channel, wa_delivery([chosen]), inbox)
    assert inbox.texts[-1] == "/ask_capabilities"

    eleven = [{"title": f"Thema {n}", "payload": f"/t{n}"} for n in range(1, 12)]
    inbox.reply = {"text": "Welches Thema?", "buttons": eleven}
    wa_post(channel, wa_delivery([wa_text("491", "Themen", "wamid.3")]), inbox)
    numbered = sender.bodies()[-1]
    assert numbered["type"] == "text" and "11) Thema 11" in numbered["text"]["body"]
    inbox.reply = None
    wa_post(channel, wa_delivery([wa_text("491", "11", "wamid.4")]), inbox)
    assert inbox.texts[-1] == "/t11"


def test_a_buttons_title_typed_chooses_it_a_number_only_where_numbers_were_shown():
    sender = FakeSender()
    channel = whatsapp(sender)
    inbox = Inbox(reply={"text": "Wobei kann ich helfen?", "buttons": BUTTONS})
    wa_post(channel, wa_delivery([wa_text("491", "Hallo", "wamid.1")]), inbox)
    inbox.reply = None
    wa_post(channel, wa_delivery([wa_text("491", "kita-platz finden!", "wamid.2")]), inbox)
    assert inbox.texts[-1] == "/ask_kita_anmeldung"
    inbox.reply = {"text": "Wobei kann ich helfen?", "buttons": BUTTONS}
    wa_post(channel, wa_delivery([wa_text("491", "Hallo", "wamid.3")]), inbox)
    inbox.reply = None
    wa_post(channel, wa_delivery([wa_text("491", "2", "wamid.4")]), inbox)  # no numbers were shown
    assert inbox.texts[-1] == "2"


def test_whatsapp_long_text_with_buttons_keeps_the_button_body_short():
    sender = FakeSender()
    channel = whatsapp(sender)
    channel.window.touch("491")
    run(channel.get_output_channel().send_text_with_buttons("491", "Ein Satz. " * 600, BUTTONS))
    sent = sender.bodies()
    assert [s["type"] for s in sent][-1] == "interactive"
    assert all(len(s["text"]["body"]) <= 4096 for s in sent[:-1])
    assert len(sent[-1]["interactive"]["body"]["text"]) <= 1024


def test_whatsapp_24_hour_rule(caplog):
    clock, sender = Clock(), FakeSender()
    channel = whatsapp(sender, clock)
    wa_post(channel, wa_delivery([wa_text("491", "Hallo", "wamid.1", timestamp=int(clock.now))]), Inbox())
    output = channel.get_output_channel()
    clock.now += 23 * 3600
    run(output.send_text_message("491", "Noch da?"))
    assert len(sender.calls) == 1
    clock.now += 2 * 3600
    with caplog.at_level(logging.WARNING):
        run(output.send_text_message("491", "Erinnerung"))
        run(output.send_text_message("49999", "an jemanden, der nie geschrieben hat"))
    assert len(sender.calls) == 1
    assert "24-hour" in caplog.text and "491" not in caplog.text and "Erinnerung" not in caplog.text


def test_whatsapp_window_counts_from_the_message_time():
    clock = Clock()
    window = ReplyWindow(clock=clock)
    window.touch("491", sent_at=clock.now - 23.5 * 3600)  # delivered late
    assert window.is_open("491")
    clock.now += 3600
    assert not window.is_open("491")
    window.touch("492", sent_at=clock.now + 3600)  # a clock from the future counts as now
    clock.now += DAY - 1
    assert window.is_open("492")


def test_whatsapp_media_gets_the_text_only_note():
    sender = FakeSender()
    channel, inbox = whatsapp(sender), Inbox()
    image = {"from": "491", "id": "wamid.9", "timestamp": "1700000000", "type": "image", "image": {"id": "M1", "mime_type": "image/jpeg"}}
    reaction = {"from": "491", "id": "wamid.10", "timestamp": "1700000000", "type": "reaction", "reaction": {"message_id": "wamid.1", "emoji": "👍"}}
    wa_post(channel, wa_delivery([image, reaction]), inbox)
    assert inbox.messages == []
    assert [b["text"]["body"] for b in sender.bodies()] == [TEXT_ONLY_REPLY]


# --- credentials -----------------------------------------------------------------------------

ALL_CHANNELS_ENV = {
    "LOTSE_TELEGRAM_TOKEN": "123:tg-token",
    "LOTSE_TELEGRAM_SECRET": "tg-secret",
    "LOTSE_FACEBOOK_VERIFY_TOKEN": "fb-verify",
    "LOTSE_FACEBOOK_APP_SECRET": "fb-secret",
    "LOTSE_FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page-token",
    "LOTSE_TWILIO_ACCOUNT_SID": "AC123",
    "LOTSE_TWILIO_AUTH_TOKEN": "tw-token",
    "LOTSE_TWILIO_WHATSAPP_NUMBER": "+4915100000000",
    "LOTSE_WHATSAPP_VERIFY_TOKEN": "wa-verify",
    "LOTSE_WHATSAPP_APP_SECRET": "wa-secret",
    "LOTSE_WHATSAPP_ACCESS_TOKEN": "wa-token",
    "LOTSE_WHATSAPP_PHONE_NUMBER_ID": "1234567890",
}


def test_credentials_without_messenger_variables_are_the_always_on_channels():
    import yaml

    credentials = channel_credentials({})
    assert credentials["lotse.rasa_server.channels.rest.RestInput"] == {}  # Lotse's REST channel, still named `rest`
    widget = "lotse.rasa_server.channels.secure_socketio.SecureSocketIOInput"
    assert credentials[widget] == yaml.safe_load((ROOT / "credentials.yml").read_text())[widget]
    assert set(credentials) == {"lotse.rasa_server.channels.rest.RestInput", widget}


def test_credentials_enable_each_fully_configured_channel_with_placeholders():
    env = {**ALL_CHANNELS_ENV, "LOTSE_TELEGRAM_API_URL": "http://127.0.0.1:9/telegram"}
    credentials = channel_credentials(env)
    assert {spec.class_path for spec in MESSENGER_CHANNELS.values()} <= set(credentials)
    assert credentials["lotse.rasa_server.channels.telegram.TelegramInput"] == {
        "access_token": "${LOTSE_TELEGRAM_TOKEN}",
        "secret_token": "${LOTSE_TELEGRAM_SECRET}",
        "api_url": "http://127.0.0.1:9/telegram",
    }
    assert credentials["lotse.rasa_server.channels.facebook.FacebookInput"]["api_url"] == "https://graph.facebook.com/v19.0"
    assert credentials["lotse.rasa_server.channels.twilio_whatsapp.TwilioWhatsAppInput"]["api_url"] == "https://api.twilio.com"
    assert credentials["lotse.rasa_server.channels.whatsapp_cloud.WhatsAppCloudInput"]["phone_number_id"] == "${LOTSE_WHATSAPP_PHONE_NUMBER_ID}"
    rendered = render_credentials(credentials)
    for secret in ALL_CHANNELS_ENV.values():
        assert secret not in rendered


def test_partly_configured_channels_stay_off():
    env = {k: v for k, v in ALL_CHANNELS_ENV.items() if k != "LOTSE_WHATSAPP_APP_SECRET"}
    env["LOTSE_TELEGRAM_SECRET"] = "  "
    credentials = channel_credentials(env)
    assert "lotse.rasa_server.channels.whatsapp_cloud.WhatsAppCloudInput" not in credentials
    assert "lotse.rasa_server.channels.telegram.TelegramInput" not in credentials
    assert "lotse.rasa_server.channels.facebook.FacebookInput" in credentials


def test_written_credentials_load_in_rasa_without_network(tmp_path, monkeypatch):
    from rasa.core.run import create_http_input_channels

    path = write_credentials(tmp_path / "credentials.yml", ALL_CHANNELS_ENV)
    text = path.read_text()
    assert all(secret not in text for secret in ALL_CHANNELS_ENV.values())
    for name, value in ALL_CHANNELS_ENV.items():
        monkeypatch.setenv(name, value)
    channels = {c.name(): c for c in create_http_input_channels(None, str(path))}
    assert set(channels) == {"rest", "socketio", "telegram", "facebook", "twilio_whatsapp", "whatsapp_cloud"}
    assert channels["telegram"].config.token == "123:tg-token"
    assert channels["whatsapp_cloud"].config.phone_number_id == "1234567890"
    assert channels["twilio_whatsapp"].config.sender_address == "whatsapp:+4915100000000"


def test_stack_gives_rasa_the_generated_credentials(tmp_path):
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path)})
    stack = Stack(settings, Path("model.tar.gz"), tmp_path / "logs")
    command = stack.commands()["rasa"]
    assert command[command.index("--credentials") + 1] == str(tmp_path / "credentials.yml")


def test_telegram_language_code_becomes_a_hint_and_start_greets_in_it():
    channel = TelegramInput(TelegramConfig(token="t", secret="s", api_url="http://127.0.0.1:9"))
    start = channel.parse_update({"message": {"message_id": 1, "chat": {"id": 7, "type": "private"}, "from": {"language_code": "uk"}, "text": "/start"}})
    assert start.text == '/greet{"language": "uk"}' and start.language_hint == "uk"
    text = channel.parse_update({"message": {"message_id": 2, "chat": {"id": 7, "type": "private"}, "from": {"language_code": "fr-FR"}, "text": "Kita"}})
    assert text.language_hint is None and text.text == "Kita"
