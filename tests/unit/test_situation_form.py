"""The situation check's questions (issue #23): skippable, left out when the conversation already
told the answer, and what is answered lands in the conversation memory."""
from __future__ import annotations

import asyncio

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.situation import ActionSituationResult, ValidateSituationForm
from tests.conftest import ROOT

FORM_SLOTS = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["forms"]["situation_form"]["required_slots"]


def tracker(slots: dict | None = None) -> Tracker:
    return Tracker("test", {"language": "de", **(slots or {})}, {"text": "", "intent": {"name": "inform"}}, [], False, None, {"name": "situation_form"}, "action_listen")


def required(slots: dict | None = None) -> list[str]:
    return asyncio.run(ValidateSituationForm().required_slots(FORM_SLOTS, CollectingDispatcher(), tracker(slots), {}))


def test_at_most_seven_questions_and_none_asked_twice():
    assert len(FORM_SLOTS) <= 7
    assert required() == FORM_SLOTS


def test_what_the_conversation_told_is_not_asked_again():
    left = required({"municipality": "gescher", "child_ages": ["3", "7"]})
    assert "check_town" not in left and "check_ages" not in left and "check_alone" in left


def test_answers_land_in_the_memory_and_skips_move_on():
    form = ValidateSituationForm()
    d, t = CollectingDispatcher(), tracker()
    assert form.validate_check_town("ich wohne in Gescher", d, t, {}) == {"check_town": "gescher", "municipality": "gescher", "jugendamt_area": "kreis"}
    assert form.validate_check_town("Atlantis", d, t, {}) == {"check_town": None}  # asked again
    assert form.validate_check_town("-", d, t, {}) == {"check_town": "-"}
    assert form.validate_check_ages("3 und 7", d, t, {}) == {"check_ages": "given", "child_ages": ["3", "7"]}
    assert form.validate_check_ages("10 Monate", d, t, {})["child_ages"] == ["0.83"]
    assert form.validate_check_alone("yes", d, t, {}) == {"check_alone": "yes", "single_parent": "yes"}
    assert form.validate_check_income("ich bekomme Bürgergeld", d, t, {}) == {"check_income": "grundsicherung", "situation": "grundsicherung"}
    assert form.validate_check_income("job", d, t, {}) == {"check_income": "job", "situation": "job"}
    assert form.validate_check_maintenance("partly", d, t, {}) == {"check_maintenance": "partly"}
    assert form.validate_check_rent("ca. 650 Euro warm", d, t, {}) == {"check_rent": "650"}
    assert form.validate_check_rent("weiß nicht", d, t, {}) == {"check_rent": "-"}
    assert form.validate_check_wants("retraining", d, t, {}) == {"check_wants": "retraining"}


def test_the_result_is_the_households_list_and_offers_a_callback():
    slots = {"municipality": "gescher", "child_ages": ["3", "7"], "single_parent": "yes", "situation": "grundsicherung", "check_maintenance": "no", "check_rent": "-", "check_wants": "retraining"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSituationResult().run(dispatcher, tracker(slots), {}))
    text = "\n".join(m["text"] for m in dispatcher.messages)
    assert "Mehrbedarf" in text and "Unterhaltsvorschuss" in text and "Rechtsberatung" in text
    assert dispatcher.messages[-1]["buttons"][0]["payload"] == "/request_callback"
    assert all(e["value"] is None for e in events)  # the form's answers are reset; the memory stays


def test_skipping_every_question_still_gives_a_useful_list():
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSituationResult().run(dispatcher, tracker({"check_town": "-", "check_ages": "-"}), {}))
    text = "\n".join(m["text"] for m in dispatcher.messages)
    assert "Mehrbedarf" in text and "Kinderzuschlag" in text
