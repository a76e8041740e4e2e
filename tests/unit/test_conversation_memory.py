"""Conversation memory (issue #19): where a message goes in the context of the conversation.

Fixture event histories instead of a running bot: the same decision (lotse.knowledge.conversation)
runs in the Rasa policy and in the action server; tests/integration/test_conversation_memory.py
proves it on the real stack."""
from __future__ import annotations

import pytest

from lotse.knowledge.conversation import (
    ASK_TOPIC,
    NOTED,
    OFFICE_ACTION,
    Event,
    Message,
    answers_index,
    context_of,
    next_step,
    office_kind_in,
    option_number,
    split_at_last_user,
)
from lotse.knowledge.followups import load_followups
from tests.conftest import CONTENT

FOLLOWUPS = load_followups(CONTENT)
ANSWERS = answers_index(CONTENT)


def after(*actions: str, buttons: tuple[str, ...] = ()) -> list[Event]:
    """Events of a conversation in which the bot ran `actions` (one per user turn), then the user wrote."""
    events: list[Event] = []
    for action in actions:
        events += [Event("user"), Event("action", action), Event("bot", buttons=buttons), Event("action", "action_listen")]
    return events + [Event("user")]


def decide(events: list[Event], text: str, intent: str | None = None, entities: tuple[str, ...] = ()):
    _, before = split_at_last_user(reversed(events))
    return next_step(Message(intent, text, frozenset(entities)), context_of(before, FOLLOWUPS), FOLLOWUPS, ANSWERS)


@pytest.mark.parametrize("reply", ["2", "mein kleiner ist 2", "sie ist 2", "zwei", "2 Jahre"])
def test_a_short_age_reply_continues_the_kita_answer_for_that_age(reply):
    step = decide(after("utter_answer_kita_rechtsanspruch"), reply, "nlu_fallback")
    assert step is not None and step.action == "utter_answer_kita_rechtsanspruch"
    assert step.slots["child_age_group"] == "1_bis_2" and step.slots["child_ages"] == ["2"]


def test_ten_months_is_under_one():
    step = decide(after("utter_answer_arbeitspflicht"), "10 Monate", "inform_child_age")
    assert step.action == "utter_answer_arbeitspflicht" and step.slots["child_age_group"] == "unter_1"


@pytest.mark.parametrize("text, intent", [("Oh, falsch: er ist inzwischen 5.", "ask_ganztag_schule"), ("sorry, she's already 4", "ask_but"), ("ні, йому вже 4 роки", "nlu_fallback")])
def test_a_corrected_age_gives_the_topic_again_for_that_age_whatever_the_classifier_reads(text, intent):
    step = decide(after("utter_answer_arbeitspflicht"), text, intent)
    assert step is not None and step.action == "utter_answer_arbeitspflicht" and step.slots["child_age_group"] == "ab_3"


@pytest.mark.parametrize("text", ["und für mein zweites Kind, 7?", "what about my second kid, she is 7"])
def test_the_second_child_with_its_age_is_an_age_not_the_second_button(text):
    step = decide(after("utter_answer_unterhaltsvorschuss", buttons=("/ask_kinderzuschlag", "/ask_office")), text, "choose_option")
    assert step is not None and step.action == "utter_answer_unterhaltsvorschuss" and step.slots["child_ages"] == ["7"]


def test_an_unsure_message_likeliest_about_the_topic_itself_gets_the_topic_not_the_fallback():
    ranking = (("nlu_fallback", 0.25), ("ask_kinderkrank", 0.19), ("bot_challenge", 0.06))
    step = next_step(
        Message("nlu_fallback", "Bis wann gilt das eigentlich?", ranking=ranking),
        context_of(split_at_last_user(reversed(after("utter_answer_kinderkrank")))[1], FOLLOWUPS), FOLLOWUPS, ANSWERS,
    )
    assert step is not None and step.action == "utter_answer_kinderkrank"


