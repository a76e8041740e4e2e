"""The compacted tracker Rasa works on behaves like the whole conversation: same slots, same latest
message, same recent dialogue states (what the rules match on), and it stays short."""
from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lotse.rasa_server.compaction import COMPACT_ABOVE, KEEP_EVENTS, compact
from lotse.rasa_server.tracker_store import LotseSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: '3.1'
intents: [greet, ask_kita, request_callback, inform]
entities: [municipality]
slots:
  municipality:
    type: text
    influence_conversation: true
    mappings: [{type: from_entity, entity: municipality}]
  language:
    type: categorical
    values: [de, en, uk]
    influence_conversation: true
    mappings: [{type: custom}]
  callback_topic:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
forms:
  callback_form:
    required_slots: [callback_topic]
responses:
  utter_greet: [{text: hi}]
  utter_answer_kita: [{text: kita}]
"""
)


def session_start(tracker: DialogueStateTracker) -> None:
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(ActionExecuted("action_listen"))


def question(tracker: DialogueStateTracker, n: int) -> None:
    entities = [{"entity": "municipality", "value": f"Ort{n}"}] if n % 7 == 0 else []
    tracker.update(UserUttered(f"frage {n}", {"name": "ask_kita", "confidence": 1.0}, entities))
    if entities:
        tracker.update(SlotSet("municipality", f"Ort{n}"))
    tracker.update(ActionExecuted("utter_answer_kita"))
    tracker.update(BotUttered("kita"))
    tracker.update(ActionExecuted("action_listen"))


def form_turns(tracker: DialogueStateTracker, turns: int) -> None:
    tracker.update(UserUttered("rückruf", {"name": "request_callback", "confidence": 1.0}))
    tracker.update(ActionExecuted("callback_form"))
    tracker.update(ActiveLoop("callback_form"))
    tracker.update(ActionExecuted("action_listen"))
    for n in range(turns):
        tracker.update(UserUttered(f"antwort {n}", {"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted("callback_form"))
        tracker.update(ActionExecuted("action_listen"))


def long_conversation(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("long", DOMAIN.slots)
    session_start(tracker)
    tracker.update(SlotSet("language", "uk"))
    for n in range(turns):
        question(tracker, n)
    return tracker


def test_a_short_conversation_is_left_as_it_is():
    tracker = long_conversation(5)
    assert compact(tracker) is tracker


def test_a_long_conversation_keeps_slots_latest_message_and_recent_states():
    tracker = long_conversation(60)
    compacted = compact(tracker)

    assert KEEP_EVENTS <= len(compacted.events) < len(tracker.events)
    assert compacted.current_slot_values() == tracker.current_slot_values()
    assert compacted.get_slot("language") == "uk" and compacted.get_slot("municipality") == "Ort56"
    assert compacted.latest_message.text == tracker.latest_message.text == "frage 59"
    assert compacted.latest_action_name == tracker.latest_action_name
    recent = 10
    assert compacted.past_states(DOMAIN)[-recent:] == tracker.past_states(DOMAIN)[-recent:]
    # a conversation_start rule must not match: the compacted tracker is not at its start
    assert len(compacted.past_states(DOMAIN)) > recent


def test_slot_values_are_those_at_the_cut_for_the_states_after_it():
    tracker = long_conversation(40)
    question(tracker, 70)  # sets municipality to Ort70 after the cut
    compacted = compact(tracker, keep=12, above=20)
    assert compacted.get_slot("municipality") == "Ort70"
    assert compacted.past_states(DOMAIN)[-4:] == tracker.past_states(DOMAIN)[-4:]


def test_no_cut_inside_an_active_form():
    tracker = long_conversation(30)
    form_turns(tracker, 40)
    compacted = compact(tracker, keep=60, above=100)
    assert compacted.active_loop_name == "callback_form"
    # the cut lies before the form started: every form turn is still there
    texts = [e.text for e in compacted.events if isinstance(e, UserUttered)]
    assert "rückruf" in texts and "antwort 39" in texts
    assert compacted.past_states(DOMAIN)[-3:] == tracker.past_states(DOMAIN)[-3:]


def test_a_form_running_since_the_start_keeps_all_its_turns():
    tracker = DialogueStateTracker("form", DOMAIN.slots)
    session_start(tracker)
    form_turns(tracker, 80)
    compacted = compact(tracker, keep=20, above=50)
    texts = [e.text for e in compacted.events if isinstance(e, UserUttered)]
    assert texts == [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert compacted.active_loop_name == "callback_form"


def test_the_tracker_store_serves_a_short_tracker_and_stores_every_event(tmp_path):
    store = LotseSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))

    async def conversation() -> DialogueStateTracker:
        tracker = DialogueStateTracker("store", DOMAIN.slots)
        session_start(tracker)
        for n in range(100):
            question(tracker, n)
            await store.save(tracker)
            tracker = await store.retrieve("store")
            assert len(tracker.events) <= COMPACT_ABOVE + 6
        return tracker

    last = asyncio.run(conversation())
    assert last.get_slot("municipality") == "Ort98"
    with store.engine.connect() as conn:
        texts = [row[0] for row in conn.exec_driver_sql("SELECT data FROM events WHERE type_name = 'user' ORDER BY id")]
    assert len(texts) == 100 and '"frage 99"' in texts[-1]

    fresh = LotseSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    whole = asyncio.run(fresh.retrieve("store"))
    assert len([e for e in whole.events if isinstance(e, UserUttered)]) == 100
