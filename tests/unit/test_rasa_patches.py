"""The faster action-response check still rejects what Rasa's own check rejects."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from lotse import rasa_patches
from lotse.settings import PROJECT_ROOT


def test_valid_and_invalid_responses_are_judged_as_before():
    rasa_patches.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "no_such_event"}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"responses": "not a list"})


def test_only_form_validators_get_the_domain_and_only_its_slots_and_forms():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    rasa_patches.install()
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=True)
    tracker = DialogueStateTracker("t", domain.slots)

    validator = RemoteAction("validate_callback_form", endpoint)._action_call_format(tracker, domain)
    assert set(validator["domain"]) <= {"version", "slots", "forms"}
    assert validator["domain"]["forms"]["callback_form"]["required_slots"]
    assert "callback_topic" in validator["domain"]["slots"]
    assert "responses" not in validator["domain"]

    office = RemoteAction("action_find_office", endpoint)._action_call_format(tracker, domain)
    assert "domain" not in office and office["next_action"] == "action_find_office"
