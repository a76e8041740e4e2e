"""The CSV export of the Kreis address book of the 17 jobcenters, read into directory proposals.

Columns (header row; names compared without case, umlauts and punctuation; `;` or `,` separated;
docs/console.md, "Stellenverzeichnis"):

    Gemeinde (required)   the town or municipality: its local jobcenter gets the row's values
    Strasse, PLZ, Ort     the address (or one column Anschrift/Adresse)
    Telefon, E-Mail, Oeffnungszeiten, Online-Formular, Internet
    Stand                 optional: the date of the row (YYYY-MM-DD); otherwise the export's date
    Quelle                optional: the row's source; otherwise the export's source

Every imported value is only a proposal; an administrator other than the importer confirms it.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from lotse.directory.store import Proposal, checked
from lotse.directory.values import EntryError
from lotse.language.textnorm import fold

MAX_ROWS = 200
HEADERS = {
    "gemeinde": "town", "kommune": "town", "stadt": "town", "stadtgemeinde": "town", "jobcenter": "town", "name": "town",
    "strasse": "street", "str": "street", "strassehausnummer": "street",
    "plz": "postcode", "postleitzahl": "postcode",
    "ort": "place",
    "anschrift": "address", "adresse": "address",
    "telefon": "phone", "tel": "phone", "telefonnummer": "phone", "rufnummer": "phone",
    "email": "email", "mail": "email", "emailadresse": "email",
    "oeffnungszeiten": "hours", "offnungszeiten": "hours", "sprechzeiten": "hours",
    "onlineformular": "form", "kontaktformular": "form", "formular": "form",
    "internet": "web", "homepage": "web", "webseite": "web", "url": "web", "website": "web", "internetseite": "web",
    "stand": "as_of", "datum": "as_of",
    "quelle": "source",
}
VALUE_FIELDS = ("address", "phone", "email", "hours", "form", "web")


@dataclass
class ImportResult:
    proposals: list[Proposal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # German, one per row and field that was left out


def _key(header: str) -> str:
    folded = fold(header or "").replace("ß", "ss")
    return re.sub(r"[^a-z]", "", folded.replace("ä", "a").replace("ö", "o").replace("ü", "u"))


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise EntryError("Die CSV-Datei ist leer.")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a NUL byte: not a text export
        raise EntryError("Die CSV-Datei konnte nicht gelesen werden.") from exc
    return rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]


def parse_address_book(
    text: str, jobcenter_of: Mapping[str, str], known_offices: set[str], as_of: str, source: str, today: date,
) -> ImportResult:
    """Proposals from an export; `jobcenter_of` maps a folded town name to its jobcenter's office id.

    A row whose town is unknown, or a value that does not pass the console's checks, is left out and
    named in `problems`; the other values of the file still come through."""
    header, rows = _rows(text)
    columns = {i: HEADERS.get(_key(h)) for i, h in enumerate(header)}
    if "town" not in columns.values():
        raise EntryError("Die CSV-Datei braucht eine Spalte „Gemeinde“ (die Stadt oder Gemeinde des Jobcenters).")
    if len(rows) > MAX_ROWS:
        raise EntryError(f"Zu viele Zeilen ({len(rows)}); erwartet sind die 17 Jobcenter.")
    result = ImportResult()
    for number, row in enumerate(rows, start=2):
        cells = {name: row[i].strip() for i, name in columns.items() if name and i < len(row) and row[i].strip()}
        office_id = jobcenter_of.get(fold(cells.get("town", "")))
        if office_id is None:
            result.problems.append(f"Zeile {number}: Gemeinde „{cells.get('town', '')}“ ist keine der 17 Städte und Gemeinden.")
            continue
        if "address" not in cells and "street" in cells:
            place = " ".join(p for p in (cells.get("postcode"), cells.get("place")) if p)
            cells["address"] = ", ".join(p for p in (cells["street"], place) if p)
        for name in VALUE_FIELDS:
            if name not in cells:
                continue
            proposal = Proposal(office_id, name, cells[name], cells.get("source") or source, cells.get("as_of") or as_of)
            try:
                result.proposals.append(checked(proposal, known_offices, today))
            except EntryError as exc:
                result.problems.append(f"Zeile {number} ({cells.get('town')}): {exc}")
    return result
