"""Personal data out of the logs: phone numbers, e-mail addresses and IBANs are replaced before a
log record is written (installed in every Lotse process through config/logging.yml)."""
from __future__ import annotations

import logging
import re

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 6+ digits, optionally with +, spaces, slashes, dots, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d(?:[\d ()/.\-]{4,}\d)(?![\w])")
_MIN_PHONE_DIGITS = 6
# Dates are matched first at each position, so "26.11.2026" or "2026-11-26T14:00" stay readable.
_DATE_OR_PHONE = re.compile(r"(?P<date>\b\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2})|(?P<phone>" + _PHONE.pattern + ")")

REPLACEMENTS = ("[IBAN]", "[E-MAIL]", "[TELEFON]")


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if match.group("date"):
        return found
    return "[TELEFON]" if sum(ch.isdigit() for ch in found) >= _MIN_PHONE_DIGITS else found


def redact(text: str) -> str:
    text = _IBAN.sub("[IBAN]", text)
    text = _EMAIL.sub("[E-MAIL]", text)
    return _DATE_OR_PHONE.sub(_phone, text)


class RedactingFilter(logging.Filter):
    """Formats the record's message (and traceback) once, redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(level: str = "WARNING") -> None:
    """The same redacting configuration as Rasa and the action server (config/logging.yml)."""
    import logging.config
    from pathlib import Path

    import yaml

    config_file = Path(__file__).resolve().parents[2] / "config" / "logging.yml"
    logging.config.dictConfig(yaml.safe_load(config_file.read_text(encoding="utf-8")))
    logging.getLogger().setLevel(level)
