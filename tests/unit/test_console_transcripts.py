"""A conversation's summary (for the list) and its turns (for the transcript view)."""
from __future__ import annotations

from pathlib import Path

from lotse.console.charts import horizontal_bars, vertical_bars
from lotse.console.transcripts import EventRow, build_turns, fallback_threshold, summarise
from lotse.widget.feedback import message_id

ROOT = Path(__file__).resolve().parents[2]


def _user(i: int, text: str, intent: str, confidence: float, channel: str = "rest") -> EventRow:
    return EventRow(i, "user", 1000.0 + i, {"text": text, "input_channel": channel,
                                            "parse_data": {"intent": {"name": intent, "confidence": confidence},
                                                           "intent_ranking": [{"name": intent, "confidence": confidence},
                                                                              {"name": "ask_kita_kosten", "confidence": 0.2}]}})


def test_threshold_comes_from_the_fallback_classifier_in_config_yml():
    assert fallback_threshold(ROOT / "config.yml") == 0.25
    assert fallback_threshold(ROOT / "no-such-config.yml") == 0.3


def test_summary_flags_fallback_handoff_channel_and_language():
    events = [
        _user(1, "Hallo", "greet", 0.95, channel="telegram"),
        _user(2, "hä", "nlu_fallback", 0.25),
        EventRow(3, "slot", 1003.0, {"name": "language", "value": "en"}),
        _user(4, "Ich will mit einem Menschen reden, 0171 3920042", "request_human", 0.9),
    ]
    summary = summarise("c1", events, threshold=0.25)
    assert summary.channel == "telegram" and summary.language == "en"
    assert summary.fallback and summary.human_requested and not summary.callback_requested
    assert summary.intents == ("greet", "nlu_fallback", "request_human") and summary.user_turns == 3
    assert "3920042" not in summary.user_text and summary.newest_event_id == 4
    assert not summarise("c2", [_user(1, "Hallo", "greet", 0.95)], 0.25).fallback
    assert summarise("c3", [_user(1, "kita?", "ask_kita_kosten", 0.2)], 0.25).fallback  # low confidence
    assert summarise("c4", [EventRow(1, "active_loop", 1.0, {"name": "callback_form"})], 0.25).callback_requested


def test_turns_mask_by_default_and_show_everything_on_reveal():
    bot_text = "Wir rufen Mara unter 0171 3920042 an."
    events = [
        _user(1, "Ich heiße Mara", "nlu_fallback", 0.25),
        EventRow(2, "action", 1002.0, {"name": "action_listen"}),
        EventRow(3, "action", 1003.0, {"name": "utter_default", "confidence": 0.9}),
        EventRow(4, "bot", 1004.0, {"text": bot_text, "data": {"buttons": [{"title": "Ja"}]}}),
        EventRow(5, "slot", 1005.0, {"name": "first_name", "value": "Mara"}),
        EventRow(6, "session_started", 1006.0, {}),
    ]
    turns = build_turns(events, 0.25, names=["Mara"], ratings={message_id(bot_text): "down"})
    assert [t.kind for t in turns] == ["user", "action", "bot", "slot", "session"]  # action_listen is noise
    user, action, bot, slot, _ = turns
    assert user.fallback and user.alternative == "ask_kita_kosten (0.20)"
    shown = "".join(s.label for s in user.segments + bot.segments)
    assert "Mara" not in shown and "3920042" not in shown and slot.value == "[verborgen]"
    assert bot.rating == "down" and bot.buttons == ("Ja",) and action.name == "utter_default"
    revealed = build_turns(events, 0.25, names=["Mara"], reveal=True)
    assert "".join(s.label for s in revealed[2].segments) == bot_text and revealed[3].value == "Mara"


def test_chart_bars_scale_to_the_largest_value():
    chart = vertical_bars([("1.", 2), ("2.", 4), ("3.", 0)], width=300, height=200)
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == max(heights) and heights[0] == heights[1] / 2 and heights[2] == 0
    assert all(bar.y + bar.height == chart.bars[1].y + chart.bars[1].height for bar in chart.bars)  # common baseline
    assert horizontal_bars([]).empty and vertical_bars([("1.", 0)]).empty
    rows = horizontal_bars([("a", 10), ("b", 5)], css=["bar-warn"])
    assert rows.bars[0].width == 2 * rows.bars[1].width and rows.bars[0].css == "bar-warn"
