"""Content checks: sources, dates, amounts with 'Stand', only verified contact data."""
from __future__ import annotations

from datetime import date

import yaml

from lotse.knowledge.content import (
    Answer,
    Source,
    check_answers,
    content_problems,
    domain_intents,
    fixed_rasa_responses,
    footer,
    footer_labels,
    load_answers,
    load_fixed_responses,
    rasa_responses,
    review_report,
    split_footer,
)
from lotse.knowledge.followups import load_followups
from lotse.language.languages import LANGUAGES
from tests.conftest import CONTENT, ROOT, VALID_CORE

CONVERSATION_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "ask_capabilities",
    "out_of_scope", "ask_office", "inform_place", "inform", "stop", "request_callback",
    "cancel_callback", "change_callback", "switch_language", "ask_datenschutz",
    "ask_situation_check", "skip_question",  # the situation check (#23): a form, not an answer
}
# Follow-ups are answered in the context of a topic (content/followups.yml), not by an answer of their own.
FOLLOWUP_INTENTS = set(load_followups(CONTENT).aspects) | {"inform_child_age", "forget_details", "choose_option"}


def test_content_has_no_problems():
    assert content_problems(CONTENT) == []


def test_every_knowledge_intent_has_an_answer():
    answered = {a.intent for a in load_answers(CONTENT).answers}
    missing = domain_intents() - CONVERSATION_INTENTS - FOLLOWUP_INTENTS - answered
    assert not missing


def test_every_intent_has_a_readable_label():
    labels = yaml.safe_load((CONTENT / "labels.yml").read_text(encoding="utf-8"))["labels"]
    assert domain_intents() <= set(labels)


def _answer(text: str, sources=(Source("Titel", "https://example.org"),)) -> Answer:
    return Answer(id="x", intent="ask_x", topic="t", reviewed=date(2026, 11, 24), sources=sources, text={lang: text for lang in LANGUAGES}, core=VALID_CORE)


def test_checks_catch_what_they_should():
    problems = check_answers(
        [
            _answer("Rufen Sie 0171 2345678 an."),
            _answer("Sie bekommen 563 € im Monat."),
            _answer("Ohne Quelle.", sources=()),
            _answer("Schreiben Sie an jemand@example.org."),
        ],
        known_intents={"ask_x"},
        verified_phones={"02861681100"},
        verified_emails=set(),
        municipalities=set(),
    )
    text = "\n".join(problems)
    assert "0171 2345678" in text
    assert "without its 'Stand'" in text
    assert "no source" in text
    assert "jemand@example.org" in text
    assert "two answers" in text  # the same intent four times


def test_verified_switchboard_passes():
    assert check_answers(
        [_answer("Zentrale: 02861 681-100 (Stand 2026: 563 €).")],
        known_intents={"ask_x"}, verified_phones={"02861681100"}, verified_emails=set(), municipalities=set(),
    ) == []


def test_rendered_answers_carry_sources_and_review_date():
    answers = load_answers(CONTENT).answers
    responses = rasa_responses(answers)
    for answer in answers:
        for variation in responses[answer.response_name]:
            language = next((c["value"] for c in variation.get("condition", []) if c["name"] == "language"), "de")
            one_source, many_sources, checked_label = footer_labels(language, CONTENT)
            assert (many_sources if len(answer.sources) > 1 else one_source) + ":" in variation["text"], answer.id
            assert f"{checked_label} {answer.reviewed.strftime('%d.%m.%Y')}" in variation["text"], answer.id
            assert answer.sources[0].url in variation["text"]


def test_footer_labels_come_from_the_content_in_every_language():
    assert footer_labels("de", CONTENT) == ("Quelle", "Quellen", "Geprüft am")
    assert footer_labels("en", CONTENT) == ("Source", "Sources", "Checked on")
    assert footer_labels("uk", CONTENT) == ("Джерело", "Джерела", "Перевірено")


def test_every_language_has_its_own_variation_of_each_answer_and_fixed_text():
    answers = load_answers(CONTENT).answers
    rendered = {**fixed_rasa_responses(load_fixed_responses(CONTENT), "https://lotse.example"), **rasa_responses(answers)}
    for name, variations in rendered.items():
        languages = {c["value"] for v in variations for c in v.get("condition", []) if c["name"] == "language"}
        assert languages == set(LANGUAGES), name
        assert any("condition" not in v for v in variations), f"{name}: no default variation"
    assert "https://lotse.example/datenschutz.html" in rendered["utter_greet_privacy"][0]["text"]


def test_every_footer_is_read_back_as_titles_links_and_date_in_every_language():
    for answer in load_answers(CONTENT).answers:
        for lang in LANGUAGES:
            text = f"Erster Absatz.\n\nZweiter Absatz.\n\n{footer(answer, lang, CONTENT)}"
            body, found = split_footer(text, CONTENT)
            assert body == "Erster Absatz.\n\nZweiter Absatz.", (answer.id, lang)
            assert found is not None and found.sources == answer.sources, (answer.id, lang)
            assert found.label in footer_labels(lang, CONTENT)[:2]
            assert found.checked.endswith(answer.reviewed.strftime("%d.%m.%Y"))


def test_a_text_without_a_footer_is_left_as_it_is():
    for text in ("Hallo!", "Quellen: irgendwas\nGeprüft am 01.01.2026", "Text.\n\nQuelle: ohne Adresse\nGeprüft am 01.01.2026",
                 "Text.\n\nSiehe https://www.kreis-borken.de"):
        assert split_footer(text, CONTENT) == (text, None)


def test_personalised_variants_exist():
    by_intent = {a.intent: a for a in load_answers(CONTENT).answers}
    assert {v.when.get("child_age_group") for v in by_intent["ask_arbeitspflicht"].variants} >= {"unter_1", "1_bis_2", "ab_3"}
    assert {v.when.get("jugendamt_area") for v in by_intent["ask_kita_anmeldung"].variants} == {
        "ahaus", "bocholt", "borken", "gronau", "kreis"
    }


def test_review_report_lists_old_answers():
    old = Answer(id="old", intent=None, topic="t", reviewed=date(2025, 1, 1), sources=(), text={"de": "x"}, unverified=("a",))
    due, unverified = review_report([old, _answer("neu")], today=date(2026, 11, 24))
    assert [a.id for a in due] == ["old"]
    assert unverified == [(old, "a")]


def test_no_generated_files_are_tracked():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [p for p in tracked if p.startswith(("models/", ".build/", "var/", ".venv/")) or p.endswith((".db", ".tar.gz"))]
