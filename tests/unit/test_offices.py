"""Office data: schema, verified-only display, opening-hours status."""
from __future__ import annotations

from datetime import datetime

import pytest

from lotse.knowledge.office_answers import found_reply, office_kind_for, reply_for
from lotse.knowledge.offices import opening_status, validate_office_data, verified_contact
from lotse.knowledge.places import Resolution
from lotse.language.messages import messages_for
from tests.conftest import ROOT

DE = messages_for("de", ROOT / "content")

HOURS = {
    "verified": True,
    "complete": False,
    "value": [
        {"days": ["mo", "di", "mi"], "open": "08:00", "close": "12:30"},
        {"days": ["mo", "di", "mi"], "open": "14:30", "close": "16:00"},
        {"days": ["do"], "open": "08:00", "close": "18:00"},
    ],
}


def test_office_file_is_valid(office_data):
    assert validate_office_data(office_data.raw) == []


def test_validator_finds_planted_problems(office_data):
    import copy

    raw = copy.deepcopy(office_data.raw)
    raw["municipalities"] = raw["municipalities"][1:]  # one municipality missing
    raw["municipalities"][0]["postal_codes"] = list(raw["municipalities"][0]["postal_codes"]) + [
        raw["municipalities"][1]["postal_codes"][0]
    ]
    raw["offices"][0]["contact"]["phone"] = {"value": "0123 456789", "verified": True, "as_of": None, "source": None}
    problems = validate_office_data(raw)
    assert any("missing" in p for p in problems)
    assert any("postal code" in p for p in problems)
    assert any("verified fields need" in p for p in problems)


@pytest.mark.parametrize(
    "when, expected",
    [
        (datetime(2026, 11, 23, 9, 0), "Jetzt geöffnet bis 12:30 Uhr."),  # Monday morning
        (datetime(2026, 11, 23, 13, 0), "Jetzt geschlossen. Öffnet wieder heute um 14:30 Uhr."),
        (datetime(2026, 11, 25, 17, 0), "Jetzt geschlossen. Öffnet wieder morgen um 08:00 Uhr."),  # Wednesday evening
        (datetime(2026, 11, 27, 10, 0), "Für heute liegen keine geprüften Öffnungszeiten vor."),  # Friday unknown
        (datetime(2026, 11, 26, 19, 0), "Jetzt geschlossen. Für Freitag liegen keine geprüften Öffnungszeiten vor."),
    ],
)
def test_opening_status(when, expected):
    assert opening_status(HOURS, when, DE) == expected


def test_unverified_hours_give_no_status():
    assert opening_status({**HOURS, "verified": False}, datetime(2026, 11, 23, 9, 0), DE) is None


def test_unverified_contact_values_are_never_shown(office_data):
    """Whatever the town and the office kind, no unverified contact value appears in an answer."""
    hidden = [
        str(f["value"])
        for o in office_data.raw["offices"]
        for name, f in (o.get("contact") or {}).items()
        if f and f.get("value") and f.get("verified") is not True and name != "hours"
    ]
    shown = set()
    for mid in office_data.municipalities:
        for kind in ("jobcenter", "jugendamt", "agentur"):
            text = found_reply(office_data, mid, kind, datetime(2026, 11, 24, 10, 0), DE).text
            shown.add(text)
            for value in hidden:
                assert value not in text, (mid, kind, value)
    assert len(shown) == 17 * 3


def test_switchboard_is_named_when_an_office_has_no_verified_phone(office_data):
    for mid, m in office_data.municipalities.items():
        office = office_data.offices[m["jobcenter"]]
        text = found_reply(office_data, mid, "jobcenter", datetime(2026, 11, 24, 10, 0), DE).text
        assert office["name"] in text
        if "phone" not in verified_contact(office):
            assert "02861 681-100" in text
        assert "Quellen:" in text and "Geprüft am 24.11.2026" in text


