"""Login (with lockout and login CSRF) and logout."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from lotse.console import audit
from lotse.console.cookies import clear_cookie, cookie_name, login_cookie_name, set_cookie
from lotse.console.security import new_token, tokens_match
from lotse.console.sessions import create_session, delete_expired, delete_session
from lotse.console.users import authenticate
from lotse.console.web import console, read_form, redirect, render, view

FAILED = "Benutzername oder Passwort ist falsch."
LOCKED = "Zu viele Fehlversuche: Das Konto ist vorübergehend gesperrt. Bitte versuchen Sie es später noch einmal oder wenden Sie sich an die Administration."


def _login_page(request: web.Request, error: str = "", username: str = "", status: int = 200) -> web.Response:
    state = console(request)
    # Keep the login token of this browser (another tab or a favicon request must not invalidate the form).
    existing = request.cookies.get(login_cookie_name(state.settings), "")
    token = existing if 40 <= len(existing) <= 64 and existing.replace("-", "").replace("_", "").isalnum() else new_token()
    response = render(request, "login.html", status=status, error=error, username=username, login_token=token,
                      idle_minutes=state.settings.console_idle_minutes)
    set_cookie(response, login_cookie_name(state.settings), token, state.settings)
    return response


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def login(request: web.Request) -> web.StreamResponse:
    state = console(request)
    form = await read_form(request)
    username = form.get("username") if isinstance(form.get("username"), str) else ""
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    if not tokens_match(request.cookies.get(login_cookie_name(state.settings)), form.get("login_token")):
        return _login_page(request, "Das Anmeldeformular war veraltet. Bitte noch einmal versuchen.", username[:64], 403)
    settings, now = state.settings, state.now()
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(
        None, authenticate, state.app_engine, username[:64], password[:1000], now,
        settings.console_max_failed_logins, settings.console_lockout_minutes,
    )
    if result.user is None:
        await loop.run_in_executor(None, audit.record, state.app_engine, username[:64].strip().lower() or None,
                                   "login_failed", None, result.problem, now)
        return _login_page(request, LOCKED if result.problem == "locked" else FAILED, username[:64], 401)
    token, _ = await loop.run_in_executor(None, create_session, state.app_engine, result.user.id, now)
    await loop.run_in_executor(None, audit.record, state.app_engine, result.user.username, "login", None, None, now)
    await loop.run_in_executor(None, delete_expired, state.app_engine, now,
                               timedelta(minutes=settings.console_idle_minutes))
    response = redirect("/")
    set_cookie(response, cookie_name(settings), token, settings)
    clear_cookie(response, login_cookie_name(settings), settings)
    raise response


@view()
def logout(request: web.Request, form) -> web.StreamResponse:  # noqa: ANN001
    state = console(request)
    token = request.cookies.get(cookie_name(state.settings), "")
    delete_session(state.app_engine, token)
    audit.record(state.app_engine, request["user"].username, "logout", now=state.now())
    response = redirect("/login", "logged_out")
    clear_cookie(response, cookie_name(state.settings), state.settings)
    raise response


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_form)
    router.add_post("/login", login)
    router.add_post("/logout", logout)
