"""lotse/core/settings.py: the table of variables is the one source of the Settings object, the
processes' environment and (tests/unit/test_deploy_files.py) `.env.example`; read once per process."""
from __future__ import annotations

import dataclasses
import inspect
import os
import re
import typing
from pathlib import Path

import pytest

from lotse.core import settings as settings_module
from lotse.core.settings import (
    DERIVED,
    PROCESSES,
    PROJECT_ROOT,
    ROW,
    VARIABLES,
    FromOthers,
    Settings,
    load_settings,
    own_environment,
    process_environment,
)
from lotse.runner.stack import Stack

DEFAULTS = Settings.from_environ({})
TYPES = typing.get_type_hints(Settings)
# Where each process's own code lives; the shared packages it uses are not searched.
PROCESS_PACKAGES = {
    "rasa": "lotse/rasa_server", "actions": "actions", "web": "lotse/webserver",
    "worker": "lotse/worker", "console": "lotse/console",
}


def other_text(row) -> str:
    """A valid value for `row` that is not its default."""
    kind, default = TYPES[row.field], DEFAULTS.__dict__[row.field]
    if row.field == "lock_store":
        return "redis"
    if row.field == "answer_date":
        return "2027-01-02"
    if kind is bool:
        return "false" if default else "true"
    if kind in (int, float):
        return str(default + 7)
    if kind is Path:
        return f"/srv/lotse/{row.field}"
    if kind == tuple[str, ...]:
        return "10.0.0.1,10.0.0.2"
    return f"Value-of-{row.field}"


CUSTOM_ENV = {row.name: other_text(row) for row in VARIABLES}
CUSTOM = Settings.from_environ(CUSTOM_ENV)


def test_every_settings_field_is_a_row_of_the_table():
    fields = dataclasses.fields(Settings)
    assert all(ROW in f.metadata for f in fields)
    assert [row.field for row in VARIABLES] == [f.name for f in fields]
    names = [row.name for row in VARIABLES] + [d.name for d in DERIVED]
    assert len(names) == len(set(names)) and all(row.name.startswith("LOTSE_") for row in VARIABLES)


def test_each_default_has_its_fields_type_and_survives_its_parser():
    for row in VARIABLES:
        if isinstance(row.default, FromOthers):
            continue
        kind = typing.get_origin(TYPES[row.field]) or TYPES[row.field]
        assert isinstance(row.default, kind), row.name
        assert row.parser.parse(row.parser.text(row.default)) == row.default, row.name


def test_the_defaults_are_the_local_set_up():
    assert DEFAULTS.data_dir == PROJECT_ROOT / "var" and DEFAULTS.content_dir == PROJECT_ROOT / "content"
    assert DEFAULTS.tracker_db == str(PROJECT_ROOT / "var" / "tracker.db")
    assert DEFAULTS.callback_db_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'callbacks.db'}"
    assert (DEFAULTS.rasa_port, DEFAULTS.actions_port, DEFAULTS.web_port) == (5005, 5055, 8080)
    assert DEFAULTS.widget_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    assert DEFAULTS.lock_store == "in_memory" and DEFAULTS.console_cookie_secure is True
    moved = Settings.from_environ({"LOTSE_DATA_DIR": "/data"})
    assert moved.tracker_db == "/data/tracker.db" and moved.callback_db_url == "sqlite:////data/callbacks.db"


def test_the_parsers_keep_their_special_rules():
    env = {
        "LOTSE_PUBLIC_URL": "https://lotse.example.de/", "LOTSE_LOG_LEVEL": "info", "LOTSE_RASA_API_TOKEN": " t ",
        "LOTSE_WIDGET_ORIGINS": " ", "LOTSE_RATE_EXEMPT_IPS": "", "LOTSE_LOCK_STORE": "", "LOTSE_CONSOLE_COOKIE_SECURE": "Off",
    }
    settings = Settings.from_environ(env)
    assert (settings.public_url, settings.log_level, settings.rasa_api_token) == ("https://lotse.example.de", "INFO", "t")
    assert settings.widget_origins == DEFAULTS.widget_origins  # blank means the default ...
    assert settings.rate_exempt_ips == ()  # ... but an empty list limits everyone
    assert settings.lock_store == "in_memory" and settings.console_cookie_secure is False


def test_a_wrong_value_names_its_variable():
    with pytest.raises(ValueError, match=r"LOTSE_LOCK_STORE='memcached': expected one of in_memory, redis"):
        Settings.from_environ({"LOTSE_LOCK_STORE": "memcached"})
    with pytest.raises(ValueError, match="LOTSE_WEB_PORT='http'"):
        Settings.from_environ({"LOTSE_WEB_PORT": "http"})


