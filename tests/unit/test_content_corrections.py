"""The content corrections of issue #21, per language, as a user reads the answer.

Each test renders answers the way Rasa serves them (lotse.knowledge.content.rasa_responses, the
footer with sources cut off) and checks what they say and what they no longer say.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from lotse.knowledge.content import load_answers, rasa_responses
from lotse.language.messages import messages_for
from tests.conftest import CONTENT

LANGS = ("de", "en", "uk")
# Answers another task corrects (amounts and their dates): not checked here.
OTHER_TASK = {
    "regelbedarf", "mehrbedarf", "hinzuverdienst", "kindergeld", "kinderzuschlag",
    "unterhaltsvorschuss", "steuerklasse", "kinderkrank", "wohngeld",
}


@lru_cache(maxsize=1)
def _rendered() -> dict[str, list[dict]]:
    return rasa_responses(load_answers(CONTENT).answers, CONTENT)


@lru_cache(maxsize=1)
def _ids() -> tuple[str, ...]:
    return tuple(a.id for a in load_answers(CONTENT).answers)


def _whole(answer_id: str) -> str:
    """The response with the answer's whole text (its details, when it has a core)."""
    return next(a for a in load_answers(CONTENT).answers if a.id == answer_id).whole_response_name


def _condition(variation: dict) -> dict[str, str]:
    return {c["name"]: c["value"] for c in variation.get("condition", [])}


def answer(answer_id: str, lang: str, **when: str) -> str:
    """The text a user gets for one answer in one language (and variant), without the source footer."""
    wanted = {"language": lang, **when}
    for variation in _rendered()[_whole(answer_id)]:
        if _condition(variation) == wanted:
            return variation["text"].rsplit("\n\n", 1)[0]
    raise KeyError((answer_id, wanted))


def all_versions(answer_id: str, lang: str) -> list[str]:
    """The plain text and every personalised variant of one answer in one language."""
    return [
        v["text"].rsplit("\n\n", 1)[0]
        for v in _rendered()[_whole(answer_id)]
        if _condition(v).get("language") == lang
    ]


def own_answers() -> list[str]:
    return [i for i in _ids() if i not in OTHER_TASK]


def sentences(text: str) -> list[str]:
    """Sentences and bullet lines; a dot after a digit ("1. Geburtstag", "01.07.2026") does not end one."""
    return [s for s in re.split(r"(?<![0-9])[.!?]\s+|\n", text) if s.strip()]


# --- Further training goes through the Agentur für Arbeit since 01.01.2025 ---------------------

ISSUER = {
    "de": "stellt seit 1. Januar 2025 die Agentur für Arbeit aus",
    "en": "issued by the employment agency (Agentur für Arbeit)",
    "uk": "видає агентство з праці (Agentur für Arbeit)",
}
OLD_ISSUER = {
    "de": "Den Bildungsgutschein bekommen Sie von Ihrem Jobcenter",
    "en": "You get the education voucher (Bildungsgutschein) from your Jobcenter",
    "uk": "ви отримуєте у вашому Jobcenter",
}
LIVING_COSTS = {"de": "Lebensunterhalt", "en": "living costs", "uk": "витрати на життя"}
NOT_CONFIRMED = {"de": "nicht bestätigt", "en": "not confirmed", "uk": "не підтверджено"}
TRAINING_ANSWERS = ("umschulung", "bildungsgutschein", "weiterbildungsgeld", "kinderbetreuung_weiterbildung")


@pytest.mark.parametrize("lang", LANGS)
def test_bildungsgutschein_is_issued_by_the_agentur(lang):
    text = answer("bildungsgutschein", lang)
    assert ISSUER[lang] in sentences(text)[0]
    assert OLD_ISSUER[lang] not in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("answer_id", TRAINING_ANSWERS)
def test_training_answers_name_agentur_jobcenter_roles_and_the_open_local_procedure(answer_id, lang):
    text = answer(answer_id, lang)
    assert "Agentur für Arbeit" in text
    assert LIVING_COSTS[lang] in text  # the Jobcenter keeps paying the living costs
    assert NOT_CONFIRMED[lang] in text  # Kreis Borken (zkT): the local procedure is not confirmed


