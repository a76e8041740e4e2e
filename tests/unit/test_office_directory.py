"""The office directory kept by staff: value checks, the four-eyes store, the overlay the bot reads,
the CSV import of the Kreis address book, stale-date flags and the content check of source dates."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lotse.database.engine import make_engine
from lotse.database.migrations import migrate
from lotse.directory import store
from lotse.directory.csv_import import parse_address_book
from lotse.directory.overlay import OverlaySource, apply_entries, stale_contacts
from lotse.directory.values import EntryError, check_value, parse_hours
from lotse.knowledge.office_answers import found_reply
from lotse.knowledge.offices import as_of_text, contact_date_problems, is_stale, source_label
from lotse.language.messages import messages_for
from lotse.language.textnorm import fold

DE, EN, UK = messages_for("de"), messages_for("en"), messages_for("uk")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
PHONE = store.Proposal("jc_legden", "phone", "02566 910 254", "Telefonat mit dem Jobcenter Legden", "2026-12-01")


@pytest.fixture
def engine(db_url):
    migrate(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_hours_in_the_consoles_text_form_become_slots():
    assert parse_hours("Mo–Mi 8:00–12:30; Do 14.00-18.00 Uhr") == [
        {"days": ["mo", "di", "mi"], "open": "08:00", "close": "12:30"},
        {"days": ["do"], "open": "14:00", "close": "18:00"},
    ]
    for bad in ("montags vormittags", "Mi–Mo 08:00–12:00", "Fr 12:00–08:00", "Xy 08:00–09:00"):
        with pytest.raises(EntryError):
            parse_hours(bad)


@pytest.mark.parametrize("field,value", [("phone", "ruft an"), ("email", "info(at)x.de"), ("form", "www.x.de/form"),
                                         ("address", "Rathaus"), ("address", "02566 910 254"), ("hours", ""), ("fax", "0123")])
def test_values_that_do_not_fit_their_field_are_refused(field, value):
    assert check_value("address", "Burloer Straße 93, 46325 Borken") == "Burloer Straße 93, 46325 Borken"
    with pytest.raises(EntryError):
        check_value(field, value)


def test_a_proposal_is_shown_only_after_another_admin_confirmed_it(engine):
    [entry] = store.propose(engine, [PHONE], "a.admin", {"jc_legden"}, now=NOW)
    assert entry.state == "proposed" and store.confirmed(engine) == {}
    with pytest.raises(EntryError, match="Vier-Augen"):
        store.decide(engine, entry.id, True, "a.admin", NOW)
    decided = store.decide(engine, entry.id, True, "b.admin", NOW)
    assert decided.state == "confirmed" and decided.decided_by == "b.admin"
    assert store.confirmed(engine)[("jc_legden", "phone")].value == "02566 910 254"
    with pytest.raises(EntryError, match="nicht mehr offen"):
        store.decide(engine, entry.id, False, "c.admin", NOW)


def test_a_rejected_proposal_never_shows_and_the_newest_confirmation_wins(engine):
    older, newer, rejected = store.propose(engine, [
        PHONE, store.Proposal("jc_legden", "phone", "02566 910 0", "https://www.legden.de/kontakt", "2026-12-05"),
        store.Proposal("jc_legden", "phone", "02566 999 999", "Aushang", "2026-12-06"),
    ], "a.admin", {"jc_legden"}, now=NOW)
    store.decide(engine, newer.id, True, "b.admin", NOW)
    store.decide(engine, older.id, True, "b.admin", datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc))
    store.decide(engine, rejected.id, False, "b.admin", datetime(2026, 12, 7, 11, 0, tzinfo=timezone.utc))
    assert store.confirmed(engine)[("jc_legden", "phone")].id == older.id  # confirmed last


def test_a_proposal_with_a_bad_value_stores_nothing(engine):
    bad = store.Proposal("jc_legden", "email", "kein-mail", "Aushang", "2026-12-01")
    future = store.Proposal("jc_legden", "phone", "02566 910 254", "Aushang", "2027-01-01")
    unknown = store.Proposal("jc_atlantis", "phone", "02566 910 254", "Aushang", "2026-12-01")
    for proposal in (bad, future, unknown):
        with pytest.raises(EntryError):
            store.propose(engine, [PHONE, proposal], "a.admin", {"jc_legden"}, now=NOW)
    assert store.listing(engine) == []


def test_the_bot_shows_a_confirmed_phone_with_its_own_date_within_seconds(engine, office_data):
    clock = Clock()
    overlay = OverlaySource(engine, clock=clock)
    before = found_reply(overlay.apply(office_data), "legden", "jobcenter", NOW, DE).text
    assert "910 254" not in before and "Eine geprüfte Telefonnummer dieser Stelle haben wir noch nicht" in before
    [entry] = store.propose(engine, [PHONE], "a.admin", {"jc_legden"}, now=NOW)
    store.decide(engine, entry.id, True, "b.admin", NOW)
    assert "910 254" not in found_reply(overlay.apply(office_data), "legden", "jobcenter", NOW, DE).text  # looked a moment ago
    clock.now += 3
    data = overlay.apply(office_data)
    de = found_reply(data, "legden", "jobcenter", NOW, DE).text
    assert "Telefon: 02566 910 254 (laut Angabe der Stelle, Stand 01.12.2026)" in de
    assert "Eine geprüfte Telefonnummer" not in de and "Telefonat" not in de  # the call's note stays in the console
    assert "Phone: 02566 910 254 (according to the office itself, as of 01.12.2026)" in found_reply(data, "legden", "jobcenter", NOW, EN).text
    assert "станом на 01.12.2026" in found_reply(data, "legden", "jobcenter", NOW, UK).text
    assert office_data.offices["jc_legden"]["contact"]["phone"]["value"] is None  # the cached offices.yml is untouched


def test_the_last_entries_stay_when_the_database_goes_away(engine, office_data):
    clock = Clock()
    overlay = OverlaySource(engine, clock=clock)
    [entry] = store.propose(engine, [store.Proposal("jc_gescher", "form", "https://www.gescher.de/jobcenter/formular",
                                                    "https://www.gescher.de/jobcenter", "2026-11-30")], "a.admin", {"jc_gescher"}, now=NOW)
    store.decide(engine, entry.id, True, "b.admin", NOW)
    assert "Online-Formular: https://www.gescher.de/jobcenter/formular (laut gescher.de, Stand 30.11.2026)" in \
        found_reply(overlay.apply(office_data), "gescher", "jobcenter", NOW, DE).text
    overlay.engine = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    clock.now += 3
    assert "gescher.de/jobcenter/formular" in found_reply(overlay.apply(office_data), "gescher", "jobcenter", NOW, DE).text


def test_confirmed_hours_are_shown_with_the_opening_status(engine, office_data):
    [entry] = store.propose(engine, [store.Proposal("jc_heek", "hours", "Mo–Fr 08:30–12:00", "Aushang am Rathaus", "2026-12-02", True)],
                            "a.admin", {"jc_heek"}, now=NOW)
    store.decide(engine, entry.id, True, "b.admin", NOW)
    data = apply_entries(office_data, store.confirmed(engine))
    text = found_reply(data, "heek", "jobcenter", datetime(2026, 12, 7, 10, 0), DE).text
    lines = text.splitlines()
    hours = lines.index("• Öffnungszeiten: Mo–Fr 08:30–12:00 (laut Angabe der Stelle, Stand 02.12.2026)")  # complete: no "andere Tage"
    assert lines[hours + 1] == "• Jetzt geöffnet bis 12:00 Uhr."


def test_dates_are_shown_as_written_and_flagged_after_twelve_months(office_data):
    assert [as_of_text(v) for v in ("2021", "2026-03", "2026-11-24")] == ["2021", "03/2026", "24.11.2026"]
    assert source_label("https://www.kreis-borken.de/x?y=1") == "kreis-borken.de" and source_label("Aushang") is None
    today = date(2026, 12, 7)
    assert is_stale("2025-11-30", today) and not is_stale("2025-12-31", today) and is_stale("2024", today) and not is_stale("2025", today) and is_stale(None, today)
    stale = {(s.office_id, s.field) for s in stale_contacts(office_data, today)}
    assert ("kreis_borken", "phone") in stale and ("kreis_borken", "address") not in stale


def test_check_content_rejects_a_verified_contact_without_its_source_date():
    raw = {"offices": [{"id": "x", "contact": {"phone": {"value": "0123 4567", "verified": True, "source": "https://x.de", "as_of": None},
                                               "email": {"value": "a@b.de", "verified": False, "as_of": None}}}]}
    contacts = [{"id": "y", "phone": {"value": "116 016", "verified": True, "as_of": "neulich", "source": "https://y.de"}}]
    assert contact_date_problems(raw, contacts) == [
        "offices.yml: x.phone is verified but has no source date (as_of)",
        "contacts.yml: y.phone has an as_of that is no date: 'neulich'",
    ]


def _jobcenters(office_data) -> dict[str, str]:
    return {fold(m["name"]): m["jobcenter"] for m in office_data.municipalities.values()}


def test_the_kreis_address_book_csv_becomes_proposals(office_data):
    text = ("\ufeffGemeinde;Straße;PLZ;Ort;Telefon;E-Mail;Öffnungszeiten;Online-Formular;Stand\n"
            "Südlohn;Winterswijker Straße 1;46354;Südlohn;02862 582-0;;Mo–Fr 08:00–12:00;;\n"
            "Bocholt;;;;02871 953-735;jobcenter@bocholt.example;nach Vereinbarung;https://www.bocholt.de/jobcenter/kontakt;2026-11-02\n"
            "Gronau (Leine);Hauptstraße 8;31028;Gronau;05182 1234;;;;\n")
    result = parse_address_book(text, _jobcenters(office_data), set(office_data.offices), "2026-12-01",
                                "https://services2.arcgis.com/297hbk2d6K4DqSw4/ArcGIS/rest/services/Jobcenter/FeatureServer", date(2026, 12, 7))
    got = {(p.office_id, p.field): (p.value, p.as_of) for p in result.proposals}
    assert got == {
        ("jc_suedlohn", "address"): ("Winterswijker Straße 1, 46354 Südlohn", "2026-12-01"),
        ("jc_suedlohn", "phone"): ("02862 582-0", "2026-12-01"),
        ("jc_suedlohn", "hours"): ("Mo–Fr 08:00–12:00", "2026-12-01"),
        ("jc_bocholt", "phone"): ("02871 953-735", "2026-11-02"),
        ("jc_bocholt", "email"): ("jobcenter@bocholt.example", "2026-11-02"),
        ("jc_bocholt", "form"): ("https://www.bocholt.de/jobcenter/kontakt", "2026-11-02"),
    }
    assert len(result.problems) == 2
    assert "Zeile 3 (Bocholt): Öffnungszeiten" in result.problems[0] and "Gronau (Leine)" in result.problems[1]


def test_a_csv_without_a_town_column_is_refused(office_data):
    with pytest.raises(EntryError, match="Gemeinde"):
        parse_address_book("Telefon,E-Mail\n0123 4567,a@b.de\n", _jobcenters(office_data), set(office_data.offices),
                           "2026-12-01", "Aushang", date(2026, 12, 7))


def test_control_characters_and_broken_csv_are_refused_not_stored(office_data):
    with pytest.raises(EntryError, match="Steuerzeichen"):
        check_value("address", "Markt 1,\x00 48703 Stadtlohn")
    with pytest.raises(EntryError, match="nicht gelesen"):
        parse_address_book("Gemeinde;Telefon\nStadtlohn;0256\x00 1234\n", _jobcenters(office_data), set(office_data.offices),
                           "2026-12-01", "Aushang", date(2026, 12, 7))


def test_content_report_lists_old_contact_data_from_the_file_and_the_console(tmp_path, monkeypatch):
    from lotse.core.settings import load_settings
    from lotse.runner.cli import stale_directory_report
    from tests.conftest import CONTENT

    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    load_settings.cache_clear()
    url = load_settings().callback_db_url
    migrate(url)
    engine = make_engine(url)
    [entry] = store.propose(engine, [store.Proposal("jc_vreden", "phone", "02564 303-0", "Aushang", "2025-09-30")],
                            "a.admin", {"jc_vreden"}, now=NOW)
    store.decide(engine, entry.id, True, "b.admin", NOW)
    engine.dispose()
    lines = stale_directory_report(CONTENT, date(2026, 12, 7))
    assert any(line.split() == ["jc_vreden", "phone", "Stand", "2025-09-30", "(console)"] for line in lines), lines
    assert any(line.split() == ["kreis_borken", "phone", "Stand", "2021", "(offices.yml)"] for line in lines), lines


def test_the_action_answers_from_offices_yml_when_the_database_cannot_be_opened(monkeypatch, office_data):
    from actions.offices import office_data_now
    from lotse.core.settings import load_settings
    from lotse.directory import overlay

    monkeypatch.setattr(overlay, "_sources", {})
    monkeypatch.setenv("LOTSE_CALLBACK_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
    load_settings.cache_clear()
    data = office_data_now(load_settings())
    assert data.offices["kreis_borken"]["contact"]["phone"]["value"] == "02861 681-100"
    assert "Telefon: 02861 681-100 (laut kreis-borken.de, Stand 2021)" in found_reply(data, "legden", "jobcenter", NOW, DE).text