def test_the_custom_values_differ_from_every_default():
    assert [row.name for row in VARIABLES if getattr(CUSTOM, row.field) == getattr(DEFAULTS, row.field)] == []


@pytest.mark.parametrize("settings", [DEFAULTS, CUSTOM], ids=["defaults", "custom"])
def test_the_processes_environment_gives_back_the_same_settings(settings):
    env = process_environment(settings, base={})
    assert {row.name for row in VARIABLES} <= set(env)
    assert Settings.from_environ(env) == settings


def test_the_environment_overrides_what_the_parent_inherited():
    env = process_environment(CUSTOM, base={"LOTSE_WEB_PORT": "1", "PATH": "/bin"})
    assert env["LOTSE_WEB_PORT"] == str(CUSTOM.web_port) and env["PATH"] == "/bin"


def test_the_table_names_the_processes_lotse_runs():
    assert set(PROCESSES) == set(Stack(DEFAULTS, Path("m.tar.gz"), Path("logs")).commands())
    assert all(row.processes and row.processes <= set(PROCESSES) for row in (*VARIABLES, *DERIVED))


@pytest.mark.parametrize("process", PROCESSES)
def test_each_process_reads_its_variables_with_the_parents_values(process):
    env = own_environment(process, CUSTOM, process_environment(CUSTOM, base={}))
    needed = [row for row in (*VARIABLES, *DERIVED) if process in row.processes]
    assert [row.name for row in needed if row.name not in env] == []
    own = Settings.from_environ(env)
    assert [row.name for row in VARIABLES if process in row.processes and getattr(own, row.field) != getattr(CUSTOM, row.field)] == []
    assert [d.name for d in DERIVED if process in d.processes and env[d.name] != d.compute(CUSTOM)] == []


@pytest.mark.parametrize("process", PROCESSES)
def test_secrets_reach_only_their_processes(process):
    inherited = {row.name: "inherited" for row in (*VARIABLES, *DERIVED) if row.private}
    env = own_environment(process, CUSTOM, {**process_environment(CUSTOM, base={}), **inherited})
    for row in (*VARIABLES, *DERIVED):
        if row.private and process not in row.processes:
            assert row.name not in env, row.name
        elif row.private:
            assert env[row.name] == row.text_of(CUSTOM) != "inherited"


def test_rasa_gets_every_variable_its_endpoints_file_names_even_when_empty():
    names = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (PROJECT_ROOT / "endpoints.yml").read_text()))
    env = own_environment("rasa", DEFAULTS, process_environment(DEFAULTS, base={}))
    assert names and names <= set(env)
    assert env["LOTSE_ACTIONS_SECRET"] == "" and "LOTSE_RASA_API_TOKEN" not in env  # no token: no API


def fields_read_by(prop: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The fields a property of Settings reads, through other properties too."""
    source = inspect.getsource(getattr(Settings, prop).fget)
    names = set(re.findall(r"self\.(\w+)", source)) - seen
    properties = {n for n in names if isinstance(getattr(Settings, n, None), property)}
    fields = names - properties
    for other in properties:
        fields |= fields_read_by(other, seen | names)
    return fields


@pytest.mark.parametrize("process", PROCESSES)
def test_the_table_lists_each_process_for_the_settings_its_own_code_reads(process):
    fields = {row.field for row in VARIABLES}
    properties = {name for name, value in vars(Settings).items() if isinstance(value, property)}
    read: set[str] = set()
    for path in (PROJECT_ROOT / PROCESS_PACKAGES[process]).rglob("*.py"):
        for name in set(re.findall(r"settings(?:\(\))?\.(\w+)", path.read_text(encoding="utf-8"))):
            read |= {name} & fields | (fields_read_by(name) if name in properties else set())
    listed = {row.field for row in VARIABLES if process in row.processes}
    assert read and sorted(read - listed) == []


def test_load_settings_reads_the_environment_once_until_told_again(monkeypatch):
    first = load_settings()
    assert load_settings() is first
    monkeypatch.setenv("LOTSE_WEB_PORT", str(first.web_port + 1))
    load_settings.cache_clear()
    assert load_settings().web_port == first.web_port + 1
    assert load_settings({"LOTSE_WEB_PORT": "9"}).web_port == 9  # an explicit environment is never cached


def test_a_test_that_changes_the_environment_behind_the_cache_fails_loudly(monkeypatch):
    load_settings()
    monkeypatch.setenv("LOTSE_WEB_PORT", "1")
    with pytest.raises(AssertionError, match="cache_clear"):
        load_settings()


def test_the_cache_holds_the_settings_of_os_environ():
    assert settings_module._this_process_settings() == Settings.from_environ(os.environ)
