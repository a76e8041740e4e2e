"""One conversation as a Rasa test story (for tests/e2e/), personal data replaced. Pure function."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import yaml

from lotse.console.masking import SENSITIVE_SLOTS, STAND_INS, scrub_for_training
from lotse.console.transcripts import EventRow

SKIPPED_ACTIONS = frozenset({"action_listen", "action_session_start"})
HEADER = (
    "# Teststory aus der Lotse-Konsole. Personenbezogene Daten sind durch Platzhalter ersetzt;\n"
    "# Intents mit freigegebener Korrektur sind korrigiert. Vor dem Übernehmen nach tests/e2e/ prüfen.\n"
)


def _slot_value(name: str, value: Any, names: Sequence[str]) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if name in SENSITIVE_SLOTS:
        return STAND_INS["name"] if "name" in name else STAND_INS["phone"]
    if isinstance(value, str):
        return scrub_for_training(value, names)
    if isinstance(value, list):
        return [_slot_value(name, v, names) for v in value]
    return value


def story_steps(events: Sequence[EventRow], corrected: Mapping[int, str], names: Iterable[str] = ()) -> list[dict[str, Any]]:
    names = tuple(names)
    steps: list[dict[str, Any]] = []
    for event in events:
        data = event.data
        if event.type_name == "user":
            intent = corrected.get(event.id) or ((data.get("parse_data") or {}).get("intent") or {}).get("name")
            text = scrub_for_training(str(data.get("text") or ""), names)
            step: dict[str, Any] = {"user": text} if text else {}
            if intent:
                step["intent"] = intent
            if step:
                steps.append(step)
        elif event.type_name == "action" and data.get("name") and data.get("name") not in SKIPPED_ACTIONS:
            steps.append({"action": data["name"]})
        elif event.type_name == "slot" and data.get("name"):
            steps.append({"slot_was_set": [{data["name"]: _slot_value(data["name"], data.get("value"), names)}]})
        elif event.type_name == "active_loop":
            steps.append({"active_loop": data.get("name")})
    return steps


def story_yaml(title: str, events: Sequence[EventRow], corrected: Mapping[int, str], names: Iterable[str] = ()) -> str:
    document = {"version": "3.1", "stories": [{"story": title, "steps": story_steps(events, corrected, names)}]}
    return HEADER + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)
