"""Figures for the dashboard (data access): conversations per day, top intents, fallback rate,
thumbs up/down, callbacks per office and status. Aggregated in SQL; no message text is read."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.console.transcripts import FALLBACK_INTENT, events_table
from lotse.database.schema import callbacks, feedback


@dataclass(frozen=True)
class Figures:
    per_day: list[tuple[date, int]]
    top_intents: list[tuple[str, int]]
    user_messages: int
    fallback_messages: int
    thumbs: dict[str, int]
    callbacks: dict[str, dict[str, int]]  # office -> status -> count

    @property
    def conversations(self) -> int:
        return sum(n for _, n in self.per_day)

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def conversations_per_day(tracker: Engine, start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, int]]:
    """Conversations counted on the local day of their first event in the period."""
    counts: Counter[date] = Counter()
    if sa.inspect(tracker).has_table("events"):
        query = (
            sa.select(sa.func.min(events_table.c.timestamp))
            .where(events_table.c.timestamp >= start.timestamp(), events_table.c.timestamp < end.timestamp())
            .group_by(events_table.c.sender_id)
        )
        with tracker.connect() as conn:
            for (first,) in conn.execute(query):
                counts[datetime.fromtimestamp(first, zone).date()] += 1
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [(day, counts.get(day, 0)) for day in days_between(start.astimezone(zone).date(), last)]


def intent_counts(tracker: Engine, start: datetime, end: datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not sa.inspect(tracker).has_table("events"):
        return counts
    query = (
        sa.select(events_table.c.intent_name, sa.func.count())
        .where(events_table.c.type_name == "user", events_table.c.timestamp >= start.timestamp(), events_table.c.timestamp < end.timestamp())
        .group_by(events_table.c.intent_name)
    )
    with tracker.connect() as conn:
        for intent, n in conn.execute(query):
            counts[intent or "(ohne)"] += n
    return counts


def thumbs(app: Engine, start: datetime, end: datetime) -> dict[str, int]:
    query = (
        sa.select(feedback.c.rating, sa.func.count())
        .where(feedback.c.created_at >= start, feedback.c.created_at < end)
        .group_by(feedback.c.rating)
    )
    with app.connect() as conn:
        found = {rating: n for rating, n in conn.execute(query)}
    return {"up": found.get("up", 0), "down": found.get("down", 0)}


def callbacks_by_office(app: Engine, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    query = (
        sa.select(callbacks.c.office_id, callbacks.c.status, sa.func.count())
        .where(callbacks.c.created_at >= start, callbacks.c.created_at < end)
        .group_by(callbacks.c.office_id, callbacks.c.status)
    )
    result: dict[str, dict[str, int]] = defaultdict(dict)
    with app.connect() as conn:
        for office, status, n in conn.execute(query):
            result[office][status] = n
    return dict(sorted(result.items()))


def figures(app: Engine, tracker: Engine, start: datetime, end: datetime, zone: ZoneInfo, top: int = 10) -> Figures:
    intents = intent_counts(tracker, start, end)
    return Figures(
        per_day=conversations_per_day(tracker, start, end, zone),
        top_intents=intents.most_common(top),
        user_messages=sum(intents.values()),
        fallback_messages=intents.get(FALLBACK_INTENT, 0),
        thumbs=thumbs(app, start, end),
        callbacks=callbacks_by_office(app, start, end),
    )
