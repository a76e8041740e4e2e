"""Dated facts (`content/facts.yml`): amounts and rules with the days they are valid, and the
placeholders that put the value valid on the day of an answer into the answer's text.

    Die Grenze liegt bei {minijob_limit} im Monat{minijob_limit.change}.
      on 2026-12-07 (de): "Die Grenze liegt bei 603 € im Monat (ab 01.01.2027: 633 €)."
      on 2027-01-02 (de): "Die Grenze liegt bei 633 € im Monat."

Placeholders (docs/content-guide.md, "Dated facts"):
  {x}         the value valid on the day, in the language's number format (a U value with its hedge)
  {x.since}   the first day of that value          {x.until}  its last day (or the last day of the last known value)
  {x.last}    the latest value that started on or before the day (for texts on a value that ended)
  {x.change}  " (ab 01.01.2027: 633 €)" when a later value is known, " (ab 01.01.2027: noch nicht
              festgelegt)" when the value ends without a known successor, otherwise nothing
  {literal: 573 €}  a deliberate literal amount (e.g. a wrong figure the answer warns about)

A text that shows {x} or {x.since} of a fact with no value on the day (it ended and its successor
is not known) is replaced by the answer's `unknown_text`, which says so and what applied until then.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import yaml

from lotse.core.settings import Settings, load_settings
from lotse.core.yamlfiles import load_yaml
from lotse.language.languages import LANGUAGES
from lotse.language.numbers import format_number

FACTS_FILE = "facts.yml"
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)(?:\.([A-Za-z_]+))?\}")
LITERAL = re.compile(r"\{literal:\s*([^{}]*?)\s*\}")
ATTRIBUTES = ("", "since", "until", "last", "change")
# Attributes that need a value on the day; a text using them of a fact without one gets `unknown_text`.
CURRENT_ATTRIBUTES = ("", "since")
CONFIDENCES = ("O", "S", "U")  # facts-update-2026-12.md's legend; NF has no value, so no period
UNITS = {"eur": " €", "number": ""}
LABELS = ("unconfirmed", "change", "change_unknown")
ID = re.compile(r"[a-z][a-z0-9_]*")


class FactError(ValueError):
    """A placeholder that cannot be rendered on a day (make check-content reports it first)."""


@dataclass(frozen=True)
class FactSource:
    url: str
    date: str  # as the source gives it: "2025-10-07", "2026-01", "undated"


@dataclass(frozen=True)
class Period:
    value: Decimal
    valid_from: date
    valid_until: date | None
    confidence: str
    sources: tuple[FactSource, ...]
    note: str = ""
    # For a U value: how the text hedges it, per language (default: labels.unconfirmed).
    hedge: Mapping[str, str] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Fact:
    id: str
    title: str
    unit: str
    periods: tuple[Period, ...]

    def on(self, day: date) -> Period | None:
        """The value valid on `day`; None before the first and after the last known value."""
        return next((p for p in self.periods if p.covers(day)), None)

    def latest(self, day: date) -> Period | None:
        """The latest value that started on or before `day` (valid or ended)."""
        started = [p for p in self.periods if p.valid_from <= day]
        return started[-1] if started else None

    def upcoming(self, day: date) -> Period | None:
        """The next value known to start after `day`."""
        return next((p for p in self.periods if p.valid_from > day), None)

    def changes(self) -> set[date]:
        """Every day on which what this fact says changes (a value starts, or one ended the day before)."""
        days = {p.valid_from for p in self.periods}
        return days | {p.valid_until + timedelta(days=1) for p in self.periods if p.valid_until}


@dataclass(frozen=True)
class Facts:
    facts: Mapping[str, Fact] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Answers that still state € amounts literally (not yet moved to dated facts).
    literal_amounts: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _period(raw: Mapping[str, Any]) -> Period:
    try:
        value = Decimal(str(raw["value"]))
    except InvalidOperation as exc:
        raise ValueError(f"value {raw.get('value')!r} is no number") from exc
    if not raw.get("valid_from"):
        raise ValueError(f"value {raw.get('value')!r} has no valid_from: every value needs the first day it is valid")
    until = raw.get("valid_until")
    return Period(
        value=value,
        valid_from=_day(raw["valid_from"]),
        valid_until=_day(until) if until else None,
        confidence=str(raw.get("confidence", "")),
        sources=tuple(FactSource(str(s["url"]), str(s.get("date") or "undated")) for s in raw.get("sources") or []),
        note=str(raw.get("note") or ""),
        hedge=dict(raw.get("hedge") or {}),
    )


def parse_facts(data: Mapping[str, Any]) -> Facts:
    """The facts of one facts.yml document; what cannot be read goes to `problems`."""
    facts: dict[str, Fact] = {}
    problems: list[str] = []
    for fact_id, raw in (data.get("facts") or {}).items():
        try:
            facts[str(fact_id)] = Fact(
                id=str(fact_id),
                title=str(raw.get("title") or ""),
                unit=str(raw.get("unit") or "eur"),
                periods=tuple(_period(p) for p in raw.get("periods") or []),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{FACTS_FILE}: {fact_id}: cannot read fact: {exc}")
    labels = {str(k): dict(v or {}) for k, v in (data.get("labels") or {}).items()}
    return Facts(facts, labels, frozenset(str(a) for a in data.get("literal_amounts") or []), tuple(problems))


def load_facts(content_dir: Path) -> Facts:
    """content/facts.yml (no file: no facts)."""
    path = Path(content_dir) / FACTS_FILE
    if not path.exists():
        return Facts()
    try:
        data = load_yaml(path) or {}
    except yaml.YAMLError as error:
        return Facts(problems=(f"{FACTS_FILE}: cannot be read: {error}",))
    return parse_facts(data)


def answer_day(settings: Settings | None = None) -> date:
    """The day answers are given for: LOTSE_ANSWER_DATE when set (previews), otherwise today in LOTSE_TIMEZONE."""
    settings = settings or load_settings()
    if settings.answer_date:
        return date.fromisoformat(settings.answer_date)
    return datetime.now(ZoneInfo(settings.timezone)).date()


def date_text(day: date) -> str:
    """A day as every language of Lotse writes it in answers (as in the footer): 01.01.2027."""
    return day.strftime("%d.%m.%Y")


def value_text(fact: Fact, period: Period, lang: str, facts: Facts) -> str:
    """A value with its unit in `lang`'s format; a U value with its hedge in brackets."""
    text = format_number(period.value, lang) + UNITS.get(fact.unit, "")
    if period.confidence == "U":
        hedge = period.hedge.get(lang) or facts.labels.get("unconfirmed", {}).get(lang, "")
        text += f" ({hedge})"
    return text


