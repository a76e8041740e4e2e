"""The console over HTTP: login, roles, CSRF, idle timeout, masking, audit log, queue, erasure."""
from __future__ import annotations

import re

import pytest
import requests

from lotse.console import audit
from lotse.console.users import list_users
from tests.console.demo import DEMO_PASSWORD
from tests.console.support import csrf_token, login_token, start_seeded_console


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    running = start_seeded_console(tmp_path_factory.mktemp("console"), LOTSE_CONSOLE_COOKIE_SECURE="false")
    yield running
    running.server.stop()


def _audit(seeded, action: str) -> list:
    return audit.entries(seeded.server.state.app_engine, 500, action=action)


def test_every_page_needs_a_login(seeded):
    for path in ("/transcripts", "/queue", "/dashboard", "/admin/users", f"/transcripts/{seeded.alias(seeded.demo.callback)}"):
        response = requests.get(seeded.url + path)
        assert response.url.endswith("/login") and "Anmelden" in response.text


def test_session_cookie_is_httponly_strict_and_secure_by_default(tmp_path):
    secure = start_seeded_console(tmp_path)  # LOTSE_CONSOLE_COOKIE_SECURE defaults to true
    try:
        token = login_token(requests.Session(), secure.url)
        # requests keeps Secure cookies for https only, so the login cookie goes back by hand
        response = requests.post(f"{secure.url}/login", allow_redirects=False, cookies={"__Host-lotse_login": token},
                                 data={"username": "r.reviewer", "password": DEMO_PASSWORD, "login_token": token})
        cookie = next(c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("__Host-lotse_console="))
    finally:
        secure.server.stop()
    assert response.status_code == 303
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/"))


def test_wrong_passwords_lock_the_account(seeded):
    session = requests.Session()

    def attempt(password: str):
        return session.post(f"{seeded.url}/login", data={"username": "l.locked", "password": password,
                                                          "login_token": login_token(session, seeded.url)})

    first = attempt("falsch-falsch-1")
    assert first.status_code == 401 and "Benutzername oder Passwort ist falsch" in first.text
    attempt("falsch-falsch-2")
    assert "vorübergehend gesperrt" in attempt("falsch-falsch-3").text
    assert "vorübergehend gesperrt" in attempt(DEMO_PASSWORD).text  # the right password does not help now
    assert any(e.username == "l.locked" for e in _audit(seeded, "login_failed"))
    seeded.clock.advance(minutes=16)
    try:
        assert attempt(DEMO_PASSWORD).url.endswith("/transcripts")
    finally:
        seeded.clock.advance(minutes=-16)


def test_login_form_without_its_token_is_refused(seeded):
    response = requests.post(f"{seeded.url}/login", data={"username": "r.reviewer", "password": DEMO_PASSWORD})
    assert response.status_code == 403 and "veraltet" in response.text


def test_a_login_that_is_not_a_plain_form_is_refused_unread(seeded):
    """The 10,000-case fuzz run found a 500 for a truncated multipart body (aiohttp's reader fails)."""
    session = requests.Session()
    token = login_token(session, seeded.url)
    truncated = b'--xyz\r\nContent-Disposition: form-data; name="username"\r\n\r\n<script>alert(1)</script>\r\n--x'
    for content_type, body in (("multipart/form-data; boundary=xyz", truncated), ("application/json", b'{"username": "x"}')):
        response = session.post(f"{seeded.url}/login?login_token={token}", data=body, headers={"Content-Type": content_type})
        assert response.status_code == 415, (content_type, response.status_code)
        assert response.headers.get("Connection", "").lower() == "close"  # unread: lotse/guards/unread_bodies.py
    form = session.post(f"{seeded.url}/login", data={"username": "r.reviewer", "password": DEMO_PASSWORD, "login_token": login_token(session, seeded.url)})
    assert form.status_code == 200 and not form.url.endswith("/login")  # the real form still logs in


