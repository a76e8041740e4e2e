"""Old words ("Hartz IV", "ARGE", "450-€-Job", "Kiga"): NLU reads today's word, and the answer
explains the old word once per conversation, in the user's language."""
from __future__ import annotations

import asyncio
import shutil

import pytest

from lotse.knowledge.terms import explain_old_terms, load_terms, nlu_spans, term_problems
from tests.conftest import CONTENT, ROOT

TERMS = load_terms(CONTENT)


def today(text: str) -> list[str]:
    return [word for _, _, word in nlu_spans(text, TERMS)]


@pytest.mark.parametrize(
    "text, words",
    [
        ("Bekomme ich Hartz IV?", ["grundsicherungsgeld"]),
        ("hartz4 und kindergeld", ["grundsicherungsgeld"]),
        ("ich bekomme ALG 2", ["grundsicherungsgeld"]),
        ("ALG2 beantragen", ["grundsicherungsgeld"]),
        ("Arbeitslosengeld II", ["grundsicherungsgeld"]),
        ("wie hoch ist das Bürgergeld", ["grundsicherungsgeld"]),
        ("Termin bei der ARGE", ["jobcenter"]),
        ("beim Arbeitsamt melden", ["arbeitsagentur"]),
        ("darf ich einen 450-€-Job machen", ["minijob"]),
        ("520 Euro Job neben dem Jobcenter", ["minijob"]),
        ("450er Job", ["minijob"]),
        ("Kiga Platz gesucht", ["kita"]),
        ("Tagesmama für meinen Sohn", ["kindertagespflege"]),
        ("Hartz IV und ein 400€ Job", ["grundsicherungsgeld", "minijob"]),
    ],
)
def test_old_words_become_todays_word_for_nlu(text, words):
    assert today(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "ich habe arge Probleme",  # an adjective, not the ARGE
        "ALG 1 von der Agentur",  # Arbeitslosengeld I is something else
        "ALG 20",
        "Grundsicherungsgeld beantragen",  # already today's word
        "Kita in Bocholt",
        "Mein Job bringt 450 Euro",
    ],
)
def test_other_words_stay(text):
    assert today(text) == []


def test_the_tokenizer_reads_todays_word():
    from rasa.shared.nlu.training_data.message import Message

    from lotse.rasa_server.components import FoldingTokenizer

    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message.build(text="Bekomme ich Hartz IV, wenn ich einen 450-€-Job habe?"), "text")
    assert [t.text for t in tokens] == ["bekomme", "ich", "grundsicherungsgeld", "wenn", "ich", "einen", "minijob", "habe"]
    merged = tokens[2]
    assert (merged.start, merged.end) == (12, 20)  # "Hartz IV" in the original text


@pytest.mark.parametrize(
    "language, explanation",
    [
        ("de", "Hartz IV heißt heute Grundsicherungsgeld (früher Bürgergeld)."),
        ("en", "Hartz IV is now called Grundsicherungsgeld (before that: Bürgergeld)."),
        ("uk", "Hartz IV тепер називається Grundsicherungsgeld (раніше Bürgergeld)."),
    ],
)
def test_the_answer_explains_the_old_word_first(language, explanation):
    message = explain_old_terms({"text": "ANSWER"}, "Bekomme ich Hartz IV?", [], language, CONTENT)
    assert message["text"] == explanation + "\n\nANSWER"


def test_the_explanation_is_given_once_per_conversation_in_any_language():
    first = explain_old_terms({"text": "A1"}, "Hartz 4 beantragen", [], "de", CONTENT)["text"]
    again = explain_old_terms({"text": "A2"}, "was ist mit Hartz IV", ["Hallo", first], "de", CONTENT)
    assert again == {"text": "A2"}
    switched = explain_old_terms({"text": "A3"}, "Hartz IV please", [first], "en", CONTENT)
    assert switched == {"text": "A3"}  # told already, in German
    other = explain_old_terms({"text": "A4"}, "und ein 450-€-Job?", [first], "de", CONTENT)
    assert other["text"].startswith("Den früheren 400-, 450- oder 520-€-Job nennt man heute Minijob")


def test_nothing_is_added_without_an_old_word_or_text():
    assert explain_old_terms({"text": "A"}, "Was ist Grundsicherungsgeld?", [], "de", CONTENT) == {"text": "A"}
    assert explain_old_terms({"buttons": []}, "Hartz IV", [], "de", CONTENT) == {"buttons": []}
    assert explain_old_terms(None, "Hartz IV", [], "de", CONTENT) is None
    assert explain_old_terms({"text": "A"}, '/ask_regelbedarf{"x": "Hartz IV"}', [], "de", CONTENT) == {"text": "A"}


def test_the_nlg_explains_once_in_a_conversation(monkeypatch):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from lotse.knowledge.content import domain_responses
    from lotse.rasa_server.nlg import LotseNaturalLanguageGenerator

    monkeypatch.setenv("LOTSE_CONTENT_DIR", str(CONTENT))
    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = LotseNaturalLanguageGenerator(None, None)
    nlg.responses = domain_responses(CONTENT, "http://localhost:8080")
    tracker = DialogueStateTracker("t", domain.slots)
    tracker.update(SlotSet("language", "de"))
    tracker.update(UserUttered("Wie viel Hartz IV bekomme ich?"))
    first = asyncio.run(nlg.generate("utter_answer_regelbedarf", tracker, "rest"))
    assert first["text"].startswith("Hartz IV heißt heute Grundsicherungsgeld (früher Bürgergeld).\n\n")
    tracker.update(BotUttered(first["text"]))
    tracker.update(UserUttered("und Mehrbedarf bei Hartz IV?"))
    second = asyncio.run(nlg.generate("utter_answer_mehrbedarf", tracker, "rest"))
    assert "Hartz IV heißt" not in second["text"]


def test_check_content_finds_a_missing_language(tmp_path):
    shutil.copy(CONTENT / "terms.yml", tmp_path / "terms.yml")
    assert term_problems(tmp_path) == []
    text = (tmp_path / "terms.yml").read_text(encoding="utf-8")
    text = text.replace('      uk: "Hartz IV тепер називається Grundsicherungsgeld (раніше Bürgergeld)."\n', "")
    (tmp_path / "terms.yml").write_text(text.replace("nlu: kita", "nlu: Kita"), encoding="utf-8")
    problems = term_problems(tmp_path)
    assert "terms.yml: hartz_iv: no uk explanation" in problems
    assert any(p.startswith("terms.yml: kiga: nlu must be one word") for p in problems)
