"""What every view needs: the console's state, rendering with autoescaping, role checks, and
running database work off the event loop."""
from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.engine import Engine

from lotse.console.transcripts import TranscriptReader
from lotse.console.users import ROLE_LABELS, User
from lotse.core.settings import Settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
MESSAGES = {
    "saved": "Gespeichert.",
    "tag_added": "Schlagwort hinzugefügt.",
    "tag_removed": "Schlagwort entfernt.",
    "note_added": "Notiz gespeichert.",
    "reviewed": "Als geprüft markiert.",
    "unreviewed": "Markierung „geprüft“ entfernt.",
    "proposed": "Korrektur vorgeschlagen. Eine Administratorin oder ein Administrator gibt sie frei.",
    "approved": "Korrektur freigegeben.",
    "rejected": "Korrektur abgelehnt.",
    "status": "Status geändert.",
    "user_created": "Konto angelegt.",
    "user_changed": "Konto geändert.",
    "password": "Passwort gesetzt; alle Sitzungen dieses Kontos wurden beendet.",
    "unlocked": "Konto entsperrt.",
    "erased": "Das Gespräch wurde überall gelöscht.",
    "directory_proposed": "Angabe vorgeschlagen. Eine andere Administratorin oder ein anderer Administrator bestätigt sie; erst dann sieht man sie im Chat.",
    "directory_confirmed": "Angabe bestätigt. Der Chat zeigt sie in wenigen Sekunden.",
    "directory_rejected": "Vorschlag abgelehnt.",
    "directory_imported": "CSV importiert. Die Angaben sind Vorschläge und brauchen eine Bestätigung.",
    "logged_out": "Sie sind abgemeldet.",
    "expired": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
}
ROLES_ALL = ("reviewer", "callback_agent", "admin")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    settings: Settings
    app_engine: Engine
    tracker_engine: Engine
    reader: TranscriptReader
    zone: ZoneInfo
    office_names: dict[str, str]
    intents: list[str]
    templates: jinja2.Environment
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self.clock()

    def local(self, value: datetime | None, with_time: bool = True) -> str:
        if value is None:
            return "–"
        local = value.astimezone(self.zone)
        return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


CONSOLE = web.AppKey("console", Console)


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value is HTML-escaped: chat text can never become markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    return env


def console(request: web.Request) -> Console:
    return request.app[CONSOLE]


def current_user(request: web.Request) -> User:
    return request["user"]


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    state = console(request)
    user: User | None = request.get("user")
    html = state.templates.get_template(template).render(
        user=user,
        csrf_token=request.get("csrf_token", ""),
        message=MESSAGES.get(request.query.get("msg", ""), ""),
        local=state.local,
        office_names=state.office_names,
        path=request.path,
        **context,
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)


def redirect(location: str, message: str | None = None) -> web.HTTPSeeOther:
    if message:
        location += ("&" if "?" in location else "?") + f"msg={message}"
    return web.HTTPSeeOther(location)


def error_page(request: web.Request, status: int, title: str, text: str) -> web.Response:
    return render(request, "error.html", status=status, title=title, text=text)


def forbidden(request: web.Request) -> web.Response:
    return error_page(request, 403, "Kein Zugriff", "Diese Seite ist für Ihre Rolle nicht freigegeben.")


def not_found(request: web.Request) -> web.Response:
    return error_page(request, 404, "Nicht gefunden", "Diese Seite oder dieses Gespräch gibt es nicht (mehr).")


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    """The posted form; 400 when it does not decode (invalid UTF-8) instead of an unhandled error
    and a 500 (found by tests/fuzz/test_fuzz_console.py). The console's forms are never multipart:
    other bodies get 415 unread (aiohttp's multipart reader failed with an AssertionError on a
    truncated body — found by the 10,000-case run)."""
    if request.body_exists and request.content_type != FORM_CONTENT_TYPE:
        raise web.HTTPUnsupportedMediaType(text="Bitte senden Sie das Formular aus der Konsole.")
    try:
        return await request.post()
    except ValueError as exc:  # UnicodeDecodeError is one
        raise web.HTTPBadRequest(text="Das Formular konnte nicht gelesen werden.") from exc


def view(*roles: str) -> Callable[[Callable[..., web.StreamResponse]], Handler]:
    """A synchronous view for these roles, run in a worker thread with the form already read."""

    def decorate(func: Callable[..., web.StreamResponse]) -> Handler:
        @functools.wraps(func)
        async def handler(request: web.Request) -> web.StreamResponse:
            user: User | None = request.get("user")
            if roles and (user is None or user.role not in roles):
                return forbidden(request)
            form: MultiDictProxy[Any] | Mapping[str, Any] = await read_form(request) if request.method == "POST" else {}
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, func, request, form)

        return handler

    return decorate


def number_in_path(request: web.Request, name: str = "id") -> int:
    """A numeric part of the URL (an entry's id); 404 when it is not a number."""
    try:
        return int(request.match_info[name])
    except ValueError as exc:
        raise web.HTTPNotFound() from exc


def form_text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""
