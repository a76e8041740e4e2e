"""Callback time windows (`content/callbacks.yml`): which windows exist and which can still be offered.

A window is offered if it is configured for its weekday, its day is no public holiday in NRW,
it starts at least `lead_time_minutes` after now and its day is at most `horizon_days` ahead.
Capacity (callbacks per window and office) is checked by the booking store, not here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from lotse.core.yamlfiles import load_yaml

WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
KEY_FORMAT = "%Y-%m-%dT%H:%M"
_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

Span = tuple[time, time]

if TYPE_CHECKING:
    from lotse.language.messages import Messages


def clock_de(value: time) -> str:
    """14:00 -> "14", 14:30 -> "14:30", 08:00 -> "8"."""
    return f"{value.hour}" if value.minute == 0 else f"{value.hour}:{value.minute:02d}"


@dataclass(frozen=True)
class Window:
    start: datetime  # timezone-aware, in the calendar's timezone
    end: datetime

    @property
    def key(self) -> str:
        return self.start.strftime(KEY_FORMAT)

    def label_de(self) -> str:
        """"Donnerstag, 26.11., 14–16 Uhr"."""
        from lotse.language.messages import messages_for

        return self.label(messages_for("de"))

    def label(self, t: "Messages") -> str:
        day = self.start.date()
        return t(
            "window_label",
            weekday=t.items("weekdays")[day.weekday()],
            day=day.day,
            month=day.month,
            start=clock_de(self.start.time()),
            end=clock_de(self.end.time()),
        )


@dataclass(frozen=True)
class CalendarConfig:
    timezone: ZoneInfo
    lead_time: timedelta
    horizon_days: int
    capacity_per_window: int
    windows: tuple[tuple[Span, ...], ...]  # index 0 = Monday … 6 = Sunday, each sorted by start

    def spans_on(self, weekday: int) -> tuple[Span, ...]:
        return self.windows[weekday]


def _parse_clock(value: Any, where: str) -> time:
    match = _CLOCK.match(str(value).strip())
    if not match:
        # unquoted 10:00 reaches us as 600: YAML 1.1 reads it as a base-60 number
        raise ValueError(f"{where}: {value!r} is not a time like \"08:00\" (in quotes)")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_spans(raw: Any, where: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for item in raw or []:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"{where}: each window is [\"HH:MM\", \"HH:MM\"], got {item!r}")
        start, end = _parse_clock(item[0], where), _parse_clock(item[1], where)
        if start >= end:
            raise ValueError(f"{where}: window {item!r} ends before it starts")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise ValueError(f"{where}: windows overlap")
    return tuple(spans)


def parse_calendar_config(raw: Mapping[str, Any]) -> CalendarConfig:
    try:
        zone = ZoneInfo(str(raw.get("timezone") or "Europe/Berlin"))
    except ZoneInfoNotFoundError as exc:
        raise ValueError(f"callbacks.yml: unknown timezone {raw.get('timezone')!r}") from exc
    windows = raw.get("windows") or {}
    unknown = set(windows) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"callbacks.yml: unknown weekday(s) {sorted(unknown)}, use {', '.join(WEEKDAYS)}")
    numbers = {name: int(raw.get(name, 0)) for name in ("lead_time_minutes", "horizon_days", "capacity_per_window")}
    if numbers["lead_time_minutes"] < 0 or numbers["horizon_days"] < 0 or numbers["capacity_per_window"] < 1:
        raise ValueError(f"callbacks.yml: invalid numbers {numbers}")
    return CalendarConfig(
        timezone=zone,
        lead_time=timedelta(minutes=numbers["lead_time_minutes"]),
        horizon_days=numbers["horizon_days"],
        capacity_per_window=numbers["capacity_per_window"],
        windows=tuple(_parse_spans(windows.get(day), f"callbacks.yml windows.{day}") for day in WEEKDAYS),
    )


def load_calendar_config(path: Path) -> CalendarConfig:
    return parse_calendar_config(load_yaml(Path(path)) or {})


@lru_cache(maxsize=16)
def _holidays_of(year: int) -> Mapping[date, str]:
    return dict(holidays.country_holidays("DE", subdiv="NW", years=year, language="de"))


def holiday_name(day: date) -> str | None:
    """The German name of a public holiday in NRW ("Erster Weihnachtstag"), else None."""
    return _holidays_of(day.year).get(day)


def windows_on(day: date, config: CalendarConfig) -> list[Window]:
    """The windows configured for this day's weekday, holidays and lead time not considered."""
    zone = config.timezone
    return [
        Window(datetime.combine(day, start, tzinfo=zone), datetime.combine(day, end, tzinfo=zone))
        for start, end in config.spans_on(day.weekday())
    ]


def window_from_key(key: str, config: CalendarConfig) -> Window | None:
    """The window a key stands for, if it is configured on that day and the day is no holiday."""
    match = _KEY.match(key or "")
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
        start = time(int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    if holiday_name(day):
        return None
    return next((w for w in windows_on(day, config) if w.start.time() == start), None)


def local_now(now: datetime, config: CalendarConfig) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(config.timezone)


def earliest_start(now: datetime, config: CalendarConfig) -> datetime:
    # In UTC on purpose: adding a timedelta to a local time is wall-clock arithmetic (wrong across a
    # DST change), and two datetimes with the same tzinfo are compared by wall clock as well.
    return now.astimezone(timezone.utc) + config.lead_time


def last_day(now: datetime, config: CalendarConfig) -> date:
    return local_now(now, config).date() + timedelta(days=config.horizon_days)


def upcoming_windows(now: datetime, config: CalendarConfig) -> list[Window]:
    today = local_now(now, config).date()
    earliest = earliest_start(now, config)
    result: list[Window] = []
    for offset in range(config.horizon_days + 1):
        day = today + timedelta(days=offset)
        if holiday_name(day):
            continue
        result.extend(w for w in windows_on(day, config) if w.start >= earliest)
    return result