@pytest.mark.parametrize("lang", LANGS)
def test_childcare_in_training_from_the_agentur_is_said_to_be_an_inference(lang):
    text = answer("kinderbetreuung_weiterbildung", lang)
    hedge = {"de": "Aufbau des Gesetzes", "en": "structure of the law", "uk": "побудовою закону"}[lang]
    assert hedge in text
    assert {"de": "das Jobcenter kann bei einer Weiterbildung die Kosten für Kita",
            "en": "the Jobcenter can pay the costs for a daycare centre",
            "uk": "Jobcenter може оплатити витрати на дитячий садок"}[lang] not in text


@pytest.mark.parametrize("lang", LANGS)
def test_weiterbildungsgeld_and_praemie_are_paid_by_the_agentur(lang):
    text = answer("weiterbildungsgeld", lang)
    who = {"de": "zahlt die Agentur für Arbeit Weiterbildungsgeld und Prämie",
           "en": "the employment agency (Agentur für Arbeit) pays the Weiterbildungsgeld",
           "uk": "виплачує агентство з праці (Agentur für Arbeit)"}[lang]
    assert who in text
    assert {"de": "entscheidet Ihr Jobcenter", "en": "Your Jobcenter decides", "uk": "вирішує ваш Jobcenter"}[lang] not in text


# --- Work with a small child: from the 14th month, not the first birthday ----------------------

