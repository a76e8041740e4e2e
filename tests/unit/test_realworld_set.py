"""The real-question evaluation set (tests/realworld/questions.yml, issue #20): big enough per
language, every question traceable to where it was found, labelled only with intents Lotse has,
and never part of the training data."""
from __future__ import annotations

import collections
from urllib.parse import urlparse

import yaml

from lotse.knowledge.content import domain_intents
from tests.conftest import ROOT
from tests.unit.test_nlu_data import TRAINING, normal

REALWORLD = ROOT / "tests" / "realworld" / "questions.yml"
QUESTIONS = yaml.safe_load(REALWORLD.read_text(encoding="utf-8"))["questions"]

# Russian-language questions from Ukrainian refugees are answered in Ukrainian: they count as uk.
ANSWER_LANGUAGE = {"de": "de", "en": "en", "uk": "uk", "ru": "uk"}
MINIMUM = {"de": 100, "en": 25, "uk": 25}
FIELDS = {"text", "lang", "source", "intents", "note"}


def test_enough_questions_per_language():
    counts = collections.Counter(ANSWER_LANGUAGE[q["lang"]] for q in QUESTIONS)
    assert len(QUESTIONS) >= 150
    short = {language: counts[language] for language, minimum in MINIMUM.items() if counts[language] < minimum}
    assert not short


def test_every_question_has_its_fields_and_a_known_language():
    wrong = [q.get("text") for q in QUESTIONS if not set(q) <= FIELDS or q.get("lang") not in ANSWER_LANGUAGE]
    empty = [q.get("text") for q in QUESTIONS if not str(q.get("text") or "").strip() or not q.get("intents")]
    assert not wrong
    assert not empty


def test_every_question_names_the_address_it_was_found_at():
    def is_address(source: object) -> bool:
        parsed = urlparse(str(source or ""))
        return parsed.scheme in {"http", "https"} and "." in parsed.netloc

    assert not [q["text"] for q in QUESTIONS if not is_address(q.get("source"))]


def test_every_label_is_an_intent_of_the_domain():
    known = domain_intents()
    unknown = {label for q in QUESTIONS for label in q["intents"] if label not in known}
    assert not unknown


def test_no_question_is_listed_twice():
    counts = collections.Counter(normal(q["text"]) for q in QUESTIONS)
    assert not [text for text, count in counts.items() if count > 1]


def test_no_question_is_in_the_training_data():
    trained = {normal(text) for texts in TRAINING.values() for text in texts}
    assert trained  # the training data was found, so the check below means something
    leaked = [q["text"] for q in QUESTIONS if normal(q["text"]) in trained]
    assert not leaked


def load_eval_script():
    """scripts/eval_nlu.py as a module (scripts/ is not a package; Rasa is only imported when predicting)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_nlu", ROOT / "scripts" / "eval_nlu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_evaluation_counts_main_label_any_label_and_fallback_as_documented():
    eval_nlu = load_eval_script()
    questions = [
        {"text": "a", "lang": "de", "intents": ["ask_miete", "ask_umzug"]},
        {"text": "b", "lang": "de", "intents": ["ask_miete", "ask_umzug"]},
        {"text": "c", "lang": "de", "intents": ["out_of_scope"]},
        {"text": "d", "lang": "de", "intents": ["ask_but"]},
    ]
    result = eval_nlu.realworld_scores(questions, ["ask_miete", "ask_umzug", "nlu_fallback", "nlu_fallback"])
    assert (result["main"], result["any"], result["fallback"]) == (0.5, 0.75, 0.5)
    assert result["confusions"] == {("ask_but", "nlu_fallback"): 1}  # ask_umzug was right on "any"


def test_russian_questions_are_reported_with_ukrainian_and_on_their_own():
    eval_nlu = load_eval_script()
    questions = [
        {"text": "a", "lang": "uk", "intents": ["ask_kita_kosten"]},
        {"text": "b", "lang": "ru", "intents": ["ask_kita_kosten"]},
    ]
    section = eval_nlu.realworld_section(questions, ["ask_kita_kosten", "nlu_fallback"], 1.0, "x.yml")
    assert "| uk | 2 | 50.0% |" in section
    assert "| ru (part of uk) | 1 | 0.0% |" in section
