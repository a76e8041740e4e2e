"""Every public HTTP endpoint the fuzzing drives, with its message shape and its signing.

Adding an endpoint is one `Endpoint(...)` in `endpoints()`. The widget's socket.io channel (a
socket.io client and raw engine.io requests: test_fuzz_socketio.py) and the staff console's login
(login token and cookie fetched first, then kept: test_fuzz_console.py) have their own modules.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, urlencode

from hypothesis import strategies as st
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from tests.fuzz.strategies import HOSTILE_STRINGS, Probe, hostile_text, mutated, probes
from tests.integration.test_channels import (
    FB_SECRET,
    TG_SECRET,
    TW_NUMBER,
    TW_PUBLIC_URL,
    TW_SID,
    TW_TOKEN,
    WA_PHONE_ID,
    WA_SECRET,
)

senders = st.builds(lambda u: "fuzz-" + u.hex[:12], st.uuids())
texts = st.sampled_from(["Hallo", "Wo ist das Jobcenter in Borken?", "/greet", "2"])


def shaped(builder: Callable[..., Any], ids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The endpoint's own message shape: well-formed with a hostile text (reaches Rasa and the
    actions), or with any part removed or replaced by anything."""
    return st.one_of(st.builds(builder, ids, hostile_text), st.builds(builder, ids, texts).flatmap(mutated))


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # on the Rasa port unless `web` is set
    probes: st.SearchStrategy[Probe]
    sign: Callable[[Probe], Mapping[str, str]] = lambda probe: {}
    web: bool = False
    method: str = "POST"


def rest_message(sender: str, text: str) -> dict:
    return {"sender": sender, "message": text, "metadata": {"source": "fuzz"}}


def telegram_update(chat_id: int, text: str) -> dict:
    """A text message; for even ids also a button press (which then counts instead of the text)."""
    update = {
        "update_id": chat_id,
        "message": {
            "message_id": chat_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Fuzz", "language_code": "de"},
            "chat": {"id": chat_id, "first_name": "Fuzz", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }
    if chat_id % 2 == 0:
        update["callback_query"] = {"id": "1", "from": {"id": chat_id}, "data": "lotse:ab",
                                    "message": {"chat": {"id": chat_id}, "reply_markup": {"inline_keyboard": [[{"text": text, "callback_data": "lotse:ab"}]]}}}
    return update


def facebook_delivery(psid: str, text: str) -> dict:
    event = {"sender": {"id": psid}, "recipient": {"id": "PAGE_ID"}, "timestamp": 1,
             "message": {"mid": f"m_{psid}", "text": text, "quick_reply": {"payload": "lotse:0123"}},
             "postback": {"payload": "/greet", "title": "Hallo", "mid": f"p_{psid}"}}
    return {"object": "page", "entry": [{"id": "PAGE_ID", "time": 1, "messaging": [event]}]}


def whatsapp_delivery(wa_id: str, text: str) -> dict:
    message = {"from": wa_id, "id": f"wamid.{wa_id}", "timestamp": str(int(time.time())), "type": "text", "text": {"body": text},
               "interactive": {"type": "button_reply", "button_reply": {"id": "/ask_capabilities", "title": "Was kannst du?"}},
               "button": {"payload": "/greet", "text": "Hallo"}}
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "4915100000000", "phone_number_id": WA_PHONE_ID},
             "contacts": [{"profile": {"name": "Fuzz"}, "wa_id": wa_id}], "messages": [message]}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}]}


def twilio_form(sender: str, text: str) -> dict:
    sid = "SM" + sender
    return {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Fuzz", "WaId": "49171", "Body": text,
            "To": f"whatsapp:{TW_NUMBER}", "MessageSid": sid, "AccountSid": TW_SID, "From": f"whatsapp:+49{sender}",
            "ButtonPayload": "", "MediaContentType0": "image/jpeg"}


def form_encode(form: object) -> bytes:
    if not isinstance(form, dict):
        return urlencode({"Body": str(form)}, errors="surrogatepass").encode()
    return urlencode({str(k): str(v) for k, v in form.items()}, errors="surrogatepass").encode()


def meta_signature(secret: str) -> Callable[[Probe], Mapping[str, str]]:
    return lambda probe: {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), probe.body, hashlib.sha256).hexdigest()}


def twilio_signature(probe: Probe) -> Mapping[str, str]:
    params = MultiDict(parse_qsl(probe.body.decode("utf-8", "replace"), keep_blank_values=True))
    return {"X-Twilio-Signature": RequestValidator(TW_TOKEN).compute_signature(TW_PUBLIC_URL, params)}


def sometimes_unsigned(sign: Callable[[Probe], Mapping[str, str]]) -> Callable[[Probe], Mapping[str, str]]:
    """Most probes are signed correctly (so they reach the parser); a few carry no or a wrong signature."""
    def signer(probe: Probe) -> Mapping[str, str]:
        variant = len(probe.body) % 10
        if variant == 0:
            return {}
        headers = dict(sign(probe))
        if variant == 1:
            return {k: v[:-2] + "00" for k, v in headers.items()}
        return headers
    return signer


rest_queries = st.one_of(st.just(""), st.just(""), st.sampled_from(["stream=true", "stream=false", "stream=%FF", "stream"]),
                         st.builds(lambda s: urlencode({"stream": s}, errors="surrogatepass"), st.sampled_from(HOSTILE_STRINGS)))
hub_queries = st.builds(
    lambda mode, token, challenge: urlencode({"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}, errors="surrogatepass"),
    st.sampled_from(["subscribe", "", "x"]), st.sampled_from(HOSTILE_STRINGS), st.sampled_from(HOSTILE_STRINGS),
)


def endpoints() -> dict[str, Endpoint]:
    return {
        e.name: e
        for e in (
            Endpoint("rest", "/webhooks/rest/webhook", probes(shaped(rest_message, senders), queries=rest_queries)),
            Endpoint("web_chat", "/api/chat", probes(shaped(rest_message, senders)), web=True),
            Endpoint(
                "telegram", "/webhooks/telegram/webhook",
                probes(shaped(telegram_update, st.integers(1, 2**40))),
                sign=sometimes_unsigned(lambda probe: {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
            ),
            Endpoint(
                "facebook", "/webhooks/facebook/webhook",
                probes(shaped(facebook_delivery, senders)),
                sign=sometimes_unsigned(meta_signature(FB_SECRET)),
            ),
            Endpoint(
                "facebook_verify", "/webhooks/facebook/webhook",
                probes(st.just({}), queries=hub_queries), method="GET",
            ),
            Endpoint(
                "twilio_whatsapp", "/webhooks/twilio_whatsapp/webhook",
                probes(shaped(twilio_form, st.builds(lambda u: u.hex[:10], st.uuids())),
                       content_type="application/x-www-form-urlencoded", encode=form_encode),
                sign=sometimes_unsigned(twilio_signature),
            ),
            Endpoint(
                "whatsapp_cloud", "/webhooks/whatsapp_cloud/webhook",
                probes(shaped(whatsapp_delivery, st.builds(lambda u: str(u.int)[:12], st.uuids()))),
                sign=sometimes_unsigned(meta_signature(WA_SECRET)),
            ),
            Endpoint(
                "whatsapp_verify", "/webhooks/whatsapp_cloud/webhook",
                probes(st.just({}), queries=hub_queries), method="GET",
            ),
        )
    }