def test_answer_explains_why(office_data):
    text = found_reply(office_data, "velen", "jobcenter", datetime(2026, 11, 24, 10, 0), DE, "ramsdorf").text
    assert "Ramsdorf (Velen)" in text and "Wohnort" in text
    kita = found_reply(office_data, "velen", "jugendamt", datetime(2026, 11, 24, 10, 0), DE).text
    assert "Kreisjugendamt" in kita and "webKita" in kita
    bocholt = found_reply(office_data, "bocholt", "jugendamt", datetime(2026, 11, 24, 10, 0), DE).text
    assert "eigenes Jugendamt" in bocholt


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Wo melde ich mein Kind für die Kita an?", "jugendamt"),
        ("Ich bekomme noch ALG 1, wo muss ich hin?", "agentur"),
        ("Welches Jobcenter ist zuständig?", "jobcenter"),
        ("Wo ist die Arbeitsagentur?", "agentur"),
        ("Ich brauche das Familienbüro", "familienbuero"),
        ("Wo ist die Kita-Anmeldung?", "jugendamt"),
    ],
)
def test_office_kind(text, kind):
    assert office_kind_for(text) == kind


def test_replies_for_other_resolutions(office_data):
    now = datetime(2026, 11, 24, 10, 0)
    outside = reply_for(office_data, Resolution("outside", matched="münster"), None, "", now, DE)
    assert "nicht zum Kreis Borken" in outside.text and "Wohnort" in outside.text
    ambiguous = reply_for(office_data, Resolution("ambiguous", candidates=("borken", "velen")), None, "", now, DE)
    assert [b["title"] for b in ambiguous.buttons] == ["Borken", "Velen"]
    assert ambiguous.buttons[0]["payload"] == '/inform_place{"municipality": "borken"}'
    remembered = reply_for(office_data, Resolution("none"), "gronau", "Und wo ist das Jugendamt?", now, DE)
    assert remembered.municipality == "gronau" and "Jugendamt" in remembered.text
    unknown = reply_for(office_data, Resolution("none"), None, "Welches Jobcenter?", now, DE)
    assert "In welcher Stadt oder Gemeinde" in unknown.text


def test_an_office_role_only_in_german_is_refused_and_english_users_get_theirs(office_data):
    raw = {**office_data.raw, "offices": [dict(o) for o in office_data.raw["offices"]]}
    raw["offices"][0]["role"] = "Nur deutsch."
    assert any("role needs a text in each language" in p for p in validate_office_data(raw))
    jobcenter = next(o for o in office_data.raw["offices"] if o["id"] == "jc_gescher")
    assert "Grundsicherungsgeld" in jobcenter["role"]["en"] and "Grundsicherungsgeld" in jobcenter["role"]["uk"]
    assert "Grundsicherungsgeld (früher Bürgergeld" in jobcenter["role"]["de"]  # named as today, the old word in brackets


def test_familienbuero_where_there_is_one_and_the_jugendamt_elsewhere(office_data):
    now = datetime(2026, 11, 24, 10, 0)
    gronau = reply_for(office_data, Resolution("found", municipality="gronau"), None, "Familienbüro Gronau", now, DE)
    assert "Familienbüro der Stadt Gronau" in gronau.text and gronau.kind == "familienbuero"
    assert "02562 12-500" not in gronau.text  # not verified: the switchboard instead
    assert "02861 681-100" in gronau.text
    heek = reply_for(office_data, Resolution("found", municipality="heek"), None, "Familienbüro", now, DE)
    assert "Ein Familienbüro für Heek ist uns nicht bekannt" in heek.text and "Kreisjugendamt Borken" in heek.text
    assert heek.kind == "familienbuero"
    told = reply_for(office_data, Resolution("found", municipality="heek"), None, "Heek", now, DE, kind="agentur")
    assert "Agentur für Arbeit Coesfeld" in told.text  # the office type from NLU before the words


def test_a_familienbuero_that_is_no_familienbuero_is_refused(office_data):
    raw = {**office_data.raw, "municipalities": [dict(m) for m in office_data.raw["municipalities"]]}
    raw["municipalities"][0]["familienbuero"] = "jc_ahaus"
    assert any("is not a Familienbüro" in p for p in validate_office_data(raw))


def test_the_place_is_named_as_offices_yml_spells_it(office_data):
    now = datetime(2026, 11, 24, 10, 0)
    for matched, label in (("alstatte", "Alstätte (Ahaus)"), ("alstate", "Alstätte (Ahaus)"), ("ahaus", "Ahaus:")):
        assert f"Sie wohnen in {label}" in found_reply(office_data, "ahaus", "jobcenter", now, DE, matched).text
    assert "Sie wohnen in Nienborg (Heek)" in found_reply(office_data, "heek", "jobcenter", now, DE, "nienbrog").text
    assert "Sie wohnen in Heek:" in found_reply(office_data, "heek", "jobcenter", now, DE, "хеек").text
