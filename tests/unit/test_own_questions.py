"""Every question Lotse asks can be answered with a one-word reply (issue #19, "the bot's own
questions are always answerable"), in de/en/uk.

The questions are found in the content, not listed by hand: every answer text whose last line asks
the person something ("Sagen Sie mir, wie alt …", "Tell me your town", "Напишіть мені …", or a
line ending in "?") must say in content/followups.yml what it asks, and a short reply must continue
that answer's topic. Places in a reply are found as the NLU finds them (lotse.knowledge.places)."""
from __future__ import annotations

import re

import pytest

from lotse.knowledge.content import load_answers
from lotse.knowledge.conversation import (
    OFFICE_ACTION,
    Event,
    Message,
    answers_index,
    context_of,
    next_step,
    split_at_last_user,
)
from lotse.knowledge.followups import load_followups
from lotse.knowledge.offices import load_gazetteer
from lotse.knowledge.places import resolve
from lotse.language.languages import LANGUAGES
from tests.conftest import CONTENT, ROOT

ASKING = re.compile(r"Sagen Sie mir|Nennen Sie mir|Schreiben Sie mir|Tell me|Write me|Напишіть мені|Скажіть мені|\?\s*$")
REPLIES = {
    "child_age": {"de": ["2", "10 Monate", "sie ist 3", "zwei"], "en": ["2", "10 months", "she is 3", "two"], "uk": ["2", "10 місяців", "їй 3", "два"]},
    "municipality": {"de": ["Gronau", "vreden", "48691"], "en": ["Gronau", "Stadtlohn"], "uk": ["Гронау", "Бохольт"]},
}
FOLLOWUPS = load_followups(CONTENT)
ANSWERS = answers_index(CONTENT)
GAZETTEER = load_gazetteer(CONTENT)


def asking_answers() -> list[tuple[str, str]]:
    found = set()
    for answer in load_answers(CONTENT).answers:
        for lang in LANGUAGES:
            for text in [answer.text[lang], *(v.text[lang] for v in answer.variants)]:
                if ASKING.search(text.strip().splitlines()[-1]):
                    found.add((answer.id, lang))
    return sorted(found)


def test_the_content_has_questions_to_answer():
    ids = {answer_id for answer_id, _ in asking_answers()}
    assert {"kita_anmeldung", "kita_rechtsanspruch", "arbeitspflicht"} <= ids


@pytest.mark.parametrize("answer_id, lang", asking_answers())
def test_every_asking_answer_says_what_it_asks(answer_id, lang):
    topic = FOLLOWUPS.topics.get(answer_id)
    assert topic is not None and topic.asks in REPLIES, f"{answer_id} ({lang}) asks something: set `asks` in content/followups.yml"


def _cases():
    for answer_id, lang in asking_answers():
        asks = FOLLOWUPS.topics[answer_id].asks
        for reply in REPLIES.get(asks or "", {}).get(lang, []):
            yield answer_id, lang, reply


@pytest.mark.parametrize("answer_id, lang, reply", list(_cases()))
def test_a_one_word_reply_continues_the_topic(answer_id, lang, reply):
    events = [Event("user"), Event("action", f"utter_answer_{answer_id}"), Event("bot"), Event("action", "action_listen"), Event("user")]
    entities = frozenset({"municipality"}) if resolve(reply, GAZETTEER).status == "found" else frozenset()
    _, before = split_at_last_user(reversed(events))
    context = context_of(before, FOLLOWUPS)
    # the NLU's guess for a one-word reply is unreliable ("2" is nlu_fallback): the context decides
    for intent in ("nlu_fallback", "inform_place", "inform_child_age", "affirm"):
        step = next_step(Message(intent, reply, entities), context, FOLLOWUPS, ANSWERS)
        assert step is not None, (reply, intent)
        assert step.action in (f"utter_answer_{answer_id}", OFFICE_ACTION), (reply, intent, step)


def test_the_office_finders_own_question_is_answered_by_the_place_rule():
    rules = (ROOT / "data" / "rules.yml").read_text(encoding="utf-8")
    assert "intent: inform_place\n      - action: action_find_office" in rules
