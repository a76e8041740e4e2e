"""Follow-ups that ask for one fact of the topic in context (issue #19): how long, how many, which
documents, how to apply. They get the topic's details when its short core leaves the fact out,
and a general or unsure reading of such a question still counts as a follow-up when a topic is in
context (lotse.knowledge.conversation, content/followups.yml)."""
from __future__ import annotations

import pytest

from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.content import load_answers
from lotse.knowledge.conversation import Event, Message, answers_index, context_of, next_step, split_at_last_user
from lotse.knowledge.followups import DETAILS, followup_problems, load_followups, parse_followups
from tests.conftest import CONTENT

FOLLOWUPS = load_followups(CONTENT)
ANSWERS = answers_index(CONTENT)


def decide(action: str, text: str, intent: str, ranking: tuple[tuple[str, float], ...] = ()):
    events = [Event("user"), Event("action", action), Event("bot"), Event("action", "action_listen"), Event("user")]
    _, before = split_at_last_user(reversed(events))
    return next_step(Message(intent, text, ranking=ranking), context_of(before, FOLLOWUPS), FOLLOWUPS, ANSWERS)


def details_text(answer_id: str) -> str:
    answer = next(a for a in load_answers(CONTENT).answers if a.id == answer_id)
    return answer.text["de"]


@pytest.mark.parametrize(
    ("topic", "intent", "fact"),
    [
        ("bildungsgutschein", "ask_followup_deadline", "3 Monate"),  # how long the voucher is valid
        ("kinderzuschlag", "ask_followup_deadline", "6 Monate"),  # how long it is granted
        ("wohngeld", "ask_followup_deadline", "12 Monate"),  # how long it is granted
        ("wohngeld", "ask_followup_documents", "Lohnabrechnungen"),  # what to have ready
        ("anspruch", "ask_followup_apply", "Online-Antrag"),  # how to apply
        ("randzeiten", "ask_followup_cost", "Kann-Leistung"),  # does the Jobcenter pay for it
        ("unterhaltsvorschuss", "ask_anspruch", "{unterhaltsvorschuss_mindesteinkommen}"),  # from 12 with Grundsicherung
    ],
)
def test_a_fact_the_core_leaves_out_gets_the_details_that_state_it(topic, intent, fact):
    step = decide(f"utter_answer_{topic}", "…", intent)
    assert step is not None and step.action == f"utter_details_{topic}"
    assert fact in details_text(topic)


def test_details_is_a_target_of_its_own_and_checked():
    raw = {"aspects": {"ask_followup_deadline": "deadline"}, "topics": {"miete": {"deadline": "details"}}}
    assert parse_followups(raw).topics["miete"].target("deadline").kind == DETAILS
    assert followup_problems(raw, ["miete"], ["ask_followup_deadline"]) == []
    assert followup_problems(load_yaml(CONTENT / "followups.yml"), [a.id for a in load_answers(CONTENT).answers], FOLLOWUPS.aspects) == []


def test_an_out_of_scope_reading_of_a_question_about_the_topic_is_a_follow_up():
    ranking = (("out_of_scope", 0.6), ("ask_followup_deadline", 0.2), ("ask_oepnv", 0.05))
    step = decide("utter_answer_oepnv", "und wie früh vorher?", "out_of_scope", ranking)
    assert step is not None and step.action == "utter_answer_oepnv" and step.aspect == "deadline"


def test_an_unsure_reading_is_a_follow_up_only_when_one_of_its_best_guesses_is():
    follow_up = (("nlu_fallback", 0.25), ("ask_followup_documents", 0.2), ("ask_gruppen", 0.1))
    assert decide("utter_answer_fuehrerschein", "und was davon?", "nlu_fallback", follow_up).aspect == "documents"
    behind = (("nlu_fallback", 0.25), ("ask_gruppen", 0.2), ("ask_followup_documents", 0.15))
    assert decide("utter_answer_fuehrerschein", "und was davon?", "nlu_fallback", behind).aspect == "documents"
    other_topic = (("nlu_fallback", 0.25), ("ask_gruppen", 0.2), ("ask_but", 0.1), ("ask_followup_documents", 0.1))
    assert decide("utter_answer_fuehrerschein", "und was davon?", "nlu_fallback", other_topic) is None
    weak = (("out_of_scope", 0.8), ("ask_followup_cost", 0.05))
    assert decide("utter_answer_fuehrerschein", "wie wird das wetter?", "out_of_scope", weak) is None