def references(text: str) -> list[tuple[str, str]]:
    """Every placeholder of `text` as (fact id, attribute)."""
    return [(m.group(1), m.group(2) or "") for m in PLACEHOLDER.finditer(text)]


def without_placeholders(text: str, keep_literals: bool = False) -> str:
    """`text` with every placeholder removed, and the deliberate literals too (or only their marks):
    what editors wrote literally."""
    return PLACEHOLDER.sub("", LITERAL.sub(lambda m: m.group(1) if keep_literals else "", text))


def lacks_value(text: str, facts: Facts, day: date) -> bool:
    """True when `text` shows the current value of a fact that has none on `day`."""
    return any(
        attr in CURRENT_ATTRIBUTES and fact_id in facts.facts and facts.facts[fact_id].on(day) is None
        for fact_id, attr in references(text)
    )


def render(text: str, facts: Facts, lang: str, day: date) -> str:
    """`text` with every placeholder replaced by what it says on `day` in `lang` (FactError if it cannot)."""

    def one(match: re.Match[str]) -> str:
        fact_id, attr = match.group(1), match.group(2) or ""
        fact = facts.facts.get(fact_id)
        if fact is None:
            raise FactError(f"unknown fact {{{fact_id}}}")
        current, latest, upcoming = fact.on(day), fact.latest(day), fact.upcoming(day)
        if attr == "":
            if current is None:
                raise FactError(f"{fact_id} has no value on {day.isoformat()}")
            return value_text(fact, current, lang, facts)
        if attr == "since":
            if current is None:
                raise FactError(f"{fact_id} has no value on {day.isoformat()}")
            return date_text(current.valid_from)
        if attr == "until":
            if latest is None or latest.valid_until is None:
                raise FactError(f"{fact_id}.until: the value on {day.isoformat()} has no end date")
            return date_text(latest.valid_until)
        if attr == "last":
            if latest is None:
                raise FactError(f"{fact_id}.last: no value started by {day.isoformat()}")
            return value_text(fact, latest, lang, facts)
        if attr == "change":
            if upcoming is not None:
                template = facts.labels.get("change", {}).get(lang, "")
                return template.format(since=date_text(upcoming.valid_from), value=value_text(fact, upcoming, lang, facts))
            if current is not None and current.valid_until is not None:
                template = facts.labels.get("change_unknown", {}).get(lang, "")
                return template.format(since=date_text(current.valid_until + timedelta(days=1)))
            return ""
        raise FactError(f"unknown placeholder {{{fact_id}.{attr}}}")

    return LITERAL.sub(lambda m: m.group(1), PLACEHOLDER.sub(one, text))


