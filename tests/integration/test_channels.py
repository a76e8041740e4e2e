"""All four messenger channels on the real stack (own ports), with a fake platform API on 127.0.0.1.

Real-shaped webhook payloads are posted to the running Rasa server; the fake API records what
Lotse sends back. Waiting is done by polling the fake API, never by fixed sleeps.
"""
from __future__ import annotations

import hashlib
import hmac
import http.server
import itertools
import json
import re
import threading
import time
import uuid
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from lotse.core.settings import load_settings
from lotse.runner.stack import Stack
from tests.integration.answers import variant_start
from tests.integration.conftest import MODEL

PORTS = {"LOTSE_RASA_PORT": "15205", "LOTSE_ACTIONS_PORT": "15255", "LOTSE_WEB_PORT": "18280"}
TG_TOKEN, TG_SECRET = "123456:integration-token", "tg-secret_1"
FB_VERIFY, FB_SECRET, FB_TOKEN = "fb-verify", "fb-app-secret", "fb-page-token"
TW_SID, TW_TOKEN, TW_NUMBER = "AC00000000000000000000000000000001", "tw-auth-token", "+4915100000000"
TW_PUBLIC_URL = "https://lotse.example.org/webhooks/twilio_whatsapp/webhook"
WA_VERIFY, WA_SECRET, WA_TOKEN, WA_PHONE_ID = "wa-verify", "wa-app-secret", "wa-access-token", "109876543210"
GREETING = "ich bin Lotse"
_ids = itertools.count(int(time.time()) % 100_000 * 100)


class FakePlatform:
    """Telegram, Graph and Twilio APIs in one: records every call and answers like the platform."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        platform = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw)
                else:
                    body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                with platform.lock:
                    platform.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer = platform.answer(self.path)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def answer(path: str) -> tuple[int, dict]:
        if path.startswith("/telegram/"):
            return 200, {"ok": True, "result": True}
        if path == "/twilio/v1/Content":  # Twilio's Content API (LOTSE_TWILIO_API_URL serves both here)
            return 201, {"sid": "HX" + uuid.uuid4().hex}
        if path.startswith("/twilio/"):
            return 201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued"}
        return 200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.out"}], "message_id": "mid.out"}

    def matching(self, predicate: Callable[[dict], bool]) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if predicate(c)]

    def wait_for(self, predicate: Callable[[dict], bool], count: int = 1, timeout: float = 60.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"fake API: {len(self.matching(predicate))} of {count} expected calls after {timeout:.0f} s")


def channel_env(platform_url: str) -> dict[str, str]:
    """All four messenger channels switched on, against the fake platform API at `platform_url`."""
    return {
        "LOTSE_TELEGRAM_TOKEN": TG_TOKEN, "LOTSE_TELEGRAM_SECRET": TG_SECRET,
        "LOTSE_TELEGRAM_API_URL": f"{platform_url}/telegram",
        "LOTSE_FACEBOOK_VERIFY_TOKEN": FB_VERIFY, "LOTSE_FACEBOOK_APP_SECRET": FB_SECRET,
        "LOTSE_FACEBOOK_PAGE_ACCESS_TOKEN": FB_TOKEN, "LOTSE_FACEBOOK_API_URL": f"{platform_url}/facebook/v19.0",
        "LOTSE_TWILIO_ACCOUNT_SID": TW_SID, "LOTSE_TWILIO_AUTH_TOKEN": TW_TOKEN,
        "LOTSE_TWILIO_WHATSAPP_NUMBER": TW_NUMBER, "LOTSE_TWILIO_API_URL": f"{platform_url}/twilio",
        "LOTSE_TWILIO_PUBLIC_URL": TW_PUBLIC_URL,
        "LOTSE_WHATSAPP_VERIFY_TOKEN": WA_VERIFY, "LOTSE_WHATSAPP_APP_SECRET": WA_SECRET,
        "LOTSE_WHATSAPP_ACCESS_TOKEN": WA_TOKEN, "LOTSE_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
        "LOTSE_WHATSAPP_API_URL": f"{platform_url}/whatsapp/v19.0",
    }


@pytest.fixture(scope="module")
def platform():
    fake = FakePlatform()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="module")
def lotse(tmp_path_factory, platform):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    data_dir = tmp_path_factory.mktemp("lotse-channels")
    env = {
        **PORTS,
        "LOTSE_DATA_DIR": str(data_dir),
        **channel_env(platform.url),
    }
    stack = Stack(load_settings(env), MODEL, data_dir / "logs")
    # The processes inherit the environment at start; it is restored right after.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        stack.start()
    try:
        stack.wait_ready(timeout=180)
        yield stack
    finally:
        stack.stop()


def webhook(lotse, channel: str) -> str:
    return f"{lotse.settings.rasa_url}/webhooks/{channel}/webhook"


def settle(lotse) -> None:
    """A full REST turn: whatever an earlier request would have started has had a turn's time."""
    response = requests.post(
        f"{lotse.settings.rasa_url}/webhooks/rest/webhook", json={"sender": "barrier-" + uuid.uuid4().hex[:8], "message": "Hallo"}, timeout=30
    )
    assert response.status_code == 200


