"""Server-issued, signed, expiring session tokens for the website chat widget.

A token is `v1.<session id>.<expiry>.<signature>`: HMAC-SHA256 with the widget secret over the
version, the session id and the expiry (Unix seconds). The browser keeps it in sessionStorage and
presents it on connect and with every event; the server never accepts a session id on its own.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from lotse.core.settings import Settings

logger = logging.getLogger(__name__)

VERSION = "v1"
SECRET_FILE = "widget-secret"
MIN_SECRET_CHARS = 32
_TOKEN = re.compile(r"v1\.([0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{64})")


@dataclass(frozen=True)
class WidgetSession:
    session_id: str
    expires_at: int  # Unix seconds


def new_session_id() -> str:
    return secrets.token_hex(16)


class TokenSigner:
    def __init__(self, secret: bytes, lifetime_seconds: int, clock: Callable[[], float] = time.time):
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the widget secret must have at least {MIN_SECRET_CHARS} characters")
        if lifetime_seconds <= 0:
            raise ValueError("the widget session lifetime must be positive")
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds
        self.clock = clock

    def _signature(self, session_id: str, expires_at: int) -> str:
        message = f"{VERSION}.{session_id}.{expires_at}".encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def issue(self) -> tuple[WidgetSession, str]:
        """A new session (random id) and its token."""
        session = WidgetSession(new_session_id(), int(self.clock()) + self.lifetime_seconds)
        return session, self.token_for(session)

    def token_for(self, session: WidgetSession) -> str:
        return f"{VERSION}.{session.session_id}.{session.expires_at}.{self._signature(session.session_id, session.expires_at)}"

    def verify(self, token: object) -> Optional[WidgetSession]:
        """The session a token proves, or None when it is malformed, forged or expired."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        match = _TOKEN.fullmatch(token)
        if not match:
            return None
        session_id, expires_text, signature = match.groups()
        expires_at = int(expires_text)
        if not hmac.compare_digest(signature, self._signature(session_id, expires_at)):
            return None
        if expires_at <= self.clock():
            return None
        return WidgetSession(session_id, expires_at)


def widget_secret(settings: Settings) -> bytes:
    """LOTSE_WIDGET_SECRET, or a random secret generated once into `<data_dir>/widget-secret` (mode
    0600), so that a restart keeps the widget's sessions valid."""
    if settings.widget_secret:
        return settings.widget_secret.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        _create_secret_file(path)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _create_secret_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            # link() fails if another process created the file first; then its secret is used.
            os.link(temporary, path)
            logger.info("generated the widget secret in the data directory")
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


def signer_from_settings(settings: Settings) -> TokenSigner:
    return TokenSigner(widget_secret(settings), settings.widget_session_hours * 3600)