def dated_text(text: str, unknown_text: str | None, facts: Facts, lang: str, day: date) -> str:
    """What a user reads on `day`: `text`, or `unknown_text` when `text` shows a value that has ended
    without a known successor (FactError when there is no unknown_text)."""
    if lacks_value(text, facts, day):
        if not unknown_text:
            raise FactError(f"a fact has no value on {day.isoformat()} and the answer has no unknown_text ({lang})")
        return render(unknown_text, facts, lang, day)
    return render(text, facts, lang, day)


def check_days(facts: Facts, fact_ids: Iterable[str], today: date) -> list[date]:
    """The days on which texts using `fact_ids` must render: today and every later change. Between
    two changes a text says the same, so these days cover every future day."""
    days = {today}
    for fact_id in fact_ids:
        if fact_id in facts.facts:
            days.update(d for d in facts.facts[fact_id].changes() if d > today)
    return sorted(days)


def placeholder_problems(text: str, facts: Facts) -> list[str]:
    """Placeholders that name no fact or no attribute."""
    problems = []
    for fact_id, attr in references(text):
        if fact_id not in facts.facts:
            problems.append(f"unknown fact {{{fact_id}}}")
        elif attr not in ATTRIBUTES:
            problems.append(f"unknown placeholder {{{fact_id}.{attr}}} (use one of {', '.join('.' + a for a in ATTRIBUTES if a)})")
    return problems


def fact_problems(facts: Facts) -> list[str]:
    """The rules of the facts file: ids, units, periods in order without overlap, a confidence and a
    source for every value, every label and hedge in every language."""
    problems = list(facts.problems)
    for name in LABELS:
        for lang in LANGUAGES:
            if not str(facts.labels.get(name, {}).get(lang) or "").strip():
                problems.append(f"{FACTS_FILE}: labels.{name}: no {lang} text")
    for fact in facts.facts.values():
        where = f"{FACTS_FILE}: {fact.id}"
        if not ID.fullmatch(fact.id):
            problems.append(f"{where}: id must be snake_case")
        if fact.unit not in UNITS:
            problems.append(f"{where}: unit {fact.unit!r} is not one of {', '.join(UNITS)}")
        if not fact.title.strip():
            problems.append(f"{where}: no title")
        if not fact.periods:
            problems.append(f"{where}: no value")
        previous: Period | None = None
        for p in fact.periods:
            span = f"{where} from {p.valid_from.isoformat()}"
            if p.valid_until and p.valid_until < p.valid_from:
                problems.append(f"{span}: valid_until is before valid_from")
            if previous and (previous.valid_until is None or previous.valid_until >= p.valid_from):
                problems.append(f"{span}: overlaps the value before (give that one a valid_until before this valid_from)")
            if p.confidence not in CONFIDENCES:
                problems.append(f"{span}: confidence {p.confidence!r} is not one of {', '.join(CONFIDENCES)}")
            if not p.sources or any(not s.url.startswith(("https://", "http://")) for s in p.sources):
                problems.append(f"{span}: every value needs at least one source URL")
            if p.hedge and set(p.hedge) != set(LANGUAGES):
                problems.append(f"{span}: hedge needs a text in every language ({', '.join(LANGUAGES)})")
            previous = p
    return problems


def changes_within(facts: Facts, today: date, days: int = 60) -> list[str]:
    """content-report's lines: every fact whose value ends or changes in the next `days` days."""
    lines = []
    horizon = today + timedelta(days=days)
    for fact in facts.facts.values():
        for change in sorted(d for d in fact.changes() if today < d <= horizon):
            before, after = fact.on(change - timedelta(days=1)), fact.on(change)
            old = value_text(fact, before, "de", facts) if before else "kein Wert"
            new = value_text(fact, after, "de", facts) + f" [{after.confidence}]" if after else "NOT KNOWN (answers show unknown_text)"
            lines.append(f"  {fact.id:32} {change.isoformat()}: {old} -> {new}")
    return lines


def unconfirmed(facts: Facts) -> list[str]:
    """content-report's lines: every value still marked U."""
    return [
        f"  {fact.id:32} {format_number(p.value, 'de')}{UNITS.get(fact.unit, '')} from {p.valid_from.isoformat()} [U] {p.note}".rstrip()
        for fact in facts.facts.values()
        for p in fact.periods
        if p.confidence == "U"
    ]
