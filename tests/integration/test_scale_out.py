"""Issue #11 acceptance on this machine: two Rasa instances and two action servers share one
PostgreSQL tracker database, one PostgreSQL callback database and the atomic Redis lock store,
behind a proxy that sends each conversation's messages to the instances in turn (scripts/scale_out.py).

Bigger runs and the comparison with Rasa's own RedisLockStore: `make scale` (docs/deploy.md).
"""
from __future__ import annotations

import uuid

import pytest

from scripts.scale_out import Cluster, kill_phase, make_conversations, run_phase
from tests.conftest import _postgres_database
from tests.integration.conftest import MODEL


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/1", socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379 ({type(exc).__name__})")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")
    _redis_or_skip()
    tag = uuid.uuid4().hex[:8]
    tracker_db, callback_db = f"lotse_it_tracker_{tag}", f"lotse_it_callbacks_{tag}"
    admin = _postgres_database(tracker_db)
    _postgres_database(callback_db)
    running = Cluster(
        tmp_path_factory.mktemp("scale-out"), tracker_db, f"postgresql://root@127.0.0.1:5432/{callback_db}", instances=2
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
        with admin.connect() as conn:
            for name in (tracker_db, callback_db):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _problems(report) -> str:
    return f"{report.check} errors={report.errors}"


def test_200_concurrent_conversations_alternating_between_instances_are_stored_completely(cluster):
    report = run_phase(cluster, make_conversations(200, "accept"), strict=True)
    assert report.errors == 0, _problems(report)
    assert report.check["conversations"] == 200 and report.messages >= 1400
    assert report.check["problems"] == 0, _problems(report)
    assert min(report.served_by_instance.values()) > 0.4 * report.messages  # both instances really worked
    assert report.callbacks_confirmed == 50 and report.callbacks_lost == 0


def test_bursts_of_simultaneous_messages_are_processed_one_turn_at_a_time(cluster):
    conversations = make_conversations(20, "burst", callback_every=10**9, kind="bursts")
    report = run_phase(cluster, conversations, strict=True)
    assert report.errors == 0, _problems(report)
    assert report.messages == 20 * 5 * 4
    assert report.check["problems"] == 0, _problems(report)


def test_killing_one_instance_loses_no_confirmed_callback_and_conversations_continue(cluster):
    report = kill_phase(cluster, conversations=40, victim=1)
    assert cluster.rasa[1].processes["rasa"].poll() is not None, "the instance was not killed"
    assert report.killed_with_requests_in_flight >= 1
    assert report.callbacks_confirmed == 40, "a conversation did not reach its callback on the surviving instance"
    assert report.callbacks_lost == 0
    assert report.callbacks_beyond_requests == 0, "a confirmation sent again booked a second callback"
    assert report.check["problems"] == 0, _problems(report)
