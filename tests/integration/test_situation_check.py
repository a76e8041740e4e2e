"""The situation check "Was steht mir zu?" (issue #23) on the real stack, REST channel, de/en/uk:
at most seven questions, none asked again that the conversation already told, skipping ends with a
useful list."""
from __future__ import annotations

import re

import pytest

SKIP = "/skip_question"
QUESTION = re.compile(r"^(?:Frage \d von 7|Question \d of 7|Питання \d з 7)")
START = {"de": "Was steht mir zu?", "en": "What am I entitled to?", "uk": "Що мені належить?"}
LIMITS = {"de": "Rechtsberatung", "en": "legal advice", "uk": "юридична консультація"}


def questions_until_the_list(chat, replies: list[str]) -> tuple[int, str]:
    """Answers each question with the next reply (skipping when they run out); the number of questions
    asked and the list at the end."""
    asked, text = 0, chat.text(replies.pop(0))
    while QUESTION.match(text) and asked < 8:
        asked += 1
        text = chat.text(replies.pop(0) if replies else SKIP)
    return asked, text


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_skipping_every_question_still_ends_with_a_useful_list(chat, lang):
    asked, result = questions_until_the_list(chat, [START[lang]])
    assert 1 <= asked <= 7
    assert "Mehrbedarf" in result and "Kinderzuschlag" in result
    assert LIMITS[lang].lower() in result.lower()


def test_a_full_check_in_at_most_seven_questions(chat):
    asked, result = questions_until_the_list(
        chat, [START["de"], "Gescher", "3 und 7", "/affirm", '/inform{"situation": "grundsicherung"}', '/inform{"maintenance": "no"}', "650", '/inform{"wants": "retraining"}']
    )
    assert asked == 7
    assert "Mehrbedarf" in result and "Unterhaltsvorschuss" in result and "Weiterbildung" in result
    assert "Gescher" in result or "Kreis" in result


def test_what_the_story_told_is_not_asked_again(chat):
    chat.text("Ich wohne in Gescher und habe zwei Kinder (3 und 7).")
    replies = [START["de"]]
    seen = []
    text = chat.text(replies[0])
    while QUESTION.match(text) and len(seen) < 8:
        seen.append(text.split("\n")[0])
        text = chat.text(SKIP)
    assert not any("Stadt oder Gemeinde" in q or "Wie alt sind Ihre Kinder" in q for q in seen), seen
    assert 1 <= len(seen) <= 5 and "Mehrbedarf" in text
