"""Response selection for several languages (registered as `nlg` in endpoints.yml).

Every response has one variation per language (condition `language`), and knowledge answers also
have variations per child age or town (conditions `language` + `child_age_group`, ...). Rasa picks
randomly among all matching variations; Lotse takes the most specific one, so an English user
with a one-year-old gets the English one-year-old text, never the English general text by chance.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import RESPONSE_CONDITION
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig


def most_specific(variations: list[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    """The variation with the most conditions; the first of equals (content order is deliberate)."""
    if not variations:
        return None
    return max(variations, key=lambda v: len(v.get(RESPONSE_CONDITION) or []))


class LotseNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def _random_response_for(
        self, utter_action: Text, output_channel: Text, filled_slots: Dict[Text, Any]
    ) -> Optional[Dict[Text, Any]]:
        if utter_action not in self.responses:
            return None
        suitable = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        return most_specific(suitable)
