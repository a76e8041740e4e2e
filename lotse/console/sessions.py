"""Server-side login sessions (data access). The cookie holds a random token; the database keeps
only its SHA-256, the user and the session's CSRF token. A session ends after the idle timeout
(LOTSE_CONSOLE_IDLE_MINUTES) or after MAX_AGE, whichever comes first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.console.security import new_token, token_hash
from lotse.console.users import User, get_user
from lotse.database.console_schema import console_sessions

MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def create_session(engine: Engine, user_id: int, now: datetime) -> tuple[str, str]:
    """A new session for the user: (cookie token, CSRF token)."""
    token, csrf = new_token(), new_token()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(console_sessions).values(
                token_hash=token_hash(token), user_id=user_id, csrf_token=csrf, created_at=now, last_seen_at=now
            )
        )
    return token, csrf


def load_session(engine: Engine, token: str, now: datetime, idle: timedelta) -> Session | None:
    """The live session for this token (its idle clock restarted), or None if unknown or expired."""
    key = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(sa.select(console_sessions).where(console_sessions.c.token_hash == key)).first()
    if row is None:
        return None
    if now - _utc(row.last_seen_at) > idle or now - _utc(row.created_at) > MAX_AGE:
        delete_session(engine, token)
        return None
    user = get_user(engine, row.user_id)
    if user is None or not user.active:
        delete_session(engine, token)
        return None
    with engine.begin() as conn:
        conn.execute(sa.update(console_sessions).where(console_sessions.c.token_hash == key).values(last_seen_at=now))
    return Session(user, row.csrf_token)


def delete_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(console_sessions).where(console_sessions.c.token_hash == token_hash(token)))


def delete_expired(engine: Engine, now: datetime, idle: timedelta) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.delete(console_sessions).where(
                sa.or_(console_sessions.c.last_seen_at < now - idle, console_sessions.c.created_at < now - MAX_AGE)
            )
        ).rowcount
