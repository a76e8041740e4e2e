"""Keep the tracker Rasa works on short, so a turn costs the same at message 100 as at message 5.

Rasa replays every event of a conversation several times per turn: RulePolicy rebuilds the state
of every earlier turn (`past_states`) twice per prediction, the session check copies the tracker,
and every call to the action server serialises all events. Measured with py-spy at messages
60–200 of one conversation: half of Rasa's CPU went into `past_states` alone.

Nothing of Lotse looks far back: the longest rule spans a few turns, the callback form looks back
for the latest question asked. So the tracker store hands Rasa a compacted tracker: a session
start, the slot values as they were at the cut, then the events of the last turns, unchanged.
The database keeps every event; only the object in the tracker cache is compacted.

The cut is made only where the result behaves like the original:
- right before a user message, so the latest message, previous action and follow-up actions of
  every state after the cut are the same;
- where no loop (form, two-stage fallback) is active, so no loop state has to be carried over
  and Rasa's loop rewinding never reaches back over the cut.
`conversation_start` rules still see a conversation that is not at its start: more than a
rule's length of turns is always kept.
"""
from __future__ import annotations

from typing import List, Optional

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

ACTION_SESSION_START = "action_session_start"
ACTION_LISTEN = "action_listen"

# Compact when a tracker holds more than COMPACT_ABOVE events, keeping at least KEEP_EVENTS (about
# ten turns). Between compactions the tracker grows again, so a turn sees 1–2× KEEP_EVENTS events.
COMPACT_ABOVE = 120
KEEP_EVENTS = 60


def _cut_index(events: List[Event], keep: int) -> Optional[int]:
    """The latest index at most len(events) - keep where a user message starts a turn outside any
    loop, or None when there is no such place."""
    loop_active_at: List[bool] = []
    active = False
    for event in events:
        loop_active_at.append(active)  # the state before this event
        if isinstance(event, ActiveLoop):
            active = bool(event.name)
        elif isinstance(event, SessionStarted):
            active = False
    for index in range(len(events) - keep, 0, -1):
        event = events[index]
        previous = events[index - 1]
        if (
            isinstance(event, UserUttered)
            and isinstance(previous, ActionExecuted)
            and previous.action_name == ACTION_LISTEN
            and not loop_active_at[index]
        ):
            return index
    return None


def compact(tracker: DialogueStateTracker, keep: int = KEEP_EVENTS, above: int = COMPACT_ABOVE) -> DialogueStateTracker:
    """`tracker` itself when it is short enough or has no safe cut, else a compacted copy."""
    events = list(tracker.events)
    if len(events) <= above:
        return tracker
    cut = _cut_index(events, keep)
    if cut is None:
        return tracker

    before = tracker.init_copy()
    for event in events[:cut]:
        before.update(event)
    stamp = events[cut - 1].timestamp

    snapshot: List[Event] = [ActionExecuted(ACTION_SESSION_START, timestamp=stamp), SessionStarted(timestamp=stamp)]
    for name, slot in before.slots.items():
        if slot.value != slot.initial_value:
            snapshot.append(SlotSet(name, slot.value, timestamp=stamp))
    if before.is_paused():
        snapshot.append(ConversationPaused(timestamp=stamp))
    snapshot.append(ActionExecuted(ACTION_LISTEN, timestamp=stamp))

    compacted = tracker.init_copy()
    compacted.sender_source = tracker.sender_source
    compacted.model_id, compacted.assistant_id = tracker.model_id, tracker.assistant_id
    for event in snapshot + events[cut:]:
        compacted.update(event)
    return compacted
