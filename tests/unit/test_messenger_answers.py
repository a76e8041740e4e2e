"""What a messenger user receives for a knowledge answer (issue #22): the core first, short and
nothing else in the bubble, with "Mehr dazu" and "Quellen" as the platform's own buttons (or
numbers where it has none); "Quellen" shows every title, the addresses that fit and the review
date; "Mehr dazu" the details with their "Quellen:" line. Real answers as the bot renders them
today; channels called offline (tests/unit/test_channels.py's helpers)."""
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
from lotse.rasa_server.channels.messenger import SOURCES_PAYLOAD, with_sources
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
CORE_LIMIT = 350  # issue #22: an answer's core (the median target of the first message)
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
CHECKED = "Geprüft am 07.12.2026"


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


def test_with_sources_fits_the_details_and_leaves_other_texts_alone():
    details = with_sources(DETAILS["text"], FACEBOOK_LIMIT)
    assert len(details) <= FACEBOOK_LIMIT and all(title in details for title in TITLES)
    assert details.count("https://") >= 1 and details.endswith(CHECKED)
    assert with_sources(DETAILS["text"], 10_000) == DETAILS["text"]  # room for everything: the whole footer
    assert with_sources("Wo wohnen Sie?", 100) == "Wo wohnen Sie?"


def test_a_core_goes_without_its_footer_and_gets_a_sources_button():
    output = telegram().get_output_channel("de")
    text, buttons = output.shaped(CORE["text"], CORE["buttons"])
    assert text == BODY and len(text) <= CORE_LIMIT and "http" not in text
    assert buttons[:-1] == CORE["buttons"]
    assert buttons[-1]["title"] == "Quellen" and buttons[-1]["payload"].startswith(SOURCES_PAYLOAD + ":")
    # Details keep their sources line; a text without a footer or without "Mehr dazu" gets no button.
    assert output.shaped(DETAILS["text"], DETAILS["buttons"])[1] == DETAILS["buttons"]
    assert output.shaped("Wo wohnen Sie?", CORE["buttons"]) == ("Wo wohnen Sie?", CORE["buttons"])


def assert_sources(text: str, label: str = "Quellen", with_address: bool = True) -> None:
    """The message "Quellen" brings: every title, the review date, an address where it fits."""
    assert text.startswith(f"{label}: ") and all(title in text for title in TITLES)
    assert "https://" in text or not with_address


def test_telegram_user_gets_the_short_core_and_buttons_for_more_and_sources():
    sender = FakeSender()
    channel = telegram(sender)
    inbox = Inbox(reply=CORE)
    run(channel.receive(TELEGRAM_HEADERS, json.dumps({"update_id": 1, "message": {"message_id": 1, "chat": {"id": 4711, "type": "private"}, "text": "Bildungsgutschein?"}}).encode(), inbox))
    run(channel.tasks.join())
    [sent] = sender.bodies("sendMessage")
    assert sent["text"] == BODY and len(sent["text"]) <= CORE_LIMIT
    keyboard = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    more, sources = keyboard[0], keyboard[-1]
    assert more["text"] == "Mehr dazu" and sources["text"] == "Quellen"

    def tap(update_id: int, data: str) -> None:
        query = {"id": f"q{update_id}", "from": {"id": 4711}, "message": {"message_id": update_id, "chat": {"id": 4711, "type": "private"}}, "data": data}
        run(channel.receive(TELEGRAM_HEADERS, json.dumps({"update_id": update_id, "callback_query": query}).encode(), inbox))
        run(channel.tasks.join())

    tap(2, sources["callback_data"])
    assert inbox.texts == ["Bildungsgutschein?"]  # answered by the channel, not by Rasa
    shown = sender.bodies("sendMessage")[-1]["text"]
    assert_sources(shown)
    assert shown.endswith(CHECKED) and len(shown) <= 4096

    inbox.reply = DETAILS
    tap(3, more["callback_data"])
    assert inbox.texts[-1] == MORE_PAYLOAD
    details = sender.bodies("sendMessage")[-1]["text"]
    assert details.startswith(DETAILS_BODY) and all(title in details for title in TITLES)
    assert "https://" in details


