"""Every internal of Rasa, rasa-sdk, python-socketio and python-engineio that Lotse replaces or
subclasses, with the library version it was written for, and the start-up check that refuses any
other version. Used by the Rasa server (lotse/rasa_server/server.py) and the action server
(actions/server.py) before they start; imports none of these libraries (the action server's image
has no Rasa).

Written for rasa 3.6.21, rasa-sdk 3.6.2, python-socketio 5.18.1 and python-engineio 4.15.1
(`WRITTEN_FOR`). Each entry of `OVERRIDES` names the library's internal, Lotse's replacement
(module:name) and how it takes effect:

Replaced (a function of the library swapped for Lotse's, in the running process):
- rasa RemoteAction.run -> lotse.rasa_server.overrides:run_or_fall_back
- rasa RemoteAction._validate_action_result -> lotse.rasa_server.overrides:_validate_action_result
- rasa RemoteAction._action_call_format -> lotse.rasa_server.overrides:_action_call_format
- rasa EndpointConfig.session -> lotse.rasa_server.overrides:pooled_session
- rasa DaskGraphRunner.run -> lotse.rasa_server.overrides:run_graph
- rasa RulePolicy._get_possible_keys -> lotse.rasa_server.overrides:possible_rule_keys
- rasa RulePolicy._predict -> lotse.rasa_server.overrides:predict_with_states_once
- rasa load_agent_on_start -> lotse.rasa_server.server:freeze_after_model_load
- rasa-sdk create_app -> actions.server:install_secret_check
The Rasa ones are installed by lotse/rasa_server/server.py's main before Rasa runs, the rasa-sdk
one by actions/server.py's main. `rasa train` and `rasa test core` (make train, make e2e) run
Rasa's own functions: they never started Lotse's server, and the replacements give Rasa's results
(tests/unit/test_rasa_overrides.py compares them), except the action-server fallback, which only
matters when an action server fails.

Subclassed (Rasa loads Lotse's class by its name in config.yml, endpoints.yml or credentials.yml):
- rasa SQLTrackerStore -> lotse.rasa_server.tracker_store:LotseSQLTrackerStore
- rasa TemplatedNaturalLanguageGenerator -> lotse.rasa_server.nlg:LotseNaturalLanguageGenerator
- rasa LockStore -> lotse.rasa_server.lock_store:AtomicRedisLockStore
- rasa WhitespaceTokenizer -> lotse.rasa_server.components:FoldingTokenizer
- rasa LogisticRegressionClassifier -> lotse.rasa_server.components:FastLogisticRegressionClassifier
- rasa GraphComponent -> lotse.rasa_server.components:LotseEntityExtractor, BarePlaceClassifier,
  NearestExampleClassifier, SentenceEmbeddingFeaturizer (the measured embedding options, configs/)
- rasa Policy -> lotse.rasa_server.policy:ConversationPolicy
- rasa SocketIOInput -> lotse.rasa_server.channels.secure_socketio:SecureSocketIOInput
- rasa SocketIOOutput -> lotse.rasa_server.channels.secure_socketio:WidgetOutput
- python-socketio AsyncServer -> lotse.rasa_server.channels.secure_socketio:TolerantAsyncServer
- python-engineio AsyncServer -> lotse.rasa_server.channels.secure_socketio:TolerantEngineIOServer
- rasa RestInput -> lotse.rasa_server.channels.rest:RestInput
- rasa InputChannel -> lotse.rasa_server.channels.messenger:MessengerInput (the base of the four
  messenger inputs); rasa OutputChannel -> lotse.rasa_server.channels.messenger:MessengerOutput
The actions in actions/ use rasa-sdk's public Action interface only and are not listed.

tests/unit/test_override_registry.py checks that this list is complete (every class in the Rasa
server's modules with a library base is listed) and true (every internal exists, every
replacement is installed or subclasses it). How to move to another version: docs/performance.md,
"Overrides of library internals".
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Callable, Iterable, List, Literal, Mapping, Optional

WRITTEN_FOR: Mapping[str, str] = {
    "rasa": "3.6.21",
    "rasa-sdk": "3.6.2",
    "python-socketio": "5.18.1",
    "python-engineio": "4.15.1",
}
RASA_SERVER_LIBRARIES = ("rasa", "python-socketio", "python-engineio")
ACTION_SERVER_LIBRARIES = ("rasa-sdk",)

RASA_OVERRIDES = "lotse.rasa_server.overrides"
SECURE_SOCKETIO = "lotse.rasa_server.channels.secure_socketio"
AT_RASA_START = "lotse/rasa_server/server.py main"
MESSENGER_CREDENTIALS = "the runtime credentials file (lotse.core.credentials)"


@dataclass(frozen=True)
class Override:
    library: str  # the distribution, a key of WRITTEN_FOR
    internal: str  # "module:attribute.path" in the library
    replacement: str  # "module:name" in Lotse
    kind: Literal["replaced", "subclassed"]
    installed_by: str
    why: str


OVERRIDES: tuple[Override, ...] = (
    Override("rasa", "rasa.core.actions.action:RemoteAction.run", f"{RASA_OVERRIDES}:run_or_fall_back",
             "replaced", AT_RASA_START, "a time limit and a friendly 'unavailable' when the action server fails"),
    Override("rasa", "rasa.core.actions.action:RemoteAction._validate_action_result",
             f"{RASA_OVERRIDES}:_validate_action_result", "replaced", AT_RASA_START,
             "the same response schema, compiled once instead of re-checked on every call"),
    Override("rasa", "rasa.core.actions.action:RemoteAction._action_call_format",
             f"{RASA_OVERRIDES}:_action_call_format", "replaced", AT_RASA_START,
             "only the domain's slots and forms are sent to the action server"),
    Override("rasa", "rasa.utils.endpoints:EndpointConfig.session", f"{RASA_OVERRIDES}:pooled_session",
             "replaced", AT_RASA_START, "one kept-alive HTTP session per endpoint instead of one per call"),
    Override("rasa", "rasa.engine.runner.dask:DaskGraphRunner.run", f"{RASA_OVERRIDES}:run_graph",
             "replaced", AT_RASA_START, "the model graph's nodes run in order, without dask's scheduling"),
    Override("rasa", "rasa.core.policies.rule_policy:RulePolicy._get_possible_keys",
             f"{RASA_OVERRIDES}:possible_rule_keys", "replaced", AT_RASA_START,
             "rule matching stops once every remaining rule is applicable"),
    Override("rasa", "rasa.core.policies.rule_policy:RulePolicy._predict",
             f"{RASA_OVERRIDES}:predict_with_states_once", "replaced", AT_RASA_START,
             "the conversation's states are computed once per prediction, not once per rule pass"),
    Override("rasa", "rasa.core.run:load_agent_on_start", "lotse.rasa_server.server:freeze_after_model_load",
             "replaced", AT_RASA_START, "the loaded model is moved out of the garbage collector's reach"),
    Override("rasa-sdk", "rasa_sdk.endpoint:create_app", "actions.server:install_secret_check",
             "replaced", "actions/server.py main", "every request but /health needs the shared secret"),
    Override("rasa", "rasa.core.tracker_store:SQLTrackerStore", "lotse.rasa_server.tracker_store:LotseSQLTrackerStore",
             "subclassed", "endpoints.yml tracker_store",
             "cached, compacted trackers and plain inserts (retrieve, save, _additional_events)"),
    Override("rasa", "rasa.core.nlg.response:TemplatedNaturalLanguageGenerator",
             "lotse.rasa_server.nlg:LotseNaturalLanguageGenerator", "subclassed", "endpoints.yml nlg",
             "live texts and the most specific variation (responses, _random_response_for)"),
    Override("rasa", "rasa.core.lock_store:LockStore", "lotse.rasa_server.lock_store:AtomicRedisLockStore",
             "subclassed", "the runtime endpoints file's lock_store (lotse.core.endpoints)",
             "a Redis lock that is atomic across instances (Rasa's is not: RasaHQ/rasa#9213)"),
    Override("rasa", "rasa.nlu.tokenizers.whitespace_tokenizer:WhitespaceTokenizer",
             "lotse.rasa_server.components:FoldingTokenizer", "subclassed", "config.yml pipeline",
             "tokens folded to one spelling"),
    Override("rasa", "rasa.nlu.classifiers.logistic_regression_classifier:LogisticRegressionClassifier",
             "lotse.rasa_server.components:FastLogisticRegressionClassifier", "subclassed", "config.yml pipeline",
             "Newton-CG training and column-major weights (reaches into its clf.coef_)"),
    Override("rasa", "rasa.engine.graph:GraphComponent", "lotse.rasa_server.components:LotseEntityExtractor",
             "subclassed", "config.yml pipeline", "place, child age and language entities"),
    Override("rasa", "rasa.engine.graph:GraphComponent", "lotse.rasa_server.components:BarePlaceClassifier",
             "subclassed", "config.yml pipeline", "a message that only names a place is inform_place"),
    Override("rasa", "rasa.engine.graph:GraphComponent", "lotse.rasa_server.components:NearestExampleClassifier",
             "subclassed", "configs/embed-nearest.yml pipeline", "sentence embeddings as a second opinion (not in config.yml)"),
    Override("rasa", "rasa.engine.graph:GraphComponent", "lotse.rasa_server.components:SentenceEmbeddingFeaturizer",
             "subclassed", "configs/embed-feature.yml pipeline", "sentence embeddings as a dense feature (not in config.yml)"),
    Override("rasa", "rasa.core.policies.policy:Policy", "lotse.rasa_server.policy:ConversationPolicy",
             "subclassed", "config.yml policies",
             "the conversation's context decides follow-ups and replies (train, predict_action_probabilities)"),
    Override("rasa", "rasa.core.channels.socketio:SocketIOInput", f"{SECURE_SOCKETIO}:SecureSocketIOInput",
             "subclassed", "credentials.yml", "sessions the server issues and signs, not ones a client names"),
    Override("rasa", "rasa.core.channels.socketio:SocketIOOutput", f"{SECURE_SOCKETIO}:WidgetOutput",
             "subclassed", "SecureSocketIOInput", "whole messages with the id used for ratings (_send_message)"),
    Override("python-socketio", "socketio:AsyncServer", f"{SECURE_SOCKETIO}:TolerantAsyncServer",
             "subclassed", "SecureSocketIOInput.blueprint",
             "packets it cannot dispatch are dropped (_handle_eio_message, _engineio_server_class)"),
    Override("python-engineio", "engineio:AsyncServer", f"{SECURE_SOCKETIO}:TolerantEngineIOServer",
             "subclassed", "TolerantAsyncServer._engineio_server_class",
             "400, not 500, for a request on a closing session (its KeyError texts, _make_response, _bad_request)"),
    Override("rasa", "rasa.core.channels.rest:RestInput", "lotse.rasa_server.channels.rest:RestInput",
             "subclassed", "credentials.yml", "screened requests, rate limits, an answer when the turn lock fails"),
    Override("rasa", "rasa.core.channels.channel:InputChannel", "lotse.rasa_server.channels.messenger:MessengerInput",
             "subclassed", MESSENGER_CREDENTIALS,
             "the base of the messenger webhooks (Facebook, Telegram, WhatsApp via Twilio and the Cloud API)"),
    Override("rasa", "rasa.core.channels.channel:OutputChannel", "lotse.rasa_server.channels.messenger:MessengerOutput",
             "subclassed", "the messenger inputs", "messages sent through a messenger's HTTP API"),
)


def installed_version(library: str) -> Optional[str]:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return None


def version_problems(
    libraries: Iterable[str], installed: Callable[[str], Optional[str]] = installed_version
) -> List[str]:
    """For each library whose installed version is not the one the overrides were written for:
    what is wrong and what to do. Empty when all match."""
    problems = []
    for library in libraries:
        expected, found = WRITTEN_FOR[library], installed(library)
        if found == expected:
            continue
        problems.append(
            f"{library} {found or '(not installed)'} is installed, but Lotse's overrides of its internals were "
            f"written for {library} {expected} (lotse/core/override_registry.py). Install {library}=={expected} "
            f"(requirements.lock), or re-check each override listed there against {library} {found} and update "
            f"WRITTEN_FOR (docs/performance.md, 'Overrides of library internals')."
        )
    return problems
