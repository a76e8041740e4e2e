"""Old words and data requests through the REST webhook on the real stack, in de/en/uk."""
from __future__ import annotations

import pytest

from lotse.knowledge.content import load_fixed_responses
from lotse.knowledge.terms import load_terms
from tests.conftest import CONTENT

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
    assert first.startswith(HARTZ[language]), first[:200]
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
