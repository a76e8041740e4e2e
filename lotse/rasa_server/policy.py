"""The conversation policy (config.yml): answers a message in the context of the conversation.

Rasa's RulePolicy answers each message as if it were the first; this policy runs beside it with a
higher priority and predicts only where the context decides (lotse.knowledge.conversation): a
follow-up about the topic ("Wo beantrage ich das?"), a short reply to the bot's own question ("2",
"Gronau"), a place or a child's age for the topic, a choice from the buttons. Everywhere else it
predicts nothing and the rules answer. Nothing is learnt: the links between answers and their
follow-ups are content (content/followups.yml), read when the model is loaded.

Why a policy of its own rather than TED or generated rules: docs/conversation.md.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from lotse.core.settings import load_settings
from lotse.knowledge.conversation import (
    Event,
    answers_index,
    context_of,
    message_of,
    next_step,
    split_at_last_user,
)
from lotse.knowledge.followups import load_followups

PRIORITY = 7  # above RulePolicy (6): where both are sure, the context wins


def _neutral(events: Iterator[Any]) -> Iterator[Event]:
    for event in events:
        if isinstance(event, UserUttered):
            yield Event("user")
        elif isinstance(event, ActionExecuted):
            yield Event("action", event.action_name)
        elif isinstance(event, BotUttered):
            buttons = (event.data or {}).get("buttons") or []
            yield Event("bot", buttons=tuple(str(b.get("payload", "")) for b in buttons))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ConversationPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": PRIORITY}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        content_dir = load_settings().content_dir
        self.followups = load_followups(content_dir)
        self.answers = answers_index(content_dir)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        nothing = self._prediction(self._default_predictions(domain))
        if tracker.active_loop_name:
            return nothing
        after_user, before = split_at_last_user(_neutral(reversed(tracker.events)))
        if after_user is None:
            return nothing
        latest = tracker.latest_message
        message = message_of(latest.parse_data if latest else {})  # as the action server reads it
        step = next_step(message, context_of(before, self.followups), self.followups, self.answers)
        if step is None or step.action not in domain.action_names_or_texts:
            return nothing
        done = [e.name for e in after_user if e.kind == "action" and e.name != "action_listen"]
        if not done:
            slots = [SlotSet(name, value) for name, value in step.slots.items()]
            return self._prediction(self._confidences(domain, step.action), optional_events=slots)
        if done == [step.action]:
            return self._prediction(self._confidences(domain, "action_listen"))
        return nothing

    def _confidences(self, domain: Domain, action: str) -> List[float]:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return probabilities