def test_an_age_inside_a_question_is_not_a_correction():
    step = decide(after("utter_answer_arbeitspflicht"), "sie ist 4, bekommt sie einen Kita-Platz?", "ask_kita_rechtsanspruch")
    assert step is None or step.action != "utter_answer_arbeitspflicht"


def test_a_new_question_after_the_age_question_is_not_taken_for_an_age():
    assert decide(after("utter_answer_kita_rechtsanspruch"), "Wie viel Unterhaltsvorschuss bekomme ich für 2 Kinder im Monat?", "ask_unterhaltsvorschuss") is None


@pytest.mark.parametrize("reply", ["Gronau", "wohne in bocholt", "48599"])
def test_a_town_after_the_kita_registration_answer_gives_that_towns_way(reply):
    step = decide(after("utter_answer_kita_anmeldung"), reply, "inform_place", ("municipality", "jugendamt_area"))
    assert step.action == "utter_answer_kita_anmeldung"


def test_a_town_later_in_the_topic_changes_the_answer_and_a_correction_too():
    events = after("utter_answer_kita_anmeldung", "utter_answer_kita_anmeldung")
    assert decide(events, "und in Vreden?", "inform_place", ("municipality",)).action == "utter_answer_kita_anmeldung"
    assert decide(events, "nein, ich wohne in Vreden", "inform_place", ("municipality",)).action == "utter_answer_kita_anmeldung"


def test_a_town_for_a_topic_without_town_variants_goes_to_the_office_finder():
    assert decide(after("utter_answer_reform_2026"), "Gronau", "inform_place", ("municipality",)) is None  # the office finder's rule


def test_where_to_apply_after_unterhaltsvorschuss_is_the_jugendamt():
    events = after("utter_answer_unterhaltsvorschuss")
    step = decide(events, "Wo beantrage ich das?", "ask_followup_apply")
    assert step.action == OFFICE_ACTION and step.aspect == "apply"
    _, before = split_at_last_user(reversed(events))
    assert office_kind_in(context_of(before, FOLLOWUPS), FOLLOWUPS, None) == "jugendamt"


def test_where_to_get_a_bildungsgutschein_is_the_agentur():
    events = after("utter_answer_bildungsgutschein")
    step = decide(events, "und wo krieg ich den her?", "ask_followup_apply")
    assert step.action == OFFICE_ACTION
    _, before = split_at_last_user(reversed(events))
    assert office_kind_in(context_of(before, FOLLOWUPS), FOLLOWUPS, None) == "agentur"


def test_opening_hours_and_phone_after_an_office_answer_are_about_that_office():
    events = after("utter_answer_unterhaltsvorschuss", OFFICE_ACTION)
    for text, intent, aspect in [("Wann hat das offen?", "ask_office_hours", "hours"), ("Kann ich da anrufen?", "ask_office_phone", "phone")]:
        step = decide(events, text, intent)
        assert step.action == OFFICE_ACTION and step.aspect == aspect
    _, before = split_at_last_user(reversed(events))
    assert office_kind_in(context_of(before, FOLLOWUPS), FOLLOWUPS, "jugendamt") == "jugendamt"


def test_part_time_after_retraining_is_part_time_retraining_not_apprenticeship():
    step = decide(after("utter_answer_umschulung"), "Geht das auch in Teilzeit?", "ask_followup_parttime")
    assert step.action == "utter_answer_umschulung"


def test_a_follow_up_without_a_topic_asks_what_it_is_about():
    assert decide(after("utter_greet_privacy"), "und wer zahlt das?", "ask_followup_cost").action == ASK_TOPIC
    assert decide(after("utter_greet_privacy"), "Wann hat das offen?", "ask_office_hours").action == OFFICE_ACTION


def test_a_follow_up_without_a_topic_that_names_one_gets_that_answer():
    _, before = split_at_last_user(reversed(after("utter_greet_privacy")))
    message = Message("ask_followup_deadline", "Ab wann muss ich wieder arbeiten?", ranking=(("ask_followup_deadline", 0.5), ("ask_arbeitspflicht", 0.3)))
    assert next_step(message, context_of(before, FOLLOWUPS), FOLLOWUPS, ANSWERS).action == "utter_answer_arbeitspflicht"


