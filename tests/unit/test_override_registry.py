"""The list of overridden library internals (lotse/core/override_registry.py) is complete and
true, and both servers refuse library versions the overrides were not written for."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

import lotse.rasa_server
from lotse.core import override_registry
from lotse.core.override_registry import OVERRIDES, WRITTEN_FOR, version_problems
from tests.conftest import ROOT

LIBRARY_MODULES = {"rasa": "rasa", "rasa_sdk": "rasa-sdk", "socketio": "python-socketio", "engineio": "python-engineio"}


def resolve(dotted: str) -> Any:
    module_name, _, path = dotted.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in path.split("."):
        found = getattr(found, part)
    return found


def name_of(thing: Any) -> str:
    return f"{thing.__module__}:{thing.__qualname__}"


def rasa_server_classes() -> list[type]:
    classes = []
    for module_info in pkgutil.walk_packages(lotse.rasa_server.__path__, "lotse.rasa_server."):
        module = importlib.import_module(module_info.name)
        classes += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    return classes


def library_of(cls: type) -> str | None:
    return LIBRARY_MODULES.get(cls.__module__.split(".")[0])


@pytest.fixture
def installed(monkeypatch):
    """Both servers' replacements installed; rasa-sdk's create_app and Rasa's model loader come back afterwards."""
    import rasa.core.run
    import rasa_sdk.endpoint

    from actions.server import install_secret_check
    from lotse.rasa_server.server import install_overrides

    monkeypatch.setattr(rasa_sdk.endpoint, "create_app", rasa_sdk.endpoint.create_app)
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    install_overrides()
    install_secret_check("s3cret")


def test_every_replaced_internal_is_lotses_once_the_servers_installed_their_overrides(installed):
    for override in (o for o in OVERRIDES if o.kind == "replaced"):
        now = name_of(resolve(override.internal))
        assert now == override.replacement or now.startswith(override.replacement + ".<locals>."), override


def test_installing_twice_changes_nothing(installed):
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction

    from lotse.rasa_server.server import install_overrides

    before = (rasa.core.run.load_agent_on_start, RemoteAction.run)
    install_overrides()
    assert (rasa.core.run.load_agent_on_start, RemoteAction.run) == before


def test_every_subclass_subclasses_the_listed_internal_of_the_listed_library():
    for override in (o for o in OVERRIDES if o.kind == "subclassed"):
        internal, replacement = resolve(override.internal), resolve(override.replacement)
        assert inspect.isclass(internal) and issubclass(replacement, internal), override
        assert library_of(internal) == override.library, override


def test_every_class_of_the_rasa_server_with_a_library_base_is_listed():
    listed = {o.replacement for o in OVERRIDES}
    unlisted = [
        name_of(cls) for cls in rasa_server_classes()
        if any(library_of(base) for base in cls.__bases__) and name_of(cls) not in listed
    ]
    assert not unlisted, "add these to lotse/core/override_registry.py"


def test_the_module_docstring_names_every_override():
    doc = override_registry.__doc__ or ""
    for override in OVERRIDES:
        assert override.internal.rpartition(":")[2].rpartition(".")[2] in doc, override
        assert override.replacement.rpartition(":")[2] in doc, override


def test_the_overrides_were_written_for_the_pinned_and_installed_versions():
    pins = dict(
        line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line
    )
    for library, version in WRITTEN_FOR.items():
        assert pins[library].split()[0] == version
    assert version_problems(WRITTEN_FOR) == []
    assert {o.library for o in OVERRIDES} == set(WRITTEN_FOR)
    assert set(override_registry.RASA_SERVER_LIBRARIES) | set(override_registry.ACTION_SERVER_LIBRARIES) == set(WRITTEN_FOR)


def faked(**versions: str | None):
    return lambda library: versions.get(library, WRITTEN_FOR[library])


def test_another_version_is_named_with_the_expected_one_and_what_to_do():
    [problem] = version_problems(WRITTEN_FOR, faked(**{"python-socketio": "5.19.0"}))
    assert "python-socketio 5.19.0 is installed" in problem
    assert "written for python-socketio 5.18.1" in problem
    assert "python-socketio==5.18.1" in problem and "docs/performance.md" in problem
    [missing] = version_problems(["rasa"], faked(rasa=None))
    assert "rasa (not installed) is installed" in missing


def test_the_rasa_server_refuses_another_rasa_and_starts_rasa_only_after_installing(monkeypatch, capsys):
    import rasa.core.run
    from rasa.engine.runner.dask import DaskGraphRunner

    from lotse.rasa_server import overrides, server

    started: list[Any] = []
    monkeypatch.setitem(sys.modules, "rasa.__main__", SimpleNamespace(main=lambda: started.append(DaskGraphRunner.run)))
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    monkeypatch.setattr(sys, "argv", ["server", "run"])
    monkeypatch.setattr(server, "version_problems", lambda libraries: version_problems(libraries, faked(rasa="3.6.22")))

    assert server.main() == 2
    assert started == []
    assert "Lotse: rasa 3.6.22 is installed, but Lotse's overrides of its internals were written for rasa 3.6.21" in capsys.readouterr().err

    monkeypatch.setattr(server, "version_problems", version_problems)
    assert server.main() == 0
    assert started == [overrides.run_graph]


def test_the_action_server_refuses_another_rasa_sdk(monkeypatch, capsys):
    from actions import server

    monkeypatch.setitem(sys.modules, "rasa_sdk.__main__", SimpleNamespace(main=lambda: pytest.fail("the action server started")))
    monkeypatch.setattr(server, "version_problems", lambda libraries: version_problems(libraries, faked(**{"rasa-sdk": "3.7.0"})))
    assert server.main() == 2
    assert "rasa-sdk 3.7.0 is installed" in capsys.readouterr().err


def test_the_action_server_imports_no_rasa():
    probe = "import sys, actions.server; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rasa'))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
