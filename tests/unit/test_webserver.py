"""The web page's chat endpoint: bad input gets a clear answer, never a crash."""
from __future__ import annotations

import asyncio
import json

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from lotse.core.settings import load_settings
from lotse.webserver import app as webserver


def _with_client(check, rasa_reply=None):
    async def go():
        backend = web.Application()

        async def webhook(request):
            body = await request.json()
            reply = rasa_reply(body) if rasa_reply else [{"text": "echo " + body["message"]}]
            return reply if isinstance(reply, web.Response) else web.json_response(reply)

        backend.router.add_post("/webhooks/rest/webhook", webhook)
        backend_server = TestServer(backend, host="127.0.0.1")
        await backend_server.start_server()
        app = webserver.create_app()
        settings = app[webserver.SETTINGS]
        app[webserver.SETTINGS] = type(settings)(**{**settings.__dict__, "rasa_port": backend_server.port, "rasa_host": "127.0.0.1"})
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await check(client)
        await backend_server.close()

    asyncio.run(go())


def test_message_is_forwarded():
    async def check(client):
        response = await client.post("/api/chat", json={"sender": "a", "message": "Hallo"})
        assert response.status == 200
        assert await response.json() == [{"text": "echo Hallo"}]
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]

    _with_client(check)


def test_malformed_requests_get_a_clear_answer():
    async def check(client):
        for body in (b"{not json", b'"just a string"', json.dumps({"sender": 1, "message": []}).encode(), b"\xff\xfe"):
            response = await client.post("/api/chat", data=body, headers={"Content-Type": "application/json"})
            assert response.status == 400
            assert "nicht gelesen" in (await response.json())[0]["text"]

    _with_client(check)


def test_huge_body_is_refused_and_long_message_explained():
    async def check(client):
        response = await client.post("/api/chat", data=b"x" * (load_settings().max_body_bytes + 1))
        assert response.status == 413
        response = await client.post("/api/chat", json={"sender": "a", "message": "x" * 5000})
        assert response.status == 200
        assert "sehr lang" in (await response.json())[0]["text"]

    _with_client(check)


def test_a_connection_whose_body_was_refused_unread_is_closed_after_the_answer():
    """With aiohttp 3.9 a kept-alive connection was sometimes never read again after a 413: the
    next request on it got no answer (found by the socket.io fuzzing). Refused bodies close it."""
    too_big = b"4" * (load_settings().max_body_bytes + 1)

    async def check(client, seen):
        for path in ("/socket.io/?EIO=4&transport=polling&sid=abc", "/api/chat"):
            refused = await client.post(path, data=too_big, headers={"Origin": "http://localhost:8080"})
            assert refused.status == 413 and refused.headers.get("Connection", "").lower() == "close", path
        normal = await client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data="3", headers={"Origin": "http://localhost:8080"})
        assert normal.status == 200 and normal.headers.get("Connection", "").lower() != "close"

    _with_socketio_backend(check)


def test_rasas_send_it_again_answer_is_passed_on():
    again = [{"text": "Ihre Nachricht konnte gerade nicht bearbeitet werden. Bitte schicken Sie sie in einem Moment noch einmal."}]

    async def check(client):
        response = await client.post("/api/chat", json={"sender": "a", "message": "Hallo"})
        assert response.status == 503 and response.headers["Retry-After"] == "5"
        assert await response.json() == again

    _with_client(check, lambda body: web.json_response(again, status=503, headers={"Retry-After": "5"}))


def test_backend_down_gives_a_friendly_reply():
    async def go():
        app = webserver.create_app()
        settings = app[webserver.SETTINGS]
        app[webserver.SETTINGS] = type(settings)(**{**settings.__dict__, "rasa_port": 9, "rasa_host": "127.0.0.1"})
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            response = await client.post("/api/chat", json={"sender": "a", "message": "Hallo"})
            assert response.status == 503
            assert "nicht erreichbar" in (await response.json())[0]["text"]

    asyncio.run(go())


