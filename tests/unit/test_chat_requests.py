from __future__ import annotations

import pytest

from lotse.guards.chat_requests import ChatRequest, answer, clean_text, parse_chat_request, reply_language


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b'"text"', b"42", b"{", b"\xff\xfe", b"[" * 50_000 + b"]" * 50_000,
     b'{"sender": 1, "message": "Hallo"}', b'{"sender": "a", "message": 1}', b'{"sender": "a"}',
     b'{"sender": "", "message": "x"}', b'{"sender": "a\\u0000b", "message": "x"}', b'{"sender": "' + b"s" * 129 + b'", "message": "x"}',
     b'{"sender": "a", "message": "x", "metadata": [1]}'],
)
def test_anything_but_a_chat_request_is_refused_as_unreadable(body):
    assert parse_chat_request(body) == "request_unreadable"


def test_a_chat_request_is_read_and_cleaned():
    parsed = parse_chat_request(b'{"sender": "web-1", "message": "Hallo\\u0000 \\ud800!", "metadata": {"language": "uk"}}')
    assert parsed == ChatRequest("web-1", "Hallo\ufffd \ufffd!", {"language": "uk"})
    assert clean_text("Привіт 👋 \u202e") == "Привіт 👋 \u202e"  # right-to-left text and emoji stay as they are


def test_refusals_are_answered_in_the_users_language():
    assert reply_language("Привіт, мені потрібна робота для мене", None) == "uk"
    assert reply_language(None, "en-GB,en;q=0.9") == "en"
    assert reply_language(None, ";;q=x") == "de"
    texts = {lang: answer("rate_limited", lang)[0]["text"] for lang in ("de", "en", "uk")}
    assert "Minute" in texts["de"] and "minute" in texts["en"] and "хвилину" in texts["uk"]
    assert "2000" in answer("message_too_long", "en", max=2000)[0]["text"]
