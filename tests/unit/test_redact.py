"""No phone number, e-mail address or IBAN reaches a log file; dates and ordinary numbers do."""
from __future__ import annotations

import io
import logging
import logging.config

import pytest
import yaml

from lotse.privacy.redact import redact
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Meine Nummer ist 0171 2345678", "2345678"),
        ("Zentrale +49 (0)2861 681-100", "681-100"),
        ("ruf an: 02861/12345", "12345"),
        ("+380 67 123 4567", "123 4567"),
        ("mail: anna.b@example.org", "anna.b@example.org"),
        ("IBAN DE89 3704 0044 0532 0130 00", "3704 0044"),
        ("iban de89370400440532013000", "370400440532013000"),
    ],
)
def test_personal_data_is_replaced(text, secret):
    assert secret not in redact(text)
    assert "[" in redact(text)


@pytest.mark.parametrize(
    "text", ["Termin am 26.11.2026 um 14:00", "window 2026-11-26T14:00", "PLZ 46325", "Kind ist 2, 40 Stunden", "took 12.5 ms"]
)
def test_dates_and_small_numbers_stay(text):
    assert redact(text) == text


def test_the_logging_config_redacts_messages_arguments_and_tracebacks():
    config = yaml.safe_load((ROOT / "config" / "logging.yml").read_text(encoding="utf-8"))
    written = io.StringIO()
    config["handlers"]["console"]["stream"] = written
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(config)
        root.setLevel(logging.INFO)
        root.warning("user wrote %s", "meine Nummer 0171 2345678")
        try:
            raise ValueError("bad phone anna@example.org")
        except ValueError:
            root.exception("failed")
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    log = written.getvalue()
    assert "2345678" not in log and "anna@example.org" not in log
    assert "[TELEFON]" in log and "[E-MAIL]" in log and "ValueError" in log