def meta_headers(secret: str, body: bytes) -> dict[str, str]:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


def test_credentials_file_holds_no_secrets(lotse):
    text = lotse.credentials_file.read_text()
    assert "lotse.rasa_server.channels.whatsapp_cloud.WhatsAppCloudInput" in text and "${LOTSE_TELEGRAM_SECRET}" in text
    for secret in (TG_TOKEN, TG_SECRET, FB_SECRET, FB_TOKEN, TW_TOKEN, WA_SECRET, WA_TOKEN):
        assert secret not in text


# --- Telegram --------------------------------------------------------------------------------

def tg_message(chat_id: int, text: str) -> dict:
    update_id = next(_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "de"},
            "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def tg_post(lotse, update: dict, secret: Optional[str] = TG_SECRET) -> requests.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return requests.post(webhook(lotse, "telegram"), json=update, headers=headers, timeout=10)


def tg_sent_to(chat_id: int) -> Callable[[dict], bool]:
    return lambda c: c["path"] == f"/telegram/bot{TG_TOKEN}/sendMessage" and c["body"].get("chat_id") == str(chat_id)


def test_telegram_greeting_with_buttons_and_a_button_press(lotse, platform):
    chat_id = next(_ids)
    assert tg_post(lotse, tg_message(chat_id, "Hallo")).status_code == 200
    greeting = platform.wait_for(tg_sent_to(chat_id))[0]["body"]
    assert GREETING in greeting["text"]
    keyboard = greeting["reply_markup"]["inline_keyboard"]
    assert {"text": "Was kannst du?", "callback_data": "/ask_capabilities"} in [row[0] for row in keyboard]

    query = {
        "id": str(next(_ids)),
        "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
        "message": {"message_id": 1, "chat": {"id": chat_id, "type": "private"}, "date": int(time.time()),
                    "text": greeting["text"], "reply_markup": greeting["reply_markup"]},
        "chat_instance": "1",
        "data": "/ask_capabilities",
    }
    assert tg_post(lotse, {"update_id": next(_ids), "callback_query": query}).status_code == 200
    answer = platform.wait_for(tg_sent_to(chat_id), count=2)[1]["body"]
    assert "Ich beantworte Fragen" in answer["text"]
    platform.wait_for(lambda c: c["path"].endswith("/answerCallbackQuery") and c["body"]["callback_query_id"] == query["id"])


@pytest.mark.parametrize(
    "lang, question, town, area",
    [
        ("de", "Wie melde ich mein Kind in der Kita an?", "Gronau", "gronau"),
        ("en", "How do I register my child for a Kita?", "Gronau", "gronau"),
        ("uk", "Як записати дитину в садочок?", "Бохольт", "bocholt"),
    ],
)
def test_telegram_follows_the_conversation(lotse, platform, lang, question, town, area):
    """Issue #19 on a messenger, in each language: the reply to the bot's own question (the town)
    continues the Kita topic for that town."""
    chat_id = next(_ids)
    assert tg_post(lotse, tg_message(chat_id, question)).status_code == 200
    asked = variant_start("kita_anmeldung", lang)
    platform.wait_for(lambda c: tg_sent_to(chat_id)(c) and asked in c["body"].get("text", ""))
    assert tg_post(lotse, tg_message(chat_id, town)).status_code == 200
    expected = variant_start("kita_anmeldung", lang, jugendamt_area=area)
    platform.wait_for(lambda c: tg_sent_to(chat_id)(c) and expected in c["body"].get("text", ""))


