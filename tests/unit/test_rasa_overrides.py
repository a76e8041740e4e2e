"""Lotse's replacements of Rasa functions (lotse/rasa_server/overrides.py) against Rasa's own:
the faster action-response check still rejects what Rasa's own check rejects, the graph and the
rule matching give Rasa's results, the domain sent is the part actions read, connections are reused."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from lotse.core.settings import PROJECT_ROOT
from lotse.rasa_server import overrides


def test_valid_and_invalid_responses_are_judged_as_before():
    overrides.install()
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
    overrides.install()
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=True)
    tracker = DialogueStateTracker("t", domain.slots)

    validator = RemoteAction("validate_callback_form", endpoint)._action_call_format(tracker, domain)
    assert set(validator["domain"]) <= {"version", "slots", "forms"}
    assert validator["domain"]["forms"]["callback_form"]["required_slots"]
    assert "callback_topic" in validator["domain"]["slots"]
    assert "responses" not in validator["domain"]

    office = RemoteAction("action_find_office", endpoint)._action_call_format(tracker, domain)
    assert "domain" not in office and office["next_action"] == "action_find_office"



def test_the_graph_runs_each_node_once_with_the_results_dask_gives(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    calls: list[str] = []

    class Step(GraphComponent):
        @classmethod
        def create(cls, config, model_storage, resource, execution_context):
            return cls()

        def add(self, x: int, y: int = 0) -> int:
            calls.append("add")
            return x + y + 1

    def node(needs):
        return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="add", config={})

    schema = GraphSchema({"a": node({"x": "start"}), "b": node({"x": "a"}), "c": node({"x": "a", "y": "b"}), "unused": node({"x": "a"})})
    overrides.install()
    assert DaskGraphRunner.run is overrides.run_graph
    runner = DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"))

    expected = overrides.RASA_GRAPH_RUN(runner, inputs={"start": 1}, targets=["c", "b"])
    calls.clear()
    assert runner.run(inputs={"start": 1}, targets=["c", "b"]) == expected == {"c": 6, "b": 3}
    assert len(calls) == 3  # a, b, c once each; "unused" not at all


def test_rule_keys_found_are_those_rasa_finds():
    import json
    import random

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    overrides.install()
    assert RulePolicy._get_possible_keys is overrides.possible_rule_keys
    policy = RulePolicy.create(
        RulePolicy.get_default_config(), LocalModelStorage("/tmp"), Resource("rules"), ExecutionContext(GraphSchema({}), "t")
    )
    rng = random.Random(7)
    intents, actions = ["greet", "ask_kita", "deny"], ["action_listen", "utter_a", "utter_b", "form"]

    def state() -> dict:
        s = {"prev_action": {"action_name": rng.choice(actions)}}
        if rng.random() < 0.6:
            s["user"] = {"intent": rng.choice(intents)}
        if rng.random() < 0.3:
            s["active_loop"] = {"name": "form"}
        return s

    lookup = {}
    for _ in range(60):
        rule = ([{}] if rng.random() < 0.2 else []) + [state() for _ in range(rng.randint(1, 4))]  # {} = conversation start
        lookup[json.dumps(rule, sort_keys=True)] = rng.choice(actions)
    found_some = 0
    for _ in range(400):
        conversation = [{}] + [state() for _ in range(rng.randint(0, 12))]
        expected = overrides.RASA_POSSIBLE_KEYS(policy, lookup, conversation)
        assert policy._get_possible_keys(lookup, conversation) == expected
        found_some += bool(expected)
    assert found_some > 50  # the comparison covered matches, not only empty sets


def test_calls_to_an_endpoint_reuse_one_connection_and_survive_a_server_restart():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    overrides.install()
    peers: list = []

    async def handle(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"ok": True})

    async def serve(port: int = 0) -> tuple[web.AppRunner, int]:
        app = web.Application()
        app.router.add_post("/webhook", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]

    async def scenario() -> None:
        runner, port = await serve()
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        for _ in range(5):
            assert await endpoint.request(json={"n": 1}) == {"ok": True}
        assert len(set(peers)) == 1  # one connection for five calls
        await runner.cleanup()  # the action server restarts
        runner, _ = await serve(port)
        await asyncio.sleep(0.05)
        assert await endpoint.request(json={"n": 2}) == {"ok": True}
        await runner.cleanup()
        for _, session in list(overrides._sessions.values()):
            await session.close()

    asyncio.run(scenario())


def test_rule_predictions_and_states_are_rasa_s_with_the_states_computed_once(monkeypatch, tmp_path):
    """The real rules and domain, real conversations: the same prediction as Rasa's own
    `_predict`, with the tracker turned into states once instead of twice."""
    from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.generator import TrackerWithCachedStates
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    steps = YAMLStoryReader(domain).read_from_file(str(PROJECT_ROOT / "data" / "callback_rules.yml"))
    rules = [TrackerWithCachedStates.from_events(s.block_name, s.events, domain=domain, is_rule_tracker=True) for s in steps]
    policy = RulePolicy.create(
        RulePolicy.get_default_config(), LocalModelStorage(tmp_path), Resource("rules"), ExecutionContext(GraphSchema({}), "t")
    )
    policy.train(rules, domain)

    def user(intent: str) -> UserUttered:
        return UserUttered(intent, {"name": intent, "confidence": 1.0})

    conversations = [
        [ActionExecuted("action_listen"), user("request_callback")],
        [ActionExecuted("action_listen"), user("request_callback"), ActionExecuted("callback_form"),
         ActiveLoop("callback_form"), SlotSet("requested_slot", "municipality"), ActionExecuted("action_listen"), user("stop")],
        [ActionExecuted("action_listen"), user("cancel_callback")],
        [ActionExecuted("action_listen"), user("greet")],
    ]
    calls = {"n": 0}
    original = TrackerFeaturizer._create_states

    def counted(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(TrackerFeaturizer, "_create_states", staticmethod(counted))
    for events in conversations:
        tracker = DialogueStateTracker.from_events("t", events, domain.slots)
        calls["n"] = 0
        expected = overrides.RASA_RULE_PREDICT(policy, tracker, domain)
        rasa_calls = calls["n"]
        calls["n"] = 0
        got = overrides.predict_with_states_once(policy, tracker, domain)
        assert got[0].probabilities == expected[0].probabilities and got[1] == expected[1]
        assert calls["n"] == 1 < rasa_calls or calls["n"] == rasa_calls == 1
