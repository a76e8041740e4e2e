"""The office reference data (`content/offices.yml`): who is responsible for which place.

Only contact fields marked `verified: true` are ever returned for display.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Mapping

from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.places import Gazetteer, build_gazetteer
from lotse.language.languages import LANGUAGES
from lotse.language.messages import Messages

CONTACT_FIELDS = ("address", "phone", "email", "web", "form", "hours")  # form: the office's online form
STALE_AFTER_DAYS = 365  # a contact seen at its source longer ago than this is due for a new look
_AS_OF = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
OFFICE_KINDS = {"jobcenter", "jobcenter_kreis", "jugendamt", "agentur", "familienbuero", "bca", "kreisverwaltung"}


@dataclass(frozen=True)
class OfficeData:
    raw: Mapping[str, Any]

    @property
    def municipalities(self) -> dict[str, Mapping[str, Any]]:
        return {m["id"]: m for m in self.raw["municipalities"]}

    @property
    def offices(self) -> dict[str, Mapping[str, Any]]:
        return {o["id"]: o for o in self.raw["offices"]}

    @property
    def kita_portals(self) -> dict[str, Mapping[str, Any]]:
        return {p["id"]: p for p in self.raw.get("kita_portals") or []}

    @property
    def switchboard(self) -> Mapping[str, Any]:
        return self.offices[self.raw["switchboard"]]


def load_office_data(content_dir: Path) -> OfficeData:
    return OfficeData(load_yaml(Path(content_dir) / "offices.yml"))


_gazetteer_cache: dict[str, tuple[int, int, Gazetteer]] = {}


def load_gazetteer(content_dir: Path) -> Gazetteer:
    """The place gazetteer, rebuilt only when offices.yml or places_outside.yml changed on disk."""
    offices = load_yaml(Path(content_dir) / "offices.yml")
    outside = load_yaml(Path(content_dir) / "places_outside.yml")
    key = str(content_dir)
    cached = _gazetteer_cache.get(key)
    if cached and cached[0] == id(offices) and cached[1] == id(outside):
        return cached[2]
    gazetteer = build_gazetteer(offices["municipalities"], list(outside.get("places") or []))
    _gazetteer_cache[key] = (id(offices), id(outside), gazetteer)
    return gazetteer


def verified_contact(office: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The contact fields that may be shown: verified and with a value."""
    contact = office.get("contact") or {}
    return {
        name: field
        for name in CONTACT_FIELDS
        if (field := contact.get(name)) and field.get("verified") is True and field.get("value")
    }


