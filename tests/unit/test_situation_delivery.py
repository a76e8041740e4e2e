"""How the situation check's list reaches the person (issue #23): in messengers within each platform's
limit and never an item cut in two; in the widget with a page to print (served by our web server, the
list only in the browser); a callback afterwards with the topic filled in; and the check offered when a
story names several money questions."""
from __future__ import annotations

import asyncio
import importlib
import json
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.callbacks as callbacks
from actions.situation import ActionSituationResult
from lotse.knowledge.situation_text import (
    CHANNEL_BUTTON_TEXT_LIMITS,
    CHANNEL_TEXT_LIMITS,
    channel_chars,
    check_offer,
    load_situation_texts,
    offers_check,
)
from lotse.rasa_server.channels.secure_socketio import print_extra, with_sources
from lotse.widget.store import PRINT_KEY, transcript_items

# Skipped answers except town and ages: a long list (every item that may apply).
WORKING_PARENT_OF_FOUR = {
    "municipality": "borken", "child_ages": ["1", "4", "9", "13"], "single_parent": "yes", "situation": "job",
    "check_maintenance": "partly", "check_rent": "650", "check_wants": "retraining",
}
ITEM_START = re.compile(r"^\d+\. ", re.MULTILINE)


def tracker(slots: dict, channel: str = "rest", language: str = "de") -> Tracker:
    events = [{"event": "user", "text": "/skip_question", "input_channel": channel}]
    return Tracker("test", {"language": language, **slots}, {"text": "", "intent": {"name": "inform"}}, events, False, None,
                   {"name": "situation_form"}, "action_listen")


def result(slots: dict, channel: str = "rest", language: str = "de") -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSituationResult().run(dispatcher, tracker(slots, channel, language), {}))
    return dispatcher.messages


