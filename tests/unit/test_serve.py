"""`python -m lotse.runner.serve <service>`: what a container runs, with its runtime files written first."""
from __future__ import annotations

import pytest

from lotse.core.settings import load_settings
from lotse.runner.serve import plan


def test_rasa_gets_the_atomic_lock_store_and_binds_to_the_configured_address(tmp_path):
    settings = load_settings({
        "LOTSE_DATA_DIR": str(tmp_path), "LOTSE_RASA_HOST": "0.0.0.0", "LOTSE_LOCK_STORE": "redis",
        "LOTSE_REDIS_URL": "redis://:pw@redis:6379/1", "LOTSE_ACTIONS_HOST": "lb",
    })
    command, env = plan("rasa", settings)
    assert command[1:4] == ["-m", "lotse.rasa_server.server", "run"]
    endpoints = command[command.index("--endpoints") + 1]
    assert endpoints == str(tmp_path / "endpoints.yml")
    text = (tmp_path / "endpoints.yml").read_text()
    assert "lotse.rasa_server.lock_store.AtomicRedisLockStore" in text and "pw" not in text
    assert (tmp_path / "credentials.yml").exists()
    assert command[command.index("-i") + 1] == "0.0.0.0"
    assert env["LOTSE_ACTION_ENDPOINT_URL"] == "http://lb:5055/webhook" and env["LOTSE_REDIS_URL"] == "redis://:pw@redis:6379/1"


def test_the_action_server_listens_on_all_interfaces_in_a_container(tmp_path):
    command, env = plan("actions", load_settings({"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_ACTIONS_HOST": "0.0.0.0"}))
    assert command[1:3] == ["-m", "actions.server"] and command[command.index("-p") + 1] == "5055"
    assert env["SANIC_HOST"] == "0.0.0.0"


def test_each_service_gets_the_environment_make_run_gives_it(tmp_path):
    settings = load_settings({"LOTSE_DATA_DIR": str(tmp_path), "LOTSE_ACTIONS_SECRET": "a-secret", "LOTSE_RASA_API_TOKEN": "t"})
    _, rasa = plan("rasa", settings)
    assert rasa["SANIC_REQUEST_MAX_SIZE"] == str(settings.max_webhook_body_bytes)  # Rasa's body limit in a container too
    assert rasa["LOTSE_RASA_API_TOKEN"] == "t" and rasa["LOTSE_ACTIONS_SECRET"] == "a-secret"
    _, web = plan("web", settings)
    assert not {"LOTSE_ACTIONS_SECRET", "LOTSE_RASA_API_TOKEN", "SANIC_REQUEST_MAX_SIZE"} & set(web)


def test_an_unknown_service_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(SystemExit, match="unknown service .console-typo.; one of: .*rasa"):
        plan("console-typo", load_settings({"LOTSE_DATA_DIR": str(tmp_path)}))
