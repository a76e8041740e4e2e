"""Lotse's replacements of seven Rasa 3.6.21 functions, installed by `install()`, which
lotse/rasa_server/server.py calls before Rasa runs (the list of every override, with the versions
it was written for: lotse/core/override_registry.py).

1. The action server down or slow. Rasa 3.6 waits up to five minutes for a custom action and,
when the action server cannot be reached, logs an error and says nothing at all. `install()`
wraps `RemoteAction.run`: when the action server does not answer within
`LOTSE_ACTION_TIMEOUT_SECONDS` (default 2), cannot be reached, or fails, the user gets a friendly
"currently unavailable" in their language with the verified switchboard number, and an active
form is closed so the conversation is not stuck. In the same turn, later custom actions are not
tried again (the reply stays within the time limit) and the message is said only once. Nothing
is remembered: the next turn tries the action server again, so recovery is automatic. Fixed
answers (utter_*) never need the action server. See docs/reliability.md.

2. One measured performance fix. Rasa checks every action-server response with `jsonschema.validate(result, schema)`. That
function first validates the schema itself against the JSON-Schema meta-schema — on every call.
py-spy showed this at about 60 % of the Rasa server's CPU time in a callback-form turn (two or
three action calls per turn). `install()` replaces the check with a validator compiled once:
the response is validated against exactly the same schema, so invalid responses are still
rejected with the same `ValidationError`.

3. What Rasa sends to the action server. Rasa 3.6 sends the whole domain with every action call
that needs one (here the form validators; endpoints.yml enables `enable_selective_domain`): 551 KB
of JSON, mostly the answers in three languages, serialised by Rasa and parsed by the action
server on every form turn. The action SDK reads only the domain's `slots` and `forms`, so only
those are sent, prepared once per domain.

4. Two pieces of per-message overhead, replaced by code with the same results (py-spy on the
mixed benchmark conversations):
- Rasa runs its model graph (NLU pipeline, policies) through `dask.get`, which orders and
  schedules a dozen tasks on every message: ~6 % of the Rasa server's CPU over the graph's own
  work. `run_graph` calls the same nodes, each once, dependencies first.
- RulePolicy narrows its rules turn by turn back through the whole conversation, checking every
  remaining rule at every turn, although a rule shorter than the turns looked at is applicable by
  definition (`RulePolicy._is_rule_applicable`). `possible_rule_keys` stops there.
- RulePolicy turns the whole conversation into states twice for each prediction after a user
  message (once to match rules on the message text, once on its intent; the two differ only in
  what is kept of the last user input, which Rasa removes afterwards). `predict_with_states_once`
  computes them once per prediction and hands each pass its own copy.

5. Connection reuse. Rasa opens a new HTTP session, and so a new TCP connection, for every call to
the action server (`EndpointConfig.request`); connecting was ~7 % of the Rasa server's CPU in the
mixed benchmark, plus the accept on the action server's side. `pooled_session` keeps one session
per endpoint and event loop. Idle connections are closed after one second, well before the action
server's own keep-alive limit (Sanic: 5 s), so a connection the server already closed is not
reused; a restarted action server's connections are gone from the pool as soon as they close.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Text, Tuple

import aiohttp
import rasa
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import PREVIOUS_ACTION, REQUESTED_SLOT
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from lotse.core.settings import load_settings
from lotse.knowledge.office_answers import switchboard_phone
from lotse.knowledge.offices import load_office_data
from lotse.language.messages import messages_for

log = logging.getLogger(__name__)

_original_run = RemoteAction.run
# Custom actions that run inside a form: when they cannot run, the form cannot go on.
FORM_ACTION_PREFIXES = ("validate_", "action_ask_")


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError

    try:
        _response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += ". Failed to validate Action server response from API, make sure your response from the Action endpoint is valid."
        raise e


def unavailable_text(language: Optional[str]) -> str:
    """The friendly "currently unavailable" with the verified switchboard number, in the user's language."""
    content_dir = load_settings().content_dir
    t = messages_for(language, content_dir)
    return t("actions_unavailable", switchboard=switchboard_phone(load_office_data(content_dir), t))


def _events_this_turn(tracker: Any) -> List[Event]:
    """The events after the latest user message."""
    turn: List[Event] = []
    for event in reversed(list(tracker.events)):
        if isinstance(event, UserUttered):
            break
        turn.append(event)
    return list(reversed(turn))


def _told_unavailable_this_turn(tracker: Any) -> bool:
    said = [e.text for e in _events_this_turn(tracker) if isinstance(e, BotUttered)]
    return bool(said) and unavailable_text(tracker.get_slot("language")) in said


def fallback_events(action_name: str, tracker: Any) -> List[Event]:
    """What Rasa does instead of a custom action that could not run: tell the user (once per
    turn), and close the form that needed the action."""
    events: List[Event] = []
    if not _told_unavailable_this_turn(tracker):
        events.append(BotUttered(unavailable_text(tracker.get_slot("language"))))
    if tracker.active_loop_name or action_name.startswith(FORM_ACTION_PREFIXES):
        events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
    return events


async def run_or_fall_back(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    """`RemoteAction.run` with a time limit and a friendly answer when the action server fails."""
    if _told_unavailable_this_turn(tracker):
        return fallback_events(self.name(), tracker)  # known to be down in this turn: do not wait again
    timeout = load_settings().action_timeout_seconds
    try:
        return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), timeout)
    except ActionExecutionRejection:
        raise  # a form's own "not my input": Rasa handles it
    except asyncio.TimeoutError:
        log.warning("action server did not answer '%s' within %.1f s; told the user it is unavailable", self.name(), timeout)
    except (RasaException, aiohttp.ClientError, OSError) as error:
        log.warning("action server failed to run '%s' (%s); told the user it is unavailable", self.name(), type(error).__name__)
    return fallback_events(self.name(), tracker)


