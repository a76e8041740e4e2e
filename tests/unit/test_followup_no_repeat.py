"""A follow-up that leads back to the answer just given gets that answer's details, never the same
core a second time (issue #22): lotse.rasa_server.nlg with the real content."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lotse.knowledge.content import domain_responses
from lotse.rasa_server.nlg import LotseNaturalLanguageGenerator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlg() -> LotseNaturalLanguageGenerator:
    generator = LotseNaturalLanguageGenerator(None, None)
    generator.responses = domain_responses(ROOT / "content", "http://localhost:8080")
    return generator


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def say(nlg, tracker, action: str) -> str:
    """What the bot sends for `action` now; recorded in the tracker as Rasa does."""
    text = asyncio.run(nlg.generate(action, tracker, "rest"))["text"]
    tracker.update(ActionExecuted(action))
    tracker.update(BotUttered(text))
    return text


def user(tracker, text: str, intent: str) -> None:
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}))


def conversation(domain, **slots) -> DialogueStateTracker:
    tracker = DialogueStateTracker("t", domain.slots)
    tracker.update(SlotSet("language", "de"))
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    return tracker


def details_of(nlg, tracker, answer_id: str) -> str:
    return asyncio.run(nlg.generate(f"utter_details_{answer_id}", tracker, "rest"))["text"]


def test_a_follow_up_back_to_the_same_answer_gets_its_details(nlg, domain):
    tracker = conversation(domain)
    user(tracker, "Bekomme ich als Alleinerziehende mehr Geld?", "ask_mehrbedarf")
    core = say(nlg, tracker, "utter_answer_mehrbedarf")
    user(tracker, "Wie viel ist das?", "ask_followup_cost")  # content/followups.yml: cost -> mehrbedarf
    again = say(nlg, tracker, "utter_answer_mehrbedarf")
    assert again != core and again == details_of(nlg, tracker, "mehrbedarf")
    assert len(again) > len(core)


def test_the_core_comes_again_after_the_details_and_after_another_turn(nlg, domain):
    tracker = conversation(domain)
    user(tracker, "Mehrbedarf?", "ask_mehrbedarf")
    core = say(nlg, tracker, "utter_answer_mehrbedarf")
    user(tracker, "Mehr dazu", "ask_followup_more")
    say(nlg, tracker, "utter_details_mehrbedarf")
    user(tracker, "Wie viel ist das?", "ask_followup_cost")
    assert say(nlg, tracker, "utter_answer_mehrbedarf") == core  # the short core, not the details twice

    user(tracker, "Hallo", "greet")
    say(nlg, tracker, "utter_greet")
    user(tracker, "Und der Mehrbedarf?", "ask_mehrbedarf")
    assert say(nlg, tracker, "utter_answer_mehrbedarf") == core  # asked anew later: the core


def test_the_same_answer_for_another_child_age_is_its_own_core(nlg, domain):
    tracker = conversation(domain, child_age_group="unter_1")
    user(tracker, "Hat mein Baby ein Recht auf einen Kitaplatz?", "ask_kita_rechtsanspruch")
    first = say(nlg, tracker, "utter_answer_kita_rechtsanspruch")
    tracker.update(SlotSet("child_age_group", "ab_3"))
    user(tracker, "und mit 4?", "inform_child_age")
    other = say(nlg, tracker, "utter_answer_kita_rechtsanspruch")
    assert other != first and other != details_of(nlg, tracker, "kita_rechtsanspruch")