def _attributes(page: str, names: tuple[str, ...] = ("src", "href")) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(value for name, value in attrs if name in names and value)

    Collect().feed(page)
    return found


def test_pages_load_nothing_from_third_parties():
    async def check(client):
        for path in ("/", "/index.html", "/datenschutz.html", "/page.css", "/widget/lotse-widget.js", "/widget/lotse-widget.css", "/widget/strings.json"):
            response = await client.get(path)
            assert response.status == 200, path
        for path in ("/", "/datenschutz.html"):
            page = await (await client.get(path)).text()
            for address in _attributes(page):
                assert address.startswith(("/", "data:", "http://localhost:8080/")), (path, address)

    _with_client(check)


def test_demo_page_embeds_the_widget_from_the_public_url_with_the_documented_snippet():
    async def check(client):
        page = await (await client.get("/")).text()
        assert await (await client.get("/index.html")).text() == page  # never the raw template
        snippet = ('<script src="http://localhost:8080/widget/lotse-widget.js" data-server="http://localhost:8080" '
                   'data-language="de" data-title="Lotse – Ihr Chat-Assistent" defer></script>')
        assert snippet in page
        docs = (webserver.PROJECT_ROOT / "docs" / "widget.md").read_text(encoding="utf-8")
        assert snippet.replace("http://localhost:8080", "https://lotse.example.de") in " ".join(docs.split())
        assert "chat.js" not in page

    _with_client(check)


def test_widget_files_may_be_loaded_by_other_sites_but_pages_keep_a_strict_policy():
    async def check(client):
        script = await client.get("/widget/vendor/socket.io-4.8.4.esm.min.js")
        assert script.headers["Access-Control-Allow-Origin"] == "*"
        page = await client.get("/")
        assert "Access-Control-Allow-Origin" not in page.headers
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "connect-src 'self' http://localhost:8080 ws://localhost:8080" in policy
        assert "unsafe" not in policy

    _with_client(check)


def test_the_page_to_print_the_list_comes_empty_in_each_language_and_loads_only_our_files():
    """The situation check's page to print (docs/situation-check.md): its texts from content/situation.yml,
    the allowed widget origins for the list the widget hands over, nothing from elsewhere, never cached."""
    from lotse.knowledge.situation_text import load_situation_texts

    texts = load_situation_texts().texts

    async def check(client):
        for lang in ("de", "en", "uk"):
            response = await client.get(f"/widget/print.html?lang={lang}")
            page = await response.text()
            assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
            assert f'<html lang="{lang}">' in page and "{{" not in page
            assert texts["print.waiting"][lang] in page and texts["print.title"][lang] in page
            assert 'data-origins="http://localhost:8080 http://127.0.0.1:8080' in page
            assert all(a in ("print.css", "print.js") for a in _attributes(page)), _attributes(page)
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert '<html lang="de">' in await (await client.get("/widget/print.html?lang=xx")).text()
        for path in ("/widget/print.js", "/widget/print.css"):
            assert (await client.get(path)).status == 200

    _with_client(check)


def _with_socketio_backend(check):
    """A stand-in for Rasa's /socket.io/ (long-polling and WebSocket) behind the web server."""
    seen: list[dict] = []

    async def go():
        backend = web.Application()

        async def socketio_endpoint(request):
            if request.headers.get("Upgrade", "").lower() == "websocket":
                if request.headers.get("Origin") == "https://evil.example":
                    return web.Response(status=400, text="Not an accepted origin.")
                ws = web.WebSocketResponse()
                await ws.prepare(request)
                async for message in ws:
                    seen.append({"frame": message.data})
                    await ws.send_str("echo " + message.data)
                return ws
            seen.append({"method": request.method, "query": dict(request.query), "origin": request.headers.get("Origin"),
                         "body": await request.text()})
            return web.Response(text="ok", headers={"Access-Control-Allow-Origin": request.headers.get("Origin", "*"), "X-Internal": "secret"})

        async def other(request):
            return web.Response(text="rasa internals")

        backend.router.add_route("*", "/socket.io/", socketio_endpoint)
        backend.router.add_route("*", "/webhooks/rest/webhook", other)
        backend.router.add_get("/version", other)
        backend_server = TestServer(backend, host="127.0.0.1")
        await backend_server.start_server()
        app = webserver.create_app()
        settings = app[webserver.SETTINGS]
        app[webserver.SETTINGS] = type(settings)(**{**settings.__dict__, "rasa_port": backend_server.port, "rasa_host": "127.0.0.1"})
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await check(client, seen)
        await backend_server.close()

    asyncio.run(go())