@pytest.mark.parametrize(
    "first, followup",
    [
        ("Bekomme ich Unterhaltsvorschuss, wenn der Vater nicht zahlt?", "Wo beantrage ich das?"),
        ("Can I get Unterhaltsvorschuss if the father does not pay?", "where do I apply for it?"),
        ("Чи можу я отримати Unterhaltsvorschuss, якщо батько не платить аліменти?", "де це оформити?"),
    ],
)
def test_telegram_answers_a_follow_up_for_the_topic_and_the_town_it_was_told(lotse, platform, first, followup):
    """Issue #19 on a messenger: the town said first and "where do I apply?" after the
    Unterhaltsvorschuss answer give the Jugendamt for that town, in each language."""
    chat_id = next(_ids)
    for text in ["Gescher", first]:
        before = len(platform.matching(tg_sent_to(chat_id)))
        assert tg_post(lotse, tg_message(chat_id, text)).status_code == 200
        platform.wait_for(tg_sent_to(chat_id), count=before + 1)
        settle(lotse)
    before = len(platform.matching(tg_sent_to(chat_id)))
    assert tg_post(lotse, tg_message(chat_id, followup)).status_code == 200
    platform.wait_for(tg_sent_to(chat_id), count=before + 1)
    settle(lotse)
    reply = "\n".join(c["body"].get("text", "") for c in platform.matching(tg_sent_to(chat_id))[before:])
    assert "Jugendamt" in reply and "Gescher" in reply, reply


def test_telegram_rejects_missing_or_wrong_secret(lotse, platform):
    chat_id = next(_ids)
    assert tg_post(lotse, tg_message(chat_id, "Hallo"), secret=None).status_code == 403
    assert tg_post(lotse, tg_message(chat_id, "Hallo"), secret="wrong").status_code == 403
    settle(lotse)
    assert platform.matching(tg_sent_to(chat_id)) == []


def test_telegram_same_update_twice_one_reply(lotse, platform):
    chat_id = next(_ids)
    update = tg_message(chat_id, "Hallo")
    assert tg_post(lotse, update).status_code == 200
    assert tg_post(lotse, update).status_code == 200
    platform.wait_for(tg_sent_to(chat_id))
    settle(lotse)
    assert len(platform.matching(tg_sent_to(chat_id))) == 1


# --- Facebook Messenger ----------------------------------------------------------------------

def fb_event(psid: str, text: str) -> dict:
    return {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE_ID"},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text},
    }


def fb_body(*entries: list[dict]) -> bytes:
    delivery = {"object": "page", "entry": [{"id": "PAGE_ID", "time": int(time.time() * 1000), "messaging": e} for e in entries]}
    return json.dumps(delivery).encode()


def fb_post(lotse, body: bytes, headers: Optional[dict] = None) -> requests.Response:
    return requests.post(webhook(lotse, "facebook"), data=body, headers=headers if headers is not None else meta_headers(FB_SECRET, body), timeout=10)


def fb_sent_to(psid: str) -> Callable[[dict], bool]:
    return lambda c: c["path"] == "/facebook/v19.0/me/messages" and c["body"]["recipient"]["id"] == psid


