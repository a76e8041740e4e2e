"""Understand a free-text callback time ("morgen nach 14 Uhr") and match it against the calendar.

The parser reads German; English and Ukrainian requests ("tomorrow after 2pm", "завтра після 14")
are first rewritten into German tokens by `lotse.callbacks.timewords.to_german` (German text passes unchanged).

The parser never guesses silently: a vague ("irgendwann", "nächsten Monat"), negated ("nicht
morgen") or contradictory request ("Dienstag oder Mittwoch", "vormittags um 15"), or a number it
cannot place, makes it give up, and `match` answers "unclear".

A requested time is an interval [earliest, latest) of local time; earliest == latest is a single
point in time ("um 10"), which a window must contain. Otherwise a window matches if it overlaps.
Hours are read like people say them: 1 to 6 mean the afternoon ("um 3" = 15 Uhr, "halb 3" = 14:30)
unless a morning word is present or the hour has a leading zero (nobody asks for a callback at
3 a.m.); with an afternoon or evening word, 1 to 11 mean p.m. ("abends um 7" = 19 Uhr).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from lotse.callbacks.calendar import (
    CalendarConfig,
    Window,
    clock_de,
    earliest_start,
    holiday_name,
    last_day,
    local_now,
    upcoming_windows,
    windows_on,
)
from lotse.callbacks.timewords import to_german
from lotse.language.messages import Messages, messages_for
from lotse.language.textnorm import edit_distance, fold

MAX_ALTERNATIVES = 3

# --- vocabulary (fold()-ed spellings) -------------------------------------------------------------

_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}
# "so" is left out: it is far more often "so gegen 10" than Sunday (see _Parser._try_so).
_WEEKDAY_ABBREVIATIONS = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5}
_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marz": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}
_FUZZY_MIN_LENGTH = 6  # shorter words are too close to each other ("juni"/"juli") for typo tolerance

_MORNING = (time(8), time(12))
_PARTS_OF_DAY = {
    "vormittags": _MORNING, "vormittag": _MORNING, "morgens": _MORNING, "fruh": _MORNING,
    "fruhmorgens": _MORNING,
    "mittags": (time(11), time(14)), "mittag": (time(11), time(14)),
    "nachmittags": (time(12), time(18)), "nachmittag": (time(12), time(18)),
    "abends": (time(18), time(22)), "abend": (time(18), time(22)),
    "nachts": (time(22), time(23, 59)), "nacht": (time(22), time(23, 59)),
}
# A clock time said with a part of the day must lie in this (looser) range: "morgens um 7" is 7 Uhr,
# "vormittags um 15" a contradiction.
_POINT_BOUNDS = {
    _MORNING: (time(0), time(12)),
    _PARTS_OF_DAY["abends"]: (time(17), time(23, 59)),
    _PARTS_OF_DAY["nachts"]: (time(20), time(23, 59)),
}
_RELATIVE_DAYS = {"vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "ubermorgen": 2}

_ASAP_PHRASES = sorted(
    (
        ("so", "schnell"), ("so", "bald"), ("so", "fruh", "wie", "moglich"), ("sobald", "wie", "moglich"),
        ("moglichst", "schnell"), ("moglichst", "bald"), ("moglichst", "fruh"), ("egal", "wann"),
        ("wann", "immer"), ("zu", "jeder", "zeit"), ("ab", "sofort"), ("schnellstmoglich",),
        ("baldmoglichst",), ("baldigst",), ("fruhestmoglich",), ("asap",), ("egal",), ("jederzeit",),
        ("sofort",), ("schnellstens",), ("beliebig",),
    ),
    key=len,
    reverse=True,
)
_VAGUE = frozenset({
    "irgendwann", "monat", "monate", "monaten", "monats", "woche", "wochen", "jahr", "jahre", "jahren",
    "spater", "spat", "bald", "demnachst", "nicht", "nie", "niemals", "kein", "keine", "keinen",
    "keinem", "ausser", "ausgenommen", "anfang", "anfangs", "mitte", "ende", "viertel",
    "dreiviertel", "sonst", "alternativ", "notfalls", "entweder",
    "schlecht", "ungunstig", "unpassend", "verhindert", "belegt",  # "morgen ist schlecht"
})
_NEXT = frozenset({"nachste", "nachsten", "nachster", "nachstes", "kommende", "kommenden", "kommender", "kommendes"})
_THIS = frozenset({"diese", "diesen", "dieser", "dieses"})
_AFTER_NEXT = frozenset({"ubernachste", "ubernachsten", "ubernachster", "ubernachstes"})

_POINT_PREPS = frozenset({"um", "gegen", "ca", "circa", "etwa", "ungefahr"})
_FROM_PREPS = frozenset({"ab", "nach", "fruhestens", "von"})
_UNTIL_PREPS = frozenset({"vor", "bis", "spatestens"})
_TO = frozenset({"bis"})
_BETWEEN_JOINERS = frozenset({"bis", "und"})

_NUMBER_WORDS = {
    "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8,
    "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
}
_COUNT_WORDS = {"ein": 1, "einem": 1, "einer": 1, "einen": 1, **_NUMBER_WORDS}

# Placeholders for numbers with punctuation, which fold() would strip: t<h>h<m> a clock time,
# d<d>m<m>[y<y>] a date, a<x>p<y> "x.y" that is a date or a time depending on context.
_TIME_TOKEN = re.compile(r"^t(\d{1,2})h(\d{2})$")
_DATE_TOKEN = re.compile(r"^d(\d{1,2})m(\d{1,2})(?:y(\d{2}|\d{4}))?$")
_AMBIGUOUS_TOKEN = re.compile(r"^a(\d{1,2})p(\d{2})$")

_PRE_RANGE = re.compile(r"(?<=\d)\s*[-–—]\s*(?=\d)")
_PRE_DATE = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?![\d:])")
_PRE_COLON = re.compile(r"(?<![\d.:])(\d{1,2})(?::|h(?=\d{2}\b))(\d{2})(?![\d:])")
_PRE_DOTTED_UHR = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{2})(?=\s*(?:uhr|h)\b)")
_PRE_DOTTED = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{2})(?![\d.:])")
_PRE_H = re.compile(r"(?<=\d)\s?h\b")


# --- results --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimeRequest:
    day: date | None
    earliest: time | None
    latest: time | None
    asap: bool = False


@dataclass(frozen=True)
class WeekdayOn:
    """"Mittwochs" / "On Wednesdays" / "По середах"."""

    weekday: int


@dataclass(frozen=True)
class Spans:
    """"von 9 bis 12 und von 14 bis 16"."""

    spans: tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class MatchResult:
    # "ok" | "unclear" | "past" | "holiday" | "no_window_that_day" | "no_window_at_that_time"
    # | "beyond_horizon" | "too_soon"
    status: str
    windows: list[Window]
    message_key: str  # a text of content/messages.yml, rendered in the user's language
    values: dict[str, Any] = field(default_factory=dict)

    def message(self, t: Messages) -> str:
        return t(self.message_key, **{name: _render(value, t) for name, value in self.values.items()})

    @property
    def message_de(self) -> str:
        return self.message(messages_for("de"))


def _render(value: Any, t: Messages) -> Any:
    if isinstance(value, Window):
        return value.label(t)
    if isinstance(value, WeekdayOn):
        return t.items("weekdays_on")[value.weekday]
    if isinstance(value, Spans):
        return t("time_span_join").join(t("time_span", start=clock_de(a), end=clock_de(b)) for a, b in value.spans)
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        if minutes % 60:
            return t("duration_minutes", n=minutes)
        return t("duration_hour") if minutes == 60 else t("duration_hours", n=minutes // 60)
    if isinstance(value, time):
        return clock_de(value)
    return value


# --- normalisation --------------------------------------------------------------------------------

def _date_placeholder(match: re.Match[str]) -> str:
    day, month, year = match.group(1), match.group(2), match.group(3)
    if not 1 <= int(month) <= 12:
        # "um 14.30." at the end of a sentence: not a date
        return f" a{day}p{month} " if len(month) == 2 and not year else match.group(0)
    return f" d{int(day)}m{int(month)}" + (f"y{year}" if year else "") + " "


def normalise(text: str) -> list[str]:
    """fold()-ed tokens, with clock times and dates kept as placeholders."""
    text = to_german(text or "").lower()
    text = _PRE_RANGE.sub(" bis ", text)
    text = _PRE_DATE.sub(_date_placeholder, text)
    text = _PRE_COLON.sub(r" t\1h\2 ", text)
    text = _PRE_DOTTED_UHR.sub(r" t\1h\2 ", text)
    text = _PRE_DOTTED.sub(r" a\1p\2 ", text)
    text = _PRE_H.sub(" uhr", text)
    return fold(text).split()


# --- parser ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    twelve_hour: bool  # 1–12 without a leading zero: may be meant on a 12-hour clock


@dataclass
class _Findings:
    dates: list[date] = field(default_factory=list)
    weekdays: list[tuple[int, bool]] = field(default_factory=list)  # (weekday, strictly after today)
    week_offsets: list[int] = field(default_factory=list)
    points: list[_Clock] = field(default_factory=list)
    lows: list[_Clock] = field(default_factory=list)
    highs: list[_Clock] = field(default_factory=list)
    parts: list[tuple[time, time]] = field(default_factory=list)
    fixed_lows: list[time] = field(default_factory=list)
    fixed_highs: list[time] = field(default_factory=list)
    asap: bool = False
    unclear: bool = False

    @property
    def understood(self) -> bool:
        return bool(self.dates or self.weekdays or self.week_offsets or self.points or self.lows
                    or self.highs or self.parts or self.fixed_lows or self.fixed_highs or self.asap)


def _weekday(token: str) -> tuple[int, tuple[time, time] | None] | None:
    """Weekday and, for compounds like "dienstagnachmittag", the part of the day."""
    if token in _WEEKDAY_ABBREVIATIONS:
        return _WEEKDAY_ABBREVIATIONS[token], None
    for name, number in _WEEKDAYS.items():
        if token in (name, name + "s"):
            return number, None
        if token.startswith(name):
            rest = token[len(name):]
            rest = rest[1:] if rest.startswith("s") and rest[1:] in _PARTS_OF_DAY else rest
            if rest == "morgen":
                return number, _MORNING
            if rest in _PARTS_OF_DAY:
                return number, _PARTS_OF_DAY[rest]
    if len(token) >= _FUZZY_MIN_LENGTH:
        for name, number in _WEEKDAYS.items():
            if edit_distance(token, name, 1) <= 1 or edit_distance(token, name + "s", 1) <= 1:
                return number, None
    return None


def _month(token: str) -> int | None:
    if token in _MONTHS:
        return _MONTHS[token]
    if len(token) >= _FUZZY_MIN_LENGTH:
        for name, number in _MONTHS.items():
            if len(name) >= _FUZZY_MIN_LENGTH and edit_distance(token, name, 1) <= 1:
                return number
    return None


def _next_occurrence(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _explicit_date(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _next_occurrence(day, month, today)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full_year, month, day)
    except ValueError:
        return None


class _Parser:
    def __init__(self, tokens: list[str], today: date) -> None:
        self.tokens = tokens
        self.today = today
        self.found = _Findings()
        self.anchor = -1  # index right after the last day or part-of-day expression ("morgen 10")
        self.day_anchor = -1  # index right after the last day expression ("Dienstag morgen")

    def tok(self, index: int) -> str | None:
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    # Each _try_* looks at position i and returns the index after what it consumed, or None.

    def run(self) -> _Findings:
        steps = (
            self._try_asap, self._try_negation, self._try_vague, self._try_or, self._try_so,
            self._try_week, self._try_in_days, self._try_relative_day, self._try_weekday,
            self._try_weekend, self._try_date, self._try_part_of_day, self._try_preposition,
            self._try_bare_clock,
        )
        i = 0
        while i < len(self.tokens) and not self.found.unclear:
            for step in steps:
                after = step(i)
                if after is not None:
                    i = after
                    break
            else:
                token = self.tokens[i]
                if any(ch.isdigit() for ch in token) or _month(token) is not None:
                    self.found.unclear = True  # a number or month we could not place
                i += 1
        return self.found

    def _try_asap(self, i: int) -> int | None:
        for phrase in _ASAP_PHRASES:
            if tuple(self.tokens[i:i + len(phrase)]) == phrase:
                self.found.asap = True
                return i + len(phrase)
        return None

    def _try_negation(self, i: int) -> int | None:
        if self.tok(i) != "nicht":
            return None
        following = self.tok(i + 1)
        skip = 1 if self.tok(i + 2) == "als" else 0
        if following in ("vor", "fruher"):
            return self._time_after_preposition(i + 2 + skip, "from", strict=True)
        if following in ("nach", "spater"):
            return self._time_after_preposition(i + 2 + skip, "until", strict=True)
        return None

    def _try_vague(self, i: int) -> int | None:
        if self.tokens[i] in _VAGUE:
            self.found.unclear = True
            return i + 1
        return None

    def _try_or(self, i: int) -> int | None:
        if self.tokens[i] != "oder":
            return None
        if self.tok(i + 1) in (None, "so", "ahnlich"):  # "um 10 oder so"
            return i + 2
        self.found.unclear = True
        return i + 1

    def _try_so(self, i: int) -> int | None:
        if self.tokens[i] != "so":
            return None
        following = self.tok(i + 1)
        if len(self.tokens) == 1 or (following and _DATE_TOKEN.match(following)):
            self._add_weekday(6, strict=False, end=i + 1)
        return i + 1

    def _add_weekday(self, weekday: int, strict: bool, end: int) -> None:
        self.found.weekdays.append((weekday, strict))
        self.day_anchor = self.anchor = end

    def _try_week(self, i: int) -> int | None:
        token, following = self.tokens[i], self.tok(i + 1)
        if token in _NEXT | _THIS | _AFTER_NEXT and following == "woche":
            self.found.week_offsets.append(1 if token in _NEXT else 0 if token in _THIS else 2)
            return i + 2
        weekday = _weekday(following) if following else None
        if weekday is None:
            return None
        if token in _NEXT:
            self._add_weekday(weekday[0], strict=True, end=i + 2)
        elif token in _THIS:
            self._add_weekday(weekday[0], strict=False, end=i + 2)
        elif token in _AFTER_NEXT:
            delta = (weekday[0] - self.today.weekday()) % 7 or 7
            self.found.dates.append(self.today + timedelta(days=delta + 7))
            self.day_anchor = self.anchor = i + 2
        else:
            return None
        if weekday[1]:
            self.found.parts.append(weekday[1])
        return i + 2

    def _try_in_days(self, i: int) -> int | None:
        if self.tokens[i] != "in":
            return None
        count_token, unit = self.tok(i + 1), self.tok(i + 2)
        count = int(count_token) if count_token and count_token.isdigit() else _COUNT_WORDS.get(count_token or "")
        days_per_unit = {"tag": 1, "tagen": 1, "tage": 1, "woche": 7, "wochen": 7}.get(unit or "")
        if count is None or days_per_unit is None:
            return None
        self.found.dates.append(self.today + timedelta(days=count * days_per_unit))
        self.day_anchor = self.anchor = i + 3
        return i + 3

    def _try_relative_day(self, i: int) -> int | None:
        token = self.tokens[i]
        if token not in _RELATIVE_DAYS:
            return None
        # "Dienstag morgen", "heute morgen", "am Morgen": the morning, not tomorrow
        if token == "morgen" and (self.day_anchor == i or self.tok(i - 1) == "am"):
            self.found.parts.append(_MORNING)
            self.anchor = i + 1
            return i + 1
        self.found.dates.append(self.today + timedelta(days=_RELATIVE_DAYS[token]))
        self.day_anchor = self.anchor = i + 1
        return i + 1

    def _try_weekday(self, i: int) -> int | None:
        weekday = _weekday(self.tokens[i])
        if weekday is None:
            return None
        self._add_weekday(weekday[0], strict=False, end=i + 1)
        if weekday[1]:
            self.found.parts.append(weekday[1])
        return i + 1

    def _try_weekend(self, i: int) -> int | None:
        if self.tokens[i] != "wochenende":
            return None
        delta = 0 if self.today.weekday() >= 5 else 5 - self.today.weekday()
        self.found.dates.append(self.today + timedelta(days=delta))
        self.day_anchor = self.anchor = i + 1
        return i + 1

    def _try_date(self, i: int) -> int | None:
        token = self.tokens[i]
        if match := _DATE_TOKEN.match(token):
            day = _explicit_date(int(match.group(1)), int(match.group(2)), match.group(3), self.today)
            return self._add_date(day, i + 1)
        if (match := _AMBIGUOUS_TOKEN.match(token)) and self.tok(i - 1) in ("am", "den"):
            return self._add_date(_explicit_date(int(match.group(1)), int(match.group(2)), None, self.today), i + 1)
        following = self.tok(i + 1)
        if token.isdigit() and len(token) <= 2 and following and (month := _month(following)):
            year_token = self.tok(i + 2)
            year = year_token if year_token and year_token.isdigit() and len(year_token) == 4 else None
            end = i + 3 if year else i + 2
            return self._add_date(_explicit_date(int(token), month, year, self.today), end)
        return None

    def _add_date(self, day: date | None, end: int) -> int:
        if day is None:
            self.found.unclear = True  # "31.11." or the like
        else:
            self.found.dates.append(day)
            self.day_anchor = self.anchor = end
        return end

    def _try_part_of_day(self, i: int) -> int | None:
        part = _PARTS_OF_DAY.get(self.tokens[i])
        if part is None:
            return None
        self.found.parts.append(part)
        self.anchor = i + 1
        return i + 1

    def _clock_at(self, i: int) -> tuple[_Clock, int] | None:
        token = self.tok(i)
        if token is None:
            return None
        clock: _Clock | None = None
        end = i + 1
        if match := (_TIME_TOKEN.match(token) or _AMBIGUOUS_TOKEN.match(token)):
            hour_text = match.group(1)
            hour = int(hour_text)
            clock = _Clock(hour, int(match.group(2)), 1 <= hour <= 12 and not hour_text.startswith("0"))
        elif token.isdigit() and len(token) <= 2:
            clock = _Clock(int(token), 0, 1 <= int(token) <= 12 and not token.startswith("0"))
        elif token in _NUMBER_WORDS:
            hour = _NUMBER_WORDS[token]
            clock = _Clock(hour, 0, 1 <= hour <= 12)
        elif token == "halb":
            inner = self._clock_at(i + 1)
            if inner is None or inner[0].minute:
                return None
            hour = (inner[0].hour - 1) % 24
            return _Clock(hour, 30, inner[0].twelve_hour and hour >= 1), inner[1]
        if clock is None:
            return None
        if self.tok(end) == "uhr":
            end += 1
            minutes = self.tok(end)
            if clock.minute == 0 and minutes and minutes.isdigit() and len(minutes) == 2:
                clock, end = _Clock(clock.hour, int(minutes), clock.twelve_hour), end + 1
        if self.tok(end) in ("rum", "herum"):
            end += 1
        return clock, end

    def _range_from(self, first: _Clock, j: int, joiners: frozenset[str]) -> int | None:
        if self.tok(j) not in joiners:
            return None
        second = self._clock_at(j + 1)
        if second is None:
            return None
        self.found.lows.append(first)
        self.found.highs.append(second[0])
        return second[1]

    def _time_after_preposition(self, j: int, kind: str, strict: bool = False) -> int | None:
        """A clock time after "um"/"ab"/"bis"…; strict: the words before it require one."""
        if kind != "point" and self.tok(j) in _POINT_PREPS:
            j += 1  # "frühestens um 10", "bis ca. 12"
        if self.tok(j) in ("dem", "der") and self.tok(j + 1) in ("mittag", "mittags"):
            j += 1  # "nach dem Mittag"
        following = self.tok(j)
        if following in ("mittag", "mittags"):
            if kind == "point":
                self.found.parts.append(_PARTS_OF_DAY["mittag"])
            else:
                (self.found.fixed_lows if kind == "from" else self.found.fixed_highs).append(time(12))
            return j + 1
        clock = self._clock_at(j)
        if clock is None:
            if strict:
                self.found.unclear = True
                return j
            return None
        after = self._range_from(clock[0], clock[1], _TO)
        if after is not None:
            return after
        {"point": self.found.points, "from": self.found.lows, "until": self.found.highs}[kind].append(clock[0])
        return clock[1]

    def _starts_day(self, j: int) -> bool:
        token = self.tok(j)
        if token is None:
            return False
        following = self.tok(j + 1)
        return (
            token in _RELATIVE_DAYS or token in _NEXT or token in _THIS or token in _AFTER_NEXT
            or token == "wochenende" or _weekday(token) is not None or bool(_DATE_TOKEN.match(token))
            or (token.isdigit() and following is not None and _month(following) is not None)
        )

    def _try_preposition(self, i: int) -> int | None:
        token = self.tokens[i]
        if token == "zwischen":
            first = self._clock_at(i + 1)
            after = self._range_from(first[0], first[1], _BETWEEN_JOINERS) if first else None
            if after is None:
                self.found.unclear = True
                return i + 1
            return after
        kinds = {"point": _POINT_PREPS, "from": _FROM_PREPS, "until": _UNTIL_PREPS}
        kind = next((name for name, words in kinds.items() if token in words), None)
        if kind is None:
            return None
        after = self._time_after_preposition(i + 1, kind)
        if after is not None:
            return after
        if self._starts_day(i + 1) and token not in ("ab", "von", "um"):
            self.found.unclear = True  # "bis Freitag", "nach Montag": a span of days
        return i + 1

    def _try_bare_clock(self, i: int) -> int | None:
        token = self.tokens[i]
        clock = self._clock_at(i)
        if clock is None:
            return None
        after = self._range_from(clock[0], clock[1], _TO)
        if after is not None:
            return after
        dotted = _AMBIGUOUS_TOKEN.match(token)
        # "10.30" cannot be a date, "3.12" could be either
        explicit = (bool(_TIME_TOKEN.match(token)) or token == "halb" or self.tok(i + 1) == "uhr"
                    or bool(dotted and int(dotted.group(2)) > 12))
        if explicit or (self.anchor == i and token.isdigit()):
            self.found.points.append(clock[0])
            return clock[1]
        return None


# --- resolving findings into a request ------------------------------------------------------------

def _resolve_day(found: _Findings, today: date) -> tuple[bool, date | None]:
    """(ok, day); ok is False for contradictory day information."""
    dates = set(found.dates)
    weekdays = {weekday for weekday, _ in found.weekdays}
    strict = any(is_strict for _, is_strict in found.weekdays)
    if len(set(found.week_offsets)) > 1 or len(weekdays) > 1:
        return False, None
    if found.week_offsets:
        if len(weekdays) != 1:
            return False, None  # "nächste Woche" without a day
        monday = today - timedelta(days=today.weekday())
        dates.add(monday + timedelta(days=7 * found.week_offsets[0] + next(iter(weekdays))))
    if len(dates) > 1:
        return False, None
    if dates:
        day = next(iter(dates))
        return (not weekdays or day.weekday() in weekdays), day
    if weekdays:
        delta = (next(iter(weekdays)) - today.weekday()) % 7
        if strict and delta == 0:
            delta = 7
        return True, today + timedelta(days=delta)
    return True, None


def _to_time(clock: _Clock, part: tuple[time, time] | None) -> time | None:
    hour = clock.hour
    if clock.twelve_hour and hour < 12:
        if part is not None and part[0] >= time(12):
            hour += 12
        elif part != _MORNING and hour <= 6:
            hour += 12
    if not (0 <= hour <= 23 and 0 <= clock.minute <= 59):
        return None
    return time(hour, clock.minute)


def _resolve_time(found: _Findings) -> tuple[bool, time | None, time | None]:
    """(ok, earliest, latest); ok is False for contradictory or impossible times."""
    parts = set(found.parts)
    if len(parts) > 1:
        return False, None, None
    part = next(iter(parts), None)
    converted = [[_to_time(c, part) for c in clocks] for clocks in (found.points, found.lows, found.highs)]
    if any(t is None for group in converted for t in group):
        return False, None, None
    points, lows, highs = ([t for t in group if t is not None] for group in converted)
    lows += found.fixed_lows
    highs += found.fixed_highs
    if len(set(points)) > 1:
        return False, None, None
    if points:
        point = points[0]
        if any(low > point for low in lows) or any(high < point for high in highs):
            return False, None, None
        if any(not low <= point <= high for low, high in (_POINT_BOUNDS.get(part, part) for part in parts)):
            return False, None, None
        return True, point, point
    lows += [low for low, _ in parts]
    highs += [high for _, high in parts]
    earliest, latest = (max(lows) if lows else None), (min(highs) if highs else None)
    if earliest is not None and latest is not None and earliest >= latest:
        return False, None, None
    return True, earliest, latest


def parse_time_request(text: str, today: date) -> TimeRequest | None:
    """What the user asked for, or None if nothing (or nothing unambiguous) was understood."""
    found = _Parser(normalise(text), today).run()
    if found.unclear or not found.understood:
        return None
    day_ok, day = _resolve_day(found, today)
    time_ok, earliest, latest = _resolve_time(found)
    if not (day_ok and time_ok):
        return None
    return TimeRequest(day=day, earliest=earliest, latest=latest, asap=found.asap)


# --- matching -------------------------------------------------------------------------------------

def fits_time(window: Window, request: TimeRequest) -> bool:
    start, end = window.start.time(), window.end.time()
    if request.earliest is not None and request.earliest == request.latest:
        return start <= request.earliest < end
    if request.earliest is not None and end <= request.earliest:
        return False
    if request.latest is not None and start >= request.latest:
        return False
    return True


def _alternatives(upcoming: list[Window], request: TimeRequest, day: date | None, keep_day: bool) -> list[Window]:
    """The next windows worth offering instead: same day or same time of day first."""
    fitting = [w for w in upcoming if fits_time(w, request)]
    tiers: list[list[Window]] = []
    if day is not None:
        preferred = {w for w in fitting if w.start.date() >= day}
        if keep_day:
            preferred |= {w for w in upcoming if w.start.date() == day}
        tiers.append(sorted(preferred, key=lambda w: w.start))
    tiers.append(fitting)
    if day is not None:
        tiers.append([w for w in upcoming if w.start.date() >= day])
    tiers.append(upcoming)
    return next((tier[:MAX_ALTERNATIVES] for tier in tiers if tier), [])


def _day_de(day: date, today: date) -> str:
    """"25.12.", with the year if it is not this year's: "1.11." may have been read as next year's."""
    return f"{day.day}.{day.month}." + (f"{day.year}" if day.year != today.year else "")


def _hours_of_day(weekday: int, config: CalendarConfig) -> tuple[str, dict[str, Any]]:
    spans = config.spans_on(weekday)
    on_day = {"on_weekday": WeekdayOn(weekday)}
    if all(end <= time(12) for _, end in spans):
        return "time_only_mornings", on_day
    if all(start >= time(12) for start, _ in spans):
        return "time_only_afternoons", on_day
    merged: list[list[time]] = []
    for start, end in spans:
        if merged and merged[-1][1] == start:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return "time_hours_that_day", {**on_day, "spans": Spans(tuple((a, b) for a, b in merged))}


def _no_time_message(config: CalendarConfig) -> tuple[str, dict[str, Any]]:
    spans = [span for day in config.windows for span in day]
    if not spans:
        return "time_no_windows_configured", {}
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    return "time_not_at_that_hour", {"first": first, "last": last}


def _ok(found: list[Window]) -> MatchResult:
    return MatchResult("ok", found, "time_fits" if len(found) == 1 else "time_fits_next", {"window": found[0]})


def match(text: str, now: datetime, config: CalendarConfig) -> MatchResult:
    today = local_now(now, config).date()
    upcoming = upcoming_windows(now, config)
    request = parse_time_request(text, today)
    if request is None:
        return MatchResult("unclear", upcoming[:MAX_ALTERNATIVES], "time_unclear")

    day = request.day
    if day is None:
        found = [w for w in upcoming if fits_time(w, request)]
        if found:
            return _ok(found)
        alternatives = _alternatives(upcoming, request, None, keep_day=False)
        return MatchResult("no_window_at_that_time", alternatives, *_no_time_message(config))

    def refuse(status: str, key: str, values: dict[str, Any] | None = None, keep_day: bool = False) -> MatchResult:
        return MatchResult(status, _alternatives(upcoming, request, day, keep_day), key, values or {})

    if day < today:
        return refuse("past", "time_past")
    if name := holiday_name(day):
        return refuse("holiday", "time_holiday", {"day": _day_de(day, today), "name": name})
    if not config.spans_on(day.weekday()):
        if day.weekday() >= 5 and not (config.spans_on(5) or config.spans_on(6)):
            return refuse("no_window_that_day", "time_no_weekends")
        return refuse("no_window_that_day", "time_not_that_day", {"on_weekday": WeekdayOn(day.weekday())})
    if day > last_day(now, config):
        return refuse("beyond_horizon", "time_beyond_horizon", {"days": config.horizon_days})

    at_time = [w for w in windows_on(day, config) if fits_time(w, request)]
    if not at_time:
        key, values = _hours_of_day(day.weekday(), config)
        return refuse("no_window_at_that_time", key, values, keep_day=True)
    earliest = earliest_start(now, config)
    found = [w for w in at_time if w.start >= earliest]
    if not found:
        if day == today and not any(w.start.date() == today for w in upcoming):
            return refuse("too_soon", "time_none_left_today", keep_day=True)
        return refuse("too_soon", "time_too_soon", {"lead": config.lead_time}, keep_day=True)
    return _ok(found)
