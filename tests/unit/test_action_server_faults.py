"""When the action server is down or slow, Rasa answers by itself (lotse/rasa_server/overrides.py).

No servers run here: the action endpoint is a local port nobody listens on, or a stand-in that
is slow; the user's view is the events Rasa would log and send.
"""
from __future__ import annotations

import asyncio
import socket
from typing import Any, List

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from lotse.knowledge.offices import load_office_data, verified_contact
from lotse.rasa_server import overrides
from tests.conftest import CONTENT, ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
SWITCHBOARD = verified_contact(load_office_data(CONTENT).switchboard)["phone"]["value"]


def closed_port_endpoint() -> EndpointConfig:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")  # closed again: nobody listens


def tracker(*events: Event, language: str = "de") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "faults-test", [SlotSet("language", language), ActionExecuted("action_listen"), *events], slots=DOMAIN.slots
    )


def run(action: Any, on: DialogueStateTracker) -> List[Event]:
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, on, DOMAIN))


def said(events: List[Event]) -> List[str]:
    return [e.text for e in events if isinstance(e, BotUttered)]


@pytest.fixture(autouse=True)
def patched():
    overrides.install()


@pytest.mark.parametrize(
    ("language", "words"), [("de", "nicht erreichbar"), ("en", "currently unavailable"), ("uk", "недоступна")]
)
def test_office_finder_with_the_action_server_down_says_unavailable_and_the_switchboard(language, words):
    events = run(RemoteAction("action_find_office", closed_port_endpoint()), tracker(UserUttered("Gemen"), language=language))
    [text] = said(events)
    assert words in text and SWITCHBOARD in text
    assert not any(isinstance(e, ActiveLoop) for e in events)  # no form was open: nothing to close


def test_a_slow_action_server_is_given_up_on(monkeypatch):
    async def never_answers(*args: Any, **kwargs: Any) -> List[Event]:
        await asyncio.sleep(60)
        return []

    monkeypatch.setenv("LOTSE_ACTION_TIMEOUT_SECONDS", "0.05")
    monkeypatch.setattr(overrides, "_original_run", never_answers)
    events = run(RemoteAction("action_find_office", EndpointConfig(url="http://unused")), tracker(UserUttered("Gemen")))
    [text] = said(events)
    assert SWITCHBOARD in text


def test_the_callback_form_closes_instead_of_getting_stuck():
    form = FormAction("callback_form", closed_port_endpoint())
    events = run(form, tracker(UserUttered("Ich hätte gern einen Rückruf")))
    [text] = said(events)
    assert SWITCHBOARD in text
    assert [e for e in events if isinstance(e, ActiveLoop)][-1] == ActiveLoop(None)
    assert SlotSet("requested_slot", None) in events


def test_said_once_per_turn_and_the_action_server_is_not_asked_again(monkeypatch):
    async def must_not_be_called(*args: Any, **kwargs: Any) -> List[Event]:
        raise AssertionError("the action server was asked again in the same turn")

    first = run(RemoteAction("validate_callback_form", closed_port_endpoint()), tracker(UserUttered("0171 2345678")))
    monkeypatch.setattr(overrides, "_original_run", must_not_be_called)
    second = run(RemoteAction("action_submit_callback", closed_port_endpoint()), tracker(UserUttered("0171 2345678"), *first))
    assert len(said(first)) == 1 and said(second) == []


def test_the_next_turn_tries_the_action_server_again(monkeypatch):
    first = run(RemoteAction("action_find_office", closed_port_endpoint()), tracker(UserUttered("Gemen")))

    async def back_again(*args: Any, **kwargs: Any) -> List[Event]:
        return [BotUttered("Jobcenter der Stadt Borken")]

    monkeypatch.setattr(overrides, "_original_run", back_again)
    later = tracker(UserUttered("Gemen"), *first, ActionExecuted("action_listen"), UserUttered("Gemen"))
    assert said(run(RemoteAction("action_find_office", closed_port_endpoint()), later)) == ["Jobcenter der Stadt Borken"]


def test_a_form_rejecting_the_input_is_left_to_rasa(monkeypatch):
    async def rejects(*args: Any, **kwargs: Any) -> List[Event]:
        raise ActionExecutionRejection("validate_callback_form")

    monkeypatch.setattr(overrides, "_original_run", rejects)
    with pytest.raises(ActionExecutionRejection):
        run(RemoteAction("validate_callback_form", closed_port_endpoint()), tracker(UserUttered("x")))
