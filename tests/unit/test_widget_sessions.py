"""Widget session tokens: only the server can make one, and it proves exactly one session until it expires."""
from __future__ import annotations

import stat

import pytest

from lotse.core.settings import load_settings, web_origin
from lotse.widget.sessions import SECRET_FILE, TokenSigner, widget_secret

SECRET = b"k" * 32
NOW = 1_800_000_000.0


def signer(secret: bytes = SECRET, now: float = NOW, hours: int = 24) -> TokenSigner:
    return TokenSigner(secret, hours * 3600, clock=lambda: now)


def test_an_issued_token_proves_its_session_until_it_expires():
    session, token = signer().issue()
    assert session.expires_at == NOW + 24 * 3600
    assert signer().verify(token) == session
    assert signer(now=session.expires_at - 1).verify(token) == session
    assert signer(now=session.expires_at).verify(token) is None


def test_every_issued_session_is_new():
    ids = {signer().issue()[0].session_id for _ in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize("change", ["session", "expiry", "signature", "version"])
def test_a_changed_token_is_refused(change):
    session, token = signer().issue()
    version, sid, expiry, signature = token.split(".")
    if change == "session":
        sid = ("0" if sid[0] != "0" else "1") + sid[1:]
    elif change == "expiry":
        expiry = str(int(expiry) + 3600)
    elif change == "signature":
        signature = ("a" if signature[0] != "a" else "b") + signature[1:]
    else:
        version = "v2"
    assert signer().verify(".".join([version, sid, expiry, signature])) is None


def test_a_token_signed_with_another_secret_is_refused():
    _, token = signer(secret=b"x" * 32).issue()
    assert signer().verify(token) is None


@pytest.mark.parametrize("token", [None, 42, "", "abc", "v1..0." + "0" * 64, {"token": "x"}, "v1." + "a" * 500])
def test_malformed_tokens_are_refused(token):
    assert signer().verify(token) is None


def test_a_session_id_alone_is_not_a_token():
    session, _ = signer().issue()
    assert signer().verify(session.session_id) is None


def test_weak_secrets_and_lifetimes_are_refused():
    with pytest.raises(ValueError):
        TokenSigner(b"short", 3600)
    with pytest.raises(ValueError):
        TokenSigner(SECRET, 0)


def test_secret_from_the_environment_wins(tmp_path):
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_WIDGET_SECRET": "s" * 40})
    assert widget_secret(settings) == b"s" * 40
    assert not (tmp_path / SECRET_FILE).exists()


def test_without_a_configured_secret_one_is_generated_once_and_kept_private(tmp_path):
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path / "data")})
    first = widget_secret(settings)
    assert len(first) >= 32
    path = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert widget_secret(settings) == first  # a restart keeps sessions valid
    _, token = TokenSigner(first, 3600).issue()
    assert TokenSigner(widget_secret(settings), 3600).verify(token) is not None


def test_session_lifetime_is_configurable():
    settings = load_settings({"LOTSE_WIDGET_SESSION_HOURS": "2", "LOTSE_WIDGET_SECRET": "s" * 40})
    from lotse.widget.sessions import signer_from_settings

    assert signer_from_settings(settings).lifetime_seconds == 7200


@pytest.mark.parametrize(
    "url, origin",
    [
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://Lotse.Kreis-Borken.de/chat/", "https://lotse.kreis-borken.de"),
        ("https://lotse.example:443", "https://lotse.example"),
        ("http://127.0.0.1:80/", "http://127.0.0.1"),
        ("ftp://example.org", ""),
        ("not a url", ""),
    ],
)
def test_origins_are_written_as_browsers_send_them(url, origin):
    assert web_origin(url) == origin


def test_allowed_origins_default_to_localhost_and_always_include_the_public_url():
    default = load_settings({})
    assert default.widget_allowed_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    deployed = load_settings({"LOTSE_PUBLIC_URL": "https://lotse.kreis-borken.de", "LOTSE_WIDGET_ORIGINS": "https://www.kreis-borken.de, https://www.borken.de/"})
    assert deployed.widget_allowed_origins == ("https://www.kreis-borken.de", "https://www.borken.de", "https://lotse.kreis-borken.de")
    assert "http://localhost:8080" not in deployed.widget_allowed_origins
