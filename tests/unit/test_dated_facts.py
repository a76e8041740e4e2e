"""Facts that know their dates (issue #21): the answer a user gets depends on the day it is given.

The answers are rendered the way the bot serves them (lotse.knowledge.content.domain_responses
and the variation lotse.rasa_server.nlg picks), for a day set explicitly, never by patching the clock.
"""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lotse.knowledge.content import (
    Answer,
    Source,
    check_answers,
    choose_variation,
    content_problems,
    domain_responses,
    load_answers,
)
from lotse.knowledge.facts import load_facts, parse_facts, render
from lotse.language.numbers import format_number, wrong_number_formats
from lotse.rasa_server.nlg import CHECK_EVERY_SECONDS, LiveResponses
from lotse.runner import cli
from tests.conftest import CONTENT, VALID_CORE

DECEMBER = date(2026, 12, 7)
JANUARY = date(2027, 1, 2)
LANGS = ("de", "en", "uk")
URL = "http://localhost:8080"


def whole(answer_id: str, content: Path = CONTENT) -> str:
    """The response with the answer's whole text (its details, when it has a core)."""
    return next(a for a in load_answers(content).answers if a.id == answer_id).whole_response_name


def text_on(day: date, answer_id: str, lang: str, content: Path = CONTENT) -> str:
    """What a user writing in `lang` reads on `day` (the whole answer), without the source footer."""
    variation = choose_variation(domain_responses(content, URL, day)[whole(answer_id, content)], {"language": lang})
    assert variation is not None
    return variation["text"].rsplit("\n\n", 1)[0]


# --- The Minijob answer before and after 1 January ---------------------------------------------------------

@pytest.mark.parametrize(
    "lang, limit_2026, limit_2027, midijob_2027, wage_2027, allowance_2027",
    [
        ("de", "603 €", "633 €", "633,01 €", "14,60 €", "217,90 €"),
        ("en", "603 €", "633 €", "633.01 €", "14.60 €", "217.90 €"),
        ("uk", "603 €", "633 €", "633,01 €", "14,60 €", "217,90 €"),
    ],
)
def test_the_minijob_answer_gives_the_limit_of_the_day(lang, limit_2026, limit_2027, midijob_2027, wage_2027, allowance_2027):
    december, january = text_on(DECEMBER, "hinzuverdienst", lang), text_on(JANUARY, "hinzuverdienst", lang)
    assert limit_2026 in december and "208" in december
    assert limit_2027 in january and midijob_2027 in january and wage_2027 in january
    assert "603" not in january and "13,90" not in january and "13.90" not in january
    # The 2027 allowance is an inference: never shown without its hedge.
    hedge = {"de": "eigene Rechnung", "en": "our own calculation", "uk": "наш власний розрахунок"}[lang]
    assert f"{allowance_2027} ({hedge}" in january


def test_in_december_the_minijob_answer_announces_the_january_limit():
    december = text_on(DECEMBER, "hinzuverdienst", "de")
    assert "603 € im Monat (ab 01.01.2027: 633 €)" in december
    assert "13,90 € pro Stunde (ab 01.01.2027: 14,60 €)" in december


# --- Values that end without a known successor --------------------------------------------------------------

@pytest.mark.parametrize("lang, not_set", [("de", "noch nicht festgelegt"), ("en", "have not been set yet"), ("uk", "ще не визначені")])
def test_the_regelbedarf_after_2026_is_not_yet_known_and_563_is_only_what_applied_until_then(lang, not_set):
    january = text_on(JANUARY, "regelbedarf", lang)
    assert not_set in january and "31.12.2026" in january
    assert "563 €" in january  # as what applied until 31.12.2026 …
    first_line = january.splitlines()[0]
    assert "563" not in first_line  # … not as the current amount
    assert "Stand 2026" not in january and "as of 2026" not in january and "станом на 2026" not in january


def test_in_december_the_regelbedarf_says_that_the_2027_amount_is_not_set():
    assert "563 € im Monat (ab 01.01.2027: noch nicht festgelegt)" in text_on(DECEMBER, "regelbedarf", "de")


@pytest.mark.parametrize("answer_id", ["mehrbedarf", "unterhaltsvorschuss", "kinderzuschlag"])
@pytest.mark.parametrize("lang", LANGS)
def test_amounts_that_end_in_2026_are_given_as_past_in_2027(answer_id, lang):
    december, january = text_on(DECEMBER, answer_id, lang), text_on(JANUARY, answer_id, lang)
    assert december != january
    assert "31.12.2026" in january  # "bis dahin …", "until then …"
    old = {"mehrbedarf": "337", "unterhaltsvorschuss": "394", "kinderzuschlag": "297"}[answer_id]
    assert old in december and old in january