def test_without_a_topic_an_out_of_scope_message_stays_out_of_scope():
    events = [Event("user"), Event("action", "utter_greet"), Event("bot"), Event("action", "action_listen"), Event("user")]
    _, before = split_at_last_user(reversed(events))
    message = Message("out_of_scope", "wie lange vorher?", ranking=(("out_of_scope", 0.6), ("ask_followup_deadline", 0.3)))
    assert next_step(message, context_of(before, FOLLOWUPS), FOLLOWUPS, ANSWERS) is None


# --- stories: the needs a long message names in words (content/need_words.yml)

def test_a_story_names_its_other_needs_in_words():
    from lotse.knowledge.needs import load_need_words, named_needs

    words = load_need_words(CONTENT)
    story = "Ich wohne auf dem Dorf, habe kein Auto und noch keinen Kita-Platz für meine Tochter, will aber eine Umschulung machen."
    assert named_needs(story, words)[:3] == ["ask_kita_anmeldung", "ask_oepnv", "ask_umschulung"]
    assert named_needs("We are looking for a flat and I have no car.", words) == ["ask_oepnv", "ask_wohnungssuche"]
    assert named_needs("Шукаю роботу після перекваліфікації", words) == ["ask_umschulung"]  # "…*": the start of a word
    assert named_needs("Wie hoch ist der Regelsatz?", words) == []


def test_named_needs_come_after_the_classifiers_and_never_repeat_the_answer():
    from lotse.knowledge.personal import other_needs
    from lotse.language.messages import messages_for

    de = messages_for("de", CONTENT)
    story = "Ich möchte eine Umschulung in Teilzeit machen, habe aber noch keinen Kita-Platz und kein Auto hier auf dem Dorf."
    ranking = [{"name": "ask_umschulung", "confidence": 0.6}, {"name": "ask_bildungsgutschein", "confidence": 0.2}]
    known = {"ask_umschulung", "ask_bildungsgutschein", "ask_kita_anmeldung", "ask_oepnv"}
    named = ["ask_kita_anmeldung", "ask_oepnv", "ask_umschulung"]
    buttons = other_needs(story, ranking, "ask_umschulung", known, {}, de, named)
    assert [b["payload"] for b in buttons] == ["/ask_bildungsgutschein", "/ask_kita_anmeldung", "/ask_oepnv"]
    assert other_needs("Kita-Platz und kein Auto?", ranking, "ask_umschulung", known, {}, de, named) == []  # short: one need


def test_a_short_question_between_another_topic_and_a_follow_up_is_the_follow_up():
    close = (("ask_but", 0.35), ("ask_followup_cost", 0.27), ("ask_regelbedarf", 0.07))
    step = decide("utter_answer_randzeiten", "Zahlt das Amt so was?", "ask_but", close)
    assert step.action == "utter_details_randzeiten" and step.aspect == "cost"
    clear = (("ask_but", 0.7), ("ask_followup_cost", 0.1))
    assert decide("utter_answer_randzeiten", "Und was ist mit BuT?", "ask_but", clear) is None  # a new topic
    long = "Mein Sohn will in den Sportverein, aber das kann ich nicht bezahlen, zahlt das Jobcenter sowas?"
    assert decide("utter_answer_randzeiten", long, "ask_but", close) is None  # a question of its own


def test_an_unsure_reading_with_a_childs_age_is_the_topic_for_that_age():
    ranking = (("nlu_fallback", 0.25), ("inform_child_age", 0.29), ("ask_regelbedarf", 0.29))
    step = decide("utter_answer_reform_2026", "Und für mich? Mein Sohn ist 2.", "nlu_fallback", ranking)
    assert step.action == "utter_answer_reform_2026" and step.slots["child_age_group"] == "1_bis_2"


def test_the_first_button_by_number_follows_up_even_when_it_is_more_about_this():
    events = [Event("user"), Event("action", "utter_answer_randzeiten"), Event("bot", buttons=("/ask_followup_more", "/ask_tagespflege")),
              Event("action", "action_listen"), Event("user")]
    _, before = split_at_last_user(reversed(events))
    context = context_of(before, FOLLOWUPS)
    assert next_step(Message("choose_option", "das erste"), context, FOLLOWUPS, ANSWERS).action == "utter_details_randzeiten"
    assert next_step(Message("choose_option", "das zweite"), context, FOLLOWUPS, ANSWERS).action == "utter_answer_tagespflege"
