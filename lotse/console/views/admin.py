"""Administration: accounts, erasure of one conversation, Art. 15 export, retention purge, audit log."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from aiohttp import web

from lotse.callbacks.store import normalise_reference
from lotse.console import audit
from lotse.console.subject_access import subject_access_export
from lotse.console.users import (
    ROLE_LABELS,
    User,
    UserError,
    create_user,
    get_user,
    list_users,
    parse_offices,
    set_password,
    unlock,
    update_user,
)
from lotse.console.web import Console, console, form_text, not_found, redirect, render, view
from lotse.database.schema import callbacks, feedback
from lotse.privacy.erasure import ErasureReport, conversation_for_reference, erase_conversation
from lotse.privacy.retention import PurgeReport, purge

ADMIN = "admin"
PSEUDONYM = re.compile(r"[0-9a-f]{12}")
AUDIT_PAGE = 100


def _users_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    state = console(request)
    return render(request, "users.html", status=status, users=list_users(state.app_engine), roles=ROLE_LABELS,
                  error=error, now=state.now(), known_offices=sorted(state.office_names))


@view(ADMIN)
def users(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _users_page(request)


@view(ADMIN)
def create(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    try:
        created = create_user(state.app_engine, form_text(form, "username", 64), form_text(form, "password", 1000),
                              form_text(form, "role", 20), parse_offices(form_text(form, "offices", 1000)), state.now())
    except UserError as exc:
        return _users_page(request, str(exc), 400)
    audit.record(state.app_engine, request["user"].username, "user_created", created.username, created.role, now=state.now())
    raise redirect("/admin/users", "user_created")


def _change_user(request: web.Request, apply: Callable[[Console, User], str], message: str) -> web.Response:
    """Applies a change to the account in the URL, audit-logs what `apply` says it did, back to the list."""
    state = console(request)
    try:
        target = get_user(state.app_engine, int(request.match_info["id"]))
    except ValueError:
        target = None
    if target is None:
        return not_found(request)
    try:
        detail = apply(state, target)
    except UserError as exc:
        return _users_page(request, str(exc), 400)
    audit.record(state.app_engine, request["user"].username, "user_changed", target.username, detail, now=state.now())
    raise redirect("/admin/users", message)


@view(ADMIN)
def change(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    role, offices, active = form_text(form, "role", 20), parse_offices(form_text(form, "offices", 1000)), form_text(form, "active") == "1"

    def apply(state: Console, target: User) -> str:
        update_user(state.app_engine, target.id, role, offices, active)
        return f"Rolle {role}, Stellen {','.join(offices) or 'alle'}, {'aktiv' if active else 'deaktiviert'}"

    return _change_user(request, apply, "user_changed")


@view(ADMIN)
def password(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    def apply(state: Console, target: User) -> str:
        set_password(state.app_engine, target.id, form_text(form, "password", 1000))
        return "Passwort neu gesetzt"

    return _change_user(request, apply, "password")


@view(ADMIN)
def unlock_user(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    def apply(state: Console, target: User) -> str:
        unlock(state.app_engine, target.id)
        return "entsperrt"

    return _change_user(request, apply, "unlocked")


def find_conversation(state: Console, key: str) -> str | None:
    """A conversation by callback reference code, pseudonym (from the console) or conversation id."""
    key = key.strip()
    if not key:
        return None
    if normalise_reference(key) and len(key) <= 10:
        found = conversation_for_reference(state.app_engine, key)
        if found:
            return found
    if PSEUDONYM.fullmatch(key):
        found = state.reader.resolve(key)
        if found:
            return found
    if state.reader.events(key):
        return key
    with state.app_engine.connect() as conn:
        for table in (callbacks, feedback):
            if conn.execute(sa.select(table.c.id).where(table.c.conversation_id == key).limit(1)).first():
                return key
    return None


def _data_page(request: web.Request, error: str = "", found: dict[str, Any] | None = None, key: str = "",
               report: Any = None, status: int = 200) -> web.Response:
    state = console(request)
    return render(request, "data.html", status=status, error=error, found=found, key=key, report=report,
                  retention_days=state.settings.retention_days)


@view(ADMIN)
def data(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _data_page(request)


ConversationView = Callable[[web.Request, Mapping[str, Any], Console, str, str], web.Response]


def by_key(func: ConversationView) -> Callable[[web.Request, Mapping[str, Any]], web.Response]:
    """A data-page view for the conversation the form's key names; the data page with 404 when there is none."""

    @functools.wraps(func)
    def wrapped(request: web.Request, form: Mapping[str, Any]) -> web.Response:
        state = console(request)
        key = form_text(form, "key", 255)
        conversation_id = find_conversation(state, key)
        if conversation_id is None:
            return _data_page(request, "Dazu wurde kein Gespräch gefunden.", key=key, status=404)
        return func(request, form, state, key, conversation_id)

    return wrapped


