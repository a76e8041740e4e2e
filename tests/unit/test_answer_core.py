"""The core of an answer first, the details on request (issue #22): rendering, checks, "Mehr dazu"."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from lotse.knowledge.content import MORE_PAYLOAD, core_problems, load_answers, rasa_responses
from lotse.knowledge.conversation import Answers, Event, Message, context_of, next_step, split_at_last_user
from lotse.knowledge.facts import load_facts
from lotse.knowledge.followups import load_followups
from tests.conftest import CONTENT

DAY = date(2026, 12, 7)
FACTS = load_facts(CONTENT)
CORE = {
    "de": "Ja, das geht.\nIhr nächster Schritt: Fragen Sie Ihr Jobcenter.",
    "en": "Yes, you can.\nYour next step: Ask your Jobcenter.",
    "uk": "Так, можна.\nВаш наступний крок: Запитайте ваш Jobcenter.",
}


def answer(**changes):
    base = next(a for a in load_answers(CONTENT).answers if a.id == "einstiegsgeld")
    return replace(base, **changes)


def test_an_answer_with_a_core_shows_it_first_and_its_text_on_request():
    a = answer(core=CORE)
    responses = rasa_responses([a], CONTENT, FACTS, DAY)
    first = next(v for v in responses[a.response_name] if v.get("condition") == [{"type": "slot", "name": "language", "value": "de"}])
    assert first["text"].startswith("Ja, das geht.\nIhr nächster Schritt") and "Quelle" in first["text"]
    assert first["buttons"][0] == {"title": "Mehr dazu", "payload": MORE_PAYLOAD}
    details = next(v for v in responses[a.details_response_name] if v.get("condition") == [{"type": "slot", "name": "language", "value": "de"}])
    assert details["text"].startswith(a.text["de"].strip()[:40])


def test_an_answer_without_a_core_is_shown_whole():
    a = answer(core={}, unknown_core={})
    assert set(rasa_responses([a], CONTENT, FACTS, DAY)) == {a.response_name}


def test_core_rules():
    assert core_problems(answer(core=CORE), FACTS, DAY) == []
    long = {**CORE, "de": "Ja. " * 100 + "\nIhr nächster Schritt: Fragen."}
    assert any("more than 350" in p for p in core_problems(answer(core=long), FACTS, DAY))
    no_step = {**CORE, "en": "Yes, you can."}
    assert any("next step" in p for p in core_problems(answer(core=no_step), FACTS, DAY))
    assert any("every language" in p for p in core_problems(answer(core={"de": CORE["de"]}), FACTS, DAY))
    assert any("no core" in p for p in core_problems(answer(core={}), FACTS, DAY))


def test_more_after_an_answer_gives_its_details():
    followups = load_followups(CONTENT)
    events = [Event("user"), Event("action", "utter_answer_einstiegsgeld"), Event("bot"), Event("action", "action_listen"), Event("user")]
    _, before = split_at_last_user(reversed(events))
    context = context_of(before, followups)
    with_core = Answers.from_content([answer(core=CORE)])
    without = Answers.from_content([answer(core={})])
    more = Message("ask_followup_more", "Mehr dazu")
    assert next_step(more, context, followups, with_core).action == "utter_details_einstiegsgeld"
    assert next_step(more, context, followups, without).action == "utter_answer_einstiegsgeld"
