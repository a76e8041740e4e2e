"""Hostile requests on the staff console's login (issue #12): POSTs of the login form with hostile
user names, passwords, login tokens, cookies, content types and bodies, and GET /login with
hostile query strings.

Property: a 4xx or the normal login page or redirect (200/303) — never a 5xx, never a traceback.
Afterwards a staff user created then can still log in, and the lockout still locks an account
after LOTSE_CONSOLE_MAX_FAILED_LOGINS wrong passwords. The accounts the fuzzing may lock are not
the ones checked afterwards, so the outcome does not depend on what hypothesis drew.
"""
from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotse.console.app import MAX_BODY_BYTES
from lotse.console.cookies import login_cookie_name
from lotse.console.users import create_user
from lotse.database.engine import make_engine
from tests.fuzz.checks import assert_healthy, run_and_record, traceback_in, unhandled_errors
from tests.fuzz.strategies import (
    HOSTILE_STRINGS,
    content_type_headers,
    hostile_text,
    invalid_utf8,
    json_values,
    mutated,
)
from tests.fuzz.test_fuzz_endpoints import CASES

PASSWORD = "Fuzz-Passwort-2026!"
TARGET = "fuzz.target"  # exists during the fuzzing: hostile passwords for it reach argon2 and the lockout
VALID_TOKEN = "<login-token>"
FORM = "application/x-www-form-urlencoded"
FUZZ_SETTINGS = settings(max_examples=CASES, deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@dataclass(frozen=True)
class LoginCase:
    method: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    cookie: str | None = VALID_TOKEN  # the login cookie sent; VALID_TOKEN: the one issued to the fuzzer
    kind: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.method} /login?{self.query!r} cookie={self.cookie!r:.80} headers={dict(self.headers)!r} body[:200]={self.body[:200]!r} ({len(self.body)} bytes)"


def login_form(username: str, password: str, token: str) -> dict[str, str]:
    return {"username": username, "password": password, "login_token": token}


def encode_form(form: Any) -> bytes:
    if not isinstance(form, dict):
        return urlencode({"username": str(form)}, errors="surrogatepass").encode()
    return urlencode({str(k): str(v) for k, v in form.items()}, errors="surrogatepass").encode()


usernames = st.one_of(st.just(TARGET), st.just(TARGET.upper() + " "), hostile_text)
passwords = st.one_of(st.just(PASSWORD), hostile_text, st.builds(lambda n: "p" * n, st.integers(1000, 60_000)))
tokens = st.sampled_from(["valid"] * 6 + ["hostile", "empty"]).flatmap(
    lambda kind: {"valid": st.just(VALID_TOKEN), "hostile": hostile_text, "empty": st.just("")}[kind])
forms = st.one_of(st.builds(login_form, usernames, passwords, tokens),
                  st.builds(login_form, usernames, passwords, tokens).flatmap(mutated))
# requests refuses header values with CR, LF or NUL (servers never see those); the rest are sent as they are.
SENDABLE = tuple(s for s in HOSTILE_STRINGS if s.isascii() and not any(c in s for c in "\r\n\x00"))
# Mostly the fuzzer's own login cookie and token, so that most forms reach the password check.
cookies = st.sampled_from(["valid"] * 6 + ["none", "hostile", "odd"]).flatmap(
    lambda kind: {"valid": st.just(VALID_TOKEN), "none": st.none(), "hostile": st.sampled_from(SENDABLE),
                  "odd": st.sampled_from(["x" * 50, "a-" * 25, "", "=;", '"'])}[kind])


def post_bodies() -> st.SearchStrategy[tuple[str, bytes]]:
    kinds: dict[str, st.SearchStrategy[bytes]] = {
        # with the fuzzer's own login token (and cookie, see login_posts): reaches argon2 and the lockout
        "login": st.builds(login_form, usernames, passwords, st.just(VALID_TOKEN)).map(encode_form),
        "form": forms.map(encode_form),
        "invalid-utf8": forms.map(encode_form).flatmap(invalid_utf8),
        "json": json_values.map(lambda v: repr(v).encode("utf-8", "surrogatepass")),
        "multipart": st.builds(lambda t: b"--xyz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n" + t.encode("utf-8", "surrogatepass") + b"\r\n--x",
                               hostile_text),
        "huge": st.builds(lambda n: b"username=a&password=" + b"x" * n, st.integers(MAX_BODY_BYTES, 3_000_000)),
        "random-bytes": st.binary(max_size=2000),
        "empty": st.just(b""),
    }
    weighted = ["login"] * 5 + ["form"] * 3 + list(kinds)
    return st.sampled_from(weighted).flatmap(lambda kind: kinds[kind].map(lambda body: (kind, body)))


