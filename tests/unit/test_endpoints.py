"""The endpoints file Rasa gets: the lock store follows LOTSE_LOCK_STORE; secrets stay in the environment."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.utils import AvailableEndpoints

from lotse.core.endpoints import render_endpoints, write_endpoints
from lotse.core.settings import load_settings, process_environment
from lotse.rasa_server.lock_store import AtomicRedisLockStore


def rasa_reads(tmp_path, monkeypatch, env: dict[str, str]) -> AvailableEndpoints:
    settings = load_settings(env)
    for name, value in process_environment(settings, base={}).items():
        monkeypatch.setenv(name, value)
    path = write_endpoints(tmp_path / "endpoints.yml", render_endpoints(settings))
    return AvailableEndpoints.read_endpoints(str(path))


def test_default_is_one_instance_with_rasas_in_memory_lock_store(tmp_path, monkeypatch):
    endpoints = rasa_reads(tmp_path, monkeypatch, {})
    assert endpoints.lock_store is None
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)
    assert endpoints.tracker_store.type == "lotse.rasa_server.tracker_store.LotseSQLTrackerStore"


def test_redis_selects_the_atomic_lock_store_with_the_configured_url_and_timings(tmp_path, monkeypatch):
    env = {
        "LOTSE_LOCK_STORE": "redis",
        "LOTSE_REDIS_URL": "redis://:s3cret-pass@redis.internal:6380/2",
        "LOTSE_LOCK_LIFETIME_SECONDS": "12",
        "LOTSE_LOCK_WAIT_SECONDS": "40",
    }
    endpoints = rasa_reads(tmp_path, monkeypatch, env)
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.url == "redis://:s3cret-pass@redis.internal:6380/2"
    assert (store.lifetime_ms, store.wait_seconds) == (12000, 40.0)
    assert "s3cret-pass" not in (tmp_path / "endpoints.yml").read_text()
    assert endpoints.tracker_store.type == "lotse.rasa_server.tracker_store.LotseSQLTrackerStore"
    assert endpoints.action.url  # the shared part of endpoints.yml is still there


def test_an_unknown_lock_store_is_refused_with_the_variable_named():
    with pytest.raises(ValueError, match="LOTSE_LOCK_STORE"):
        load_settings({"LOTSE_LOCK_STORE": "memcached"})


def test_rasa_gets_the_pool_size_for_postgresql():
    env = process_environment(load_settings({"LOTSE_INSTANCES": "2", "LOTSE_DB_CONNECTIONS": "60"}), base={})
    assert (env["SQL_POOL_SIZE"], env["SQL_MAX_OVERFLOW"]) == ("5", "5")


@given(instances=st.integers(1, 60), budget=st.integers(8, 2000))
def test_all_processes_of_all_instances_stay_within_the_connection_budget(instances, budget):
    settings = load_settings({"LOTSE_INSTANCES": str(instances), "LOTSE_DB_CONNECTIONS": str(budget)})
    pool = settings.db_pool
    processes = 2 * instances + 2
    assert pool.size >= 1
    if budget >= 2 * processes:  # below that every process still gets 2 connections (docs/deploy.md)
        assert processes * (pool.size + pool.max_overflow) <= budget


def test_rasa_queues_a_burst_of_connections_instead_of_resetting_them():
    assert process_environment(load_settings({}), base={})["SANIC_BACKLOG"] == "1024"
    assert process_environment(load_settings({"LOTSE_RASA_BACKLOG": "4096"}), base={})["SANIC_BACKLOG"] == "4096"


def test_a_lock_store_in_the_shared_endpoints_file_is_refused(tmp_path):
    base = tmp_path / "endpoints.yml"
    base.write_text("action_endpoint:\n  url: ${LOTSE_ACTION_ENDPOINT_URL}\nlock_store:\n  type: redis\n")
    with pytest.raises(ValueError, match="LOTSE_LOCK_STORE"):
        render_endpoints(load_settings({}), base=base)