def test_a_post_without_the_csrf_token_or_from_another_site_changes_nothing(seeded):
    session = seeded.login("r.reviewer")
    page = f"{seeded.url}/transcripts/{seeded.alias(seeded.demo.telegram)}"
    token = csrf_token(session, page)
    forged = session.post(f"{page}/tags", data={"tag": "ohne-token"})
    assert forged.status_code == 403 and "Anfrage abgelehnt" in forged.text
    cross = session.post(f"{page}/tags", data={"tag": "fremde-seite", "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    accepted = session.post(f"{page}/tags", data={"tag": "echt", "csrf_token": token})
    assert accepted.status_code == 200 and "Schlagwort hinzugefügt" in accepted.text
    assert "echt" in accepted.text and "ohne-token" not in accepted.text and "fremde-seite" not in accepted.text


def test_a_reviewer_sees_no_phone_numbers_and_no_queue_or_admin_pages(seeded):
    session = seeded.login("r.reviewer")
    alias = seeded.alias(seeded.demo.callback)
    page = session.get(f"{seeded.url}/transcripts/{alias}")
    assert page.status_code == 200 and "[Telefonnummer]" in page.text
    assert "3920042" not in page.text and "Mara" not in page.text and seeded.demo.callback not in page.text
    assert "Verdeckte Daten anzeigen" not in page.text
    for path in ("/queue", "/queue/export.csv", "/admin/users", "/admin/data", "/admin/audit", "/corrections/export.yml"):
        response = session.get(seeded.url + path)
        assert response.status_code == 403 and "Kein Zugriff" in response.text, path
    token = csrf_token(session, f"{seeded.url}/transcripts/{alias}")
    assert session.post(f"{seeded.url}/transcripts/{alias}/reveal", data={"reason": "Neugier ist kein Grund", "csrf_token": token}).status_code == 403
    assert "/admin/users" not in session.get(f"{seeded.url}/transcripts").text  # no link to what is not allowed
    assert any(e.target == alias and e.username == "r.reviewer" for e in _audit(seeded, "transcript_view"))


def test_a_callback_agent_reveals_only_with_a_reason_and_it_is_logged(seeded):
    session = seeded.login("c.borken")
    queue_page = session.get(f"{seeded.url}/queue")
    assert "+491713920042" in queue_page.text
    assert re.search(r'href="/queue/([A-Z0-9]{3}-[A-Z0-9]{3})"', queue_page.text).group(1)
    alias = seeded.alias(seeded.demo.callback)
    transcript = f"{seeded.url}/transcripts/{alias}"
    assert "3920042" not in session.get(transcript).text
    token = csrf_token(session, transcript)
    assert session.post(f"{transcript}/reveal", data={"reason": "", "csrf_token": token}).status_code == 400
    revealed = session.post(f"{transcript}/reveal", data={"reason": "Rückruf vorbereiten", "csrf_token": token})
    assert revealed.status_code == 200 and "0171 3920042" in revealed.text and "protokolliert" in revealed.text
    assert any(e.target == alias and e.detail == "Rückruf vorbereiten" and e.username == "c.borken" for e in _audit(seeded, "reveal"))
    assert "3920042" not in session.get(transcript).text  # masked again on the next view
    assert session.get(f"{seeded.url}/transcripts").status_code == 403  # no browsing of all conversations

    other = seeded.login("c.ahaus")
    assert other.get(transcript).status_code == 403
    assert other.get(f"{seeded.url}/queue?office=jc_borken").status_code == 403
    assert "3920042" not in other.get(f"{seeded.url}/queue").text


def test_the_session_ends_after_the_idle_timeout(seeded):
    session = seeded.login("r.reviewer")
    assert session.get(f"{seeded.url}/dashboard").url.endswith("/dashboard")
    seeded.clock.advance(minutes=31)
    try:
        response = session.get(f"{seeded.url}/dashboard")
    finally:
        seeded.clock.advance(minutes=-31)
    assert response.url.endswith("/login?msg=expired") and "Sitzung ist abgelaufen" in response.text
    assert session.get(f"{seeded.url}/dashboard").url.endswith("/login")  # the old session is gone for good


def test_the_list_filters_and_searches_without_revealing_anything(seeded):
    session = seeded.login("r.reviewer")
    fallback, telegram = seeded.alias(seeded.demo.fallback), seeded.alias(seeded.demo.telegram)
    listed = session.get(f"{seeded.url}/transcripts?fallback=1").text
    assert fallback in listed and telegram not in listed
    assert telegram in session.get(f"{seeded.url}/transcripts?channel=telegram").text
    assert fallback in session.get(f"{seeded.url}/transcripts?q=kinderzuschlag").text
    assert fallback in session.get(f"{seeded.url}/transcripts?down=1").text
    assert "0 Gespräche gefunden" in session.get(f"{seeded.url}/transcripts?q=3920042").text


def test_corrections_go_through_four_eyes_and_export_without_personal_data(seeded):
    reviewer, admin, second = seeded.login("r.reviewer"), seeded.login("a.admin"), seeded.login("b.admin")
    alias = seeded.alias(seeded.demo.callback)
    transcript = reviewer.get(f"{seeded.url}/transcripts/{alias}").text
    event_id = re.findall(rf'href="/transcripts/{alias}/correct/(\d+)"', transcript)[1]  # "Ich heiße Mara … 0171 …"
    form = f"{seeded.url}/transcripts/{alias}/correct/{event_id}"
    proposed = reviewer.post(form, data={"intent": "ask_kita_kosten", "csrf_token": csrf_token(reviewer, form)})
    assert "Korrektur vorgeschlagen" in proposed.text
    listing = admin.get(f"{seeded.url}/corrections").text
    correction_id = re.search(r'action="/corrections/(\d+)/decide"', listing).group(1)
    assert "3920042" not in listing and "Mara" not in listing
    approved = second.post(f"{seeded.url}/corrections/{correction_id}/decide",
                           data={"decision": "approve", "csrf_token": csrf_token(second, f"{seeded.url}/corrections")})
    assert "Korrektur freigegeben" in approved.text
    exported = admin.get(f"{seeded.url}/corrections/export.yml")
    assert "intent: ask_kita_kosten" in exported.text and "0123 456789" in exported.text
    assert "3920042" not in exported.text and "Mara" not in exported.text
    story = reviewer.get(f"{seeded.url}/transcripts/{alias}/story.yml").text
    assert "intent: ask_kita_kosten" in story and "3920042" not in story
    assert _audit(seeded, "export_nlu") and _audit(seeded, "export_story")


def test_the_queue_changes_status_keeps_notes_and_exports(seeded):
    session = seeded.login("c.borken")
    listing = session.get(f"{seeded.url}/queue?office=jc_borken").text
    assert "überfällig" in listing  # demo-telegram's window ended hours ago
    reference = re.search(r'href="/queue/([A-Z0-9]{3}-[A-Z0-9]{3})"', listing).group(1)
    detail = f"{seeded.url}/queue/{reference}"
    changed = session.post(f"{detail}/status", data={"status": "not_reached", "csrf_token": csrf_token(session, detail)})
    assert "nicht erreicht – erneut versuchen" in changed.text and "neu → nicht erreicht" in changed.text
    noted = session.post(f"{detail}/notes", data={"note": "Mailbox, morgen erneut", "csrf_token": csrf_token(session, detail)})
    assert "Mailbox, morgen erneut" in noted.text
    csv_text = session.get(f"{seeded.url}/queue/export.csv?office=jc_borken").text
    assert reference in csv_text and "+4917139200" in csv_text
    ics = session.get(f"{seeded.url}/queue/export.ics?office=jc_borken")
    assert ics.headers["Content-Type"].startswith("text/calendar") and f"UID:{reference}@lotse" in ics.text
    assert _audit(seeded, "export_csv") and _audit(seeded, "export_ics") and _audit(seeded, "callback_status")


def test_an_admin_exports_and_erases_a_conversation_by_reference_code(seeded):
    admin = seeded.login("a.admin")
    agent = seeded.login("c.borken")
    reference = re.search(r'href="/queue/([A-Z0-9]{3}-[A-Z0-9]{3})"',
                          agent.get(f"{seeded.url}/transcripts/{seeded.alias(seeded.demo.callback)}").text).group(1)
    data_page = f"{seeded.url}/admin/data"
    found = admin.post(f"{data_page}/lookup", data={"key": reference.lower().replace("-", " "), "csrf_token": csrf_token(admin, data_page)})
    alias = seeded.alias(seeded.demo.callback)
    assert alias in found.text
    export = admin.post(f"{data_page}/export", data={"key": reference, "csrf_token": csrf_token(admin, data_page)})
    assert export.headers["Content-Disposition"].startswith("attachment") and "+491713920042" in export.text
    unconfirmed = admin.post(f"{data_page}/erase", data={"key": reference, "csrf_token": csrf_token(admin, data_page)})
    assert unconfirmed.status_code == 400
    erased = admin.post(f"{data_page}/erase", data={"key": reference, "confirm": "1", "csrf_token": csrf_token(admin, data_page)})
    assert "überall gelöscht" in erased.text
    assert admin.get(f"{seeded.url}/transcripts/{alias}").status_code == 404
    assert reference not in agent.get(f"{seeded.url}/queue?view=all").text
    assert [e.target for e in _audit(seeded, "erasure")] == [alias]
    assert _audit(seeded, "export_art15")
    audit_page = admin.get(f"{seeded.url}/admin/audit").text
    assert "Gespräch gelöscht" in audit_page and seeded.demo.callback not in audit_page


def test_an_admin_creates_accounts_and_runs_the_retention_purge(seeded):
    admin = seeded.login("a.admin")
    users = f"{seeded.url}/admin/users"
    weak = admin.post(users, data={"username": "n.neu", "password": "kurz", "role": "reviewer", "csrf_token": csrf_token(admin, users)})
    assert weak.status_code == 400 and "mindestens 12 Zeichen" in weak.text
    created = admin.post(users, data={"username": "n.neu", "password": "Ein-gutes-Passwort-1", "role": "callback_agent",
                                      "offices": "jc_gronau", "csrf_token": csrf_token(admin, users)})
    assert "Konto angelegt" in created.text and "n.neu" in created.text
    assert seeded.login("n.neu", "Ein-gutes-Passwort-1").get(f"{seeded.url}/queue").status_code == 200
    purged = admin.post(f"{seeded.url}/admin/data/purge", data={"csrf_token": csrf_token(admin, f"{seeded.url}/admin/data")})
    assert "Gelöscht:" in purged.text and _audit(seeded, "purge")


def test_an_admin_changes_an_account_sets_its_password_and_unlocks_it(seeded):
    admin = seeded.login("a.admin")
    users = f"{seeded.url}/admin/users"
    admin.post(users, data={"username": "w.wechsel", "password": "Ein-gutes-Passwort-2", "role": "reviewer",
                            "csrf_token": csrf_token(admin, users)})
    account = next(u for u in list_users(seeded.server.state.app_engine) if u.username == "w.wechsel")
    url = f"{users}/{account.id}"
    changed = admin.post(url, data={"role": "callback_agent", "offices": "jc_gronau", "active": "1", "csrf_token": csrf_token(admin, users)})
    assert "Konto geändert" in changed.text
    assert seeded.login("w.wechsel", "Ein-gutes-Passwort-2").get(f"{seeded.url}/queue").status_code == 200  # now an agent
    weak = admin.post(f"{url}/password", data={"password": "kurz", "csrf_token": csrf_token(admin, users)})
    assert weak.status_code == 400 and "mindestens 12 Zeichen" in weak.text
    reset = admin.post(f"{url}/password", data={"password": "Ein-neues-Passwort-3", "csrf_token": csrf_token(admin, users)})
    assert "Passwort gesetzt" in reset.text
    assert seeded.login("w.wechsel", "Ein-neues-Passwort-3")
    assert "Konto entsperrt" in admin.post(f"{url}/unlock", data={"csrf_token": csrf_token(admin, users)}).text
    details = [e.detail for e in _audit(seeded, "user_changed") if e.target == "w.wechsel"]
    assert {"Rolle callback_agent, Stellen jc_gronau, aktiv", "Passwort neu gesetzt", "entsperrt"} <= set(details)
    for path in (f"{users}/999999", f"{users}/999999/password", f"{users}/kein-konto/unlock"):
        missing = admin.post(path, data={"password": "Ein-neues-Passwort-4", "csrf_token": csrf_token(admin, users)})
        assert missing.status_code == 404 and "Nicht gefunden" in missing.text, path


def test_unknown_callbacks_conversations_and_messages_get_not_found(seeded):
    admin = seeded.login("a.admin")
    data_page = f"{seeded.url}/admin/data"
    for action in ("lookup", "export", "erase"):
        missing = admin.post(f"{data_page}/{action}", data={"key": "XXX-XXX", "confirm": "1", "csrf_token": csrf_token(admin, data_page)})
        assert missing.status_code == 404 and "kein Gespräch gefunden" in missing.text, action
    assert admin.get(f"{seeded.url}/queue/XXX-XXX").status_code == 404
    alias = seeded.alias(seeded.demo.callback)
    assert admin.get(f"{seeded.url}/transcripts/{alias}/correct/999999").status_code == 404
    assert admin.get(f"{seeded.url}/transcripts/{alias}/correct/keine-zahl").status_code == 404


def test_an_agent_cannot_open_another_offices_callback(seeded):
    borken = seeded.login("c.borken")
    reference = re.search(r'href="/queue/([A-Z0-9]{3}-[A-Z0-9]{3})"', borken.get(f"{seeded.url}/queue?office=jc_borken").text).group(1)
    other = seeded.login("a.admin")
    users = f"{seeded.url}/admin/users"
    other.post(users, data={"username": "g.gronau", "password": "Ein-gutes-Passwort-5", "role": "callback_agent",
                            "offices": "jc_gronau", "csrf_token": csrf_token(other, users)})
    gronau = seeded.login("g.gronau", "Ein-gutes-Passwort-5")
    detail = f"{seeded.url}/queue/{reference}"
    assert gronau.get(detail).status_code == 403
    token = csrf_token(gronau, f"{seeded.url}/queue")
    for action, form in (("notes", {"note": "fremd"}), ("status", {"status": "done"})):
        refused = gronau.post(f"{detail}/{action}", data={**form, "csrf_token": token})
        assert refused.status_code == 403 and "Kein Zugriff" in refused.text, action


def test_a_reviewer_tags_notes_and_marks_a_transcript_and_bad_input_is_explained(seeded):
    session = seeded.login("r.reviewer")
    page = f"{seeded.url}/transcripts/{seeded.alias(seeded.demo.telegram)}"
    bad_tag = session.post(f"{page}/tags", data={"tag": "<script>", "csrf_token": csrf_token(session, page)})
    assert bad_tag.status_code == 400 and "Schlagwörter: 1–40 Zeichen" in bad_tag.text
    empty_note = session.post(f"{page}/notes", data={"note": "   ", "csrf_token": csrf_token(session, page)})
    assert empty_note.status_code == 400 and "Die Notiz ist leer" in empty_note.text
    noted = session.post(f"{page}/notes", data={"note": "Antwort zu Kita-Kosten prüfen", "csrf_token": csrf_token(session, page)})
    assert "Notiz gespeichert" in noted.text and "Antwort zu Kita-Kosten prüfen" in noted.text
    session.post(f"{page}/tags", data={"tag": "kita", "csrf_token": csrf_token(session, page)})
    removed = session.post(f"{page}/tags/remove", data={"tag": "kita", "csrf_token": csrf_token(session, page)})
    assert "Schlagwort entfernt" in removed.text
    reviewed = session.post(f"{page}/reviewed", data={"reviewed": "1", "csrf_token": csrf_token(session, page)})
    assert "Als geprüft markiert" in reviewed.text
