from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from lotse.callbacks.calendar import (
    Window,
    holiday_name,
    load_calendar_config,
    parse_calendar_config,
    upcoming_windows,
    window_from_key,
)
from tests.conftest import CONTENT

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def config():
    return load_calendar_config(CONTENT / "callbacks.yml")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def keys(windows: list[Window]) -> list[str]:
    return [w.key for w in windows]


def test_config_file(config):
    assert config.timezone == BERLIN
    assert config.lead_time == timedelta(minutes=120)
    assert config.horizon_days == 14
    assert config.capacity_per_window == 3
    assert config.spans_on(2) == ((time(8), time(10)), (time(10), time(12)))
    assert len(config.spans_on(3)) == 4
    assert config.spans_on(5) == () and config.spans_on(6) == ()


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 12, 25), "Erster Weihnachtstag"),
        (date(2026, 12, 26), "Zweiter Weihnachtstag"),
        (date(2027, 1, 1), "Neujahr"),
        (date(2026, 11, 1), "Allerheiligen"),  # NRW only
        (date(2027, 5, 27), "Fronleichnam"),  # NRW only
        (date(2027, 3, 29), "Ostermontag"),
        (date(2027, 3, 26), "Karfreitag"),
        (date(2026, 10, 31), None),  # Reformationstag: not in NRW
        (date(2026, 12, 24), None),  # Heiligabend is no public holiday
        (date(2026, 11, 24), None),
    ],
)
def test_holiday_name(day, name):
    assert holiday_name(day) == name


def test_upcoming_respects_lead_time(config):
    # 10:00 + 120 min = 12:00: the 10–12 window is too soon, 14–16 is the first
    assert keys(upcoming_windows(at(2026, 11, 24, 10, 0), config))[:3] == [
        "2026-11-24T14:00", "2026-11-25T08:00", "2026-11-25T10:00",
    ]
    # exactly the lead time is enough
    assert keys(upcoming_windows(at(2026, 11, 24, 8, 0), config))[0] == "2026-11-24T10:00"
    assert keys(upcoming_windows(at(2026, 11, 24, 8, 1), config))[0] == "2026-11-24T14:00"


def test_upcoming_respects_horizon(config):
    windows = upcoming_windows(at(2026, 11, 24, 10, 0), config)
    assert windows[-1].key == "2026-12-08T14:00"  # Tuesday two weeks ahead, not Wednesday 9.12.
    assert all(w.start.date() <= date(2026, 12, 8) for w in windows)
    # this week 1 (Tue) + 2 + 4 + 2, next week 3 + 3 + 2 + 4 + 2, then 3 (Mon 7.12.) + 3 (Tue 8.12.)
    assert len(windows) == 9 + 14 + 6


def test_upcoming_is_ordered_and_skips_weekends(config):
    windows = upcoming_windows(at(2026, 11, 24, 10, 0), config)
    starts = [w.start for w in windows]
    assert starts == sorted(starts)
    assert not [w for w in windows if w.start.weekday() >= 5]


@pytest.mark.parametrize(
    "now, holiday, first_key",
    [
        (at(2026, 12, 21, 10, 0), date(2026, 12, 25), "2026-12-21T14:00"),
        (at(2026, 10, 29, 18, 0), date(2026, 11, 1), "2026-10-30T08:00"),
        (at(2027, 5, 25, 18, 0), date(2027, 5, 27), "2027-05-26T08:00"),
        (at(2027, 3, 25, 18, 0), date(2027, 3, 29), "2027-03-30T08:00"),  # Karfreitag too
    ],
)
def test_upcoming_skips_holidays(config, now, holiday, first_key):
    windows = upcoming_windows(now, config)
    assert windows[0].key == first_key
    assert not [w for w in windows if w.start.date() == holiday]


def test_fronleichnam_2027_gap(config):
    days = sorted({w.start.date() for w in upcoming_windows(at(2027, 5, 25, 18, 0), config)})
    assert days[:3] == [date(2027, 5, 26), date(2027, 5, 28), date(2027, 5, 31)]


def test_now_in_another_timezone_is_converted(config):
    local = upcoming_windows(at(2026, 11, 24, 10, 0), config)
    assert upcoming_windows(datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc), config) == local


