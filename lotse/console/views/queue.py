"""The callback queue per office: list, one callback (status, notes, history), CSV and iCalendar.
Only callback agents (for their offices) and admins; the views and exports are audit-logged."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Mapping

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


@dataclass(frozen=True)
class Selection:
    """The part of the queue the URL selects, and the offices this user may choose from."""

    offices: list[str]
    office: str  # "" for all of them
    view_name: str
    items: list[queue.QueueItem]


QueueView = Callable[[web.Request, Console, User, Selection], web.Response]
CallbackView = Callable[[web.Request, Mapping[str, Any], Console, User, queue.QueueItem], web.Response]


def for_selection(func: QueueView) -> Callable[[web.Request, Mapping[str, Any]], web.Response]:
    """A view of the queue the URL selects (office, view): 403 for an office this user may not work on."""

    @functools.wraps(func)
    def wrapped(request: web.Request, form: Mapping[str, Any]) -> web.Response:
        state, user = console(request), request["user"]
        offices = _offices(state, user)
        office = request.query.get("office", "")
        if office and office not in offices:
            return forbidden(request)
        view_name = request.query.get("view", "open")
        view_name = view_name if view_name in queue.VIEWS else "open"
        selected = [office] if office else (None if user.is_admin or not user.offices else offices)
        items = queue.queue(state.app_engine, selected, view_name)
        return func(request, state, user, Selection(offices, office, view_name, items))

    return wrapped


def for_callback(func: CallbackView) -> Callable[[web.Request, Mapping[str, Any]], web.Response]:
    """A view of the callback in the URL: 404 when there is none, 403 when it belongs to another office."""

    @functools.wraps(func)
    def wrapped(request: web.Request, form: Mapping[str, Any]) -> web.Response:
        state, user = console(request), request["user"]
        item = queue.get(state.app_engine, request.match_info["reference"])
        if item is not None and not user.may_see_office(item.office_id):
            return forbidden(request)
        if item is None:
            return not_found(request)
        return func(request, form, state, user, item)

    return wrapped


@view(*AGENTS)
@for_selection
def listing(request: web.Request, state: Console, user: User, chosen: Selection) -> web.Response:
    audit.record(state.app_engine, user.username, "queue_view", chosen.office or "alle", f"{chosen.view_name}, {len(chosen.items)} Einträge",
                 now=state.now())
    return render(request, "queue.html", items=chosen.items, offices=chosen.offices, office=chosen.office, view_name=chosen.view_name,
                  now=state.now(), statuses=queue.STATUS_LABELS)


def _detail(request: web.Request, state: Console, item: queue.QueueItem, error: str = "", status: int = 200) -> web.Response:
    return render(request, "callback.html", status=status, item=item, now=state.now(), statuses=queue.STATUS_LABELS,
                  notes=queue.notes(state.app_engine, item.id), history=queue.history(state.app_engine, item.id),
                  alias=state.reader.pseudonym(item.conversation_id), error=error)


@view(*AGENTS)
@for_callback
def detail(request: web.Request, form: Mapping[str, Any], state: Console, user: User, item: queue.QueueItem) -> web.Response:
    return _detail(request, state, item)


@view(*AGENTS)
@for_callback
def change_status(request: web.Request, form: Mapping[str, Any], state: Console, user: User, item: queue.QueueItem) -> web.Response:
    try:
        changed = queue.set_status(state.app_engine, item.reference, form_text(form, "status", 20), user.username, state.now())
    except queue.QueueError as exc:
        return _detail(request, state, item, str(exc), 400)
    audit.record(state.app_engine, user.username, "callback_status", changed.office_id, f"{item.status} -> {changed.status}", now=state.now())
    back = form_text(form, "back", 300)
    raise redirect(back if back.startswith("/queue") else f"/queue/{item.reference}", "status")


@view(*AGENTS)
@for_callback
def add_note(request: web.Request, form: Mapping[str, Any], state: Console, user: User, item: queue.QueueItem) -> web.Response:
    note = clean_note(form_text(form, "note", 5000))
    if note is None:
        return _detail(request, state, item, "Die Notiz ist leer oder länger als 2000 Zeichen.", 400)
    queue.add_note(state.app_engine, item.reference, note, user.username, state.now())
    raise redirect(f"/queue/{item.reference}", "note_added")


def _export(state: Console, user: User, chosen: Selection, kind: str) -> web.Response:
    office, items = chosen.office, chosen.items
    audit.record(state.app_engine, user.username, f"export_{kind}", office or "alle", f"{len(items)} Rückrufe", now=state.now())
    name = f"rueckrufe-{office or 'alle'}"
    if kind == "csv":
        body, mime = queue.queue_csv(items, state.zone, state.office_names, state.now()), "text/csv"
    else:
        body, mime = queue.queue_ics(items, state.office_names, state.now()), "text/calendar"
    return web.Response(text=body, content_type=mime, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@view(*AGENTS)
@for_selection
def export_csv(request: web.Request, state: Console, user: User, chosen: Selection) -> web.Response:
    return _export(state, user, chosen, "csv")


@view(*AGENTS)
@for_selection
def export_ics(request: web.Request, state: Console, user: User, chosen: Selection) -> web.Response:
    return _export(state, user, chosen, "ics")


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/queue", listing)
    router.add_get("/queue/export.csv", export_csv)
    router.add_get("/queue/export.ics", export_ics)
    router.add_get("/queue/{reference}", detail)
    router.add_post("/queue/{reference}/status", change_status)
    router.add_post("/queue/{reference}/notes", add_note)