@pytest.mark.parametrize(
    "lang, unknown, past", [("de", "noch nicht bekannt", "30 Tage pro Kind"), ("en", "not known yet", "30 days per child"), ("uk", "ще не відомо", "30 днів")]
)
def test_the_2026_only_kinderkrankentage_are_not_given_as_current_in_2027(lang, unknown, past):
    december, january = text_on(DECEMBER, "kinderkrank", lang), text_on(JANUARY, "kinderkrank", lang)
    assert past.split()[0] in december and "70" in december
    assert unknown in january
    # 20/50 without a new law is an inference: only with the hedge.
    hedge = {"de": "noch nicht bestätigt", "en": "not yet confirmed", "uk": "ще не підтверджено"}[lang]
    assert f"20 ({hedge})" in january and f"50 ({hedge})" in january


def test_the_content_can_be_given_on_every_day_from_december_on():
    assert content_problems(CONTENT, DECEMBER) == []
    assert content_problems(CONTENT, JANUARY) == []


# --- Tax class II (issue #21) --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, first, further", [("de", "4.260 €", "240 €"), ("en", "4,260 €", "240 €"), ("uk", "4 260 €", "240 €")])
def test_tax_class_ii_names_the_240_euro_as_a_separate_allowance_and_the_adult_child(lang, first, further):
    text = text_on(DECEMBER, "steuerklasse", lang)
    assert first in text and further in text
    separate = {"de": "steckt nicht in der Steuerklasse II", "en": "not part of tax class II", "uk": "не входить у податковий клас II"}[lang]
    adult = {"de": "volljähriges Kind", "en": "adult child", "uk": "Повнолітня дитина"}[lang]
    assert separate in text and adult in text


# --- Number formats -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, de, en, uk",
    [("4260", "4.260", "4,260", "4 260"), ("202.68", "202,68", "202.68", "202,68"), ("14.6", "14,60", "14.60", "14,60"), ("633", "633", "633", "633")],
)
def test_numbers_are_written_in_each_languages_format(value, de, en, uk):
    assert [format_number(Decimal(value), lang) for lang in LANGS] == [de, en, uk]


def test_wrong_formats_are_found_but_dates_and_times_are_not():
    assert wrong_number_formats("4.260 € and 202,68 €", "en") == [("4.260", "German thousands"), ("202,68", "German decimals")]
    assert {n for n, _ in wrong_number_formats("4.260 € і 4,260 € і 202.68 €", "uk")} == {"4.260", "4,260", "202.68"}
    assert wrong_number_formats("4.260 € und 202,68 € am 01.07.2026 um 8.30 Uhr", "de") == []
    assert wrong_number_formats("since 01.07.2026, 1.5 times", "en") == []


# --- make check-content -------------------------------------------------------------------------------------

FACTS = parse_facts({
    "labels": {
        "unconfirmed": {lang: "?" for lang in LANGS},
        "change": {lang: " (→ {since}: {value})" for lang in LANGS},
        "change_unknown": {lang: " (→ {since}: ?)" for lang in LANGS},
    },
    "facts": {
        "limit": {"title": "Limit", "unit": "eur", "periods": [
            {"value": 603, "valid_from": "2026-01-01", "valid_until": "2026-12-31", "confidence": "S", "sources": [{"url": "https://example.org"}]},
            {"value": 633, "valid_from": "2027-01-01", "confidence": "S", "sources": [{"url": "https://example.org"}]},
        ]},
        "rate": {"title": "Rate", "unit": "eur", "periods": [
            {"value": 563, "valid_from": "2026-01-01", "valid_until": "2026-12-31", "confidence": "S", "sources": [{"url": "https://example.org"}]},
        ]},
    },
})


def answer(text: str, unknown_text: str | None = None, **texts: str) -> Answer:
    return Answer(
        id="x", intent="ask_x", topic="t", reviewed=DECEMBER, sources=(Source("Titel", "https://example.org"),),
        text={lang: texts.get(lang, text) for lang in LANGS},
        unknown_text={lang: unknown_text for lang in LANGS} if unknown_text else {},
        core=VALID_CORE,
    )


def problems(*answers: Answer) -> str:
    found = check_answers(list(answers), {"ask_x"}, set(), set(), set(), FACTS, DECEMBER)
    return "\n".join(found)


def test_check_content_rejects_a_literal_amount_but_not_a_marked_one():
    assert "states '603 €' literally" in problems(answer("Die Grenze liegt bei 603 € (Stand 2026)."))
    assert problems(answer("Im Internet steht {literal: 573 €}. Die Grenze: {limit}.")) == ""


def test_check_content_rejects_an_unknown_placeholder():
    assert "unknown fact {minijob}" in problems(answer("Die Grenze: {minijob}."))
    assert "unknown placeholder {limit.value}" in problems(answer("Die Grenze: {limit.value}."))


def test_check_content_rejects_a_number_in_another_languages_format():
    found = problems(answer("Grenze {limit}.", en="The relief is {literal: 4.260 €}.", uk="Пільга {literal: 4,260 €}."))
    assert "text (en) writes '4.260' in German thousands format" in found
    assert "text (uk) writes '4,260' in English thousands format" in found


