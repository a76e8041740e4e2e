"""Callback conversations through the REST webhook on the real stack (SQLite callback database)."""
from __future__ import annotations

import sqlalchemy as sa

from lotse.database.engine import make_engine
from lotse.database.schema import callbacks


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


def text(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def rows(stack, **where) -> list:
    engine = make_engine(stack.settings.callback_db_url)
    with engine.connect() as conn:
        query = sa.select(callbacks)
        for key, value in where.items():
            query = query.where(callbacks.c[key] == value)
        return list(conn.execute(query))


def book(chat, place: str = "Gemen", office: str = "Jobcenter der Stadt Borken") -> str:
    """The happy path; returns the reference code."""
    assert "Worum soll es gehen" in chat.text("Ich hätte gern einen Rückruf")
    assert "In welcher Stadt oder Gemeinde" in chat.text("Kita-Platz")
    assert "einverstanden" in chat.text(place)
    assert "Telefonnummer" in chat.text("/affirm")
    offered = chat.say("0171 2345678")
    windows = [b for b in buttons(offered) if b["payload"].startswith("/inform")]
    assert windows, offered
    assert "ansprechen" in chat.text(windows[0]["payload"])
    readback = chat.text("/deny")
    assert "0171 2345678" in readback and windows[0]["title"] in readback and "Stimmt das?" in readback
    assert office in readback
    done = chat.text("/affirm")
    assert "Rückruf-Code" in done, done
    return done.split("Rückruf-Code: ")[1].split()[0]


def test_happy_path_stores_exactly_one_callback(stack, chat):
    code = book(chat)
    stored = rows(stack, reference=code)
    assert len(stored) == 1
    assert stored[0].phone_e164 == "+491712345678"
    assert stored[0].office_id == "jc_borken" and stored[0].topic == "Kita-Platz"
    assert len(rows(stack, conversation_id=chat.sender)) == 1


def test_topic_and_town_come_from_the_conversation(chat):
    chat.text("Wer zahlt die Kita während meiner Umschulung?")
    chat.text("Ich wohne in Ramsdorf")
    first_question = chat.text("Können Sie mich zurückrufen?")
    assert "einverstanden" in first_question  # neither topic nor town is asked again


def test_invalid_phone_twice_then_valid(chat):
    chat.text("Rückruf bitte")
    chat.text("Bescheid")
    chat.text("Velen")
    chat.text("/affirm")
    first = chat.say("12")
    assert "Vorwahl" in text(first) and not buttons(first)
    second = chat.say("meine nummer weiß ich nicht")
    assert "abbrechen" in text(second) and any(b["payload"] == "/stop" for b in buttons(second))
    assert "freien Zeiten" in chat.text("02861 12345")


def test_question_in_the_middle_of_the_form(chat):
    chat.text("Rückruf bitte")
    chat.text("Umschulung")
    chat.text("Bocholt")
    chat.text("/affirm")
    reply = chat.text("Was ist ein Bildungsgutschein?")
    assert "Bildungsgutschein" in reply and "Quelle" in reply
    assert "Telefonnummer" in reply  # and the form goes on where it was


def test_cancelling_the_form_stores_nothing(stack, chat):
    chat.text("Rückruf bitte")
    chat.text("Miete")
    chat.text("Gronau")
    chat.text("/affirm")
    assert "nichts gespeichert" in chat.text("abbrechen")
    assert rows(stack, conversation_id=chat.sender) == []


def test_no_consent_stores_nothing(stack, chat):
    chat.text("Rückruf bitte")
    chat.text("Kita")
    chat.text("Heek")
    assert "speichere nichts" in chat.text("/deny")
    assert rows(stack, conversation_id=chat.sender) == []


def test_change_and_cancel_by_reference_code(stack, chat):
    code = book(chat, place="46342", office="Jobcenter der Stadt Velen")
    old_window = rows(stack, reference=code)[0].window_key
    ask = chat.text("Ich möchte meinen Rückruf ändern")
    assert "Rückruf-Code" in ask
    offered = chat.say(code.lower().replace("-", " "))
    choices = [b for b in buttons(offered) if b["payload"].startswith("/inform") and old_window not in b["payload"]]
    changed = chat.text(choices[0]["payload"])
    assert "Erledigt" in changed and code in changed
    assert rows(stack, reference=code)[0].window_key != old_window

    cancelled = chat.text(f"Bitte den Rückruf {code} absagen")
    assert "abgesagt" in cancelled
    assert rows(stack, reference=code)[0].status == "cancelled"


def test_unknown_reference_code(chat):
    chat.text("Rückruf absagen")
    reply = chat.text("HHH-777")
    assert "keinen offenen Rückruf" in reply
