"""The staff console's web application (aiohttp, server-rendered HTML, no JavaScript).

Every page except /login, /healthz and /static needs a live session; every POST needs the
session's CSRF token (and, when the browser sends one, a same-origin Origin header).
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.engine import Engine

from lotse.console.cookies import clear_cookie, cookie_name
from lotse.console.security import load_or_create_secret, tokens_match
from lotse.console.sessions import load_session
from lotse.console.transcripts import TranscriptReader, fallback_threshold
from lotse.console.web import CONSOLE, Console, error_page, read_form, redirect, template_environment
from lotse.core.settings import PROJECT_ROOT, Settings
from lotse.core.yamlfiles import load_yaml
from lotse.database.engine import PLAIN, make_engine
from lotse.database.migrations import migrate
from lotse.guards.unread_bodies import close_when_body_unread
from lotse.knowledge.offices import load_office_data

STATIC = Path(__file__).resolve().parent / "static"
PUBLIC_PATHS = ("/login", "/healthz", "/favicon.ico")
MAX_BODY_BYTES = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # with no-referrer, browsers send "Origin: null" on form posts
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _same_origin(request: web.Request) -> bool:
    """The CSRF token is the check; a browser's Origin header, when sent, must also be this host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.split("://", 1)[-1] == request.host


@web.middleware
async def security_headers(request: web.Request, handler):  # noqa: ANN001
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


@web.middleware
async def sessions(request: web.Request, handler):  # noqa: ANN001
    state: Console = request.app[CONSOLE]
    settings = state.settings
    path = request.path
    if path.startswith("/static/") or path in PUBLIC_PATHS:
        return await handler(request)
    token = request.cookies.get(cookie_name(settings))
    session = None
    if token:
        idle = timedelta(minutes=settings.console_idle_minutes)
        session = await asyncio.get_running_loop().run_in_executor(None, load_session, state.app_engine, token, state.now(), idle)
    if session is None:
        response = redirect("/login", "expired" if token else None)
        if token:
            clear_cookie(response, cookie_name(settings), settings)
        raise response
    request["user"] = session.user
    request["csrf_token"] = session.csrf_token
    if request.method not in ("GET", "HEAD"):
        form = await read_form(request)
        given = form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else request.headers.get("X-CSRF-Token")
        if not tokens_match(session.csrf_token, given) or not _same_origin(request):
            return error_page(request, 403, "Anfrage abgelehnt",
                              "Das Formular war ungültig oder veraltet. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.")
    return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def favicon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def home(request: web.Request) -> web.Response:
    user = request["user"]
    raise redirect("/queue" if user.role == "callback_agent" else "/transcripts")


def office_names(content_dir: Path) -> dict[str, str]:
    try:
        return {office_id: str(office.get("name") or office_id) for office_id, office in load_office_data(content_dir).offices.items()}
    except (OSError, KeyError, TypeError):
        return {}


def domain_intents(root: Path = PROJECT_ROOT) -> list[str]:
    domain = load_yaml(root / "domain.yml") or {}
    return sorted(str(i) for i in domain.get("intents") or [])


def tracker_engine_for(url: str) -> Engine:
    """The tracker database, read in ordinary (deferred) transactions so that the console's reads
    never take SQLite's write lock away from Rasa."""
    return make_engine(url, PLAIN)


def build_console(
    settings: Settings, app_engine: Engine | None = None, tracker_engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Console:
    if app_engine is None:
        migrate(settings.callback_db_url)
        app_engine = make_engine(settings.callback_db_url)
    tracker_engine = tracker_engine or tracker_engine_for(settings.tracker_db_url)
    secret = load_or_create_secret(settings.console_secret, settings.data_dir)
    reader = TranscriptReader(tracker_engine, secret, fallback_threshold(PROJECT_ROOT / "config.yml"))
    return Console(
        settings=settings, app_engine=app_engine, tracker_engine=tracker_engine, reader=reader,
        zone=ZoneInfo(settings.timezone), office_names=office_names(settings.content_dir), intents=domain_intents(),
        templates=template_environment(), clock=clock or (lambda: datetime.now(timezone.utc)),
    )


def create_app(state: Console) -> web.Application:
    from lotse.console.views import admin, auth, corrections, dashboard, directory, queue, transcripts

    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[close_when_body_unread, security_headers, sessions])
    app[CONSOLE] = state
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", home)
    app.router.add_get("/favicon.ico", favicon)
    for module in (auth, transcripts, corrections, queue, dashboard, admin, directory):
        module.register(app.router)
    app.router.add_static("/static/", STATIC, show_index=False)
    return app