def test_check_content_rejects_a_fact_that_ends_when_the_answer_has_no_unknown_text():
    found = problems(answer("Der Regelbedarf: {rate}."))
    assert "cannot be given on 2027-01-01" in found
    assert problems(answer("Der Regelbedarf: {rate}{rate.change}.", "Bis {rate.until}: {rate.last}; neu: nicht bekannt.")) == ""


def test_placeholders_render_the_value_of_the_day():
    assert render("{limit}{limit.change}", FACTS, "de", DECEMBER) == "603 € (→ 01.01.2027: 633 €)"
    assert render("{limit} seit {limit.since}{limit.change}", FACTS, "en", JANUARY) == "633 € seit 01.01.2027"
    assert render("{rate}{rate.change}", FACTS, "de", DECEMBER) == "563 € (→ 01.01.2027: ?)"
    assert render("bis {rate.until}: {rate.last}", FACTS, "uk", JANUARY) == "bis 31.12.2026: 563 €"


def test_every_unconfirmed_value_of_the_facts_file_is_shown_with_a_hedge():
    facts = load_facts(CONTENT)
    u_values = [(fact, p) for fact in facts.facts.values() for p in fact.periods if p.confidence == "U"]
    assert u_values
    for fact, period in u_values:
        for lang in LANGS:
            shown = render(f"{{{fact.id}}}", facts, lang, period.valid_from)
            assert shown.startswith(format_number(period.value, lang)) and shown.endswith(")") and "(" in shown


# --- make answer -------------------------------------------------------------------------------------------

def test_make_answer_prints_the_answer_of_the_day_with_footer_and_buttons(capsys):
    assert cli.main(["answer", "--intent", "ask_hinzuverdienst", "--date", "2027-01-02", "--lang", "de"]) == 0
    january = capsys.readouterr().out
    assert "633 €" in january and "603 €" not in january
    assert "Geprüft am 07.12.2026" in january and "Quellen:" in january
    assert "Buttons:\n  [Mehr dazu] /ask_followup_more\n  [Kinderzuschlag] /ask_kinderzuschlag" in january

    assert cli.main(["answer", "--intent", "ask_hinzuverdienst", "--date", "2026-12-07", "--lang", "en"]) == 0
    december = capsys.readouterr().out
    assert "603 € a month" in december and "Sources:" in december


def test_make_answer_names_the_intents_it_knows_when_the_intent_has_no_answer(capsys):
    assert cli.main(["answer", "--intent", "ask_nothing", "--date", "2027-01-02"]) == 2
    assert "ask_hinzuverdienst" in capsys.readouterr().err


def test_the_content_report_lists_what_changes_within_60_days_and_the_unconfirmed_values(capsys):
    assert cli.main(["content-report", "--date", "2026-12-07"]) == 0
    report = capsys.readouterr().out
    assert "minijob_limit" in report and "2027-01-01: 603 € -> 633 € [S]" in report
    assert "regelbedarf_alleinstehend" in report and "563 € -> NOT KNOWN" in report
    unconfirmed = report.split("still unconfirmed")[1].split("\n\n")[0]
    assert "kindergeld" in unconfirmed and "267 €" in unconfirmed and "freibetrag_minijob" in unconfirmed

    assert cli.main(["content-report", "--date", "2027-06-01"]) == 0
    assert "minijob_limit" not in capsys.readouterr().out.split("next 60 days")[1].split("\n\n")[0]


# --- The running bot on 1 January --------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.day = date(2026, 12, 31)

    def __call__(self) -> float:
        return self.now

    def today(self) -> date:
        return self.day


def german(responses: dict, name: str | None = None) -> str:
    variation = choose_variation(responses[name or whole("hinzuverdienst")], {"language": "de"})
    assert variation is not None
    return variation["text"]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_the_running_bot_gives_the_new_amount_on_1_january_without_a_release(content):
    clock = Clock()
    live = LiveResponses(domain_responses(content, URL, clock.day), content, URL, clock, clock.today)
    assert "603 € im Monat" in german(live.current())

    clock.day, clock.now = date(2027, 1, 1), clock.now + CHECK_EVERY_SECONDS
    assert "633 € im Monat" in german(live.current())


def test_on_1_january_the_last_good_content_is_rendered_even_when_the_files_have_a_problem(content):
    clock = Clock()
    live = LiveResponses(domain_responses(content, URL, clock.day), content, URL, clock, clock.today)
    live.current()
    path = content / "answers" / "arbeit.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Ihr nächster Schritt", "Rufen Sie 0171 9999999 an. Ihr nächster Schritt", 1), encoding="utf-8")
    clock.day, clock.now = date(2027, 1, 1), clock.now + CHECK_EVERY_SECONDS
    served = german(live.current())
    assert "633 € im Monat" in served and "0171" not in served
