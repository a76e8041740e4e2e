"""The columns the address-book CSV import reads: exactly those docs/console.md lists, and every
other column named to the administrator instead of silently dropped."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from lotse.directory.csv_import import HEADERS, parse_address_book
from lotse.directory.values import EntryError
from lotse.knowledge.offices import load_office_data
from lotse.language.textnorm import fold
from tests.conftest import CONTENT

DOCS = Path(__file__).resolve().parents[2] / "docs" / "console.md"
TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def office_data():
    return load_office_data(CONTENT)


def parse(text: str, office_data):
    jobcenters = {fold(m["name"]): m["jobcenter"] for m in office_data.municipalities.values()}
    return parse_address_book(text, jobcenters, set(office_data.offices), "2026-12-01", "Aushang im Rathaus", TODAY)


def documented_columns() -> list[str]:
    """Every column name and alias in docs/console.md's CSV table (the backticked names of its first two cells)."""
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("| column | aliases | meaning |"):].split("\n\n", 1)[0]
    names = []
    for row in table.splitlines()[2:]:
        cells = row.split("|")[1:3]
        names += [n for cell in cells for n in re.findall(r"`([^`]+)`", cell)]
    return names


def test_the_documented_columns_are_exactly_the_ones_read():
    from lotse.directory.csv_import import _key

    documented = documented_columns()
    assert "Gemeinde" in documented and "E-Mail-Adresse" in documented
    assert {_key(name) for name in documented} == set(HEADERS)


def test_unknown_columns_are_named_and_the_known_ones_still_read(office_data):
    result = parse("Gemeinde;Fax;Telefon;;Ansprechpartner\nStadtlohn;02563 111;02563 87-0;x;Frau Muster\n", office_data)
    assert [(p.office_id, p.field, p.value) for p in result.proposals] == [("jc_stadtlohn", "phone", "02563 87-0")]
    assert result.unknown_columns == ["Fax", "Ansprechpartner"]
    assert any(p.startswith("Spalte 2 „Fax“ ist unbekannt und wurde nicht gelesen") for p in result.problems), result.problems
    assert any(p.startswith("Spalte 5 „Ansprechpartner“ ist unbekannt") for p in result.problems)
    assert "Spalte 4 hat keine Überschrift und wurde nicht gelesen." in result.problems
    assert all("Frau Muster" not in p.value for p in result.proposals)


def test_a_second_column_for_the_same_field_is_named_and_the_first_one_read(office_data):
    result = parse("Gemeinde,Telefon,Tel\nVreden,02564 303-0,02564 999\n", office_data)
    assert [p.value for p in result.proposals] == ["02564 303-0"]
    assert "Spalte 3 „Tel“ meint dasselbe wie „Telefon“ und wurde nicht gelesen." in result.problems


def test_the_source_column_is_read(office_data):
    """'Quelle' folds to 'qulle': the alias must be compared in the same folded form."""
    result = parse("Gemeinde;Telefon;Quelle\nHeek;02568 93-0;https://www.heek.de/rathaus\n", office_data)
    assert [(p.field, p.source) for p in result.proposals] == [("phone", "https://www.heek.de/rathaus")]
    assert result.problems == []


def test_without_a_town_column_the_refusal_names_the_unknown_columns(office_data):
    with pytest.raises(EntryError, match="Unbekannte Spalten: „Ortsname“, „Fax“"):
        parse("Ortsname;Fax;Telefon\nHeek;1;02568 93-0\n", office_data)
