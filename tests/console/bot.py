"""The bot's office answer as the action server gives it (ActionFindOffice, no servers), for a
console whose data directory holds Lotse's database."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.offices import ActionFindOffice
from lotse.core.settings import load_settings
from lotse.directory import overlay


def office_answer(monkeypatch, data_dir: Path, text: str, language: str = "de") -> str:
    """What the bot answers to `text` (e.g. "Ich wohne in Legden") with this data directory's database,
    as a freshly started action server would (the overlay's few-seconds wait is tested on its own)."""
    monkeypatch.setattr(overlay, "_sources", {})
    monkeypatch.setenv("LOTSE_DATA_DIR", str(data_dir))
    load_settings.cache_clear()
    tracker = Tracker(
        sender_id="directory-test", slots={"language": language},
        latest_message={"text": text, "intent": {"name": "ask_office", "confidence": 0.9}, "entities": [], "intent_ranking": []},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )
    dispatcher = CollectingDispatcher()
    with ThreadPoolExecutor(1) as pool:  # its own thread: Playwright's sync API keeps a loop running in this one
        pool.submit(asyncio.run, ActionFindOffice().run(dispatcher, tracker, {})).result(60)
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)
