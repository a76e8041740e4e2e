"""The office directory (administrators): propose contact data with its source and date, confirm or
reject what another administrator proposed (four-eyes), import the Kreis address book as CSV, and
see what the bot shows now, with values older than 12 months flagged."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from aiohttp import web

from lotse.console import audit
from lotse.console.web import Console, console, form_text, number_in_path, redirect, render, view
from lotse.directory import store
from lotse.directory.csv_import import parse_address_book
from lotse.directory.overlay import apply_entries, stale_contacts
from lotse.directory.values import FIELD_LABELS, FIELDS, EntryError, check_as_of, check_source
from lotse.knowledge.offices import OfficeData, as_of_text, is_stale, load_office_data
from lotse.language.textnorm import fold

ADMIN = "admin"
PAGE = "/admin/directory"
CSV_LIMIT = 60_000


def _effective(state: Console) -> OfficeData:
    """offices.yml with the confirmed entries, as the bot reads it."""
    return apply_entries(load_office_data(state.settings.content_dir), store.confirmed(state.app_engine))


def _jobcenters(data: OfficeData) -> dict[str, str]:
    """Folded town names, ids and jobcenter names to the town's jobcenter office id (CSV import)."""
    found: dict[str, str] = {}
    for mid, m in data.municipalities.items():
        office_id = m["jobcenter"]
        for name in (mid, m["name"], data.offices[office_id].get("name") or ""):
            found[fold(name)] = office_id
    return found


def _page(request: web.Request, error: str = "", status: int = 200, form: Mapping[str, Any] | None = None,
          problems: list[str] | None = None) -> web.Response:
    state = console(request)
    data = _effective(state)
    today = state.now().astimezone(state.zone).date()
    stale = {(s.office_id, s.field) for s in stale_contacts(data, today)}
    shown = [
        (office, [(name, f) for name, f in (office.get("contact") or {}).items()
                  if isinstance(f, Mapping) and f.get("verified") is True and f.get("value")])
        for office in data.raw.get("offices") or []
    ]
    return render(request, "directory.html", status=status, error=error, problems=problems or [],
                  proposed=store.listing(state.app_engine, "proposed"), decided=store.listing(state.app_engine, limit=30),
                  shown=shown, stale=stale, fields=FIELDS, field_labels=FIELD_LABELS, as_of_text=as_of_text,
                  offices=sorted(state.office_names.items(), key=lambda item: item[1]), form=form or {},
                  today=today.isoformat(), old=lambda as_of: is_stale(as_of, today))


@view(ADMIN)
def page(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    return _page(request)


@view(ADMIN)
def propose(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    proposal = store.Proposal(form_text(form, "office_id", 64), form_text(form, "field", 16), form_text(form, "value", 1000),
                              form_text(form, "source", 500), form_text(form, "as_of", 10), form_text(form, "complete") == "1")
    try:
        [entry] = store.propose(state.app_engine, [proposal], request["user"].username, state.office_names, now=state.now())
    except EntryError as exc:
        return _page(request, str(exc), 400, form)
    audit.record(state.app_engine, request["user"].username, "directory_proposed", entry.office_id,
                 f"{entry.field_label}: {entry.value} (Quelle {entry.source}, gesehen {entry.as_of})", now=state.now())
    raise redirect(PAGE, "directory_proposed")


@view(ADMIN)
def decide(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    entry_id = number_in_path(request)
    confirm = form_text(form, "decision") == "confirm"
    try:
        entry = store.decide(state.app_engine, entry_id, confirm, request["user"].username, state.now())
    except EntryError as exc:
        return _page(request, str(exc), 400)
    audit.record(state.app_engine, request["user"].username, "directory_decided", entry.office_id,
                 f"{'bestätigt' if confirm else 'abgelehnt'}: {entry.field_label} {entry.value} "
                 f"(Vorschlag {entry.id} von {entry.proposed_by})", now=state.now())
    raise redirect(PAGE, "directory_confirmed" if confirm else "directory_rejected")


@view(ADMIN)
def import_csv(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    today: date = state.now().astimezone(state.zone).date()
    try:
        as_of, source = check_as_of(form_text(form, "as_of", 10), today), check_source(form_text(form, "source", 500))
        result = parse_address_book(form_text(form, "csv", CSV_LIMIT), _jobcenters(load_office_data(state.settings.content_dir)),
                                    set(state.office_names), as_of, source, today)
    except EntryError as exc:
        return _page(request, str(exc), 400, form)
    if not result.proposals:
        return _page(request, "Die Datei enthielt keine verwendbaren Angaben.", 400, form, result.problems)
    entries = store.propose(state.app_engine, result.proposals, request["user"].username, state.office_names,
                            origin="csv", now=state.now())
    audit.record(state.app_engine, request["user"].username, "directory_import", "Adressbuch der Jobcenter",
                 f"{len(entries)} Vorschläge, {len(result.problems)} Angaben ausgelassen (Quelle {source}, Stand {as_of})",
                 now=state.now())
    if result.problems:
        return _page(request, problems=[f"{len(entries)} Angaben als Vorschläge gespeichert. Ausgelassen:"] + result.problems)
    raise redirect(PAGE, "directory_imported")


def register(router: web.UrlDispatcher) -> None:
    router.add_get(PAGE, page)
    router.add_post(PAGE, propose)
    router.add_post(PAGE + "/{id}/decide", decide)
    router.add_post(PAGE + "/import", import_csv)
