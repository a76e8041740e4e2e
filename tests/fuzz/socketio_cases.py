"""Hostile socket.io traffic for the widget's hardened channel (lotse/rasa_server/channels/secure_socketio.py), through
the web server's /socket.io/ proxy: events with any payload, and raw engine.io long-polling requests.

Tokens are drawn symbolically ("<token:forged>") and filled in when a case is sent, because the
valid token is only known once the fuzzing client is connected (and changes when it erases).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from hypothesis import strategies as st

from lotse.widget.sessions import TokenSigner, WidgetSession
from tests.fuzz.strategies import HOSTILE_STRINGS, content_type_headers, hostile_text, json_values, mutated

TOKEN_KINDS = ("valid", "valid", "valid", "forged", "expired", "foreign", "malformed")
EVENTS = ("user_uttered",) * 5 + ("session_request",) * 2 + (
    "feedback", "erase", "connect", "disconnect", "bot_uttered", "session_confirm", "message", "unknown-event",
)
SESSION_ERRORS = ("no_session", "invalid", "expired")
SERVER_EVENTS = ("session_confirm", "bot_uttered", "bot_done", "session_error", "session_ended")


def token_marker(kind: str) -> str:
    return f"<token:{kind}>"


OWN_SESSION = "<session:own>"


@dataclass(frozen=True)
class EventCase:
    event: str
    payload: Any
    kind: str

    def describe(self) -> str:
        text = json.dumps(self.payload, ensure_ascii=True, default=repr)
        return f"{self.kind}: emit {self.event!r} with {len(text)} chars: {text[:300]}"


@dataclass(frozen=True)
class TokenBox:
    """The tokens a case may name: this socket's own, one of another live session, and made-up ones."""
    valid: str
    session_id: str
    foreign: str
    signer: TokenSigner

    def token(self, kind: str) -> str:
        if kind == "valid":
            return self.valid
        if kind == "foreign":
            return self.foreign
        if kind == "expired":
            past = WidgetSession(self.session_id, int(time.time()) - 60)
            return self.signer.token_for(past)
        if kind == "forged":
            return f"v1.{self.session_id}.{int(time.time()) + 3600}.{'0' * 64}"
        return f"v1.{self.session_id}.x.{'f' * 64}"  # malformed


def resolve(value: Any, box: TokenBox) -> Any:
    """The payload with the token and session markers replaced by real values, recursively."""
    if isinstance(value, str):
        if value == OWN_SESSION:
            return box.session_id
        if value.startswith("<token:") and value.endswith(">"):
            return box.token(value[len("<token:"):-1])
        return value
    if isinstance(value, list):
        return [resolve(item, box) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, box) for key, item in value.items()}
    return value


def widget_message(token_kind: str, text: str, language: str | None, session: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"token": token_marker(token_kind), "message": text}
    if language is not None:
        payload["metadata"] = {"language": language}
    if session is not None:
        payload["session_id"] = session
    return payload


def over_limit_text(limit: int) -> st.SearchStrategy[str]:
    """Above LOTSE_MAX_MESSAGE_CHARS, and above the channel's 64 KB event limit; built by repetition."""
    return st.builds(lambda piece, size: piece * size, st.sampled_from(["x", "ü", "👩‍👧", "\u202e", "a "]),
                     st.one_of(st.integers(limit + 1, 4 * limit), st.integers(70_000, 300_000)))


def messages(limit: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        widget_message,
        st.sampled_from(TOKEN_KINDS),
        st.one_of(hostile_text, hostile_text, over_limit_text(limit), st.sampled_from(["Hallo", "Kita in Ahaus", "/greet"])),
        st.one_of(st.none(), st.sampled_from(["de", "uk", "ar", "xx", "DE", "../", ""]), hostile_text),
        st.one_of(st.none(), st.none(), st.just(OWN_SESSION), hostile_text),
    )


def shaped_payloads(limit: int) -> st.SearchStrategy[Any]:
    """Well-formed with hostile values, or with any part removed or replaced by anything."""
    return st.one_of(messages(limit), messages(limit).flatmap(mutated))


def event_cases(limit: int) -> st.SearchStrategy[EventCase]:
    payloads = st.sampled_from(["shaped"] * 6 + ["any-json", "token-only", "none"]).flatmap(
        lambda kind: {
            "shaped": shaped_payloads(limit),
            "any-json": json_values,
            "token-only": st.builds(lambda kind: {"token": token_marker(kind)}, st.sampled_from(TOKEN_KINDS)),
            "none": st.none(),
        }[kind].map(lambda payload: (kind, payload))
    )
    return st.builds(lambda event, kind_payload: EventCase(event, kind_payload[1], kind_payload[0]), st.sampled_from(EVENTS), payloads)


