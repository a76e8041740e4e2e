"""scripts/fuzz.py (make fuzz): how the cases are split over shards and how their figures add up."""
from __future__ import annotations

from scripts.fuzz import merge, plan


def test_the_socketio_cases_are_split_over_the_shards_each_with_its_own_seed():
    shards = plan(cases=10_000, shards=4, seed=40)
    http, *socketio = shards
    assert http.cases == 10_000 and "tests/fuzz/test_fuzz_endpoints.py" in http.tests
    assert [shard.cases for shard in socketio] == [2_500] * 4
    assert sum(shard.cases for shard in socketio) >= 10_000
    assert len({shard.seed for shard in shards if shard.tests == socketio[0].tests}) == 4
    assert len({shard.summary for shard in shards}) == len({shard.log for shard in shards}) == 5


def test_an_uneven_split_still_reaches_the_asked_number_of_cases():
    socketio = plan(cases=1_000, shards=3, seed=0)[1:]
    assert sum(shard.cases for shard in socketio) >= 1_000


def test_shard_figures_add_up_per_endpoint_and_the_longest_shard_gives_the_time():
    first = {"socketio_raw": {"cases": 2, "seconds": 10.0, "statuses": {"200": 1, "400": 1}}}
    second = {"socketio_raw": {"cases": 3, "seconds": 20.0, "statuses": {"400": 3}},
              "rest": {"cases": 5, "seconds": 5.0, "statuses": {"200": 5}}}
    merged = merge([first, second])
    assert merged["socketio_raw"] == {"cases": 5, "seconds": 20.0, "statuses": {"200": 1, "400": 4}, "shards": 2,
                                      "cases_per_second": 0.2}
    assert merged["rest"]["cases"] == 5 and merged["rest"]["shards"] == 1


def test_only_abandoned_websocket_tasks_are_passed_over_in_the_logs(tmp_path):
    from tests.fuzz.checks import unhandled_errors

    (tmp_path / "rasa.log").write_text(
        "2026-11-25 ERROR    asyncio  - Task was destroyed but it is pending!\n"
        "task: <Task pending coro=<AsyncSocket._send_ping() running at /v/engineio/async_socket.py:137>>\n"
        "2026-11-25 ERROR    asyncio  - Task was destroyed but it is pending!\n"
        "task: <Task pending coro=<book() running at /work/actions/callbacks.py:80>>\n"
    )
    assert unhandled_errors(tmp_path) == ["rasa.log:3: 2026-11-25 ERROR    asyncio  - Task was destroyed but it is pending!"]