def test_a_general_phrase_does_not_win_over_the_topic_it_is_about():
    _, before = split_at_last_user(reversed(after("utter_greet_privacy")))
    context = context_of(before, FOLLOWUPS)
    tax = Message("ask_situation_check", "я сама виховую двох дітей, який податковий клас мені належить?", ranking=(("ask_situation_check", 0.5), ("ask_steuerklasse", 0.48)))
    assert next_step(tax, context, FOLLOWUPS, ANSWERS).action == "utter_answer_steuerklasse"
    general = Message("ask_situation_check", "Was steht mir zu?", ranking=(("ask_situation_check", 0.9), ("ask_mehrbedarf", 0.05)))
    assert next_step(general, context, FOLLOWUPS, ANSWERS) is None  # the situation check starts (its rule)


def test_an_aspect_without_a_verified_answer_goes_to_the_office_to_say_so():
    step = decide(after("utter_answer_unterhaltsvorschuss"), "welche unterlagen brauche ich dafür", "ask_followup_documents")
    assert step.action == OFFICE_ACTION and step.aspect == "documents"
    assert FOLLOWUPS.topics["unterhaltsvorschuss"].target("documents").kind == "unknown"


def test_intents_with_an_answer_of_their_own_are_follow_ups_only_where_the_topic_names_them():
    assert decide(after("utter_greet_privacy"), "welche unterlagen brauche ich", "ask_checkliste") is None
    assert decide(after("utter_answer_fuehrerschein"), "welche unterlagen brauche ich", "ask_checkliste").action == "utter_answer_fuehrerschein"


def test_a_childs_age_without_an_age_topic_is_noted():
    step = decide(after("utter_greet_privacy"), "mein Sohn ist 4", "inform_child_age")
    assert step.action == NOTED and step.slots["child_age_group"] == "ab_3"


def test_the_other_child_gets_the_answer_for_its_age():
    step = decide(after("utter_answer_kita_rechtsanspruch"), "und für mein anderes Kind (7)?", "inform_child_age")
    assert step.action == "utter_answer_kita_rechtsanspruch" and step.slots["child_age_group"] == "ab_3"


@pytest.mark.parametrize("text, number", [("das zweite", 2), ("die erste bitte", 1), ("nummer 3", 3), ("the second one", 2), ("другий", 2), ("ja", None)])
def test_option_numbers(text, number):
    assert option_number(text) == number


def test_choosing_a_button_by_its_number():
    buttons = ("/ask_office", "/ask_kita_anmeldung", "/ask_umschulung")
    assert decide(after("utter_greet_privacy", buttons=buttons), "das zweite", "choose_option").action == "utter_answer_kita_anmeldung"
    towns = ('/inform_place{"municipality": "heek"}', '/inform_place{"municipality": "legden"}')
    step = decide(after(OFFICE_ACTION, buttons=towns), "die zweite", "choose_option")
    assert step.action == OFFICE_ACTION and step.slots == {"municipality": "legden"}
    assert decide(after(OFFICE_ACTION, buttons=towns), "die vierte", "choose_option") is None


def test_a_message_that_stands_on_its_own_is_left_to_the_rules():
    assert decide(after("utter_answer_unterhaltsvorschuss"), "Was ist der Kinderzuschlag?", "ask_kinderzuschlag") is None
    assert decide([Event("user")], "Hallo", "greet") is None


def test_childcare_during_a_language_course_is_the_language_courses_details_not_the_training_answer():
    step = decide(after("utter_answer_sprachkurs"), "Und wer nimmt dann mein Kind?", "ask_kinderbetreuung_weiterbildung")
    assert step is not None and step.action == "utter_details_sprachkurs"
    assert decide(after("utter_answer_umschulung"), "Und wer nimmt dann mein Kind?", "ask_kinderbetreuung_weiterbildung") is None
