"""The callback queue per office: list, one callback (status, notes, history), CSV and iCalendar.
Only callback agents (for their offices) and admins; the views and exports are audit-logged."""
from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from lotse.console import audit, queue
from lotse.console.security import clean_note
from lotse.console.users import User
from lotse.console.web import Console, console, forbidden, form_text, not_found, redirect, render, view

AGENTS = ("callback_agent", "admin")


def _offices(state: Console, user: User) -> list[str]:
    """The offices this user may work on, in a stable order."""
    known = sorted(set(queue.offices_with_callbacks(state.app_engine)) | (set(user.offices) if user.offices else set()))
    return [office for office in known if user.may_see_office(office)]


def _chosen(request: web.Request) -> tuple[Console, User, list[str], str, str]:
    state, user = console(request), request["user"]
    offices = _offices(state, user)
    office = request.query.get("office", "")
    if office and office not in offices:
        raise _NotAllowed()
    view_name = request.query.get("view", "open")
    return state, user, offices, office, view_name if view_name in queue.VIEWS else "open"


class _NotAllowed(Exception):
    pass


def _items(state: Console, user: User, offices: list[str], office: str, view_name: str) -> list[queue.QueueItem]:
    selected = [office] if office else (None if user.is_admin or not user.offices else offices)
    return queue.queue(state.app_engine, selected, view_name)


@view(*AGENTS)
def listing(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    try:
        state, user, offices, office, view_name = _chosen(request)
    except _NotAllowed:
        return forbidden(request)
    items = _items(state, user, offices, office, view_name)
    audit.record(state.app_engine, user.username, "queue_view", office or "alle", f"{view_name}, {len(items)} Einträge", now=state.now())
    return render(request, "queue.html", items=items, offices=offices, office=office, view_name=view_name, now=state.now(),
                  statuses=queue.STATUS_LABELS)


def _callback(request: web.Request) -> tuple[Console, User, queue.QueueItem | None]:
    state, user = console(request), request["user"]
    item = queue.get(state.app_engine, request.match_info["reference"])
    if item is not None and not user.may_see_office(item.office_id):
        raise _NotAllowed()
    return state, user, item


def _detail(request: web.Request, state: Console, item: queue.QueueItem, error: str = "", status: int = 200) -> web.Response:
    return render(request, "callback.html", status=status, item=item, now=state.now(), statuses=queue.STATUS_LABELS,
                  notes=queue.notes(state.app_engine, item.id), history=queue.history(state.app_engine, item.id),
                  alias=state.reader.pseudonym(item.conversation_id), error=error)


@view(*AGENTS)
def detail(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    try:
        state, user, item = _callback(request)
    except _NotAllowed:
        return forbidden(request)
    if item is None:
        return not_found(request)
    return _detail(request, state, item)


@view(*AGENTS)
def change_status(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    try:
        state, user, item = _callback(request)
    except _NotAllowed:
        return forbidden(request)
    if item is None:
        return not_found(request)
    try:
        changed = queue.set_status(state.app_engine, item.reference, form_text(form, "status", 20), user.username, state.now())
    except queue.QueueError as exc:
        return _detail(request, state, item, str(exc), 400)
    audit.record(state.app_engine, user.username, "callback_status", changed.office_id, f"{item.status} -> {changed.status}", now=state.now())
    back = form_text(form, "back", 300)
    raise redirect(back if back.startswith("/queue") else f"/queue/{item.reference}", "status")


@view(*AGENTS)
def add_note(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    try:
        state, user, item = _callback(request)
    except _NotAllowed:
        return forbidden(request)
    if item is None:
        return not_found(request)
    note = clean_note(form_text(form, "note", 5000))
    if note is None:
        return _detail(request, state, item, "Die Notiz ist leer oder länger als 2000 Zeichen.", 400)
    queue.add_note(state.app_engine, item.reference, note, user.username, state.now())
    raise redirect(f"/queue/{item.reference}", "note_added")


def _export(request: web.Request, kind: str) -> web.Response:
    try:
        state, user, offices, office, view_name = _chosen(request)
    except _NotAllowed:
        return forbidden(request)
    items = _items(state, user, offices, office, view_name)
    audit.record(state.app_engine, user.username, f"export_{kind}", office or "alle", f"{len(items)} Rückrufe", now=state.now())
    name = f"rueckrufe-{office or 'alle'}"
    if kind == "csv":
        body, mime = queue.queue_csv(items, state.zone, state.office_names, state.now()), "text/csv"
    else:
        body, mime = queue.queue_ics(items, state.office_names, state.now()), "text/calendar"
    return web.Response(text=body, content_type=mime, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@view(*AGENTS)
def export_csv(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _export(request, "csv")


@view(*AGENTS)
def export_ics(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _export(request, "ics")


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/queue", listing)
    router.add_get("/queue/export.csv", export_csv)
    router.add_get("/queue/export.ics", export_ics)
    router.add_get("/queue/{reference}", detail)
    router.add_post("/queue/{reference}/status", change_status)
    router.add_post("/queue/{reference}/notes", add_note)