def test_naive_now_is_refused(config):
    with pytest.raises(ValueError):
        upcoming_windows(datetime(2026, 11, 24, 10, 0), config)


def test_summer_time_offsets(config):
    window = window_from_key("2027-06-01T08:00", config)
    assert window.start.utcoffset() == timedelta(hours=2)
    assert window.start.astimezone(timezone.utc).hour == 6
    assert window_from_key("2026-11-24T08:00", config).start.utcoffset() == timedelta(hours=1)


def test_lead_time_across_the_change_to_summer_time():
    # Sunday 28.3.2027, 02:00 -> 03:00. A Sunday window at 05:00 local is 3 real hours after 01:00.
    config = parse_calendar_config({"lead_time_minutes": 180, "horizon_days": 1, "capacity_per_window": 1,
                                    "windows": {"so": [["04:00", "05:00"], ["05:00", "06:00"]]}})
    assert keys(upcoming_windows(at(2027, 3, 28, 1, 0), config)) == ["2027-03-28T05:00"]


@pytest.mark.parametrize(
    "start, end, label",
    [
        (at(2026, 11, 26, 14, 0), at(2026, 11, 26, 16, 0), "Donnerstag, 26.11., 14–16 Uhr"),
        (at(2026, 11, 26, 14, 30), at(2026, 11, 26, 16, 0), "Donnerstag, 26.11., 14:30–16 Uhr"),
        (at(2026, 11, 30, 8, 0), at(2026, 11, 30, 10, 0), "Montag, 30.11., 8–10 Uhr"),
        (at(2027, 1, 4, 10, 0), at(2027, 1, 4, 11, 45), "Montag, 4.1., 10–11:45 Uhr"),
    ],
)
def test_label_de(start, end, label):
    assert Window(start, end).label_de() == label


def test_key():
    assert Window(at(2026, 11, 26, 14, 0), at(2026, 11, 26, 16, 0)).key == "2026-11-26T14:00"
    assert Window(at(2026, 11, 30, 8, 0), at(2026, 11, 30, 10, 0)).key == "2026-11-30T08:00"


def test_keys_round_trip(config):
    windows = upcoming_windows(at(2026, 12, 21, 10, 0), config)
    assert windows
    for window in windows:
        assert window_from_key(window.key, config) == window


@pytest.mark.parametrize(
    "key",
    [
        "2026-11-28T08:00",  # Saturday
        "2026-11-25T14:00",  # Wednesday afternoon
        "2026-11-26T09:00",  # not the start of a window
        "2026-12-25T08:00",  # holiday
        "2026-02-30T08:00",
        "2026-11-26T14:00:00",
        "2026-11-26 14:00",
        "",
        "garbage",
    ],
)
def test_window_from_key_rejects(config, key):
    assert window_from_key(key, config) is None


def test_window_from_key_accepts_a_past_window(config):
    # keys of stored callbacks must stay readable after their day
    window = window_from_key("2026-11-26T16:00", config)
    assert (window.start, window.end) == (at(2026, 11, 26, 16, 0), at(2026, 11, 26, 18, 0))


@pytest.mark.parametrize(
    "raw",
    [
        {"windows": {"montag": [["08:00", "10:00"]]}, "capacity_per_window": 1},
        {"windows": {"mo": [["10:00", "08:00"]]}, "capacity_per_window": 1},
        {"windows": {"mo": [["08:00", "10:00"], ["09:00", "11:00"]]}, "capacity_per_window": 1},
        {"windows": {"mo": [["8 Uhr", "10:00"]]}, "capacity_per_window": 1},
        {"windows": {"mo": [["08:00"]]}, "capacity_per_window": 1},
        {"windows": {}, "capacity_per_window": 0},
        {"timezone": "Europe/Nowhere", "capacity_per_window": 1},
        {"windows": {"mo": [[600, 720]]}, "capacity_per_window": 1},  # unquoted 10:00 in YAML
    ],
)
def test_invalid_config_is_refused(raw):
    with pytest.raises(ValueError):
        parse_calendar_config(raw)
