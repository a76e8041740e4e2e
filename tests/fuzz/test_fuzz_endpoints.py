"""Hostile and broken requests on every public endpoint of the running stack (issue #12).

Property: the answer is a 4xx or a normal reply — never a 5xx, never a Python traceback — and
every process is still up and healthy afterwards. Cases per endpoint: LOTSE_FUZZ_CASES
(default 150; `make fuzz` runs 10,000). docs/reliability-fuzz.md records the runs.
"""
from __future__ import annotations

import collections
import os

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from tests.fuzz.checks import assert_healthy, run_and_record, traceback_in, unhandled_errors
from tests.fuzz.endpoints import Endpoint, endpoints
from tests.fuzz.strategies import Probe

CASES = int(os.environ.get("LOTSE_FUZZ_CASES", "150"))
ENDPOINTS = endpoints()


def url_for(stack, endpoint: Endpoint, query: str) -> str:
    s = stack.settings
    base = f"http://{s.web_host}:{s.web_port}" if endpoint.web else s.rasa_url
    return f"{base}{endpoint.path}" + (f"?{query}" if query else "")


def body_limit(stack, endpoint: Endpoint) -> int:
    return stack.settings.max_body_bytes if endpoint.web or endpoint.name == "rest" else stack.settings.max_webhook_body_bytes


def send(stack, endpoint: Endpoint, probe: Probe) -> requests.Response | None:
    """The response, or None when the server refused a too-large body by closing the connection.
    (A new connection per case: keeping one alive measured no faster on loopback, see
    docs/reliability-fuzz.md, and a connection the server closed cannot leak into the next case.)"""
    headers = {**probe.headers, **endpoint.sign(probe)}
    try:
        return requests.request(endpoint.method, url_for(stack, endpoint, probe.query), data=probe.body, headers=headers, timeout=60)
    except requests.ConnectionError:
        if len(probe.body) > body_limit(stack, endpoint):
            return None
        raise


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_hostile_requests_never_give_5xx_or_a_traceback(fuzz_stack, name):
    endpoint = ENDPOINTS[name]
    statuses: collections.Counter = collections.Counter()

    @settings(max_examples=CASES, deadline=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(probe=endpoint.probes)
    def check(probe: Probe) -> None:
        response = send(fuzz_stack, endpoint, probe)
        status = "refused" if response is None else str(response.status_code)
        statuses[status] += 1
        if response is None:
            return
        assert response.status_code < 500, f"{response.status_code} for {probe.describe()}: {response.text[:300]!r}"
        assert traceback_in(response.text) is None, f"traceback in the answer to {probe.describe()}"

    run_and_record(name, statuses, check)
    assert_healthy(fuzz_stack)


def test_no_process_logged_an_unhandled_error(fuzz_stack):
    """After the fuzzing (this test runs last in this module): no traceback in Rasa's, the action
    server's or the worker's log — a message handled in the background that failed would be
    logged there, and its user would get no answer. The web server's log is checked for errors
    of Lotse's own code (aiohttp itself logs unparseable HTTP with a traceback and answers 400)."""
    assert unhandled_errors(fuzz_stack.log_dir) == []