login_posts = st.builds(
    lambda kind_body, headers, cookie: LoginCase("POST", kind_body[1], headers, "", VALID_TOKEN if kind_body[0] == "login" else cookie, kind_body[0]),
    post_bodies(), content_type_headers(FORM), cookies,
)
login_gets = st.builds(
    lambda query, cookie: LoginCase("GET", query=query, cookie=cookie, kind="query"),
    st.one_of(st.sampled_from(["", "next=/admin", "next=//evil.example", "%", "a=%FF%FE", "&&==&"]),
              st.builds(lambda k, v: urlencode({k: v}, errors="surrogatepass"), st.sampled_from(["next", "error", "username", "x"]), hostile_text)),
    cookies,
)
login_cases = st.one_of(login_posts, login_posts, login_posts, login_gets)


def fill_token(body: bytes, token: str) -> bytes:
    return body.replace(VALID_TOKEN.encode(), token.encode()).replace(b"%3Clogin-token%3E", token.encode())


def login_token(http: requests.Session, url: str) -> str:
    page = http.get(f"{url}/login", timeout=30)
    assert page.status_code == 200
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)


def log_in(url: str, username: str, password: str) -> requests.Response:
    http = requests.Session()
    return http.post(f"{url}/login", data={"username": username, "password": password, "login_token": login_token(http, url)},
                     allow_redirects=False, timeout=30)


@pytest.fixture(scope="module")
def console_url(fuzz_stack) -> str:
    return f"http://{fuzz_stack.settings.console_host}:{fuzz_stack.settings.console_port}"


@pytest.fixture(scope="module")
def console_db(fuzz_stack):
    engine = make_engine(fuzz_stack.settings.callback_db_url)
    yield engine
    engine.dispose()


def test_hostile_logins_never_give_5xx_or_a_traceback(fuzz_stack, console_url, console_db):
    create_user(console_db, TARGET, PASSWORD, "reviewer")
    cookie_name = login_cookie_name(fuzz_stack.settings)
    http = requests.Session()
    token = login_token(http, console_url)
    statuses: collections.Counter = collections.Counter()

    @FUZZ_SETTINGS
    @given(case=login_cases)
    def check(case: LoginCase) -> None:
        cookie = token if case.cookie == VALID_TOKEN else case.cookie
        headers = {**case.headers, **({"Cookie": f"{cookie_name}={cookie}"} if cookie is not None else {})}
        url = f"{console_url}/login" + (f"?{case.query}" if case.query else "")
        try:
            response = requests.request(case.method, url, data=fill_token(case.body, token), headers=headers,
                                        allow_redirects=False, timeout=60)
        except requests.ConnectionError:
            assert len(case.body) > MAX_BODY_BYTES, f"connection dropped for {case.describe()}"
            statuses["refused"] += 1
            return
        statuses[str(response.status_code)] += 1
        assert response.status_code in (200, 303) or 400 <= response.status_code < 500, \
            f"{response.status_code} for {case.describe()}: {response.text[:300]!r}"
        assert traceback_in(response.text) is None, f"traceback in the answer to {case.describe()}"

    run_and_record("console_login", statuses, check)
    assert_healthy(fuzz_stack)


def test_after_the_fuzzing_staff_still_log_in_and_the_lockout_still_locks(fuzz_stack, console_url, console_db):
    create_user(console_db, "fuzz.staff", PASSWORD, "reviewer")
    create_user(console_db, "fuzz.lockout", PASSWORD, "reviewer")

    ok = log_in(console_url, "fuzz.staff", PASSWORD)
    assert ok.status_code == 303 and ok.headers["Location"] == "/"

    answers = [log_in(console_url, "fuzz.lockout", f"falsch-{n}-Passwort") for n in range(fuzz_stack.settings.console_max_failed_logins)]
    assert all(answer.status_code == 401 for answer in answers)
    assert "vorübergehend gesperrt" in answers[-1].text
    refused = log_in(console_url, "fuzz.lockout", PASSWORD)  # the right password does not help now
    assert refused.status_code == 401 and "vorübergehend gesperrt" in refused.text

    assert_healthy(fuzz_stack)
    assert unhandled_errors(fuzz_stack.log_dir) == []