def test_facebook_webhook_verification(lotse):
    params = {"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "1158201444"}
    ok = requests.get(webhook(lotse, "facebook"), params=params, timeout=10)
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = requests.get(webhook(lotse, "facebook"), params={**params, "hub.verify_token": "nope"}, timeout=10)
    assert wrong.status_code == 403


def test_facebook_greeting_with_quick_replies(lotse, platform):
    psid = str(next(_ids))
    assert fb_post(lotse, fb_body([fb_event(psid, "Hallo")])).status_code == 200
    call = platform.wait_for(fb_sent_to(psid))[0]
    assert call["headers"]["Authorization"] == f"Bearer {FB_TOKEN}"
    message = call["body"]["message"]
    assert GREETING in message["text"]
    assert "/ask_office" in [q["payload"] for q in message["quick_replies"]]
    assert all(len(q["title"]) <= 20 for q in message["quick_replies"])


def test_facebook_rejects_missing_wrong_or_sha1_signature(lotse, platform):
    psid = str(next(_ids))
    body = fb_body([fb_event(psid, "Hallo")])
    sha1 = "sha1=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert fb_post(lotse, body, {"Content-Type": "application/json"}).status_code == 403
    assert fb_post(lotse, body, meta_headers("wrong-secret", body)).status_code == 403
    assert fb_post(lotse, body, {"Content-Type": "application/json", "X-Hub-Signature": sha1}).status_code == 403
    settle(lotse)
    assert platform.matching(fb_sent_to(psid)) == []


def test_facebook_batch_of_three_gets_three_replies(lotse, platform):
    psids = [str(next(_ids)) for _ in range(3)]
    body = fb_body([fb_event(psids[0], "Hallo"), fb_event(psids[1], "Hallo")], [fb_event(psids[2], "Hallo")])
    assert fb_post(lotse, body).status_code == 200
    for psid in psids:
        assert GREETING in platform.wait_for(fb_sent_to(psid))[0]["body"]["message"]["text"]
    settle(lotse)
    assert len(platform.matching(lambda c: c["path"].startswith("/facebook/") and c["body"]["recipient"]["id"] in psids)) == 3


def test_facebook_redelivery_one_reply(lotse, platform):
    psid = str(next(_ids))
    body = fb_body([fb_event(psid, "Hallo")])
    assert fb_post(lotse, body).status_code == 200
    assert fb_post(lotse, body).status_code == 200
    platform.wait_for(fb_sent_to(psid))
    settle(lotse)
    assert len(platform.matching(fb_sent_to(psid))) == 1


# --- WhatsApp via Twilio ---------------------------------------------------------------------

def tw_form(sender: str, body: str, media: int = 0) -> dict:
    sid = "SM" + uuid.uuid4().hex
    form = {
        "SmsMessageSid": sid, "NumMedia": str(media), "ProfileName": "Test", "SmsSid": sid,
        "WaId": sender.removeprefix("whatsapp:+"), "SmsStatus": "received", "Body": body,
        "To": f"whatsapp:{TW_NUMBER}", "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": TW_SID, "From": sender, "ApiVersion": "2010-04-01",
    }
    if media:
        form.update({"MediaContentType0": "image/jpeg", "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{TW_SID}/Messages/{sid}/Media/ME1"})
    return form


def tw_post(lotse, form: dict, signature: Optional[str] = "sign") -> requests.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "sign":
        headers["X-Twilio-Signature"] = RequestValidator(TW_TOKEN).compute_signature(TW_PUBLIC_URL, form)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return requests.post(webhook(lotse, "twilio_whatsapp"), data=urlencode(form), headers=headers, timeout=10)


def tw_sent_to(sender: str) -> Callable[[dict], bool]:
    return lambda c: c["path"] == f"/twilio/2010-04-01/Accounts/{TW_SID}/Messages.json" and c["body"].get("To") == sender


def test_twilio_greeting_with_whatsapp_buttons_and_a_choice(lotse, platform):
    sender = f"whatsapp:+49171{next(_ids)}"
    response = tw_post(lotse, tw_form(sender, "Hallo"))
    assert response.status_code == 200 and "<Response>" in response.text
    call = platform.wait_for(tw_sent_to(sender))[0]
    assert call["headers"]["Authorization"].startswith("Basic ")
    assert call["body"]["From"] == f"whatsapp:{TW_NUMBER}"
    # The buttons are Twilio content (a list picker for more than three), the text its variable.
    [created] = platform.matching(lambda c: c["path"] == "/twilio/v1/Content")[-1:]
    items = created["body"]["types"]["twilio/list-picker"]["items"]
    assert call["body"]["ContentSid"].startswith("HX") and "Body" not in call["body"]
    assert GREETING in json.loads(call["body"]["ContentVariables"])["1"]
    kita = next(i for i in items if i["item"] == "Kita-Platz finden")
    tw_post(lotse, {**tw_form(sender, "Kita-Platz finden"), "ListId": kita["id"]})
    answer = json.dumps(platform.wait_for(tw_sent_to(sender), count=2)[1]["body"], ensure_ascii=False)
    assert "Kita" in answer


def test_twilio_rejects_bad_signature(lotse, platform):
    sender = f"whatsapp:+49171{next(_ids)}"
    form = tw_form(sender, "Hallo")
    assert tw_post(lotse, form, signature=None).status_code == 403
    assert tw_post(lotse, form, signature="bm90LWEtc2lnbmF0dXJl").status_code == 403
    internal = RequestValidator(TW_TOKEN).compute_signature(webhook(lotse, "twilio_whatsapp"), form)
    assert tw_post(lotse, form, signature=internal).status_code == 403  # not the public URL
    settle(lotse)
    assert platform.matching(tw_sent_to(sender)) == []


def test_twilio_media_only_and_redelivery(lotse, platform):
    sender = f"whatsapp:+49171{next(_ids)}"
    assert tw_post(lotse, tw_form(sender, "", media=1)).status_code == 200
    assert "nur Text" in platform.wait_for(tw_sent_to(sender))[0]["body"]["Body"]
    form = tw_form(sender, "Hallo")
    assert tw_post(lotse, form).status_code == 200
    assert tw_post(lotse, form).status_code == 200
    platform.wait_for(tw_sent_to(sender), count=2)
    settle(lotse)
    assert len(platform.matching(tw_sent_to(sender))) == 2


# --- WhatsApp Cloud API ----------------------------------------------------------------------

def wa_message(wa_id: str, text: str) -> dict:
    return {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}


def wa_body(*changes: list[dict]) -> bytes:
    def change(messages: list[dict]) -> dict:
        return {
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "4915100000000", "phone_number_id": WA_PHONE_ID},
                "contacts": [{"profile": {"name": "Test"}, "wa_id": m["from"]} for m in messages],
                "messages": messages,
            },
        }

    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [change(m) for m in changes]}]}).encode()