FOURTEEN = {"de": "14. Lebensmonat", "en": "14th month of life", "uk": "14-го місяця життя"}
REASONABLE = {"de": "zumutbar", "en": "reasonable", "uk": "прийнятн"}
BIRTHDAY = {"de": "Geburtstag", "en": "birthday", "uk": "виповни"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("answer_id, when", [
    ("arbeitspflicht", {}),
    ("arbeitspflicht", {"child_age_group": "unter_1"}),
    ("arbeitspflicht", {"child_age_group": "1_bis_2"}),
    ("reform_2026", {}),
    ("sprachkurs", {}),
    ("kita_rechtsanspruch", {"child_age_group": "1_bis_2"}),
    ("job_turbo", {}),
])
def test_work_threshold_is_the_14th_month(answer_id, when, lang):
    assert FOURTEEN[lang] in answer(answer_id, lang, **when)


@pytest.mark.parametrize("lang", LANGS)
def test_no_answer_makes_the_first_birthday_the_work_threshold(lang):
    for answer_id in own_answers():
        for text in all_versions(answer_id, lang):
            for sentence in sentences(text):
                if REASONABLE[lang] in sentence:
                    assert BIRTHDAY[lang] not in sentence, (answer_id, sentence)


def test_the_kita_entitlement_from_the_first_birthday_stays():
    """§ 24 SGB VIII really starts on the first birthday: the correction must not remove it."""
    assert "Ab dem 1. Geburtstag hat Ihr Kind einen Rechtsanspruch" in answer("kita_rechtsanspruch", "de")


# --- Stale hedges gone; the benefit named consistently ------------------------------------------

STALE = (
    "wenn es so in Kraft getreten", "den endgültigen Gesetzestext konnte ich noch nicht prüfen",
    "der endgültige Gesetzestext ist noch nicht bestätigt", "if the law came into force",
    "final text of the law", "набув чинності в", "остаточний текст закону",
)


@pytest.mark.parametrize("lang", LANGS)
def test_no_answer_hedges_the_law_in_force(lang):
    for answer_id in own_answers():
        for text in all_versions(answer_id, lang):
            lowered = text.lower()
            assert not [s for s in STALE if s.lower() in lowered], answer_id


@pytest.mark.parametrize("lang", LANGS)
def test_reform_answer_states_the_law_hedges_only_the_asset_allowances_and_names_the_benefit(lang):
    text = answer("reform_2026", lang)
    assert {"de": "Seit 1. Juli 2026 gilt", "en": "Since 1 July 2026", "uk": "З 1 липня 2026 року діє"}[lang] in text
    assert {"de": "nicht einheitlich", "en": "do not agree", "uk": "різняться"}[lang] in text
    assert {"de": "Grundsicherungsgeld (früher Bürgergeld)", "en": "Grundsicherungsgeld, formerly Bürgergeld",
            "uk": "Grundsicherungsgeld, раніше Bürgergeld"}[lang] in text


# --- Who is responsible depends on the question ---------------------------------------------------

ALWAYS_JOBCENTER = {
    "de": ("immer das Jobcenter", "ist immer das Jobcenter"),
    "en": ("always the Jobcenter", "always the jobcenter", "is always responsible"),
    "uk": ("завжди займається джобцентр", "завжди джобцентр", "Відповідає завжди"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_request_human_no_longer_says_the_jobcenter_is_always_responsible(lang):
    text = answer("request_human", lang)
    assert not [s for s in ALWAYS_JOBCENTER[lang] if s in text]
    assert "Agentur für Arbeit" in text and "Jugendamt" in text  # ALG I; Kita, Unterhaltsvorschuss


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", ["callback_only_in_district", "office_why_jobcenter"])
def test_office_and_callback_texts_no_longer_say_always(key, lang):
    text = messages_for(lang, CONTENT)(key)
    assert {"de": "immer", "en": "always", "uk": "завжди"}[lang] not in text
    assert "Grundsicherungsgeld" in text


# --- Kita registration, Anerkennungszuschuss, TaxiBus --------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_kita_deadline_is_given_with_its_year_not_as_a_fixed_yearly_date(lang):
    text = answer("kita_anmeldung", lang, jugendamt_area="kreis")
    deadline = {"de": "31. Oktober", "en": "31 October", "uk": "31 жовтня"}[lang]
    assert any(deadline in s and "2025" in s for s in sentences(text))
    assert {"de": "zuletzt bis zum 31. Oktober", "en": "Last time", "uk": "Минулого разу"}[lang] not in text


@pytest.mark.parametrize("lang", LANGS)
def test_anerkennungszuschuss_has_its_conditions_and_end_date(lang):
    text = answer("anerkennung", lang)
    assert {"de": "30. Juni 2027", "en": "30 June 2027", "uk": "30 червня 2027"}[lang] in text
    assert {"de": "32.000 €", "en": "32,000 €", "uk": "32 000 €"}[lang] in text
    assert "600 €" in text


@pytest.mark.parametrize("lang", LANGS)
def test_taxibus_says_only_what_its_source_says(lang):
    text = answer("oepnv", lang)
    assert {"de": "Für viele Linien", "en": "For many lines", "uk": "Для багатьох ліній"}[lang] not in text
    assert "T58" in text and "2020" in text


# --- Ukrainians with a permit first issued after 31.03.2025 --------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_ukrainians_after_march_2025_are_referred_without_naming_a_paying_office(lang):
    text = answer("job_turbo", lang)
    assert {"de": "31. März 2025", "en": "31 March 2025", "uk": "31 березня 2025"}[lang] in text
    assert "MBE" in text and "Jobcenter" in text
    assert "Sozialamt" not in text and "AsylbLG" not in text


# --- Numbers in each language's format -----------------------------------------------------------

def test_thousands_are_written_in_each_languages_format():
    assert "1.000 €" in answer("weiterbildungsgeld", "de")
    assert "1,000 €" in answer("weiterbildungsgeld", "en") and "1,500 €" in answer("weiterbildungsgeld", "en")
    assert "1 000 €" in answer("weiterbildungsgeld", "uk") and "1 500 €" in answer("weiterbildungsgeld", "uk")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_no_german_number_format_in_english_or_ukrainian_answers(lang):
    german_thousands = re.compile(r"\d\.\d{3}\s?€")
    for answer_id in own_answers():
        for text in all_versions(answer_id, lang):
            assert not german_thousands.search(text), answer_id
            if lang == "en":
                assert not re.search(r"\d,\d{1,2}\s?(€|times)", text), answer_id
