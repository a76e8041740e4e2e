"""The web page's chat endpoint: bad input gets a clear answer, never a crash."""
from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from lotse import webserver


def _with_client(check, rasa_reply=None):
    async def go():
        backend = web.Application()

        async def webhook(request):
            body = await request.json()
            return web.json_response(rasa_reply(body) if rasa_reply else [{"text": "echo " + body["message"]}])

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
        response = await client.post("/api/chat", data=b"x" * (webserver.MAX_BODY_BYTES + 1))
        assert response.status == 413
        response = await client.post("/api/chat", json={"sender": "a", "message": "x" * 5000})
        assert response.status == 200
        assert "sehr lang" in (await response.json())[0]["text"]

    _with_client(check)


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


def test_pages_are_served_without_third_party_resources():
    async def check(client):
        for path in ("/", "/chat.js", "/chat.css", "/datenschutz.html"):
            response = await client.get(path)
            assert response.status == 200, path
            body = await response.text()
            assert "http://" not in body.replace("http://localhost", "") or path == "/chat.js"
            assert "https://" not in body or path == "/chat.js"

    _with_client(check)
