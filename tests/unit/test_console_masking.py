"""Personal data in chat text is masked for staff and scrubbed from training exports."""
from __future__ import annotations

import pytest

from lotse.console.masking import has_personal_data, mask_slot_value, masked_text, pseudonym, scrub_for_training


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("Rufen Sie mich an: 0171 3920042", "0171 3920042"),
        ("meine nummer +49 (171) 392-00-42 bitte", "+49 (171) 392-00-42"),
        ("Tel 02861/123456", "02861/123456"),
        ("Mail an mara.beispiel@example.org", "mara.beispiel@example.org"),
        ("IBAN DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("BG-Nummer 123456789", "123456789"),
        ("Ich heiße Mara und habe zwei Kinder", "Mara"),
        ("ich heisse mara", "mara"),
        ("Mein Name ist Mara Beispiel.", "Mara Beispiel"),
    ],
)
def test_personal_data_is_masked(text, hidden):
    shown = masked_text(text)
    assert hidden not in shown
    assert "[" in shown and has_personal_data(text)


@pytest.mark.parametrize(
    "text",
    ["Termin am 26.11.2026 um 14:00", "Ich wohne in 46325 Borken", "Mein Code ist K7M-4PX", "563 Euro im Monat",
     "Ich bin alleinerziehend mit 2 Kindern"],
)
def test_ordinary_text_stays_readable(text):
    assert masked_text(text) == text


def test_names_from_the_callback_are_masked_anywhere_in_the_text():
    assert masked_text("Danke, Mara. Bis morgen, MARA!", names=["Mara"]) == "Danke, [Name]. Bis morgen, [Name]!"
    assert masked_text("Marathon", names=["Mara"]) == "Marathon"  # whole words only


def test_scrubbed_training_text_keeps_the_sentence_without_the_data():
    scrubbed = scrub_for_training("Ich heiße Mara, ruf mich an unter 0171 3920042\noder mara@example.org", names=["Mara"])
    assert "3920042" not in scrubbed and "mara@" not in scrubbed and "Mara" not in scrubbed
    assert scrubbed.startswith("Ich heiße Alex, ruf mich an unter 0123 456789")
    assert "\n" not in scrubbed
    assert scrub_for_training(scrubbed) == scrubbed  # stand-ins survive a second pass unchanged


def test_sensitive_slots_are_hidden_and_others_masked():
    assert mask_slot_value("callback_phone", "+491713920042") == "[verborgen]"
    assert mask_slot_value("first_name", "Mara") == "[verborgen]"
    assert mask_slot_value("municipality", "borken") == "borken"
    assert mask_slot_value("topic", "ruf 0171 3920042 an") == "ruf [Telefonnummer] an"
    assert mask_slot_value("municipality", None) == "–"


def test_pseudonyms_are_stable_short_and_depend_on_the_secret():
    first = pseudonym(b"secret-1", "+491713920042")
    assert first == pseudonym(b"secret-1", "+491713920042")
    assert len(first) == 12 and "3920042" not in first
    assert first != pseudonym(b"secret-2", "+491713920042")
    assert first != pseudonym(b"secret-1", "+491713920043")
