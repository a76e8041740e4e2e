"""Every € amount of an answer is a dated fact (issue #21): no answer states an amount "Stand 2026"
any more, and an amount that ends without a known successor is announced and then said to be unknown.

Answers are rendered the way the bot serves them (lotse.knowledge.content.domain_responses and the
variation lotse.rasa_server.nlg picks), for a day set explicitly.
"""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from lotse.knowledge.content import content_problems
from lotse.knowledge.facts import fact_problems, load_facts, parse_facts
from tests.conftest import CONTENT
from tests.unit.test_dated_facts import text_on

DECEMBER = date(2026, 12, 7)
JANUARY = date(2027, 1, 2)
LANGS = ("de", "en", "uk")
MOVED = ("reform_2026", "but", "tagespflege", "kinderbetreuung_weiterbildung", "weiterbildungsgeld", "anerkennung")
NOT_KNOWN = {"de": "kenne ich noch nicht", "en": "I do not know", "uk": "я ще не знаю"}
NOT_SET = {"de": "noch nicht festgelegt", "en": "not yet set", "uk": "ще не визначено"}




def test_no_answer_is_left_with_literal_amounts():
    assert load_facts(CONTENT).literal_amounts == frozenset()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("answer_id", MOVED)
def test_moved_answers_no_longer_date_their_amounts_with_stand(answer_id, lang):
    for day in (DECEMBER, JANUARY):
        text = text_on(day, answer_id, lang)
        assert "Stand 2026" not in text and "as of 2026" not in text and "станом на 2026" not in text


def test_check_content_rejects_an_amount_dated_only_with_stand(tmp_path):
    content = shutil.copytree(CONTENT, tmp_path / "content")
    answers = content / "answers" / "geld.yml"
    answers.write_text(answers.read_text(encoding="utf-8").replace(
        "• Sportverein, Musikschule: {but_teilhabe} im Monat",
        "• Sportverein, Musikschule: 15 € im Monat (Stand 2026)"), encoding="utf-8")
    found = "\n".join(content_problems(content, DECEMBER))
    assert "but" in found and "states '15 €' literally" in found


def test_check_content_rejects_a_fact_value_without_valid_from():
    facts = parse_facts({"facts": {"teilhabe": {"title": "Teilhabe", "unit": "eur", "periods": [
        {"value": 15, "confidence": "S", "sources": [{"url": "https://velen.de", "date": "undated"}]}]}}})
    found = "\n".join(fact_problems(facts))
    assert "teilhabe" in found and "has no valid_from" in found


@pytest.mark.parametrize("lang, amount", [("de", "15 €"), ("en", "15 €"), ("uk", "15 €")])
def test_but_announces_then_admits_that_the_2027_teilhabe_amount_is_unknown(lang, amount):
    december, january = text_on(DECEMBER, "but", lang), text_on(JANUARY, "but", lang)
    assert amount in december and NOT_SET[lang] in december
    assert "31.12.2026" in january and NOT_KNOWN[lang] in january  # the old amount only as the past one
    assert "130 €" in january and "31.07.2027" in january  # Schulbedarf stays set for the school year 2026/27


@pytest.mark.parametrize("lang", LANGS)
def test_reform_answer_gives_the_regelbedarf_of_the_day_and_then_says_the_new_one_is_unknown(lang):
    december, january = text_on(DECEMBER, "reform_2026", lang), text_on(JANUARY, "reform_2026", lang)
    assert "563 €" in december and NOT_SET[lang] in december
    assert "31.12.2026" in january and NOT_KNOWN[lang] in january
    assert "14" in january  # the rest of the answer (14th month) is still there


@pytest.mark.parametrize("lang, limit", [("de", "32.000 €"), ("en", "32,000 €"), ("uk", "32 000 €")])
def test_anerkennungszuschuss_ends_on_30_june_2027(lang, limit):
    before, after = text_on(date(2027, 6, 30), "anerkennung", lang), text_on(date(2027, 7, 1), "anerkennung", lang)
    assert limit in before and "600 €" in before
    assert limit not in after and "30.06.2027" in after
    assert {"de": "weiß ich noch nicht", "en": "I do not know yet", "uk": "я ще не знаю"}[lang] in after


@pytest.mark.parametrize("lang, bonus", [("de", "1.500 €"), ("en", "1,500 €"), ("uk", "1 500 €")])
def test_training_amounts_go_on_after_new_year(lang, bonus):
    """Weiterbildungsgeld, Prämie and the § 87 childcare flat rate have no known end: same on 2 January."""
    for day in (DECEMBER, JANUARY):
        assert "150 €" in text_on(day, "weiterbildungsgeld", lang) and bonus in text_on(day, "weiterbildungsgeld", lang)
        assert "160 €" in text_on(day, "kinderbetreuung_weiterbildung", lang)
        assert "160 €" in text_on(day, "tagespflege", lang)


@pytest.mark.parametrize("lang, phrase", [
    ("de", "bis zum 1,5-Fachen dieser Grenze"), ("en", "up to 1.5 times this limit"), ("uk", "до 1,5-кратного розміру"),
])
def test_rent_answer_states_the_karenzzeit_of_the_reform(lang, phrase):
    text = text_on(DECEMBER, "miete", lang)
    assert phrase in text
    assert {"de": "Familien mit Kindern", "en": "families with children", "uk": "сім’ях з дітьми"}[lang] in text
    assert {"de": "Heizkosten", "en": "heating costs", "uk": "опалення"}[lang] in text
