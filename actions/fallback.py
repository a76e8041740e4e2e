"""Two-stage fallback: when Lotse is unsure, offer the likely topics by their readable names."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.i18n import texts
from lotse.core.settings import load_settings
from lotse.core.yamlfiles import load_yaml

NOT_OFFERED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "greet", "goodbye", "thank", "inform_place", "inform", "stop"}


def affirmation_buttons(
    ranking: List[Dict[str, Any]], labels: Dict[str, Dict[str, str]], lang: str, none_of_these: str
) -> List[Dict[str, str]]:
    buttons = []
    for item in ranking:
        name = item.get("name")
        if name in NOT_OFFERED or name not in labels:
            continue
        buttons.append({"title": labels[name].get(lang) or labels[name]["de"], "payload": f"/{name}"})
        if len(buttons) == 3:
            break
    buttons.append({"title": none_of_these, "payload": "/out_of_scope"})
    return buttons


class ActionDefaultAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        labels = load_yaml(Path(load_settings().content_dir) / "labels.yml")["labels"]
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        t = texts(tracker)
        dispatcher.utter_message(
            text=t("fallback_did_you_mean"),
            buttons=affirmation_buttons(ranking, labels, t.language, t("button_none_of_these")),
        )
        return []