_domain_for_actions: Dict[int, Dict[Text, Any]] = {}


def domain_for_actions(domain: Any) -> Dict[Text, Any]:
    """The part of the domain the action SDK reads (rasa_sdk/forms.py, slots.py), built once."""
    key = id(domain)
    cached = _domain_for_actions.get(key)
    if cached is None or cached["_domain"] is not domain:
        whole = domain.as_dict()
        cached = {"_domain": domain, "part": {k: whole[k] for k in ("version", "slots", "forms") if k in whole}}
        _domain_for_actions.clear()  # one model at a time
        _domain_for_actions[key] = cached
    return cached["part"]


def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """`RemoteAction._action_call_format` of Rasa 3.6.21, with only the domain part actions read."""
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(EventVerbosity.ALL),
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain_for_actions(domain)
    return result


RASA_GRAPH_RUN = DaskGraphRunner.run
RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
RASA_RULE_PREDICT = RulePolicy._predict


def run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` without dask: every needed node once, its dependencies first."""
    run_targets = targets if targets else self._graph_schema.target_names
    schema = self._graph_schema.minimal_graph_schema(run_targets)
    results: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if name in schema.nodes:
            raise GraphRunError(f"Input value '{name}' clashes with a node name.")
        results[name] = (name, value)  # what dask handed the nodes for an input

    def result_of(node_name: Text) -> Any:
        if node_name not in results:
            needs = [result_of(need) for need in schema.nodes[node_name].needs.values()]
            results[node_name] = self._instantiated_nodes[node_name](*needs)
        return results[node_name]

    try:
        return dict(result_of(target) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def possible_rule_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
    """`RulePolicy._get_possible_keys`, stopping once every remaining rule is shorter than the
    turns already checked (those rules are applicable at every earlier turn), with each rule's
    states reversed once instead of at every check."""
    reversed_rules = _reversed_rule_states(self, lookup)
    possible_keys = set(lookup.keys())
    for turn_index, state in enumerate(reversed(states)):
        if not possible_keys or turn_index >= max(len(reversed_rules[key]) for key in possible_keys):
            break
        possible_keys = {key for key in possible_keys if _rule_applicable(reversed_rules[key], turn_index, state)}
    return possible_keys


def _reversed_rule_states(policy: RulePolicy, lookup: Dict[Text, Text]) -> Dict[Text, List[Any]]:
    cache: Dict[int, Any] = policy.__dict__.setdefault("_lotse_reversed_rules", {})
    cached = cache.get(id(lookup))
    if cached is None or cached[0] is not lookup or len(cached[1]) != len(lookup):
        cached = cache[id(lookup)] = (lookup, {key: list(reversed(policy._rule_key_to_state(key))) for key in lookup})
    return cached[1]


def _rule_applicable(reversed_rule_states: List[Any], turn_index: int, conversation_state: Dict[Text, Any]) -> bool:
    """`RulePolicy._is_rule_applicable` of Rasa 3.6.21 on already reversed rule states."""
    if turn_index >= len(reversed_rule_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = reversed_rule_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True  # both are conversation starts
    if not rule_previous_action or not current_previous_action:
        return False
    return RulePolicy._does_rule_match_state(reversed_rule_states[turn_index], conversation_state)


def _copy_states(states: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    # Rasa edits the user part of a state in place (deletes the intent or the text); the values
    # inside the parts are strings and tuples.
    return [{part: dict(values) for part, values in state.items()} for state in states]


def predict_with_states_once(self: RulePolicy, tracker: Any, domain: Any) -> Any:
    """`RulePolicy._predict` with the tracker's states computed once for this prediction."""
    featurizer = self.featurizer
    computed: Dict[Tuple[Any, ...], List[Dict[Text, Any]]] = {}

    def create_states(
        tracker_: Any, domain_: Any, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False, rule_only_data: Any = None
    ) -> List[Dict[Text, Any]]:
        key = (id(tracker_), len(tracker_.events), id(domain_), omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
        if key not in computed:
            computed[key] = type(featurizer)._create_states(tracker_, domain_, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return _copy_states(computed[key])

    featurizer.__dict__["_create_states"] = create_states  # shadows the static method for this call only
    try:
        return RASA_RULE_PREDICT(self, tracker, domain)
    finally:
        featurizer.__dict__.pop("_create_states", None)


IDLE_CONNECTION_SECONDS = 1.0
# endpoint -> (the event loop the session was made in, the session); a session is only used in its loop.
_sessions: Dict[Any, Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


class _Borrowed:
    """`async with` for a pooled session: Rasa's request code closes its session after each call;
    this one stays open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def pooled_session(self: EndpointConfig) -> _Borrowed:
    """`EndpointConfig.session`, one kept-alive session per endpoint and event loop."""
    loop = asyncio.get_running_loop()
    key = (self.url, tuple(sorted(self.headers.items())), tuple(sorted(self.basic_auth.items())))
    made_in, session = _sessions.get(key, (None, None))
    if session is None or session.closed or made_in is not loop:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
        )
        _sessions[key] = (loop, session)
    return _Borrowed(session)


def install() -> None:
    EndpointConfig.session = pooled_session  # type: ignore[method-assign,assignment]
    DaskGraphRunner.run = run_graph  # type: ignore[method-assign]
    RulePolicy._get_possible_keys = possible_rule_keys  # type: ignore[method-assign]
    RulePolicy._predict = predict_with_states_once  # type: ignore[method-assign]
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    RemoteAction.run = run_or_fall_back  # type: ignore[method-assign]
