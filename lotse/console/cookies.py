"""The console's cookies: the login session and the login form's CSRF cookie, with their attributes."""
from __future__ import annotations

from aiohttp import web

from lotse.core.settings import Settings


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix binds the cookie to this host and path and requires Secure.
    return "__Host-lotse_console" if settings.console_cookie_secure else "lotse_console"


def login_cookie_name(settings: Settings) -> str:
    return "__Host-lotse_login" if settings.console_cookie_secure else "lotse_login"


def set_cookie(response: web.StreamResponse, name: str, value: str, settings: Settings) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=settings.console_cookie_secure, path="/")


def clear_cookie(response: web.StreamResponse, name: str, settings: Settings) -> None:
    """Delete a cookie (with the same attributes: browsers refuse to overwrite a __Host- cookie without Secure)."""
    response.set_cookie(name, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", httponly=True, samesite="Strict",
                        secure=settings.console_cookie_secure, path="/")
