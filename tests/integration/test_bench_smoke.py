"""The benchmark still runs (its timings are not checked here: they belong to `make bench`)."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_benchmark_smoke_mode_runs(stack):
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    result = subprocess.run(
        [sys.executable, "scripts/bench.py", "--smoke", "--url", url],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sequential (mixed conversations)" in result.stdout
    assert "0 errors" in result.stdout
