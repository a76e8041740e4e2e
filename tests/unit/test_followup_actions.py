"""Follow-ups in the action server and in the answers' wording (issue #19): "that office" and its
fields, honest "no verified answer", "Für Gescher:", "das merke ich mir", the other needs of a story."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.memory import ActionForgetDetails
from actions.offices import ActionFindOffice
from lotse.knowledge.conversation import MEMORY_SLOTS
from lotse.knowledge.personal import memory_prefix, noted_details, other_needs
from lotse.language.messages import messages_for
from tests.conftest import CONTENT

DE = messages_for("de", CONTENT)
EN = messages_for("en", CONTENT)


def tracker(text: str, intent: str, previous: list[str], slots: dict | None = None) -> Tracker:
    events = []
    for action in previous:
        events += [{"event": "user", "text": "…"}, {"event": "action", "name": action}, {"event": "bot", "text": "…"}, {"event": "action", "name": "action_listen"}]
    events.append({"event": "user", "text": text})
    return Tracker(
        sender_id="test",
        slots={"language": "de", **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def reply(t: Tracker) -> tuple[str, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFindOffice().run(dispatcher, t, {}))
    return dispatcher.messages[0]["text"], events


def test_where_to_apply_for_unterhaltsvorschuss_is_the_jugendamt_of_the_town():
    text, events = reply(tracker("Wo beantrage ich das?", "ask_followup_apply", ["utter_answer_unterhaltsvorschuss"], {"municipality": "gescher"}))
    assert "Gescher" in text and "Kreisjugendamt" in text
    assert SlotSet("office_kind", "jugendamt") in events


def test_without_a_town_the_office_is_named_before_the_town_is_asked():
    text, _ = reply(tracker("Wo beantrage ich das?", "ask_followup_apply", ["utter_answer_unterhaltsvorschuss"]))
    assert text.startswith(DE("office_responsible_jugendamt")) and DE("office_ask_place") in text


def test_opening_hours_of_that_office_only_when_verified_and_dated():
    text, _ = reply(tracker("Wann hat das offen?", "ask_office_hours", ["utter_answer_unterhaltsvorschuss", "action_find_office"], {"municipality": "gronau", "office_kind": "jugendamt"}))
    # Gronau's Jugendamt has no verified hours (content/offices.yml): said so, then the verified switchboard, dated
    assert text.startswith(DE("office_field_unverified", field=DE("field_hours"), office="Jugendamt der Stadt Gronau"))
    assert "Telefon: 02861 681-100 (laut kreis-borken.de, Stand 2021)" in text


def test_the_bildungsgutschein_is_the_agenturs():
    text, _ = reply(tracker("und wo krieg ich den her?", "ask_followup_apply", ["utter_answer_bildungsgutschein"], {"municipality": "ahaus"}))
    assert "Agentur für Arbeit" in text


ALG_I = "Arbeitslosengeld I"


def test_that_office_of_a_retraining_is_the_agenturs_training_advice_not_alg_i():
    text, events = reply(tracker("Wann hat das offen?", "ask_office_hours", ["utter_answer_umschulung"], {"municipality": "ahaus"}))
    assert DE("office_why_agentur_weiterbildung") in text and "Agentur für Arbeit Coesfeld, Geschäftsstelle Ahaus" in text
    assert ALG_I not in text
    assert SlotSet("office_kind", "agentur") in events


def test_that_office_of_a_part_time_apprenticeship_is_the_careers_advice():
    en_tracker = tracker("what is their phone number", "ask_office_phone", ["utter_answer_teilzeitausbildung"], {"municipality": "gronau", "language": "en"})
    text, _ = reply(en_tracker)
    assert EN("office_why_agentur_ausbildung") in text and "Arbeitslosengeld I" not in text


def test_the_agentur_named_for_alg_i_keeps_its_alg_i_line():
    text, _ = reply(tracker("Agentur für Arbeit in Ahaus", "ask_office", [], {"municipality": "ahaus"}))
    assert DE("office_why_agentur") in text and DE("office_why_agentur_weiterbildung") not in text


def test_an_aspect_without_a_verified_answer_says_so_and_who_to_ask():
    text, _ = reply(tracker("welche unterlagen brauche ich dafür", "ask_followup_documents", ["utter_answer_unterhaltsvorschuss"], {"municipality": "vreden"}))
    assert text.startswith(DE("followup_unknown", topic="Unterhaltsvorschuss")) and "Jugendamt" in text


def test_offices_outside_the_directory_are_named():
    text, _ = reply(tracker("wo beantrage ich das", "ask_followup_apply", ["utter_answer_kinderzuschlag"]))
    assert text == DE("followup_apply_at", office="die Familienkasse der Agentur für Arbeit")
    text, _ = reply(tracker("wo stelle ich den antrag", "ask_followup_apply", ["utter_answer_wohngeld"]))
    assert text == DE("followup_apply_at", office="die Wohngeldstelle Ihrer Stadt oder Gemeinde")


def test_forgetting_clears_every_memory_slot():
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionForgetDetails().run(dispatcher, tracker("vergiss meine Angaben", "forget_details", []), {}))
    assert {e["name"] for e in events} == set(MEMORY_SLOTS) and all(e["value"] is None for e in events)
    assert dispatcher.messages[0]["response"] == "utter_forgot_details"


def test_the_answer_says_what_it_was_chosen_by():
    assert memory_prefix(["jugendamt_area"], "Gescher", None, DE) == "Für Gescher:"
    assert memory_prefix(["child_age_group"], None, 2.0, DE) == "Für Ihr Kind mit 2 Jahren:"
    assert memory_prefix(["child_age_group"], None, 10 / 12, DE) == "Für Ihr Kind mit 10 Monaten:"
    assert memory_prefix(["child_age_group"], None, 1.0, EN) == "For your child aged 1:"
    assert memory_prefix([], "Gescher", 2.0, DE) is None  # a general text claims nothing


def test_noted_details_are_said_back():
    assert noted_details("Gescher", [3, 7], DE) == "Ihr Wohnort: Gescher · Alter Ihrer Kinder: 3 Jahre, 7 Jahre"
    assert noted_details(None, [], DE) is None


def test_a_long_message_offers_its_other_needs():
    text = "Ich bin alleinerziehend mit zwei Kindern und möchte eine Umschulung machen, aber wer passt dann auf die Kinder auf?"
    ranking = [
        {"name": "ask_kinderbetreuung_weiterbildung", "confidence": 0.5},
        {"name": "ask_umschulung", "confidence": 0.3},
        {"name": "greet", "confidence": 0.15},
        {"name": "ask_kita_anmeldung", "confidence": 0.05},
    ]
    labels = {"ask_umschulung": {"de": "Umschulung"}}
    buttons = other_needs(text, ranking, "ask_kinderbetreuung_weiterbildung", {"ask_kinderbetreuung_weiterbildung", "ask_umschulung", "ask_kita_anmeldung"}, labels, DE)
    assert buttons == [{"title": "Auch gefragt: Umschulung", "payload": "/ask_umschulung"}]
    assert other_needs("Umschulung in Teilzeit?", ranking, "ask_kinderbetreuung_weiterbildung", {"ask_umschulung"}, labels, DE) == []


def test_asked_for_the_office_without_a_town_the_office_is_named_before_the_town_is_asked():
    text, _ = reply(tracker("Welches Amt ist für mich zuständig?", "ask_office", []))
    assert text.startswith(DE("office_responsible_jobcenter")) and DE("office_ask_place") in text
