"""Confirmed directory entries laid over content/offices.yml, as the bot's office answers read them.

The action server calls `OverlaySource.apply(data)` per request. It asks the database at most every
CHECK_EVERY_SECONDS whether anything changed (one aggregate query, `store.change_stamp`) and reads
the confirmed entries only then, so a confirmation in the console reaches the bot within seconds
without a restart. When the database cannot be read, the last entries read stay in force and
offices.yml alone applies until the first successful read.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

from sqlalchemy.engine import Engine

from lotse.core.settings import Settings
from lotse.database.engine import make_engine
from lotse.directory.store import Entry, change_stamp, confirmed
from lotse.directory.values import parse_hours
from lotse.knowledge.offices import OfficeData, is_stale, load_office_data

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 2.0


def field_from_entry(entry: Entry) -> dict[str, Any]:
    """A confirmed entry in the shape of an offices.yml contact field (verified: it was confirmed)."""
    value: Any = parse_hours(entry.value) if entry.field == "hours" else entry.value
    field: dict[str, Any] = {"value": value, "verified": True, "as_of": entry.as_of, "source": entry.source,
                             "origin": entry.origin, "confirmed_by": entry.decided_by}
    if entry.field == "hours":
        field["complete"] = entry.complete
    return field


def apply_entries(data: OfficeData, entries: Mapping[tuple[str, str], Entry]) -> OfficeData:
    """offices.yml with every confirmed entry in place of (or in addition to) its field.

    The loaded YAML stays untouched (it is cached and shared); entries for offices that are no
    longer in offices.yml are left out."""
    if not entries:
        return data
    by_office: dict[str, dict[str, Entry]] = {}
    for (office_id, field), entry in entries.items():
        by_office.setdefault(office_id, {})[field] = entry
    offices = []
    for office in data.raw.get("offices") or []:
        mine = by_office.get(office.get("id"))
        if mine:
            contact = dict(office.get("contact") or {})
            for field, entry in mine.items():
                try:
                    contact[field] = field_from_entry(entry)
                except ValueError:  # checked when proposed; a rule changed since: keep offices.yml
                    log.warning("directory entry %s no longer parses; offices.yml applies", entry.id)
            office = {**office, "contact": contact}
        offices.append(office)
    return OfficeData({**data.raw, "offices": offices})


@dataclass(frozen=True)
class StaleContact:
    office_id: str
    office_name: str
    field: str
    as_of: str
    origin: str  # "offices.yml", "console" or "csv"


def stale_contacts(data: OfficeData, today: date) -> list[StaleContact]:
    """Every contact value the bot shows that was seen at its source more than 12 months ago."""
    stale = []
    for office in data.raw.get("offices") or []:
        for field, f in (office.get("contact") or {}).items():
            if isinstance(f, Mapping) and f.get("verified") is True and f.get("value") and is_stale(f.get("as_of"), today):
                stale.append(StaleContact(office["id"], str(office.get("name") or office["id"]), field,
                                          str(f.get("as_of") or ""), str(f.get("origin") or "offices.yml")))
    return stale


class OverlaySource:
    """The confirmed entries of one database, re-read only when they changed (checked every few seconds)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic,
                 every: float = CHECK_EVERY_SECONDS) -> None:
        self.engine = engine
        self.clock = clock
        self.every = every
        self.entries: dict[tuple[str, str], Entry] = {}
        self._stamp: tuple[int, int, str] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._merged: tuple[Any, tuple[int, int, str] | None, OfficeData] | None = None

    def refresh(self) -> None:
        """Reads the entries again if the table changed and the last look is a few seconds old.
        Blocking (a database query): async callers run it in a worker thread."""
        with self._lock:
            now = self.clock()
            if now - self._checked_at < self.every:
                return
            self._checked_at = now
            try:
                stamp = change_stamp(self.engine)
                if stamp != self._stamp:
                    self.entries, self._stamp = confirmed(self.engine), stamp
            except Exception as error:  # database down: the last entries stay in force
                log.warning("office directory could not be read (%s); last entries stay", type(error).__name__)

    def apply(self, data: OfficeData) -> OfficeData:
        """`data` with the confirmed entries (refreshed first); the merge is cached per file and change."""
        self.refresh()
        merged = self._merged
        if merged and merged[0] is data.raw and merged[1] == self._stamp:
            return merged[2]
        result = apply_entries(data, self.entries)
        self._merged = (data.raw, self._stamp, result)
        return result


_sources: dict[str, OverlaySource] = {}
_sources_lock = threading.Lock()


def overlay_for(url: str, pool_size: int | None = None, max_overflow: int | None = None) -> OverlaySource:
    """One OverlaySource per database URL and process; the database is migrated on first use."""
    with _sources_lock:
        source = _sources.get(url)
        if source is None:
            from lotse.database.migrations import migrate

            migrate(url)
            source = _sources[url] = OverlaySource(make_engine(url, pool_size=pool_size, max_overflow=max_overflow))
        return source


def office_data_now(settings: Settings) -> OfficeData:
    """offices.yml with the directory entries confirmed in the console (re-read within seconds of a
    change), as the office answers and the callback texts of the action server read it; offices.yml
    alone when Lotse's database cannot be opened. Blocking."""
    data = load_office_data(settings.content_dir)
    try:
        return overlay_for(settings.callback_db_url, 1, 1).apply(data)  # one query every few seconds at most
    except Exception as error:  # the database is down at start: answer from offices.yml
        log.warning("office directory unavailable (%s); answering from offices.yml", type(error).__name__)
        return data
