"""English and Ukrainian callback times rewritten into the German the time parser reads."""
from __future__ import annotations

import pytest

from lotse.callbacks.timewords import language, to_german
from tests.unit.test_timeparse import CASES


@pytest.mark.parametrize(
    "text, lang",
    [
        ("morgen nach 14 Uhr", "de"), ("um 3 am Montag", "de"), ("Do 16-18", "de"), ("so gegen 10", "de"),
        ("ASAP", "de"), ("28.11.", "de"),
        ("tomorrow after 2pm", "en"), ("at 11", "en"), ("10am", "en"), ("Nov 28", "en"), ("half past 2", "en"),
        ("завтра після 14", "uk"), ("zavtra pislia 14", "uk"), ("v ponedilok zranku", "uk"),
    ],
)
def test_language(text, lang):
    assert language(text) == lang


@pytest.mark.parametrize("text", [c[0] for c in CASES])
def test_german_is_left_alone(text):
    assert to_german(text) == text


@pytest.mark.parametrize(
    "text, german",
    [
        ("tomorrow after 2pm", "morgen nach 14:00"),
        ("Monday morning", "montag vormittags"),
        ("on Wednesday between 10 and 12", "am mittwoch zwischen 10 und 12"),
        ("next Tuesday", "nachsten dienstag"),
        ("Nov 28", "28. november"),
        ("the 3rd of December", "3. dezember"),
        ("Thursday 2-4pm", "donnerstag 14:00 bis 16:00"),
        ("at 5am", "um 05:00"),
        ("12am", "00:00"),
        ("tomorrow or Friday", "morgen oder freitag"),
        ("I can't tomorrow", "i nicht morgen"),
        ("завтра після 14", "morgen nach 14"),
        ("завтра вдень", "morgen nachmittags"),
        ("в понеділок зранку", "montag vormittags"),
        ("в середу з 10 до 12", "mittwoch von 10 bis 12"),
        ("наступного вівторка", "nachsten dienstag"),
        ("після обіду", "nach mittag"),
        ("28.11", "28.11."),
        ("28 листопада", "28 november"),
        ("післязавтра", "ubermorgen"),
        ("в четвер о пів на третю", "donnerstag halb 3"),
        ("завтра чи в пʼятницю", "morgen oder freitag"),
        ("чи можна завтра о 10?", "можна morgen um 10?"),
        ("не раніше 14", "nicht vor 14"),
        ("zavtra pislia 14", "morgen nach 14"),
        ("u seredu z 10 do 12", "mittwoch von 10 bis 12"),
        # letter-free dates are dates in any language, times stay times
        ("28/11", "28.11."),
        ("8.10-9.10", "8.10-9.10"),
        ("10.30", "10.30"),
    ],
)
def test_to_german(text, german):
    assert " ".join(to_german(text).split()) == german
