"""The office directory in Debian's headless Chromium: an administrator adds a verified phone number
for one jobcenter, a second administrator confirms it, the bot's office answer for that town shows it
with its own date, and the audit log names both."""
from __future__ import annotations

import re

import pytest

from tests.console.bot import office_answer
from tests.console.demo import DEMO_PASSWORD
from tests.console.support import start_seeded_console
from tests.integration.conftest import needs_chromium

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("directory-browser")
    running = start_seeded_console(data_dir)  # Secure cookies, as in production
    running.data_dir = data_dir
    yield running
    running.server.stop()



def _login(browser, url: str, username: str):
    page = browser.new_context(locale="de-DE").new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")
    return page


def test_an_admin_adds_a_phone_number_a_second_confirms_and_the_bot_shows_it_with_its_date(seeded, browser, monkeypatch):
    first = _login(browser, seeded.url, "a.admin")
    first.get_by_role("link", name="Stellenverzeichnis").click()
    first.get_by_label("Stelle").select_option(label="Jobcenter der Gemeinde Legden")
    first.get_by_label("Feld").select_option(label="Telefon")
    first.get_by_label("Wert").fill("bitte anrufen")
    first.get_by_label("Quelle", exact=True).fill("Telefonat mit dem Jobcenter Legden")
    first.get_by_label("Dort gesehen am").fill("2026-12-01")
    first.get_by_role("button", name="Vorschlagen").click()
    first.wait_for_load_state()
    assert "Telefon: Bitte nur die Nummer" in first.get_by_role("alert").inner_text()  # told what is wrong, form kept
    first.get_by_label("Wert").fill("02566 910 254")
    first.get_by_role("button", name="Vorschlagen").click()
    first.wait_for_load_state()
    assert "Angabe vorgeschlagen" in first.get_by_role("status").inner_text()
    assert first.get_by_role("button", name=re.compile("Bestätigen")).count() == 0  # not one's own: four-eyes
    assert "910 254" not in office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Legden")
    first.context.close()

    second = _login(browser, seeded.url, "b.admin")
    second.goto(f"{seeded.url}/admin/directory")
    second.get_by_role("button", name="Bestätigen (Telefon Jobcenter der Gemeinde Legden)").click()
    second.wait_for_load_state()
    assert "Angabe bestätigt" in second.get_by_role("status").inner_text()
    shown = second.get_by_role("region", name="Was der Chat jetzt zeigt").get_by_role("row", name=re.compile("Legden")).inner_text()
    assert "02566 910 254 (Stand 01.12.2026, Konsole, bestätigt von b.admin)" in shown

    answer = office_answer(monkeypatch, seeded.data_dir, "Ich wohne in Legden")
    assert "Telefon: 02566 910 254 (laut Angabe der Stelle, Stand 01.12.2026)" in answer
    assert "Eine geprüfte Telefonnummer dieser Stelle haben wir noch nicht" not in answer
    assert "Phone: 02566 910 254 (according to the office itself, as of 01.12.2026)" in office_answer(
        monkeypatch, seeded.data_dir, "I live in Legden", language="en")

    second.get_by_role("link", name="Protokoll").click()
    log = second.inner_text("main")
    assert re.search(r"a\.admin\s+Stellenverzeichnis: Angabe vorgeschlagen\s+jc_legden\s+Telefon: 02566 910 254", log), log
    assert re.search(r"b\.admin\s+Stellenverzeichnis: Angabe bestätigt/abgelehnt\s+jc_legden\s+bestätigt: Telefon 02566 910 254", log), log
    second.context.close()


def test_axe_finds_no_violations_on_the_directory_page(seeded, browser):
    from axe_playwright_python.sync_playwright import Axe

    page = _login(browser, seeded.url, "a.admin")
    page.goto(f"{seeded.url}/admin/directory")
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    page.context.close()
