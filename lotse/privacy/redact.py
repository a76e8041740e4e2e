"""Personal data out of the logs: phone numbers, e-mail addresses and IBANs are replaced before a
log record is written (installed in every Lotse process through config/logging.yml). The patterns
are lotse/language/personal_data.py's."""
from __future__ import annotations

import logging
import re

from lotse.language.personal_data import EMAIL, IBAN, PHONE, has_phone_digits

# Not right after a dot: the fraction of a number (a timestamp's microseconds) is no phone number.
_PHONE = rf"(?<![\w.]){PHONE}(?![\w])"
# Dates are matched first at each position, so "26.11.2026" or "2026-11-26T14:00" stay readable.
_DATE_OR_PHONE = re.compile(r"(?P<date>\b\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2})|(?P<phone>" + _PHONE + ")")

REPLACEMENTS = ("[IBAN]", "[E-MAIL]", "[TELEFON]")


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if match.group("date"):
        return found
    return "[TELEFON]" if has_phone_digits(found) else found


def redact(text: str) -> str:
    text = IBAN.sub("[IBAN]", text)
    text = EMAIL.sub("[E-MAIL]", text)
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