def wa_post(lotse, body: bytes, headers: Optional[dict] = None) -> requests.Response:
    return requests.post(webhook(lotse, "whatsapp_cloud"), data=body, headers=headers if headers is not None else meta_headers(WA_SECRET, body), timeout=10)


def wa_sent_to(wa_id: str) -> Callable[[dict], bool]:
    return lambda c: c["path"] == f"/whatsapp/v19.0/{WA_PHONE_ID}/messages" and c["body"].get("to") == wa_id


def test_whatsapp_webhook_verification(lotse):
    params = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "987654"}
    assert requests.get(webhook(lotse, "whatsapp_cloud"), params=params, timeout=10).text == "987654"
    assert requests.get(webhook(lotse, "whatsapp_cloud"), params={**params, "hub.verify_token": "x"}, timeout=10).status_code == 403


def test_whatsapp_greeting_buttons_and_a_button_reply(lotse, platform):
    wa_id = f"49171{next(_ids)}"
    assert wa_post(lotse, wa_body([wa_message(wa_id, "Hallo")])).status_code == 200
    first = platform.wait_for(wa_sent_to(wa_id))[0]
    assert first["headers"]["Authorization"] == f"Bearer {WA_TOKEN}"
    listed = first["body"]["interactive"]  # more than three buttons: a list
    assert listed["type"] == "list" and GREETING in listed["body"]["text"]
    assert "Was kannst du?" in [r["title"] for r in listed["action"]["sections"][0]["rows"]]

    wa_post(lotse, wa_body([wa_message(wa_id, "Hallo")]))  # later greeting: three buttons
    second = platform.wait_for(wa_sent_to(wa_id), count=2)[1]["body"]
    assert second["type"] == "interactive"
    buttons = second["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/ask_office", "/ask_situation_check", "/ask_capabilities"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)

    pressed = {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())), "type": "interactive",
               "context": {"from": "4915100000000", "id": "wamid.out"},
               "interactive": {"type": "button_reply", "button_reply": {"id": "/ask_capabilities", "title": "Was kannst du?"}}}
    wa_post(lotse, wa_body([pressed]))
    third = platform.wait_for(wa_sent_to(wa_id), count=3)[2]["body"]
    assert "Ich beantworte Fragen" in json.dumps(third, ensure_ascii=False)


