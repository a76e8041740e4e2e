"""What a messenger user receives for a knowledge answer (issue #22): the core first, short, with
one "Quellen:" line and the review date, and "Mehr dazu" as a button or number that brings the
details; the details with the titles and as many addresses as fit the platform. Real answers as
the bot renders them today; channels called offline (tests/unit/test_channels.py's helpers)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from lotse.knowledge.content import (
    MORE_PAYLOAD,
    Footer,
    Source,
    choose_variation,
    compact_footer,
    domain_responses,
    split_footer,
)
from lotse.rasa_server.channels.facebook import TEXT_LIMIT as FACEBOOK_LIMIT
from lotse.rasa_server.channels.messenger import with_sources
from lotse.rasa_server.channels.twilio_whatsapp import TEXT_LIMIT as TWILIO_LIMIT
from tests.conftest import ROOT
from tests.unit.test_channels import (
    FakeSender,
    Inbox,
    facebook,
    fb_delivery,
    fb_post,
    run,
    telegram,
    twilio,
    twilio_form,
    twilio_post,
    wa_delivery,
    wa_post,
    wa_text,
    whatsapp,
)

RESPONSES = domain_responses(ROOT / "content", "http://localhost:8080", date(2026, 12, 7))
FIRST_MESSAGE_LIMIT = 600  # issue #22: the first message of an answer, at most
TELEGRAM_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}


def answer(name: str, lang: str = "de") -> dict:
    """A response as Rasa hands it to the output channel."""
    variation = choose_variation(RESPONSES[name], {"language": lang})
    assert variation is not None
    return {"text": variation["text"], "buttons": variation.get("buttons") or []}


CORE = answer("utter_answer_bildungsgutschein")  # four sources, "Mehr dazu" and three more buttons
DETAILS = answer("utter_details_bildungsgutschein")
BODY, FOUND = split_footer(CORE["text"])
DETAILS_BODY, _ = split_footer(DETAILS["text"])
TITLES = [s.title for s in FOUND.sources]
PUBLISHERS = "Quellen: Paritätischer Hamburg; Walhalla; Bundesagentur für Arbeit; heise Bildung\nGeprüft am 07.12.2026"


def test_the_rendered_core_offers_more_and_has_the_full_footer():
    assert CORE["buttons"][0] == {"title": "Mehr dazu", "payload": MORE_PAYLOAD}
    assert len(FOUND.sources) == 4 and "https://" in CORE["text"]  # what the widget folds away


def test_compact_footer_keeps_every_title_and_the_date_and_adds_the_addresses_that_fit():
    found = Footer("Quellen", (Source("Amt A: Seite eins", "https://a.example/" + "x" * 40), Source("Zeitung B", "https://b.example/2")), "Geprüft am 07.12.2026")
    whole = f"Quellen: Amt A: Seite eins – https://a.example/{'x' * 40}; Zeitung B – https://b.example/2\nGeprüft am 07.12.2026"
    assert compact_footer(found, 1000) == whole
    # The first address is too long for the room; the second still fits.
    assert compact_footer(found, 90) == "Quellen: Amt A: Seite eins; Zeitung B – https://b.example/2\nGeprüft am 07.12.2026"
    assert compact_footer(found, 60) == "Quellen: Amt A: Seite eins; Zeitung B\nGeprüft am 07.12.2026"
    assert compact_footer(found, 10) == "Quellen: Amt A; Zeitung B\nGeprüft am 07.12.2026"  # who published them, at least


def test_with_sources_shortens_the_core_fits_the_details_and_leaves_other_texts_alone():
    assert with_sources(CORE["text"], 4096, CORE["buttons"]) == f"{BODY}\n\n{PUBLISHERS}"
    details = with_sources(DETAILS["text"], FACEBOOK_LIMIT, DETAILS["buttons"])
    assert len(details) <= FACEBOOK_LIMIT and all(title in details for title in TITLES)
    assert details.count("https://") >= 1 and details.endswith("Geprüft am 07.12.2026")
    assert with_sources(DETAILS["text"], 10_000) == DETAILS["text"]  # room for everything: the whole footer
    assert with_sources("Wo wohnen Sie?", 100, CORE["buttons"]) == "Wo wohnen Sie?"


def test_telegram_user_gets_the_short_core_and_more_brings_the_details():
    sender = FakeSender()
    channel = telegram(sender)
    inbox = Inbox(reply=CORE)
    run(channel.receive(TELEGRAM_HEADERS, json.dumps({"update_id": 1, "message": {"message_id": 1, "chat": {"id": 4711, "type": "private"}, "text": "Bildungsgutschein?"}}).encode(), inbox))
    run(channel.tasks.join())
    [sent] = sender.bodies("sendMessage")
    assert sent["text"] == f"{BODY}\n\n{PUBLISHERS}"
    assert len(sent["text"]) <= FIRST_MESSAGE_LIMIT and "http" not in sent["text"]
    more = sent["reply_markup"]["inline_keyboard"][0][0]
    assert more["text"] == "Mehr dazu"

    inbox.reply = DETAILS
    query = {"id": "q1", "from": {"id": 4711}, "message": {"message_id": 2, "chat": {"id": 4711, "type": "private"}}, "data": more["callback_data"]}
    run(channel.receive(TELEGRAM_HEADERS, json.dumps({"update_id": 2, "callback_query": query}).encode(), inbox))
    run(channel.tasks.join())
    assert inbox.texts[-1] == MORE_PAYLOAD
    details = sender.bodies("sendMessage")[-1]["text"]
    assert details.startswith(DETAILS_BODY) and all(title in details for title in TITLES)
    assert "https://" in details


def test_facebook_user_gets_more_as_a_quick_reply_and_the_details_in_one_message():
    sender = FakeSender()
    channel = facebook(sender)
    inbox = Inbox(reply=CORE)
    fb_post(channel, fb_delivery([{"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 1, "message": {"mid": "m1", "text": "Bildungsgutschein?"}}]), inbox)
    message = sender.bodies()[0]["message"]
    assert message["text"] == f"{BODY}\n\n{PUBLISHERS}"
    assert message["quick_replies"][0]["title"] == "Mehr dazu"

    inbox.reply = DETAILS
    tapped = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 2,
              "message": {"mid": "m2", "text": "Mehr dazu", "quick_reply": {"payload": message["quick_replies"][0]["payload"]}}}
    fb_post(channel, fb_delivery([tapped]), inbox)
    assert inbox.texts[-1] == MORE_PAYLOAD
    sent = [b["message"]["text"] for b in sender.bodies()[1:]]
    assert len(sent) == 1 and len(sent[0]) <= FACEBOOK_LIMIT and all(title in sent[0] for title in TITLES)


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_twilio_user_gets_more_as_number_one_within_one_screen(lang):
    core = answer("utter_answer_bildungsgutschein", lang)
    sender = FakeSender()
    channel = twilio(sender)
    inbox = Inbox(reply=core)
    twilio_post(channel, twilio_form("SM1", "?"), inbox)
    [first] = [b["Body"] for b in sender.bodies()]
    label = {"de": "Quellen", "en": "Sources", "uk": "Джерела"}[lang]
    assert f"\n\n{label}: Paritätischer Hamburg; Walhalla; Bundesagentur für Arbeit; heise Bildung\n" in first
    assert "http" not in first and len(first) <= FIRST_MESSAGE_LIMIT
    assert f"\n\n1) {core['buttons'][0]['title']}\n2) " in first

    inbox.reply = answer("utter_details_bildungsgutschein", lang)
    twilio_post(channel, twilio_form("SM2", "1"), inbox)
    assert inbox.texts[-1] == MORE_PAYLOAD
    details = [b["Body"] for b in sender.bodies()[1:]]
    # One message within Twilio's limit, its sources as far as they fit (in German with an address).
    assert len(details) == 1 and len(details[0]) <= TWILIO_LIMIT and label in details[0]
    assert "https://" in details[0] or lang != "de"


def test_whatsapp_cloud_user_gets_more_as_a_number_or_a_reply_button():
    sender = FakeSender()
    channel = whatsapp(sender)
    inbox = Inbox(reply=CORE)  # four buttons: WhatsApp shows three, so they become numbers
    wa_post(channel, wa_delivery([wa_text("491", "Bildungsgutschein?", "wamid.1")]), inbox)
    first = sender.bodies()[0]["text"]["body"]
    assert first.startswith(f"{BODY}\n\n{PUBLISHERS}\n\n1) Mehr dazu\n") and len(first) <= FIRST_MESSAGE_LIMIT
    inbox.reply = None
    wa_post(channel, wa_delivery([wa_text("491", "1", "wamid.2")]), inbox)
    assert inbox.texts[-1] == MORE_PAYLOAD

    inbox.reply = {**CORE, "buttons": CORE["buttons"][:2]}
    wa_post(channel, wa_delivery([wa_text("491", "Bildungsgutschein?", "wamid.3")]), inbox)
    interactive = sender.bodies()[-1]["interactive"]
    assert interactive["body"]["text"] == f"{BODY}\n\n{PUBLISHERS}"
    assert interactive["action"]["buttons"][0]["reply"] == {"id": MORE_PAYLOAD, "title": "Mehr dazu"}
