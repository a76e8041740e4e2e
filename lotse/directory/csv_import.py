"""The CSV export of the Kreis address book of the 17 jobcenters, read into directory proposals.

Columns (header row; names compared without case, umlauts, spaces and punctuation; `;` or `,`
separated): exactly the names and aliases of COLUMNS, as docs/console.md ("Stellenverzeichnis") lists
them. A column with another name is not read and is named in the result's problems, as is a second
column for the same field.

    Gemeinde (required)   the town or municipality: its local jobcenter gets the row's values
    Strasse, PLZ, Ort     the address (or one column Anschrift)
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
# field -> (the column's name, its aliases), each compared as _key() folds it.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "town": ("Gemeinde", ("Kommune", "Stadt", "Stadtgemeinde", "Jobcenter", "Name")),
    "street": ("Strasse", ("Straße", "Str", "Straße Hausnummer")),
    "postcode": ("PLZ", ("Postleitzahl",)),
    "place": ("Ort", ()),
    "address": ("Anschrift", ("Adresse",)),
    "phone": ("Telefon", ("Tel", "Telefonnummer", "Rufnummer")),
    "email": ("E-Mail", ("Mail", "E-Mail-Adresse")),
    "hours": ("Oeffnungszeiten", ("Öffnungszeiten", "Sprechzeiten")),
    "form": ("Online-Formular", ("Kontaktformular", "Formular")),
    "web": ("Internet", ("Homepage", "Webseite", "Website", "Internetseite", "URL")),
    "as_of": ("Stand", ("Datum",)),
    "source": ("Quelle", ()),
}
VALUE_FIELDS = ("address", "phone", "email", "hours", "form", "web")


@dataclass
class ImportResult:
    proposals: list[Proposal] = field(default_factory=list)
    # German, one per column that was not read and per row and field that was left out
    problems: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)  # header names as written in the file


def _key(header: str) -> str:
    folded = fold(header or "").replace("ß", "ss")
    return re.sub(r"[^a-z]", "", folded.replace("ä", "a").replace("ö", "o").replace("ü", "u"))


HEADERS: dict[str, str] = {
    _key(name): fld for fld, (column, aliases) in COLUMNS.items() for name in (column, *aliases)
}
KNOWN = ", ".join(f"„{column}“" for column, _ in COLUMNS.values())


def _columns(header: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Column index -> field for the columns that are read; the names not read; what to tell the admin."""
    columns: dict[int, str] = {}
    unknown: list[str] = []
    problems: list[str] = []
    first: dict[str, str] = {}
    for i, raw in enumerate(header, start=1):
        name = raw.strip()
        fld = HEADERS.get(_key(name))
        if not name:
            problems.append(f"Spalte {i} hat keine Überschrift und wurde nicht gelesen.")
        elif fld is None:
            unknown.append(name)
            problems.append(f"Spalte {i} „{name}“ ist unbekannt und wurde nicht gelesen (bekannte Spalten: {KNOWN}; "
                            "Schreibweisen: docs/console.md).")
        elif fld in first:
            problems.append(f"Spalte {i} „{name}“ meint dasselbe wie „{first[fld]}“ und wurde nicht gelesen.")
        else:
            first[fld] = name
            columns[i - 1] = fld
    return columns, unknown, problems


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
    columns, unknown, column_problems = _columns(header)
    if "town" not in columns.values():
        named = f" Unbekannte Spalten: {', '.join(f'„{u}“' for u in unknown)}." if unknown else ""
        raise EntryError("Die CSV-Datei braucht eine Spalte „Gemeinde“ (die Stadt oder Gemeinde des Jobcenters)." + named)
    if len(rows) > MAX_ROWS:
        raise EntryError(f"Zu viele Zeilen ({len(rows)}); erwartet sind die 17 Jobcenter.")
    result = ImportResult(problems=column_problems, unknown_columns=unknown)
    for number, row in enumerate(rows, start=2):
        cells = {name: row[i].strip() for i, name in columns.items() if i < len(row) and row[i].strip()}
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