def test_whatsapp_rejects_missing_or_wrong_signature(lotse, platform):
    wa_id = f"49171{next(_ids)}"
    body = wa_body([wa_message(wa_id, "Hallo")])
    assert wa_post(lotse, body, {"Content-Type": "application/json"}).status_code == 403
    assert wa_post(lotse, body, meta_headers("wrong-secret", body)).status_code == 403
    settle(lotse)
    assert platform.matching(wa_sent_to(wa_id)) == []


def test_whatsapp_batch_of_three_and_redelivery(lotse, platform):
    wa_ids = [f"49171{next(_ids)}" for _ in range(3)]
    body = wa_body([wa_message(wa_ids[0], "Hallo"), wa_message(wa_ids[1], "Hallo")], [wa_message(wa_ids[2], "Hallo")])
    assert wa_post(lotse, body).status_code == 200
    assert wa_post(lotse, body).status_code == 200  # Meta redelivers the whole batch
    for wa_id in wa_ids:
        assert GREETING in platform.wait_for(wa_sent_to(wa_id))[0]["body"]["interactive"]["body"]["text"]  # a list
    settle(lotse)
    assert len(platform.matching(lambda c: c["path"].startswith("/whatsapp/") and c["body"].get("to") in wa_ids)) == 3


# --- The situation check "Was steht mir zu?" on each messenger (issue #23) ---------------------

def _sent_text(call: dict) -> str:
    body = call["body"]
    if "Body" in body:
        return body["Body"]
    if "ContentVariables" in body:  # Twilio: the text above quick replies
        return json.loads(body["ContentVariables"]).get("1", "")
    if isinstance(body.get("text"), str):
        return body["text"]
    if isinstance(body.get("text"), dict):
        return body["text"]["body"]
    return ((body.get("interactive") or {}).get("body") or {}).get("text", "")


def _check_until_the_list(platform, post: Callable[[str], Any], sent: Callable[[dict], bool]) -> list[str]:
    """Starts the check, skips every question, and returns the texts of the list as they were sent."""
    response = post("Was steht mir zu?")
    assert response.status_code == 200, response.text
    seen = 0
    for _ in range(9):
        calls = platform.wait_for(sent, count=seen + 1)
        texts = [_sent_text(c) for c in calls]
        if any("Rechtsberatung" in t for t in texts[seen:]):
            break
        seen = len(calls)
        if texts[-1].startswith("Frage "):
            post("/skip_question")
    texts = [_sent_text(c) for c in platform.matching(sent)]
    start = next(i for i, t in enumerate(texts) if t.startswith("Was Ihnen zustehen kann"))
    end = next(i for i, t in enumerate(texts) if "Rechtsberatung" in t)
    return texts[start:end + 1]


@pytest.mark.parametrize("channel", ["telegram", "twilio_whatsapp", "whatsapp_cloud"])
def test_the_situation_check_list_comes_in_whole_items_within_the_platforms_limit(lotse, platform, channel):
    if channel == "telegram":
        chat_id = next(_ids)
        post, sent, limit = (lambda text: tg_post(lotse, tg_message(chat_id, text))), tg_sent_to(chat_id), 4096
    elif channel == "twilio_whatsapp":
        sender = f"whatsapp:+49171{next(_ids)}"
        post, sent, limit = (lambda text: tw_post(lotse, tw_form(sender, text))), tw_sent_to(sender), 1600
    else:
        wa_id = f"49171{next(_ids)}"
        post, sent, limit = (lambda text: wa_post(lotse, wa_body([wa_message(wa_id, text)]))), wa_sent_to(wa_id), 4096
    texts = _check_until_the_list(platform, post, sent)
    assert all(len(t) <= limit for t in texts), [len(t) for t in texts]
    numbers = [int(n) for t in texts for n in re.findall(r"^(\d+)\. ", t, re.MULTILINE)]
    assert len(numbers) >= 8 and numbers == list(range(1, len(numbers) + 1))
    # every message starts with the heading, a whole item or the limits: no item was cut in two
    assert all(t.startswith(("Was Ihnen zustehen kann", "Wichtig")) or re.match(r"\d+\. ", t) for t in texts), [t[:40] for t in texts]
    assert "Mehrbedarf" in "\n".join(texts)
    if channel != "telegram":  # the text above the callback button fits the 1,024 characters there
        assert len(texts[-1]) <= 1024
