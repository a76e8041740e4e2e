"""The public web page (http://localhost:8080): static files plus a same-origin chat endpoint.

POST /api/chat forwards {"sender", "message"} to Rasa's REST channel, so the page needs no CORS
and no third-party resources. Bodies above MAX_BODY_BYTES are refused before parsing.
"""
from __future__ import annotations

import argparse
import json
import logging

from aiohttp import ClientSession, ClientTimeout, web

from lotse.redact import configure_logging
from lotse.settings import PROJECT_ROOT, Settings, load_settings
from lotse.web_guard import chat_guard

WEB_ROOT = PROJECT_ROOT / "web"
MAX_BODY_BYTES = load_settings().max_body_bytes  # LOTSE_MAX_BODY_BYTES
MAX_MESSAGE_CHARS = load_settings().max_message_chars  # LOTSE_MAX_MESSAGE_CHARS
log = logging.getLogger("lotse.web")
SETTINGS = web.AppKey("settings", Settings)
CLIENT = web.AppKey("client", ClientSession)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _json_error(status: int, text: str) -> web.Response:
    return web.json_response([{"text": text}], status=status)


async def chat(request: web.Request) -> web.Response:
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _json_error(400, "Die Nachricht konnte nicht gelesen werden.")
    if not isinstance(payload, dict) or not isinstance(payload.get("sender"), str) or not isinstance(payload.get("message"), str):
        return _json_error(400, "Die Nachricht konnte nicht gelesen werden.")
    sender, message = payload["sender"][:64], payload["message"]
    if len(message) > MAX_MESSAGE_CHARS:
        return web.json_response(
            [{"text": f"Ihre Nachricht ist sehr lang. Bitte schreiben Sie kürzer (höchstens {MAX_MESSAGE_CHARS} Zeichen)."}]
        )
    settings = request.app[SETTINGS]
    try:
        async with request.app[CLIENT].post(
            f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"rasa answered {response.status}")
            return web.json_response(await response.json())
    except Exception as exc:  # the user gets a clear answer whatever went wrong upstream
        log.warning("chat backend unavailable: %s", type(exc).__name__)
        return _json_error(503, "Lotse ist gerade nicht erreichbar. Bitte versuchen Sie es in ein paar Minuten noch einmal.")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.update(SECURITY_HEADERS)
    return response


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_ROOT / "index.html")


async def _client(app: web.Application):
    app[CLIENT] = ClientSession(timeout=ClientTimeout(total=15))
    yield
    await app[CLIENT].close()


def create_app() -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[security_headers, chat_guard(load_settings())])
    app[SETTINGS] = load_settings()
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/", WEB_ROOT, show_index=False)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    settings = load_settings()
    parser.add_argument("--host", default=settings.web_host)
    parser.add_argument("--port", type=int, default=settings.web_port)
    args = parser.parse_args()
    configure_logging(load_settings().log_level)
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