def as_of_date(as_of: object) -> date | None:
    """The last day an `as_of` ("2021", "2026-03", "2026-11-24") can mean; None when it is no date.

    The last day, so that a value is called old only when it certainly is."""
    match = _AS_OF.fullmatch(str(as_of or "").strip())
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2] or 12), match[3]
    try:
        return date(year, month, int(day) if day else calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def as_of_text(as_of: object) -> str:
    """An `as_of` as users read it: "2021", "03/2026", "24.11.2026"."""
    match = _AS_OF.fullmatch(str(as_of or "").strip())
    if not match:
        return str(as_of or "")
    year, month, day = match.groups()
    if day:
        return f"{day}.{month}.{year}"
    return f"{month}/{year}" if month else year


def is_stale(as_of: object, today: date) -> bool:
    """True when the value was seen at its source more than 12 months before `today` (or has no date)."""
    seen = as_of_date(as_of)
    return seen is None or (today - seen).days > STALE_AFTER_DAYS


def source_label(source: object) -> str | None:
    """The site a source URL is on ("kreis-borken.de"); None for a source that is no URL
    (a phone call, a notice on the door: shown to users only as "the office's own information")."""
    match = re.match(r"https?://([^/?#:]+)", str(source or "").strip(), re.I)
    if not match:
        return None
    host = match[1].lower()
    return host[4:] if host.startswith("www.") else host


def contact_date_problems(raw: Mapping[str, Any], contacts: list[Mapping[str, Any]]) -> list[str]:
    """Every verified contact field (offices.yml, contacts.yml) without its source date (as_of), or
    with one that is no date: the bot shows each contact with the date it was seen at its source."""
    problems: list[str] = []
    for file, entries, nested in (("offices.yml", raw.get("offices") or [], True), ("contacts.yml", contacts, False)):
        for entry in entries:
            fields = (entry.get("contact") or {}) if nested else entry
            for name, f in fields.items():
                if not (isinstance(f, Mapping) and f.get("verified") is True):
                    continue
                if not f.get("as_of"):
                    problems.append(f"{file}: {entry.get('id')}.{name} is verified but has no source date (as_of)")
                elif as_of_date(f["as_of"]) is None:
                    problems.append(f"{file}: {entry.get('id')}.{name} has an as_of that is no date: {f['as_of']!r}")
    return problems


def _parse_time(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


def opening_status(hours_field: Mapping[str, Any], now: datetime, t: Messages) -> str | None:
    """'Jetzt geöffnet bis 12:30 Uhr.' / 'Öffnet wieder am Donnerstag um 08:00 Uhr.' or None.

    Only for verified hours; a day without verified hours is never guessed.
    """
    if not hours_field or hours_field.get("verified") is not True or not hours_field.get("value"):
        return None
    weekdays = t.items("weekdays")
    slots = hours_field["value"]
    complete = bool(hours_field.get("complete", False))
    known_days = {day for slot in slots for day in slot["days"]}
    now_t = now.time()
    for offset in range(0, 8):
        day_index = (now.weekday() + offset) % 7
        day = WEEKDAYS[day_index]
        if day not in known_days and not complete:
            return t("hours_none_today") if offset == 0 else t("hours_none_for_day", weekday=weekdays[day_index])
        today_slots = [s for s in slots if day in s["days"]]
        if offset == 0:
            for slot in today_slots:
                if _parse_time(slot["open"]) <= now_t < _parse_time(slot["close"]):
                    return t("hours_open_until", time=slot["close"])
        opens = sorted(
            _parse_time(s["open"]) for s in today_slots if offset > 0 or _parse_time(s["open"]) > now_t
        )
        if opens:
            time_text = opens[0].strftime("%H:%M")
            if offset == 0:
                return t("hours_opens_today", time=time_text)
            if offset == 1:
                return t("hours_opens_tomorrow", time=time_text)
            return t("hours_opens_on", weekday=weekdays[day_index], time=time_text)
    return None


def format_hours(hours_field: Mapping[str, Any], t: Messages) -> str:
    short = t.items("weekdays_short")
    parts = []
    for slot in hours_field["value"]:
        days = slot["days"]
        label = short[WEEKDAYS.index(days[0])] + (f"–{short[WEEKDAYS.index(days[-1])]}" if len(days) > 1 else "")
        parts.append(f"{label} {slot['open']}–{slot['close']}")
    text = ", ".join(parts)
    if not hours_field.get("complete", False):
        text += " " + t("hours_other_days_unknown")
    return text


EXPECTED_MUNICIPALITIES = {
    "ahaus", "bocholt", "borken", "gescher", "gronau", "heek", "heiden", "isselburg", "legden",
    "raesfeld", "reken", "rhede", "schoeppingen", "stadtlohn", "suedlohn", "velen", "vreden",
}


def validate_office_data(raw: Mapping[str, Any]) -> list[str]:
    """Schema and consistency checks for content/offices.yml (run by `make validate-offices`)."""
    from lotse.language.textnorm import fold

    problems: list[str] = []
    offices = {o.get("id"): o for o in raw.get("offices") or []}
    if raw.get("switchboard") not in offices:
        problems.append("switchboard must name an office")
    elif "phone" not in verified_contact(offices[raw["switchboard"]]):
        problems.append("the switchboard office needs a verified phone number")
    for office in raw.get("offices") or []:
        where = f"office {office.get('id')}"
        if office.get("kind") not in OFFICE_KINDS:
            problems.append(f"{where}: unknown kind {office.get('kind')!r}")
        if not office.get("name"):
            problems.append(f"{where}: no name")
        role = office.get("role")
        if role is not None and not (isinstance(role, Mapping) and all(role.get(lang) for lang in LANGUAGES)):
            problems.append(f"{where}: role needs a text in each language ({', '.join(LANGUAGES)})")
        for name, f in (office.get("contact") or {}).items():
            if name not in CONTACT_FIELDS:
                problems.append(f"{where}: unknown contact field {name}")
                continue
            if not isinstance(f, Mapping) or "verified" not in f:
                problems.append(f"{where}.{name}: needs value, verified, as_of, source")
                continue
            if f.get("verified") is True and not (f.get("value") and f.get("as_of") and f.get("source")):
                problems.append(f"{where}.{name}: verified fields need value, as_of and source")
            if name == "hours" and f.get("verified") is True:
                for slot in f["value"]:
                    if not set(slot.get("days") or []) <= set(WEEKDAYS):
                        problems.append(f"{where}.hours: unknown day in {slot}")
                    try:
                        if _parse_time(slot["open"]) >= _parse_time(slot["close"]):
                            problems.append(f"{where}.hours: opens after it closes: {slot}")
                    except (KeyError, ValueError):
                        problems.append(f"{where}.hours: bad times in {slot}")
    ids = [m.get("id") for m in raw.get("municipalities") or []]
    missing = EXPECTED_MUNICIPALITIES - set(ids)
    extra = set(ids) - EXPECTED_MUNICIPALITIES
    if missing:
        problems.append(f"municipalities missing: {sorted(missing)}")
    if extra:
        problems.append(f"unknown municipalities: {sorted(extra)}")
    seen_names: dict[str, str] = {}
    seen_codes: dict[str, str] = {}
    portals = {p.get("id") for p in raw.get("kita_portals") or []}
    for m in raw.get("municipalities") or []:
        mid = m.get("id")
        for key in ("jobcenter", "jugendamt", "agentur"):
            if m.get(key) not in offices:
                problems.append(f"municipality {mid}: {key} {m.get(key)!r} is not an office")
        if m.get("familienbuero") is not None and offices.get(m["familienbuero"], {}).get("kind") != "familienbuero":
            problems.append(f"municipality {mid}: familienbuero {m['familienbuero']!r} is not a Familienbüro")
        if m.get("jugendamt_area") not in {"ahaus", "bocholt", "borken", "gronau", "kreis"}:
            problems.append(f"municipality {mid}: bad jugendamt_area")
        if m.get("kita_portal") not in portals:
            problems.append(f"municipality {mid}: kita_portal {m.get('kita_portal')!r} unknown")
        if not m.get("postal_codes"):
            problems.append(f"municipality {mid}: no postal code")
        for code in m.get("postal_codes") or []:
            if str(code) in seen_codes:
                problems.append(f"postal code {code} in {mid} and {seen_codes[str(code)]}")
            seen_codes[str(code)] = mid
        for name in [m.get("name", "")] + list(m.get("districts") or []) + list(m.get("aliases") or []):
            key = fold(name)
            if key in seen_names and seen_names[key] != mid:
                problems.append(f"place {name!r} in {mid} and {seen_names[key]}")
            seen_names[key] = mid
    return problems