def test_sources_forgotten_since_a_restart_bring_the_details():
    sender = FakeSender()
    channel = telegram(sender)
    inbox = Inbox()
    query = {"id": "q1", "from": {"id": 4711}, "message": {"message_id": 1, "chat": {"id": 4711, "type": "private"}}, "data": f"{SOURCES_PAYLOAD}:0123456789ab"}
    run(channel.receive(TELEGRAM_HEADERS, json.dumps({"update_id": 1, "callback_query": query}).encode(), inbox))
    run(channel.tasks.join())
    assert inbox.texts == [MORE_PAYLOAD]


def test_facebook_user_gets_more_and_sources_as_quick_replies_and_may_type_them():
    sender = FakeSender()
    channel = facebook(sender)
    inbox = Inbox(reply=CORE)
    fb_post(channel, fb_delivery([{"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 1, "message": {"mid": "m1", "text": "Bildungsgutschein?"}}]), inbox)
    message = sender.bodies()[0]["message"]
    assert message["text"] == BODY
    replies = message["quick_replies"]
    assert replies[0]["title"] == "Mehr dazu" and replies[-1]["title"] == "Quellen"

    inbox.reply = None
    typed = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 2, "message": {"mid": "m2", "text": "Quellen"}}
    fb_post(channel, fb_delivery([typed]), inbox)
    assert_sources(sender.bodies()[-1]["message"]["text"])

    inbox.reply = CORE
    fb_post(channel, fb_delivery([{"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 3, "message": {"mid": "m3", "text": "Bildungsgutschein?"}}]), inbox)
    inbox.reply = DETAILS
    tapped = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 4,
              "message": {"mid": "m4", "text": "Mehr dazu", "quick_reply": {"payload": replies[0]["payload"]}}}
    fb_post(channel, fb_delivery([tapped]), inbox)
    assert inbox.texts[-1] == MORE_PAYLOAD
    sent = sender.bodies()[-1]["message"]["text"]
    assert len(sent) <= FACEBOOK_LIMIT and all(title in sent for title in TITLES)


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_twilio_user_gets_the_core_with_whatsapp_buttons(lang):
    core = answer("utter_answer_bildungsgutschein", lang)
    body, _ = split_footer(core["text"])
    label = {"de": "Quellen", "en": "Sources", "uk": "Джерела"}[lang]
    sender = FakeSender(content_sid="HX" + "c" * 32)
    channel = twilio(sender)
    twilio_post(channel, twilio_form("SM1", "?"), Inbox(reply=core))
    [sent] = sender.bodies("twilio send")
    assert json.loads(sent["ContentVariables"]) == {"1": body} and len(body) <= CORE_LIMIT
    items = sender.bodies("twilio content")[0]["types"]["twilio/list-picker"]["items"]  # five: a list
    assert items[0]["item"] == core["buttons"][0]["title"] and items[-1]["item"] == label
    button = sender.bodies("twilio content")[0]["types"]["twilio/list-picker"]["button"]
    assert button == {"de": "Mehr dazu & Quellen", "en": "More & sources", "uk": "Докладніше і джерела"}[lang]

    inbox = Inbox()
    twilio_post(channel, {**twilio_form("SM2", label), "ListId": items[-1]["id"]}, inbox)
    assert inbox.texts == []
    assert_sources(sender.bodies("twilio send")[-1]["Body"], label, lang == "de")


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_twilio_user_without_content_gets_more_as_number_one_within_one_screen(lang):
    core = answer("utter_answer_bildungsgutschein", lang)
    label = {"de": "Quellen", "en": "Sources", "uk": "Джерела"}[lang]
    sender = FakeSender()  # Twilio did not create the content: numbered options
    channel = twilio(sender)
    inbox = Inbox(reply=core)
    twilio_post(channel, twilio_form("SM1", "?"), inbox)
    [first] = [b["Body"] for b in sender.bodies()]
    assert "http" not in first and len(first) <= FIRST_MESSAGE_LIMIT
    assert f"\n\n1) {core['buttons'][0]['title']}\n2) " in first and f"\n5) {label}\n" in first

    inbox.reply = None
    twilio_post(channel, twilio_form("SM2", "5"), inbox)
    assert inbox.texts == ["?"]
    assert_sources(sender.bodies()[-1]["Body"], label, lang == "de")

    inbox.reply = core
    twilio_post(channel, twilio_form("SM3", "?"), inbox)
    inbox.reply = answer("utter_details_bildungsgutschein", lang)
    twilio_post(channel, twilio_form("SM4", "1"), inbox)
    assert inbox.texts[-1] == MORE_PAYLOAD
    details = sender.bodies()[-1]["Body"]
    # One message within Twilio's limit, its sources as far as they fit (in German with an address).
    assert len(details) <= TWILIO_LIMIT and label in details
    assert "https://" in details or lang != "de"


def test_whatsapp_cloud_user_gets_the_core_with_a_list_or_reply_buttons():
    sender = FakeSender()
    channel = whatsapp(sender)
    inbox = Inbox(reply=CORE)  # four buttons and "Quellen": a list
    wa_post(channel, wa_delivery([wa_text("491", "Bildungsgutschein?", "wamid.1")]), inbox)
    interactive = sender.bodies()[0]["interactive"]
    assert interactive["type"] == "list" and interactive["body"]["text"] == BODY
    assert interactive["action"]["button"] == "Mehr dazu & Quellen"  # says where "Mehr dazu" is
    rows = interactive["action"]["sections"][0]["rows"]
    assert rows[0] == {"id": MORE_PAYLOAD, "title": "Mehr dazu"} and rows[-1]["title"] == "Quellen"
    inbox.reply = None
    chosen = {"from": "491", "id": "wamid.2", "timestamp": "1700000001", "type": "interactive",
              "interactive": {"type": "list_reply", "list_reply": {"id": rows[-1]["id"], "title": "Quellen"}}}
    wa_post(channel, wa_delivery([chosen]), inbox)
    assert inbox.texts == ["Bildungsgutschein?"]
    assert_sources(sender.bodies()[-1]["text"]["body"])

    inbox.reply = {**CORE, "buttons": CORE["buttons"][:2]}  # two and "Quellen": reply buttons
    wa_post(channel, wa_delivery([wa_text("491", "Bildungsgutschein?", "wamid.3")]), inbox)
    interactive = sender.bodies()[-1]["interactive"]
    assert interactive["type"] == "button" and interactive["body"]["text"] == BODY
    buttons = [b["reply"] for b in interactive["action"]["buttons"]]
    assert buttons[0] == {"id": MORE_PAYLOAD, "title": "Mehr dazu"} and buttons[-1]["title"] == "Quellen"
    inbox.reply = None
    wa_post(channel, wa_delivery([wa_text("491", "Mehr dazu", "wamid.4")]), inbox)  # typed
    assert inbox.texts[-1] == MORE_PAYLOAD


def test_each_sources_button_shows_the_sources_of_its_own_answer():
    sender = FakeSender()
    channel = facebook(sender)
    other = answer("utter_answer_mehrbedarf")
    _, other_found = split_footer(other["text"])
    sent = []
    for number, reply in enumerate((CORE, other), 1):
        event = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": number, "message": {"mid": f"m{number}", "text": "?"}}
        fb_post(channel, fb_delivery([event]), Inbox(reply=reply))
        sent.append(sender.bodies()[-1]["message"]["quick_replies"][-1]["payload"])
    assert sent[0] != sent[1] and all(p.startswith(SOURCES_PAYLOAD + ":") for p in sent)
    # The older answer's button, tapped after the newer answer: its own sources.
    tapped = {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 3,
              "message": {"mid": "m3", "text": "Quellen", "quick_reply": {"payload": sent[0]}}}
    fb_post(channel, fb_delivery([tapped]), Inbox())
    shown = sender.bodies()[-1]["message"]["text"]
    assert_sources(shown)
    assert not any(s.title in shown for s in other_found.sources if s.title not in TITLES)
