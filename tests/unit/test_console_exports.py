"""Exports staff take out of the console: CSV, iCalendar, NLU corrections and test stories."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import yaml

from lotse.console.corrections import Correction, nlu_yaml
from lotse.console.queue import QueueItem, queue_csv, queue_ics
from lotse.console.stories import story_yaml
from lotse.console.transcripts import EventRow

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


def _item(reference: str, **kw) -> QueueItem:
    base = dict(id=1, reference=reference, conversation_id="c", office_id="jc_borken", municipality="borken", topic="Kita",
                phone="+491713920042", first_name="Mara", window_start=datetime(2026, 11, 24, 13, tzinfo=timezone.utc),
                window_end=datetime(2026, 11, 24, 15, tzinfo=timezone.utc), status="new", created_at=NOW, phone_purged=False)
    return QueueItem(**{**base, **kw})


def test_csv_has_local_times_and_never_runs_formulas():
    text = queue_csv([_item("K7M-4PX", topic="=HYPERLINK(\"http://x\")", first_name="+cmd")], ZoneInfo("Europe/Berlin"),
                     {"jc_borken": "Jobcenter der Stadt Borken"}, NOW)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Referenz", "Stelle", "Beginn"]
    assert rows[1][:4] == ["K7M-4PX", "Jobcenter der Stadt Borken", "24.11.2026 14:00", "24.11.2026 16:00"]
    assert rows[1][4] == "'+cmd" and rows[1][6].startswith("'=")
    assert rows[1][8] == "nein"


def _unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_icalendar_is_valid_escaped_and_folded():
    long_topic = "Kinderbetreuung; Randzeiten, Ferien und " + "sehr viel mehr " * 6
    ics = queue_ics([_item("K7M-4PX", topic=long_topic), _item("AC7-CEW", status="cancelled")], {"jc_borken": "Jobcenter Borken"}, NOW)
    assert all(len(line.encode("utf-8")) <= 75 for line in ics.split("\r\n"))
    lines = _unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert "UID:K7M-4PX@lotse" in lines and "DTSTART:20261124T130000Z" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:") and "K7M" in line)
    assert "Telefon: +491713920042" in description and "Kinderbetreuung\\; Randzeiten\\, Ferien" in description
    assert "STATUS:CANCELLED" in lines


def _correction(text: str, intent: str, state: str = "approved") -> Correction:
    return Correction(1, "c", 1, text, "nlu_fallback", intent, state, "r", NOW, "a")


def test_nlu_export_is_rasa_yaml_of_approved_corrections_only():
    exported = nlu_yaml([
        _correction("was kostet die kita", "ask_kita_kosten"),
        _correction("was kostet die kita", "ask_kita_kosten"),
        _correction("ruf mich an 0171 3920042", "request_callback"),
        _correction("abgelehnt", "greet", state="rejected"),
    ])
    data = yaml.safe_load(exported)
    assert data["version"] == "3.1"
    blocks = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert blocks == {"ask_kita_kosten": "- was kostet die kita\n", "request_callback": "- ruf mich an 0123 456789\n"}
    assert "3920042" not in exported


def _event(i: int, type_name: str, **data) -> EventRow:
    return EventRow(i, type_name, 1.0 + i, data)


def test_a_conversation_exports_as_a_test_story_without_personal_data():
    events = [
        _event(1, "action", name="action_session_start"),
        _event(2, "user", text="Ich heiße Mara, Nummer 0171 3920042", parse_data={"intent": {"name": "nlu_fallback"}}),
        _event(3, "action", name="utter_default"),
        _event(4, "slot", name="callback_phone", value="+491713920042"),
        _event(5, "active_loop", name="callback_form"),
        _event(6, "action", name="action_listen"),
    ]
    story = yaml.safe_load(story_yaml("Gespräch abc", events, corrected={2: "request_callback"}, names=["Mara"]))
    steps = story["stories"][0]["steps"]
    assert steps == [
        {"user": "Ich heiße Alex, Nummer 0123 456789", "intent": "request_callback"},
        {"action": "utter_default"},
        {"slot_was_set": [{"callback_phone": "0123 456789"}]},
        {"active_loop": "callback_form"},
    ]
