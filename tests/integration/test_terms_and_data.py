"""Old words and data requests through the REST webhook on the real stack, in de/en/uk."""
from __future__ import annotations

import asyncio

import pytest

from lotse.knowledge.content import load_fixed_responses
from lotse.knowledge.terms import load_terms
from tests.conftest import CONTENT
from tests.integration.test_channels import _ids, lotse, platform, tg_message, tg_post, tg_sent_to  # noqa: F401 (fixtures)
from tests.integration.widget_client import WidgetClient

HARTZ = next(t for t in load_terms(CONTENT) if t.id == "hartz_iv").explain
ASK_CODE = load_fixed_responses(CONTENT)["utter_ask_callback_reference"]["text"]


@pytest.mark.parametrize(
    "language, question, follow_up",
    [
        ("de", "Wie viel Hartz IV bekomme ich mit einem Kind?", "Und gibt es bei Hartz 4 Mehrbedarf für Alleinerziehende?"),
        ("en", "How much Hartz IV do I get with one child?", "Is there extra money for single parents on Hartz IV?"),
        ("uk", "Скільки Hartz IV я отримаю з однією дитиною?", "Чи є додаткові гроші до Hartz IV для одиноких матерів?"),
    ],
)
def test_an_old_word_is_explained_once_per_conversation(chat, language, question, follow_up):
    first = chat.text(question)
    assert HARTZ[language] + "\n\n" in first, first[:200]
    second = chat.text(follow_up)
    assert HARTZ[language] not in second and second


@pytest.mark.parametrize(
    "language, request_text, stored, how",
    [
        ("de", "Bitte löschen Sie alle meine Daten.", "Gespeichert werden", "Art. 15 DSGVO"),
        ("de", "was speichert ihr über mich", "Gespeichert werden", "„Rückruf absagen“"),
        ("en", "delete my data", "What is stored", "Art. 15 GDPR"),
        ("uk", "видаліть мої дані", "Що зберігається", "ст. 15 DSGVO"),
    ],
)
def test_a_data_request_says_what_is_stored_and_how_to_delete_it(chat, language, request_text, stored, how):
    reply = chat.text(request_text)
    assert reply.startswith(stored) and how in reply
    # not the callback cancellation, which asks for the callback code
    assert ASK_CODE[language] not in reply


@pytest.mark.parametrize(
    "language, request_text, here",
    [
        ("de", "lösch meine Daten", "Hier im Chat: unten im Chatfenster auf „Verlauf löschen“ tippen."),
        ("en", "delete my data", 'Here in the chat: tap "Delete history" at the bottom of the chat window.'),
        ("uk", "видаліть мої дані", "Тут у чаті: натисніть унизу вікна чату «Видалити історію»."),
    ],
)
def test_the_widget_is_told_its_delete_button(stack, language, request_text, here):
    async def scenario() -> str:
        client = WidgetClient(f"http://127.0.0.1:{stack.settings.web_port}")
        try:
            await client.connect()
            replies = await client.say(request_text, metadata={"language": language})
            return "\n".join(r.get("text", "") for r in replies)
        finally:
            await client.close()

    reply = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert here in reply and "Telegram" not in reply


@pytest.mark.parametrize(
    "request_text, no_command",
    [
        ("Bitte löschen Sie alle meine Daten.", "Hier im Messenger gibt es keinen Befehl zum Löschen."),
        ("видаліть мої дані", "Тут у месенджері немає команди для видалення."),
    ],
)
def test_telegram_is_told_there_is_no_delete_command(lotse, platform, request_text, no_command):  # noqa: F811 (the fixtures above)
    chat_id = next(_ids)
    assert tg_post(lotse, tg_message(chat_id, request_text)).status_code == 200
    reply = platform.wait_for(tg_sent_to(chat_id))[0]["body"]["text"]
    assert no_command in reply and "Verlauf löschen" not in reply
