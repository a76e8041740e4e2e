"""Checks of one contact value as an administrator enters it (German messages, safe to show), and
the text form of opening hours ("Mo–Mi 08:00–12:30; Do 08:00–18:00") turned into offices.yml slots."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from lotse.knowledge.offices import WEEKDAYS

FIELDS = ("address", "phone", "email", "hours", "form", "web")
FIELD_LABELS = {
    "address": "Anschrift", "phone": "Telefon", "email": "E-Mail", "hours": "Öffnungszeiten",
    "form": "Online-Formular", "web": "Internetseite",
}
_PHONE = re.compile(r"\+?[0-9][0-9 ()/\-–]{4,40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLOT = re.compile(
    r"(?P<first>[a-z]{2})\s*(?:[-–]\s*(?P<last>[a-z]{2}))?\s+(?P<open>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<close>\d{1,2}[:.]\d{2})", re.I
)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class EntryError(ValueError):
    """German, safe to show."""


def _printable(text: str) -> str:
    """The text, if it holds no control characters (PostgreSQL refuses NUL in text; none belong here)."""
    if _CONTROL.search(text or ""):
        raise EntryError("Die Angabe enthält unzulässige Steuerzeichen.")
    return text or ""


def _time(text: str) -> str:
    hours, minutes = re.split(r"[:.]", text)
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise EntryError(f"„{text}“ ist keine Uhrzeit.")
    return f"{int(hours):02d}:{minutes}"


def parse_hours(text: str) -> list[dict[str, Any]]:
    """Opening hours in the console's text form as offices.yml slots.

    One span per part, parts separated by ";" or a new line: "Mo–Mi 08:00–12:30", "Do 14:00-18:00".
    Days: Mo Di Mi Do Fr Sa So."""
    slots: list[dict[str, Any]] = []
    for part in re.split(r"[;\n]", text or ""):
        part = part.strip().rstrip(",")
        if not part:
            continue
        match = _SLOT.fullmatch(part.replace("Uhr", "").strip())
        if not match:
            raise EntryError(f"Öffnungszeiten: „{part}“ nicht verstanden. Bitte so: „Mo–Mi 08:00–12:30; Do 14:00–18:00“.")
        first, last = match["first"].lower(), (match["last"] or match["first"]).lower()
        if first not in WEEKDAYS or last not in WEEKDAYS or WEEKDAYS.index(first) > WEEKDAYS.index(last):
            raise EntryError(f"Öffnungszeiten: unbekannte Tage in „{part}“ (Mo, Di, Mi, Do, Fr, Sa, So).")
        opens, closes = _time(match["open"]), _time(match["close"])
        if opens >= closes:
            raise EntryError(f"Öffnungszeiten: „{part}“ schließt, bevor es öffnet.")
        days = list(WEEKDAYS[WEEKDAYS.index(first): WEEKDAYS.index(last) + 1])
        slots.append({"days": days, "open": opens, "close": closes})
    if not slots:
        raise EntryError("Bitte geben Sie die Öffnungszeiten an.")
    return slots


def check_value(field: str, value: str) -> str:
    """The value, trimmed, if it fits its field; EntryError otherwise."""
    value = _printable(value.replace("\r\n", "\n") if value else "")
    value = " ".join(value.split()) if field != "hours" else value.strip()
    if field not in FIELDS:
        raise EntryError("Unbekanntes Feld.")
    if not value:
        raise EntryError(f"Bitte geben Sie {FIELD_LABELS[field]} an.")
    if field == "phone" and not (_PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 5):
        raise EntryError("Telefon: Bitte nur die Nummer, z. B. „02871 953-735“.")
    if field == "email" and not _EMAIL.fullmatch(value):
        raise EntryError("E-Mail: Das ist keine E-Mail-Adresse.")
    if field in ("web", "form") and not _URL.fullmatch(value):
        raise EntryError(f"{FIELD_LABELS[field]}: Bitte die vollständige Adresse mit https://.")
    if field == "address" and not re.search(r"[A-Za-zÄÖÜäöüß]{3}.*\b\d{5}\s+[A-Za-zÄÖÜäöüß]", value):
        raise EntryError("Anschrift: Bitte mit Postleitzahl und Ort, z. B. „Burloer Straße 93, 46325 Borken“.")
    if field == "hours":
        parse_hours(value)
    return value


def check_source(source: str) -> str:
    """Where the value was seen: a URL, or a short description ("Telefonat mit dem Jobcenter", "Aushang")."""
    source = " ".join(_printable(source).split())
    if len(source) < 4:
        raise EntryError("Bitte geben Sie die Quelle an: eine Internetadresse oder z. B. „Telefonat mit …“ oder „Aushang“.")
    if source.lower().startswith(("http:", "https:", "www.")) and not _URL.fullmatch(source):
        raise EntryError("Quelle: Bitte die vollständige Internetadresse mit https://.")
    return source[:500]


def check_as_of(text: str, today: date) -> str:
    """The day the value was seen at its source (YYYY-MM-DD, as a date field sends it), not in the future."""
    text = _printable(text).strip()
    if not _DATE.fullmatch(text):
        raise EntryError("Bitte geben Sie an, wann die Angabe an der Quelle gesehen wurde (Datum).")
    try:
        seen = date.fromisoformat(text)
    except ValueError as exc:
        raise EntryError("Das Datum gibt es nicht.") from exc
    if seen > today:
        raise EntryError("Das Datum liegt in der Zukunft.")
    return text
