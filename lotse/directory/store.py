"""The office directory's repository (table office_directory, migration 0005).

An administrator proposes a value for one contact field of one office, with its source and the day
it was seen there; an administrator **other than the proposer** confirms or rejects it (four-eyes,
as for NLU corrections: a wrong phone number reaches every user who asks). Only confirmed values
reach the bot; the newest confirmed value per office and field wins.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.database.console_schema import office_directory
from lotse.directory.values import FIELD_LABELS, EntryError, check_as_of, check_source, check_value


@dataclass(frozen=True)
class Entry:
    id: int
    office_id: str
    field: str
    value: str
    complete: bool
    source: str
    as_of: str
    origin: str
    state: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class Proposal:
    """One value to propose, as entered or imported (checked by `propose`)."""

    office_id: str
    field: str
    value: str
    source: str
    as_of: str
    complete: bool = False


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def _entry(r: sa.engine.Row) -> Entry:
    return Entry(r.id, r.office_id, r.field, r.value, bool(r.complete), r.source, r.as_of, r.origin, r.state,
                 r.proposed_by, _utc(r.proposed_at), r.decided_by, _utc(r.decided_at))


def checked(proposal: Proposal, known_offices: Iterable[str], today: date) -> Proposal:
    """The proposal with its values trimmed; EntryError (German) when one does not fit."""
    if proposal.office_id not in set(known_offices):
        raise EntryError("Bitte wählen Sie eine Stelle aus der Liste.")
    return Proposal(proposal.office_id, proposal.field, check_value(proposal.field, proposal.value),
                    check_source(proposal.source), check_as_of(proposal.as_of, today),
                    proposal.complete and proposal.field == "hours")


def propose(
    engine: Engine, proposals: list[Proposal], username: str, known_offices: Iterable[str],
    origin: str = "console", now: datetime | None = None,
) -> list[Entry]:
    """Stores checked proposals in one transaction (all or none); nothing is shown before confirmation."""
    now = now or datetime.now(timezone.utc)
    good = [checked(p, known_offices, now.date()) for p in proposals]
    ids = []
    with engine.begin() as conn:
        for p in good:
            ids.append(conn.execute(sa.insert(office_directory).values(
                office_id=p.office_id, field=p.field, value=p.value, complete=p.complete, source=p.source,
                as_of=p.as_of, origin=origin, state="proposed", proposed_by=username, proposed_at=now,
            )).inserted_primary_key[0])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(office_directory).where(office_directory.c.id.in_(ids)).order_by(office_directory.c.id))
        return [_entry(r) for r in rows]


def decide(engine: Engine, entry_id: int, confirm: bool, username: str, now: datetime | None = None) -> Entry:
    """Confirms or rejects an open proposal; never the proposer's own (four-eyes)."""
    with engine.begin() as conn:
        row = conn.execute(sa.select(office_directory).where(office_directory.c.id == entry_id)).first()
        if row is None or row.state != "proposed":
            raise EntryError("Dieser Vorschlag ist nicht mehr offen.")
        if row.proposed_by == username:
            raise EntryError("Vier-Augen-Prinzip: Einen eigenen Vorschlag kann nur eine andere Administratorin "
                             "oder ein anderer Administrator bestätigen.")
        conn.execute(sa.update(office_directory).where(office_directory.c.id == entry_id).values(
            state="confirmed" if confirm else "rejected", decided_by=username, decided_at=now or datetime.now(timezone.utc)))
        return _entry(conn.execute(sa.select(office_directory).where(office_directory.c.id == entry_id)).one())


def listing(engine: Engine, state: str | None = None, limit: int = 500) -> list[Entry]:
    """Entries, newest first; only those in `state` when given."""
    query = sa.select(office_directory).order_by(office_directory.c.id.desc()).limit(limit)
    if state:
        query = query.where(office_directory.c.state == state)
    with engine.connect() as conn:
        return [_entry(r) for r in conn.execute(query)]


def confirmed(engine: Engine) -> dict[tuple[str, str], Entry]:
    """The value in force per (office, field): the most recently confirmed one."""
    query = (sa.select(office_directory).where(office_directory.c.state == "confirmed")
             .order_by(office_directory.c.decided_at, office_directory.c.id))
    with engine.connect() as conn:
        return {(r.office_id, r.field): _entry(r) for r in conn.execute(query)}


def change_stamp(engine: Engine) -> tuple[int, int, str]:
    """Changes whenever an entry is added, confirmed or rejected: one cheap aggregate query."""
    query = sa.select(sa.func.count(), sa.func.max(office_directory.c.id), sa.func.max(office_directory.c.decided_at))
    with engine.connect() as conn:
        count, last_id, last_decision = conn.execute(query).one()
    return int(count or 0), int(last_id or 0), str(last_decision or "")