def test_socketio_long_polling_is_forwarded_with_the_page_origin():
    async def check(client, seen):
        origin = {"Origin": "http://localhost:8080"}
        response = await client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data="40", headers=origin)
        assert response.status == 200 and await response.text() == "ok"
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
        assert "X-Internal" not in response.headers
        assert seen == [{"method": "POST", "query": {"EIO": "4", "transport": "polling", "sid": "abc"}, "origin": "http://localhost:8080", "body": "40"}]
        # Nothing else of Rasa is reachable through the web server.
        for path in ("/version", "/socket.io/../version", "/webhooks/rest/webhook"):
            answer = await client.get(path)
            assert "rasa internals" not in await answer.text(), path

    _with_socketio_backend(check)


def test_a_socketio_post_that_is_not_an_engineio_payload_is_refused_before_rasa():
    async def check(client, seen):
        for body in (b"42\xed\xa0\x80", b"\x17garbage", b'42["user_uttered",{}]\x1e', b"", b"x", b"b!!not-base64"):
            response = await client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data=body, headers={"Origin": "http://localhost:8080"})
            assert response.status == 400, body
        assert seen == []  # Rasa never saw them
        ok = await client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data='42["user_uttered",{}]\x1e3\x1ebAAEC', headers={"Origin": "http://localhost:8080"})
        assert ok.status == 200

    _with_socketio_backend(check)


def test_socketio_websocket_is_forwarded_and_refusals_pass_through():
    async def check(client, seen):
        ws = await client.ws_connect("/socket.io/?EIO=4&transport=websocket", origin="http://localhost:8080")
        await ws.send_str("2probe")
        assert (await ws.receive()).data == "echo 2probe"
        await ws.close()
        refused = await client.get("/socket.io/?EIO=4&transport=websocket", headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Origin": "https://evil.example",
            "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert refused.status == 400

    _with_socketio_backend(check)


def test_a_websocket_frame_that_is_not_an_engineio_packet_closes_the_socket_before_rasa():
    """Rasa's engine.io raised on such a frame and logged a traceback (found by the WebSocket fuzzing)."""
    async def check(client, seen):
        for frame in ("", "\x1c42", "x", "b!!not-base64"):
            ws = await client.ws_connect("/socket.io/?EIO=4&transport=websocket", origin="http://localhost:8080")
            await ws.send_str("2probe")
            assert (await ws.receive()).data == "echo 2probe"
            await ws.send_str(frame)
            closing = await ws.receive()
            assert closing.type == WSMsgType.CLOSE and closing.data == WSCloseCode.UNSUPPORTED_DATA, frame
            await ws.close()
        assert seen and all(item == {"frame": "2probe"} for item in seen)  # Rasa never saw them

    _with_socketio_backend(check)


def test_an_engineio_close_packet_from_the_browser_closes_both_sides():
    async def check(client, seen):
        for close_packet in ("1", "1\x1e2"):
            ws = await client.ws_connect("/socket.io/?EIO=4&transport=websocket", origin="http://localhost:8080")
            await ws.send_str(close_packet)
            closing = await ws.receive(timeout=5)
            while closing.type == WSMsgType.TEXT:  # the stand-in's echo may still get through
                closing = await ws.receive(timeout=5)
            assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED), close_packet
        assert seen == [{"frame": "1"}, {"frame": "1\x1e2"}]

    _with_socketio_backend(check)