@pytest.mark.parametrize("channel", sorted(CHANNEL_TEXT_LIMITS))
def test_in_each_messenger_every_part_fits_and_no_item_is_cut(channel):
    messages = result(WORKING_PARENT_OF_FOUR, channel)
    texts = [m["text"] for m in messages]
    assert all(len(text) <= CHANNEL_TEXT_LIMITS[channel] - 250 for text in texts)  # room for the numbered callback option
    numbers = [int(n) for text in texts for n in re.findall(r"^(\d+)\. ", text, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8
    # each part after the first starts with a whole item: the channel never has to cut one
    assert all(ITEM_START.match(text) or text.startswith("Wichtig") for text in texts[1:])
    assert "Rechtsberatung" in texts[-1] and messages[-1]["buttons"][0]["payload"] == "/request_callback"
    if channel in CHANNEL_BUTTON_TEXT_LIMITS:  # the text above the callback button fits there too
        assert len(texts[-1]) <= CHANNEL_BUTTON_TEXT_LIMITS[channel] - 250


def test_a_short_list_is_one_text_in_a_messenger():
    messages = result({"municipality": "gescher", "child_ages": ["3"], "single_parent": "yes", "situation": "grundsicherung",
                       "check_maintenance": "yes", "check_rent": "-", "check_wants": "-"}, "telegram")
    assert len(messages) == 1 and "Mehrbedarf" in messages[0]["text"] and "Rechtsberatung" in messages[0]["text"]


def test_the_channel_limits_are_the_channels_own():
    for channel, limit in CHANNEL_TEXT_LIMITS.items():
        assert importlib.import_module(f"lotse.rasa_server.channels.{channel}").TEXT_LIMIT == limit
        assert channel_chars(channel) < limit
    names = {"whatsapp_cloud": "BUTTON_BODY_LIMIT", "twilio_whatsapp": "CONTENT_BODY_LIMIT"}
    for channel, limit in CHANNEL_BUTTON_TEXT_LIMITS.items():
        assert getattr(importlib.import_module(f"lotse.rasa_server.channels.{channel}"), names[channel]) == limit
    assert channel_chars("socketio") == channel_chars(None) == 4000


@pytest.mark.parametrize("language", ["de", "en", "uk"])
def test_the_widget_gets_the_list_as_a_page_to_print_other_channels_do_not(language):
    last = result(WORKING_PARENT_OF_FOUR, "socketio", language)[-1]
    page = last[PRINT_KEY]
    assert page["lang"] == language and len(page["items"]) >= 8
    assert page["items"][0].startswith("1. ") and page["limits"] == load_situation_texts().texts["limits"][language]
    assert page["labels"]["open"] == load_situation_texts().texts["print.open"][language]
    assert PRINT_KEY not in result(WORKING_PARENT_OF_FOUR, "telegram", language)[-1]
    # the widget channel passes it on, live and after a reload (from the conversation's own events)
    assert print_extra(last) == {"print": page}
    events = [("bot", json.dumps({"text": last["text"], "metadata": {PRINT_KEY: page}}))]
    restored = with_sources(transcript_items(events)[0])
    assert restored["print"] == page and restored["text"] == last["text"]


def test_a_callback_after_the_list_has_its_topic_filled_in(monkeypatch, tmp_path):
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOTSE_CALLBACK_DB_URL", f"sqlite:///{tmp_path / 'callbacks.db'}")
    monkeypatch.setattr(callbacks, "_services", None)
    last = result(WORKING_PARENT_OF_FOUR)[-1]
    topic = last[callbacks.TOPIC_KEY]
    assert topic.startswith("Was steht mir zu?") and "Mehrbedarf" in topic and len(topic) <= 200
    events = [
        {"event": "user", "text": "Was steht mir zu?", "parse_data": {"intent": {"name": "ask_situation_check"}}},
        {"event": "bot", "text": last["text"], "metadata": {callbacks.TOPIC_KEY: topic}},
        {"event": "user", "text": "/request_callback", "parse_data": {"intent": {"name": "request_callback"}}},
    ]
    t = Tracker("c", {"language": "de"}, {"text": "/request_callback", "intent": {"name": "request_callback"}}, events, False, None, {}, "action_listen")
    extracted = asyncio.run(callbacks.ValidateCallbackForm().extract_callback_topic(CollectingDispatcher(), t, {}))
    assert extracted == {"callback_topic": topic}
    # a question asked after the list is the topic instead
    later = [*events[:2], {"event": "user", "text": "Kita?", "parse_data": {"intent": {"name": "ask_kita_anmeldung"}}}, events[2]]
    t2 = Tracker("c", {"language": "de"}, {}, later, False, None, {}, "action_listen")
    assert asyncio.run(callbacks.ValidateCallbackForm().extract_callback_topic(CollectingDispatcher(), t2, {}))["callback_topic"] != topic


STORIES = {
    "de": "Mein Ex zahlt seit Monaten keinen Unterhalt, das Geld reicht hinten und vorne nicht und jetzt wurde auch noch die Miete erhöht.",
    "en": "My ex has not paid any maintenance for months, there is not enough money for food and now the landlord raised the rent again.",
    "uk": "Колишній чоловік уже пів року не платить аліменти, грошей не вистачає навіть на їжу, а тепер ще й оренда квартири подорожчала.",
}


@pytest.mark.parametrize("language", ["de", "en", "uk"])
def test_a_story_with_several_money_questions_gets_the_check_offered(language):
    texts = load_situation_texts()
    offer = check_offer(STORIES[language], "ask_unterhalt", texts, language, 12)
    assert offer == {"title": texts.texts["offer.button"][language], "payload": "/ask_situation_check"}


def test_one_money_question_or_a_short_message_gets_no_offer():
    texts = load_situation_texts()
    assert not offers_check("Wie beantrage ich Unterhaltsvorschuss beim Jugendamt, wenn der Vater nicht bekannt ist und ich allein bin?", texts)
    assert check_offer("Unterhalt und Miete?", "ask_unterhalt", texts, "de", 12) is None  # not a story
    assert check_offer(STORIES["de"], "ask_situation_check", texts, "de", 12) is None  # already the check
