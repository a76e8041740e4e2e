"""What every fuzz test checks, whatever the endpoint: no traceback in an answer, every process
up and healthy afterwards, no unhandled error in any process log; and the status counts and run
times written to .build/fuzz-summary.json (or LOTSE_FUZZ_SUMMARY)."""
from __future__ import annotations

import collections
import json
import os
import time
from pathlib import Path
from typing import Callable

import requests

from tests.conftest import ROOT

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "')
DEFAULT_SUMMARY = ROOT / ".build" / "fuzz-summary.json"


def summary_path() -> Path:
    """Where this run's figures go: LOTSE_FUZZ_SUMMARY (scripts/fuzz.py gives each shard its own file)."""
    return Path(os.environ.get("LOTSE_FUZZ_SUMMARY") or DEFAULT_SUMMARY)


def traceback_in(text: str) -> str | None:
    """The traceback marker found in an answer, or None."""
    return next((marker for marker in TRACEBACK_MARKERS if marker in text), None)


def assert_healthy(stack, http: requests.Session | None = None) -> None:
    get = (http or requests).get
    for name, process in stack.processes.items():
        assert process.poll() is None, f"{name} exited with {process.returncode}"
    for name, url in stack.health_urls().items():
        assert get(url, timeout=10).status_code == 200, f"{name} not healthy"


def record(endpoint: str, statuses: collections.Counter, seconds: float) -> None:
    """Cases, statuses and cases per second of one endpoint's run (seconds: the hypothesis run,
    generation included, stack start-up excluded)."""
    path = summary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = json.loads(path.read_text()) if path.exists() else {}
    cases = sum(statuses.values())
    summary[endpoint] = {
        "cases": cases,
        "seconds": round(seconds, 1),
        "cases_per_second": round(cases / seconds, 1) if seconds > 0 else None,
        "statuses": dict(sorted(statuses.items())),
    }
    path.write_text(json.dumps(summary, indent=2) + "\n")


class Timer:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def run_and_record(endpoint: str, statuses: collections.Counter, check: Callable[[], None]) -> None:
    """Runs the hypothesis test `check` and records its statuses and time, also when it fails."""
    timer = Timer()
    try:
        check()
    finally:
        record(endpoint, statuses, timer.seconds)


# Known library noise, not an error in handling a request (docs/reliability-fuzz.md): when a
# WebSocket is closed abruptly, sanic's frame reader and engine.io's ping task of that connection
# stay pending and asyncio logs them at ERROR once the garbage collector frees them.
ABANDONED_WEBSOCKET_TASKS = ("sanic/server/websockets/", "engineio/async_socket.py")


def abandoned_websocket_task(line: str, next_line: str) -> bool:
    return "Task was destroyed but it is pending!" in line and any(where in next_line for where in ABANDONED_WEBSOCKET_TASKS)


def unhandled_errors(log_dir: Path) -> list[str]:
    """Tracebacks, ERROR lines and failed background tasks in the processes' logs. The web
    server's and the console's aiohttp log unparseable HTTP (a broken request line, a URL or
    header above 8 KB) with a traceback and answer 400: those are not Lotse's errors; nor are
    abandoned WebSocket tasks of closed connections (above)."""
    problems = []
    for log in sorted(log_dir.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        for number, line in enumerate(lines):
            if "Traceback" in line or " failed: " in line or "ERROR" in line:
                context = " | ".join(lines[number:number + 12])
                if log.name in ("web.log", "console.log") and "aiohttp.http_exceptions." in context:
                    continue
                if abandoned_websocket_task(line, lines[number + 1] if number + 1 < len(lines) else ""):
                    continue
                problems.append(f"{log.name}:{number + 1}: {line[:200]}")
    return problems
