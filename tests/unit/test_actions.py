"""Custom actions with fixture trackers and a collecting dispatcher (no servers)."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.offices import ActionFindOffice
from lotse.language.messages import messages_for
from tests.conftest import ROOT


def tracker(text: str, intent: str = "ask_office", slots: dict | None = None, entities=None, ranking=None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "intent_ranking": ranking or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_office_in_a_sentence_with_a_district():
    messages, events = run(ActionFindOffice(), tracker("ich wohn in gemen, wo muss ich hin?"))
    assert "Jobcenter der Stadt Borken" in messages[0]["text"]
    assert "Gemen (Borken)" in messages[0]["text"]
    assert SlotSet("municipality", "borken") in events
    assert SlotSet("jugendamt_area", "borken") in events


def test_office_from_postal_code():
    messages, events = run(ActionFindOffice(), tracker("48599", intent="inform_place"))
    assert "Gronau" in messages[0]["text"]
    assert SlotSet("municipality", "gronau") in events


def test_office_remembered_from_earlier():
    messages, events = run(ActionFindOffice(), tracker("Und wo melde ich die Kita an?", slots={"municipality": "rhede"}))
    assert "Kreisjugendamt" in messages[0]["text"]


def test_office_from_button_payload_entity():
    t = tracker('/inform_place{"municipality": "velen"}', intent="inform_place",
                entities=[{"entity": "municipality", "value": "velen"}])
    messages, events = run(ActionFindOffice(), t)
    assert "Velen" in messages[0]["text"]


def test_outside_and_unknown_places():
    messages, events = run(ActionFindOffice(), tracker("Ich wohne in Münster"))
    assert "nicht zum Kreis Borken" in messages[0]["text"] and events == []
    messages, _ = run(ActionFindOffice(), tracker("Welches Jobcenter ist für mich zuständig?"))
    assert "In welcher Stadt oder Gemeinde" in messages[0]["text"]


def test_affirmation_offers_readable_topics():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_kita_kosten", "confidence": 0.2},
        {"name": "greet", "confidence": 0.1},
        {"name": "ask_tagespflege", "confidence": 0.1},
    ]
    messages, _ = run(ActionDefaultAskAffirmation(), tracker("kita geld", intent="nlu_fallback", ranking=ranking))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["Kita-Gebühren", "Tagesmutter / Kindertagespflege", "Nichts davon"]
    assert messages[0]["buttons"][0]["payload"] == "/ask_kita_kosten"


def test_switching_language_confirms_in_the_new_language():
    from actions.language import ActionSwitchLanguage

    messages, _ = run(ActionSwitchLanguage(), tracker("English please", intent="switch_language", slots={"language": "en"}))
    assert messages[0]["text"] == messages_for("en", ROOT / "content")("language_switched")
    assert not messages[0]["buttons"]


def test_no_language_named_offers_the_choice():
    from actions.language import ActionSwitchLanguage

    messages, _ = run(ActionSwitchLanguage(), tracker("ich verstehe kein deutsch", intent="switch_language", slots={"language": "de"}))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Deutsch", "English", "Українська"]
    assert messages[0]["buttons"][1]["payload"] == '/switch_language{"language": "en"}'


def test_office_answer_in_ukrainian_keeps_the_office_name():
    messages, _ = run(ActionFindOffice(), tracker("Я живу в Гронау", slots={"language": "uk"}, entities=[{"entity": "municipality", "value": "gronau"}]))
    text = messages[0]["text"]
    assert "Jobcenter" in text and "Gronau" in text
    assert messages_for("uk", ROOT / "content")("office_why_jobcenter") in text


def _after_office_answer(text: str, office_type: str, **kwargs) -> Tracker:
    t = tracker(text, slots={"office_kind": office_type, "municipality": "borken"}, **kwargs)
    t.events = [
        {"event": "user", "text": "Wo ist das Jugendamt in Borken?"},
        {"event": "action", "name": "action_find_office"},
        {"event": "bot", "text": "…"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    return t


def test_a_follow_up_with_only_a_place_keeps_the_office_asked_for():
    gronau = [{"entity": "municipality", "value": "gronau"}]
    messages, events = run(ActionFindOffice(), _after_office_answer("und in Gronau?", "jugendamt", entities=gronau))
    assert "Jugendamt der Stadt Gronau" in messages[0]["text"]
    assert SlotSet("office_kind", "jugendamt") in events
    # an office the message names wins
    named, _ = run(ActionFindOffice(), _after_office_answer("und die Agentur in Gronau?", "jugendamt", entities=gronau))
    assert "Agentur für Arbeit Coesfeld, Geschäftsstelle Gronau" in named[0]["text"]


def test_the_office_type_entity_chooses_the_office_and_the_district_is_named():
    t = tracker("Ich lebe in Nienborg und brauche das Jobcenter",
                entities=[{"entity": "municipality", "value": "heek"}, {"entity": "office_type", "value": "jobcenter"}])
    messages, events = run(ActionFindOffice(), t)
    assert "Nienborg (Heek)" in messages[0]["text"] and "Jobcenter der Gemeinde Heek" in messages[0]["text"]
    assert SlotSet("office_kind", "jobcenter") in events
