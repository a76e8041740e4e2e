"""Console accounts: creation, login with lockout, roles and offices (data access)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lotse.console.security import hash_password, password_problem, role_problem, username_problem, verify_password
from lotse.database.console_schema import console_sessions, console_users

ROLE_LABELS = {"reviewer": "Prüfer/in", "callback_agent": "Rückruf-Team", "admin": "Administration"}


class UserError(ValueError):
    """A user could not be created or changed; the message is German and safe to show."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    offices: tuple[str, ...]
    active: bool
    failed_logins: int
    locked_until: datetime | None
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def may_see_office(self, office_id: str) -> bool:
        return self.role == "admin" or not self.offices or office_id in self.offices

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and _utc(self.locked_until) > now


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    problem: str | None = None  # "invalid" or "locked"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_offices(raw: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip() for part in raw.replace(";", ",").split(",") if part.strip()}))


def _row_to_user(row: Any) -> User:
    return User(
        id=row.id, username=row.username, role=row.role, offices=parse_offices(row.offices or ""),
        active=bool(row.active), failed_logins=row.failed_logins,
        locked_until=_utc(row.locked_until) if row.locked_until else None,
        last_login_at=_utc(row.last_login_at) if row.last_login_at else None,
    )


def create_user(
    engine: Engine, username: str, password: str, role: str, offices: tuple[str, ...] = (), now: datetime | None = None
) -> User:
    username = username.strip().lower()
    problem = username_problem(username) or role_problem(role) or password_problem(password, username)
    if problem:
        raise UserError(problem)
    now = now or datetime.now(timezone.utc)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(console_users).values(
                    username=username, password_hash=hash_password(password), role=role,
                    offices=",".join(offices), active=True, failed_logins=0, created_at=now,
                )
            )
    except IntegrityError as exc:
        raise UserError("Diesen Benutzernamen gibt es schon.") from exc
    user = find_user(engine, username)
    assert user is not None
    return user


def find_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(console_users).where(console_users.c.username == username.strip().lower())).first()
    return _row_to_user(row) if row else None


def get_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(console_users).where(console_users.c.id == user_id)).first()
    return _row_to_user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_row_to_user(r) for r in conn.execute(sa.select(console_users).order_by(console_users.c.username))]


def count_admins(engine: Engine) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(console_users).where(
            console_users.c.role == "admin", console_users.c.active.is_(True)
        )
        return conn.execute(query).scalar_one()


def authenticate(
    engine: Engine, username: str, password: str, now: datetime, max_failed: int, lockout_minutes: int
) -> LoginResult:
    """Check a login. After `max_failed` wrong passwords in a row the account is locked for a while;
    a locked account refuses even the right password until the lock expires."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(console_users).where(console_users.c.username == username.strip().lower())).first()
    if row is None:
        verify_password(None, password)  # the same work as for a known name
        return LoginResult(None, "invalid")
    user = _row_to_user(row)
    if user.is_locked(now):
        return LoginResult(None, "locked")
    if not verify_password(row.password_hash, password) or not user.active:
        failed = user.failed_logins + 1
        values: dict[str, Any] = {"failed_logins": failed}
        if failed >= max_failed:
            values = {"failed_logins": 0, "locked_until": now + timedelta(minutes=lockout_minutes)}
        with engine.begin() as conn:
            conn.execute(sa.update(console_users).where(console_users.c.id == user.id).values(**values))
        return LoginResult(None, "locked" if "locked_until" in values else "invalid")
    with engine.begin() as conn:
        conn.execute(
            sa.update(console_users).where(console_users.c.id == user.id).values(failed_logins=0, locked_until=None, last_login_at=now)
        )
    return LoginResult(get_user(engine, user.id))


def set_password(engine: Engine, user_id: int, password: str) -> None:
    user = get_user(engine, user_id)
    if user is None:
        raise UserError("Unbekanntes Konto.")
    problem = password_problem(password, user.username)
    if problem:
        raise UserError(problem)
    with engine.begin() as conn:
        conn.execute(
            sa.update(console_users).where(console_users.c.id == user_id).values(
                password_hash=hash_password(password), failed_logins=0, locked_until=None
            )
        )
        conn.execute(sa.delete(console_sessions).where(console_sessions.c.user_id == user_id))


def update_user(engine: Engine, user_id: int, role: str, offices: tuple[str, ...], active: bool) -> None:
    problem = role_problem(role)
    if problem:
        raise UserError(problem)
    current = get_user(engine, user_id)
    if current is None:
        raise UserError("Unbekanntes Konto.")
    if current.is_admin and current.active and (role != "admin" or not active) and count_admins(engine) <= 1:
        raise UserError("Das letzte aktive Administrationskonto kann nicht geändert werden.")
    with engine.begin() as conn:
        conn.execute(
            sa.update(console_users).where(console_users.c.id == user_id).values(role=role, offices=",".join(offices), active=active)
        )
        if not active:
            conn.execute(sa.delete(console_sessions).where(console_sessions.c.user_id == user_id))


def unlock(engine: Engine, user_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(console_users).where(console_users.c.id == user_id).values(failed_logins=0, locked_until=None))