def _deleted(report: ErasureReport | PurgeReport) -> str:
    """What an erasure or purge removed, for the audit log."""
    return (f"{report.tracker_events} Ereignisse, {report.callbacks} Rückrufe, {report.feedback} Bewertungen, "
            f"{report.console_rows} Konsolen-Einträge")


@view(ADMIN)
@by_key
def lookup(request: web.Request, form: Mapping[str, Any], state: Console, key: str, conversation_id: str) -> web.Response:
    with state.app_engine.connect() as conn:
        n_callbacks = conn.execute(sa.select(sa.func.count()).select_from(callbacks).where(callbacks.c.conversation_id == conversation_id)).scalar_one()
    found = {"alias": state.reader.pseudonym(conversation_id), "events": len(state.reader.events(conversation_id)), "callbacks": n_callbacks}
    return _data_page(request, found=found, key=key)


@view(ADMIN)
@by_key
def erase(request: web.Request, form: Mapping[str, Any], state: Console, key: str, conversation_id: str) -> web.Response:
    if form_text(form, "confirm") != "1":
        return _data_page(request, "Bitte bestätigen Sie die Löschung.", key=key, status=400)
    alias = state.reader.pseudonym(conversation_id)
    report = erase_conversation(state.app_engine, state.tracker_engine, conversation_id)
    state.reader.forget(conversation_id)
    audit.record(state.app_engine, request["user"].username, "erasure", alias, _deleted(report), now=state.now())
    raise redirect("/admin/data", "erased")


@view(ADMIN)
@by_key
def export(request: web.Request, form: Mapping[str, Any], state: Console, key: str, conversation_id: str) -> web.Response:
    alias = state.reader.pseudonym(conversation_id)
    body = subject_access_export(state.app_engine, state.reader, conversation_id, state.now())
    audit.record(state.app_engine, request["user"].username, "export_art15", alias, now=state.now())
    return web.Response(text=body, content_type="application/json", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="auskunft-{alias}.json"'})


@view(ADMIN)
def run_purge(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    report = purge(state.app_engine, state.tracker_engine, state.settings.retention_days, state.now())
    audit.record(state.app_engine, request["user"].username, "purge", f"{state.settings.retention_days} Tage",
                 _deleted(report), now=state.now())
    return _data_page(request, report=report)


@view(ADMIN)
def audit_log(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    action = request.query.get("action", "")
    action = action if action in audit.ACTION_LABELS else ""
    entries = audit.entries(state.app_engine, AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE, action or None)
    return render(request, "audit.html", entries=entries[:AUDIT_PAGE], more=len(entries) > AUDIT_PAGE, page=page,
                  action=action, actions=audit.ACTION_LABELS)


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/admin/users", users)
    router.add_post("/admin/users", create)
    router.add_post("/admin/users/{id}", change)
    router.add_post("/admin/users/{id}/password", password)
    router.add_post("/admin/users/{id}/unlock", unlock_user)
    router.add_get("/admin/data", data)
    router.add_post("/admin/data/lookup", lookup)
    router.add_post("/admin/data/erase", erase)
    router.add_post("/admin/data/export", export)
    router.add_post("/admin/data/purge", run_purge)
    router.add_get("/admin/audit", audit_log)
