"""After a conversation with a phone number, an e-mail address and an IBAN, no log file of any
Lotse process contains them (the stack runs at DEBUG level here, so Rasa logs every message)."""
from __future__ import annotations


def test_logs_contain_no_personal_data(stack, chat):
    chat.text("Meine Nummer ist 0171 9876543, meine Mail lena.muster@example.org")
    chat.text("Meine IBAN ist DE89 3704 0044 0532 0130 00, wann kommt das Geld?")
    chat.text("Rückruf bitte")
    chat.text("Kita")
    chat.text("Velen")
    chat.text("/affirm")
    chat.text("01512 3456789")
    logs = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in stack.log_dir.glob("*.log"))
    assert "[TELEFON]" in logs  # the messages were logged, and redacted
    for secret in ("9876543", "lena.muster@example.org", "3704 0044", "0532 0130", "3456789"):
        assert secret not in logs, secret
