"""The staff console in Debian's headless Chromium: login, filter, transcript, inert chat HTML,
CSRF, a reviewer's limits, axe-core on the main pages; and a message sent through the real chat
stack shows up in the stack's console as inert text."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest

from tests.console.demo import DEMO_PASSWORD
from tests.console.support import start_seeded_console
from tests.integration.conftest import needs_chromium

pytestmark = needs_chromium
HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    running = start_seeded_console(tmp_path_factory.mktemp("console-browser"))  # Secure cookies, as in production
    yield running
    running.server.stop()



def _login(browser, url: str, username: str, password: str = DEMO_PASSWORD):
    page = browser.new_context(locale="de-DE").new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")
    return page, dialogs


def test_reviewer_filters_opens_a_transcript_and_chat_html_stays_inert(seeded, browser):
    page, dialogs = _login(browser, seeded.url, "r.reviewer")
    assert page.url.endswith("/transcripts")
    page.get_by_label("nicht verstanden / niedriger Konfidenz").check()
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(re.compile(r".*fallback=1.*"))
    fallback = seeded.alias(seeded.demo.fallback)
    assert page.get_by_role("link", name=fallback).count() == 1
    assert page.get_by_role("link", name=seeded.alias(seeded.demo.telegram)).count() == 0

    page.goto(f"{seeded.url}/transcripts?intent=ask_kita_kosten")
    page.get_by_role("link", name=seeded.alias(seeded.demo.hostile)).click()
    page.wait_for_selector(".turns")
    assert page.locator(".turns script, .turns img").count() == 0
    assert '<script>alert("x")</script>' in page.locator(".turn.user .msg").first.inner_text()
    assert "<img src=x onerror=alert(1)>" in page.locator(".turn.user .msg").first.inner_text()
    assert dialogs == []

    page.goto(f"{seeded.url}/transcripts/{seeded.alias(seeded.demo.callback)}")
    text = page.inner_text("body")
    assert "[Telefonnummer]" in text and "3920042" not in text and "Mara" not in text
    for path in ("/admin/users", "/queue"):
        response = page.goto(seeded.url + path)
        assert response.status == 403 and "Kein Zugriff" in page.inner_text("main")

    forged = page.request.post(f"{seeded.url}/transcripts/{fallback}/tags", form={"tag": "ohne-token"})
    assert forged.status == 403
    page.goto(f"{seeded.url}/transcripts/{fallback}")
    assert "ohne-token" not in page.inner_text("main")
    page.get_by_label("Neues Schlagwort").fill("unklar")
    page.get_by_role("button", name="Hinzufügen").click()
    page.wait_for_load_state()
    assert "Schlagwort hinzugefügt" in page.inner_text("main")
    page.context.close()


MAIN_PAGES = ["/transcripts", "/transcripts/{alias}", "/corrections", "/queue", "/queue/{reference}", "/dashboard",
              "/admin/users", "/admin/data", "/admin/audit"]


def test_axe_finds_no_violations_on_the_main_pages(seeded, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    login = browser.new_context(locale="de-DE").new_page()
    login.goto(f"{seeded.url}/login")
    results = {"/login": axe.run(login)}
    login.context.close()
    page, _ = _login(browser, seeded.url, "a.admin")
    page.goto(f"{seeded.url}/queue")
    reference = page.locator("table.queue a").first.inner_text()
    for path in MAIN_PAGES:
        page.goto(seeded.url + path.format(alias=seeded.alias(seeded.demo.callback), reference=reference))
        results[path] = axe.run(page)
    failing = {path: result.generate_report() for path, result in results.items() if result.violations_count}
    assert failing == {}, "\n".join(f"{path}:\n{report}" for path, report in failing.items())
    page.context.close()


def test_a_chat_message_reaches_the_console_as_inert_text(stack, chat, browser):
    chat.say(f"{HOSTILE} Was kostet die Kita? Ruf mich an: 0171 3920077")
    settings = stack.settings
    username, password = f"it-admin-{uuid.uuid4().hex[:6]}", "Integration-Passwort-1"
    env = {**os.environ, "LOTSE_DATA_DIR": str(settings.data_dir), "LOTSE_CONSOLE_ADMIN_PASSWORD": password}
    created = subprocess.run([sys.executable, "-m", "lotse.console", "create-admin", "--username", username], env=env,
                             capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    url = f"http://{settings.console_host}:{settings.console_port}"
    page, dialogs = _login(browser, url, username, password)
    page.goto(f"{url}/admin/data")
    page.get_by_label(re.compile("Referenzcode")).fill(chat.sender)
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_load_state()
    page.locator("main [role=status] a").click()
    page.wait_for_selector(".turns")
    first = page.locator(".turn.user .msg").first.inner_text()
    assert HOSTILE in first and "3920077" not in first and "[Telefonnummer]" in first
    assert page.locator(".turns script, .turns img").count() == 0 and dialogs == []
    assert chat.sender not in page.inner_text("body")  # reviewers and admins see the pseudonym only
    page.context.close()
