"""The answer to "delete my data" says how to delete in the channel the user writes in: the
widget's "Verlauf löschen" button; in a messenger (no delete command there) the responsible office."""
from __future__ import annotations

import asyncio

import pytest

from tests.conftest import CONTENT, ROOT


@pytest.fixture(scope="module")
def generate():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from lotse.knowledge.content import domain_responses
    from lotse.rasa_server.nlg import LotseNaturalLanguageGenerator

    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = LotseNaturalLanguageGenerator(None, None)
    nlg.responses = domain_responses(CONTENT, "http://localhost:8080")  # what rasa/core/agent.py does

    def reply(language: str, channel: str) -> str:
        tracker = DialogueStateTracker("t", domain.slots)
        tracker.update(SlotSet("language", language))
        return asyncio.run(nlg.generate("utter_datenschutz", tracker, channel))["text"]

    return reply


@pytest.mark.parametrize(
    "language, here, button, callback, export",
    [
        ("de", "Hier im Chat", "„Verlauf löschen“", "„Rückruf absagen“", "Art. 15 DSGVO"),
        ("en", "Here in the chat", '"Delete history"', '"cancel callback"', "Art. 15 GDPR"),
        ("uk", "Тут у чаті", "«Видалити історію»", "«скасувати дзвінок»", "ст. 15 DSGVO"),
    ],
)
def test_the_widget_is_told_its_button(generate, language, here, button, callback, export):
    widget = generate(language, "socketio")
    assert here + ": " in widget and button in widget and callback in widget and export in widget
    assert "Telegram" not in widget


@pytest.mark.parametrize("channel", ["telegram", "facebook", "twilio_whatsapp", "whatsapp_cloud"])
@pytest.mark.parametrize(
    "language, no_command, page",
    [
        ("de", "keinen Befehl zum Löschen", "/datenschutz.html"),
        ("en", "no command to delete", "/datenschutz.en.html"),
        ("uk", "немає команди для видалення", "/datenschutz.uk.html"),
    ],
)
def test_a_messenger_is_told_there_is_no_delete_command(generate, channel, language, no_command, page):
    text = generate(language, channel)
    assert no_command in text and page in text
    assert "Verlauf löschen" not in text and "Delete history" not in text


def test_other_channels_get_the_general_text(generate):
    text = generate("de", "rest")
    assert "Im Chat auf der Webseite" in text and "In Telegram, WhatsApp oder Messenger" in text


def test_check_content_wants_every_language_of_a_channel_text(tmp_path):
    import shutil

    from lotse.knowledge.content import check_translations, domain_intents

    shutil.copytree(CONTENT, tmp_path / "content")
    path = tmp_path / "content" / "responses.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - names: [telegram")
    uk = text.index("          uk: |-", start)
    end = text.index("  utter_capabilities:")
    path.write_text(text[:uk] + text[end:], encoding="utf-8")
    problems = check_translations(tmp_path / "content", domain_intents())
    assert "responses.yml: utter_datenschutz: channels ['telegram', 'facebook', 'twilio_whatsapp', 'whatsapp_cloud']: no uk text" in problems