def expects_turn(case: EventCase, box: TokenBox) -> bool:
    """A valid message with this socket's token: the channel must answer it, ending with bot_done."""
    payload = case.payload
    return (
        case.event == "user_uttered"
        and isinstance(payload, dict)
        and payload.get("token") == box.valid
        and payload.get("session_id") in (None, box.session_id)
        and isinstance(payload.get("message"), str)
        and bool(payload["message"].strip())
    )


# --- raw engine.io long-polling requests ----------------------------------------------------------

@dataclass(frozen=True)
class RawCase:
    method: str
    query: Mapping[str, str] | str  # a mapping is encoded; a string is sent as it is
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    own_sid: bool = False  # the query names the fuzzing client's live engine.io session
    kind: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.method} ?{self.query!r} headers={dict(self.headers)!r} body[:200]={self.body[:200]!r} ({len(self.body)} bytes)"


SID = "<sid>"


def query_string(query: Mapping[str, str] | str, sid: str) -> str:
    if isinstance(query, str):
        return query.replace(SID, sid)
    return urlencode({k: (sid if v == SID else v) for k, v in query.items()}, errors="surrogatepass")


def engineio_packets() -> st.SearchStrategy[bytes]:
    """Bodies that look like engine.io/socket.io packets (some valid, most broken)."""
    socketio_payload = st.builds(
        lambda event, data: "42" + json.dumps([event, data]), st.sampled_from(EVENTS), json_values
    )
    packet = st.one_of(
        socketio_payload,
        st.sampled_from(["2", "3", "4", "5", "6", "1", "40", "41", "40/admin,", "43", "44", "45", "46", "4[", "42[]",
                         '42["user_uttered"', '42[1,2]', '42{"a":1}', "9", "b" + "A" * 8, "42" + "[" * 2000]),
        st.builds(lambda p, t: p + t, st.sampled_from(["4", "42", "40"]), hostile_text),
    )
    return st.lists(packet, min_size=1, max_size=4).map(lambda ps: "\x1e".join(ps).encode("utf-8", "surrogatepass"))


def raw_bodies() -> st.SearchStrategy[tuple[str, bytes]]:
    kinds: dict[str, st.SearchStrategy[bytes]] = {
        "packets": engineio_packets(),
        "random-bytes": st.binary(max_size=2000),
        "invalid-utf8": st.sampled_from([b"4\xff\xfe", b"42[\"\xed\xa0\x80\"]", b"\x80\x80", b"\xc3\x28"]),
        "huge": st.builds(lambda n: b"42" + b"[" * 10 + b"x" * n, st.integers(64 * 1024, 3_000_000)),
        "empty": st.just(b""),
    }
    weighted = ["packets"] * 4 + list(kinds)
    return st.sampled_from(weighted).flatmap(lambda kind: kinds[kind].map(lambda body: (kind, body)))


raw_queries = st.one_of(
    st.fixed_dictionaries(
        {"EIO": st.sampled_from(["4", "4", "3", "5", "0", "-1", "x", ""]),
         "transport": st.sampled_from(["polling", "polling", "websocket", "webtransport", "x", ""]),
         "sid": st.one_of(st.just(SID), st.just(SID), st.sampled_from(["", "x" * 20, "../..", "AAAAAAAAAAAAAAAAAAAA"]), hostile_text)},
        optional={"t": st.sampled_from(["abc", "", "%%"]), "b64": st.sampled_from(["1", "x"]), "j": st.sampled_from(["0", "<"])},
    ),
    st.builds(lambda s: s, st.sampled_from(["", "EIO=4", "transport=polling", "EIO=4&transport=polling&sid=<sid>&sid=x",
                                            "EIO=4&transport=polling&sid=%FF%FE", "EIO=4&&&==&transport", "%", "EIO=4&transport=polling&sid=<sid>%00"])),
    st.builds(lambda s: urlencode({"EIO": "4", "transport": "polling", "sid": s}, errors="surrogatepass"), st.sampled_from(HOSTILE_STRINGS)),
)


def raw_headers() -> st.SearchStrategy[dict[str, str]]:
    """Content types and proxy headers as for the other endpoints, and an allowed, foreign or no Origin."""
    return st.builds(
        lambda headers, origin: {**headers, **({"Origin": origin} if origin is not None else {})},
        content_type_headers("text/plain;charset=UTF-8"),
        st.sampled_from([None, "<origin>", "<origin>", "http://evil.example", "null", "http://127.0.0.1:1"]),
    )


def uses_own_sid(query: Mapping[str, str] | str) -> bool:
    return SID in (query if isinstance(query, str) else query.values())


raw_cases = st.builds(
    lambda method, query, kind_body, headers: RawCase(method, query, kind_body[1], headers, uses_own_sid(query), kind_body[0]),
    st.sampled_from(["POST", "POST", "POST", "GET", "OPTIONS", "PUT", "DELETE"]),
    raw_queries,
    raw_bodies(),
    raw_headers(),
)
