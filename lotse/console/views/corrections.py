"""Proposed intent corrections: the list, the four-eyes decision, the NLU export."""
from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from lotse.console import audit, corrections
from lotse.console.web import console, form_text, number_in_path, redirect, render, view


@view("reviewer", "admin")
def listing(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    state_filter = request.query.get("state", "proposed")
    if state_filter not in ("proposed", "approved", "rejected"):
        state_filter = "proposed"
    items = corrections.listing(state.app_engine, state_filter)
    aliases = {c.id: state.reader.pseudonym(c.conversation_id) for c in items}
    return render(request, "corrections.html", items=items, aliases=aliases, state_filter=state_filter, error="")


@view("admin")
def decide(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    correction_id = number_in_path(request)
    approve = form_text(form, "decision") == "approve"
    try:
        decided = corrections.decide(state.app_engine, correction_id, approve, request["user"].username, state.now())
    except corrections.CorrectionError as exc:
        items = corrections.listing(state.app_engine, "proposed")
        aliases = {c.id: state.reader.pseudonym(c.conversation_id) for c in items}
        return render(request, "corrections.html", status=400, items=items, aliases=aliases, state_filter="proposed", error=str(exc))
    audit.record(state.app_engine, request["user"].username, "correction_decided", f"Korrektur {decided.id}",
                 f"{decided.state}: {decided.corrected_intent}", now=state.now())
    raise redirect("/corrections", "approved" if approve else "rejected")


@view("admin")
def export(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    approved = corrections.listing(state.app_engine, "approved")
    audit.record(state.app_engine, request["user"].username, "export_nlu", None, f"{len(approved)} Korrekturen", now=state.now())
    return web.Response(text=corrections.nlu_yaml(approved), content_type="application/x-yaml", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="nlu-korrekturen.yml"'})


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/corrections", listing)
    router.add_post("/corrections/{id}/decide", decide)
    router.add_get("/corrections/export.yml", export)
