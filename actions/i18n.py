"""The user's language in custom actions: the `language` slot (set by NLU, see lotse.language.languages)."""
from __future__ import annotations

from rasa_sdk import Tracker

from lotse.language.messages import Messages, messages_for


def texts(tracker: Tracker) -> Messages:
    return messages_for(tracker.get_slot("language"))
