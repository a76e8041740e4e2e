"""The office directory in the console over HTTP: propose with source and date, four-eyes
confirmation, the bot's answer afterwards, errors with role=alert, CSV import, stale flags, audit."""
from __future__ import annotations

import re

import pytest

from lotse.console import audit
from tests.console.bot import office_answer
from tests.console.support import csrf_token, start_seeded_console

PAGE = "/admin/directory"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("console-directory")
    running = start_seeded_console(data_dir, LOTSE_CONSOLE_COOKIE_SECURE="false")
    running.data_dir = data_dir
    yield running
    running.server.stop()


def _audit(seeded, action: str) -> list:
    return audit.entries(seeded.server.state.app_engine, 500, action=action)


def _post(session, seeded, path: str, **data):
    return session.post(seeded.url + path, data={"csrf_token": csrf_token(session, seeded.url + PAGE), **data})


def _open_id(page: str, value: str) -> str:
    row = next(r for r in page.split("<tr>") if value in r and "/decide" in r)
    return re.search(r'/admin/directory/(\d+)/decide', row).group(1)


def test_only_administrators_see_the_directory(seeded):
    for username in ("r.reviewer", "c.borken"):
        response = seeded.login(username).get(seeded.url + PAGE)
        assert response.status_code == 403 and "Kein Zugriff" in response.text
    assert 'href="/admin/directory"' in seeded.login("a.admin").get(seeded.url + "/admin/users").text


def test_a_phone_number_reaches_the_bot_only_after_a_second_admin_confirmed_it(seeded, monkeypatch):
    first = seeded.login("a.admin")
    proposed = _post(first, seeded, PAGE, office_id="jc_raesfeld", field="phone", value="02865 6050",
                     source="https://www.raesfeld.de/rathaus/kontakt", as_of="2026-12-03")
    assert proposed.status_code == 200 and "Angabe vorgeschlagen" in proposed.text
    assert "eigener Vorschlag – braucht eine zweite Person" in proposed.text
    assert "6050" not in office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Raesfeld")

    entry_id = _open_id(seeded.login("b.admin").get(seeded.url + PAGE).text, "02865 6050")
    own = _post(first, seeded, f"{PAGE}/{entry_id}/decide", decision="confirm")
    assert own.status_code == 400 and re.search(r'role="alert">Vier-Augen-Prinzip', own.text)

    second = seeded.login("b.admin")
    confirmed = _post(second, seeded, f"{PAGE}/{entry_id}/decide", decision="confirm")
    assert confirmed.status_code == 200 and "Angabe bestätigt" in confirmed.text
    assert "02865 6050 (Stand 03.12.2026, Konsole, bestätigt von b.admin)" in confirmed.text

    answer = office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Raesfeld")
    assert "Telefon: 02865 6050 (laut raesfeld.de, Stand 03.12.2026)" in answer
    assert "Eine geprüfte Telefonnummer dieser Stelle haben wir noch nicht" not in answer
    assert "Geprüft am" in answer
    assert [(e.username, e.target) for e in _audit(seeded, "directory_proposed") if "6050" in (e.detail or "")] == [("a.admin", "jc_raesfeld")]
    assert [(e.username, e.target) for e in _audit(seeded, "directory_decided") if "6050" in (e.detail or "")] == [("b.admin", "jc_raesfeld")]


def test_a_rejected_proposal_never_reaches_the_bot(seeded, monkeypatch):
    _post(seeded.login("a.admin"), seeded, PAGE, office_id="jc_reken", field="email", value="jobcenter@reken.example",
          source="Aushang am Rathaus", as_of="2026-12-01")
    second = seeded.login("b.admin")
    rejected = _post(second, seeded, f"{PAGE}/{_open_id(second.get(seeded.url + PAGE).text, 'jobcenter@reken.example')}/decide", decision="reject")
    assert "Vorschlag abgelehnt" in rejected.text
    assert "jobcenter@reken.example" not in office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Reken")


def test_a_value_that_does_not_fit_is_refused_with_an_alert_and_the_form_kept(seeded):
    session = seeded.login("a.admin")
    for data, message in (
        ({"field": "phone", "value": "bitte anrufen", "source": "Aushang", "as_of": "2026-12-01"}, "Telefon: Bitte nur die Nummer"),
        ({"field": "phone", "value": "02861 123", "source": "", "as_of": "2026-12-01"}, "Bitte geben Sie die Quelle an"),
        ({"field": "phone", "value": "02861 123", "source": "Aushang", "as_of": ""}, "Bitte geben Sie an, wann die Angabe an der Quelle gesehen wurde"),
    ):
        response = _post(session, seeded, PAGE, office_id="jc_velen", **data)
        assert response.status_code == 400 and re.search(rf'role="alert">{message}', response.text), message
        assert f'>{data["value"]}</textarea>' in response.text
    assert not any(e.target == "jc_velen" for e in _audit(seeded, "directory_proposed"))


def test_the_address_book_csv_becomes_proposals_that_still_need_confirmation(seeded, monkeypatch):
    csv_text = ("Gemeinde;Straße;PLZ;Ort;Telefon;Öffnungszeiten\n"
                "Schöppingen;Amtsstraße 17;48624;Schöppingen;02555 88-0;Mo–Fr 08:00–12:00\n"
                "Atlantis;;;;0123 4567;\n")
    session = seeded.login("a.admin")
    response = _post(session, seeded, f"{PAGE}/import", csv=csv_text, as_of="2026-12-04",
                     source="https://services2.arcgis.com/297hbk2d6K4DqSw4/ArcGIS/rest/services/Jobcenter/FeatureServer")
    assert response.status_code == 200
    assert re.search(r'role="alert"><ul><li>3 Angaben als Vorschläge gespeichert', response.text) and "Atlantis" in response.text
    assert response.text.count('<span class="badge">CSV</span>') >= 3
    assert "02555 88-0" not in office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Schöppingen")
    [entry] = _audit(seeded, "directory_import")
    assert entry.username == "a.admin" and "3 Vorschläge, 1 Angaben ausgelassen" in entry.detail


def test_a_csv_without_the_town_column_is_refused(seeded):
    response = _post(seeded.login("a.admin"), seeded, f"{PAGE}/import", csv="Telefon\n0123 4567\n", as_of="2026-12-04", source="Aushang")
    assert response.status_code == 400 and re.search(r'role="alert">Die CSV-Datei braucht eine Spalte „Gemeinde“', response.text)


def test_values_older_than_twelve_months_are_flagged(seeded):
    page = seeded.login("a.admin").get(seeded.url + PAGE).text
    row = next(r for r in page.split("<tr>") if "Kreisverwaltung Borken</th>" in r)
    phone = next(item for item in row.split("<li>") if "02861 681-100" in item)
    assert "Stand 2021, offices.yml" in phone and "älter als 12 Monate" in phone
    address = next(item for item in row.split("<li>") if "Burloer Straße 93" in item)
    assert "älter als 12 Monate" not in address


def test_an_old_proposal_is_flagged_before_anyone_confirms_it(seeded):
    _post(seeded.login("a.admin"), seeded, PAGE, office_id="jc_stadtlohn", field="web", value="https://www.stadtlohn.de/jobcenter",
          source="https://www.stadtlohn.de/jobcenter", as_of="2025-06-30")
    page = seeded.login("b.admin").get(seeded.url + PAGE).text
    row = next(r for r in page.split("<tr>") if "https://www.stadtlohn.de/jobcenter" in r and "/decide" in r)
    assert "30.06.2025" in row and "älter als 12 Monate" in row
