"""The public web server (http://localhost:8080): the chat widget, its demo page, and two gateways.

- /widget/…: the widget's files (docs/widget.md), loadable from other sites that embed it;
- / : the demo page, which embeds the widget with the same snippet a district website uses;
- /socket.io/: the widget's connection, forwarded to Rasa's hardened socket.io channel
  (lotse/webserver/socketio_proxy.py), so Rasa itself is never exposed;
- POST /api/chat forwards {"sender", "message"} to Rasa's REST channel (tests and tools);
- /widget/print.html: the page on which the widget shows the situation check's list to print
  (docs/situation-check.md). The server only hands out the empty page with its texts; the list comes
  from the widget in the person's browser (postMessage, accepted from the allowed widget origins only)
  and is never sent here or stored.
Bodies above LOTSE_MAX_BODY_BYTES are refused before parsing; lotse/webserver/guard.py checks /api/chat.
"""
from __future__ import annotations

import argparse
import html
import logging

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from lotse.core.settings import PROJECT_ROOT, Settings, load_settings, web_origin
from lotse.guards.chat_requests import ChatRequest, answer, parse_chat_request, reply_language
from lotse.guards.unread_bodies import close_when_body_unread
from lotse.knowledge.situation_text import load_situation_texts
from lotse.language.languages import LANGUAGES
from lotse.privacy.redact import configure_logging
from lotse.webserver import socketio_proxy
from lotse.webserver.guard import chat_guard

WEB_ROOT = PROJECT_ROOT / "web"
log = logging.getLogger("lotse.web")
SETTINGS = web.AppKey("settings", Settings)
CLIENT = web.AppKey("client", ClientSession)
PROXY_CLIENT = web.AppKey("proxy_client", ClientSession)
HEADERS = web.AppKey("headers", dict)
DEMO_PAGE = web.AppKey("demo_page", str)
PRINT_PAGES = web.AppKey("print_pages", dict)
WIDGET_PREFIX = "/widget/"


def security_headers_for(settings: Settings) -> dict[str, str]:
    """CSP of Lotse's own pages: everything from this server; the widget may connect to the public URL."""
    origin = web_origin(settings.public_url)
    sockets = [origin, "ws" + origin[len("http"):]] if origin else []
    connect = " ".join(dict.fromkeys(["'self'", *sockets]))
    return {
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src {connect}; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


async def chat(request: web.Request) -> web.Response:
    """Forwards a chat request that lotse.webserver.guard has already checked (size, shape, rate, length)."""
    parsed = parse_chat_request(await request.read())
    if not isinstance(parsed, ChatRequest):  # the guard answered already; kept for direct use of the app
        return web.json_response(answer(parsed, "de"), status=400)
    settings = request.app[SETTINGS]
    try:
        async with request.app[CLIENT].post(
            f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": parsed.sender, "message": parsed.message}
        ) as response:
            if response.status == 503 and "Retry-After" in response.headers:
                # lotse/rasa_server/channels/rest.py: the message was not processed (no turn lock); its "send it again" text
                return web.json_response(await response.json(), status=503, headers={"Retry-After": response.headers["Retry-After"]})
            if response.status != 200:
                raise RuntimeError(f"rasa answered {response.status}")
            return web.json_response(await response.json())
    except Exception as exc:  # the user gets a clear answer whatever went wrong upstream
        log.warning("chat backend unavailable: %s", type(exc).__name__)
        language = reply_language(parsed.message, request.headers.get("Accept-Language"))
        return web.json_response(answer("service_unavailable", language), status=503)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.update(request.app[HEADERS])
    if request.path.startswith(WIDGET_PREFIX):
        # Other sites embed the widget: its script loads the socket.io module and strings across origins.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def render_demo_page(settings: Settings) -> str:
    """The demo page embeds the widget from the public URL, exactly as docs/widget.md shows."""
    template = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    return template.replace("{{LOTSE_SERVER}}", html.escape(settings.public_url, quote=True))


def render_print_pages(settings: Settings) -> dict[str, str]:
    """The empty page to print the situation check's list on, per language: its texts from
    content/situation.yml and the origins whose widget may hand it the list."""
    template = (WEB_ROOT / "widget" / "print.html").read_text(encoding="utf-8")
    texts = load_situation_texts(settings.content_dir).texts
    origins = " ".join(settings.widget_allowed_origins)
    pages = {}
    for lang in LANGUAGES:
        values = {"LANG": lang, "ORIGINS": origins, **{name.upper(): texts[f"print.{name}"][lang] for name in ("title", "waiting", "missing")}}
        page = template
        for name, value in values.items():
            page = page.replace("{{" + name + "}}", html.escape(value, quote=True))
        pages[lang] = page
    return pages


async def print_page(request: web.Request) -> web.Response:
    pages = request.app[PRINT_PAGES]
    page = pages.get(request.query.get("lang", "")) or pages[LANGUAGES[0]]
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def index(request: web.Request) -> web.Response:
    return web.Response(text=request.app[DEMO_PAGE], content_type="text/html")


async def socketio(request: web.Request) -> web.StreamResponse:
    return await socketio_proxy.forward(request.app[PROXY_CLIENT], request.app[SETTINGS].rasa_url, request)


async def _client(app: web.Application):
    app[CLIENT] = ClientSession(timeout=ClientTimeout(total=15))
    # No overall timeout: a WebSocket stays open as long as the chat does.
    app[PROXY_CLIENT] = ClientSession(timeout=ClientTimeout(total=None, sock_connect=5), connector=TCPConnector(limit=0))
    yield
    await app[CLIENT].close()
    await app[PROXY_CLIENT].close()


def create_app() -> web.Application:
    settings = load_settings()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[close_when_body_unread, security_headers, chat_guard(settings)],
    )
    app[SETTINGS] = settings
    app[HEADERS] = security_headers_for(settings)
    app[DEMO_PAGE] = render_demo_page(settings)
    app[PRINT_PAGES] = render_print_pages(settings)
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_get("/index.html", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/chat", chat)
    app.router.add_get(WIDGET_PREFIX + "print.html", print_page)
    app.router.add_route("*", socketio_proxy.PREFIX, socketio)
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
