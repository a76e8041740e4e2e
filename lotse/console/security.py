"""Passwords (argon2id), session and CSRF tokens, and the validators for user input. Pure functions."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lotse.database.console_schema import ROLES

_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters

MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TAG = re.compile(r"[\wäöüß][\wäöüß -]{0,39}", re.UNICODE)
MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 300


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the user name is unknown, so both cases take the same work."""
    return _HASHER.hash(secrets.token_hex(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; as bytes, because compare_digest refuses non-ASCII strings with
    a TypeError (a hostile login token gave a 500, found by tests/fuzz/test_fuzz_console.py)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(str(expected).encode("utf-8", "surrogatepass"), str(given).encode("utf-8", "surrogatepass"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable, in German, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein."
    if username and username.lower() in password.lower():
        return "Das Passwort darf den Benutzernamen nicht enthalten."
    if len(set(password)) < 5:
        return "Das Passwort ist zu einfach."
    return None


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return "Benutzernamen: 2–64 Zeichen, Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich."
    return None


def role_problem(role: str) -> str | None:
    return None if role in ROLES else "Unbekannte Rolle."


def clean_tag(raw: str) -> str | None:
    tag = " ".join(raw.strip().lower().split())
    return tag if TAG.fullmatch(tag) else None


def clean_note(raw: str) -> str | None:
    note = raw.strip()
    return note if 0 < len(note) <= MAX_NOTE_CHARS else None


def clean_reason(raw: str) -> str | None:
    reason = " ".join(raw.split())
    return reason if 5 <= len(reason) <= MAX_REASON_CHARS else None


def load_or_create_secret(configured: str, data_dir: Path) -> bytes:
    """The key for pseudonyms: LOTSE_CONSOLE_SECRET, else a random key kept in the data directory."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "console-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip().encode("ascii")
