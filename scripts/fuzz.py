"""`make fuzz`: the fuzz tests (tests/fuzz) with many cases, split into shards that run at the same time.

    python scripts/fuzz.py --cases 10000 --shards 4            # make fuzz
    python scripts/fuzz.py --cases 10000 --shards 4 --seed 7   # repeat a run's cases
    python scripts/fuzz.py --cases 300 --shards 1              # sequential, one stack

One shard runs the HTTP endpoints and the console login with --cases each; the socket.io tests,
long-polling and WebSocket (the slow ones: every case waits for the server), are split over --shards shards with
--cases / --shards cases and their own hypothesis seed each (seed + 1, seed + 2, ...). Every
shard is a pytest process with its own stack on free ports, its own temporary directory and its
own summary file; at the end the shards' figures are added up into .build/fuzz-run.json
(seconds: the longest shard, as they ran side by side) and each shard's output is in
.build/fuzz-shard-NAME.log. Exit status 0 only when every shard passed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
HTTP_TESTS = ["tests/fuzz/test_fuzz_endpoints.py", "tests/fuzz/test_fuzz_console.py", "tests/fuzz/test_exposed_services.py"]
SOCKETIO_TESTS = ["tests/fuzz/test_fuzz_socketio.py", "tests/fuzz/test_fuzz_websocket.py"]


@dataclass(frozen=True)
class Shard:
    name: str
    tests: list[str]
    cases: int
    seed: int | None = None

    @property
    def log(self) -> Path:
        return BUILD / f"fuzz-shard-{self.name}.log"

    @property
    def summary(self) -> Path:
        return BUILD / f"fuzz-summary-{self.name}.json"

    def command(self) -> list[str]:
        seed = [f"--hypothesis-seed={self.seed}"] if self.seed is not None else []
        return [sys.executable, "-m", "pytest", "-q", "-rs", "-o", "timeout=0", "-p", "no:cacheprovider",
                f"--basetemp={BUILD / 'fuzz-tmp' / self.name}", *seed, *self.tests]


def plan(cases: int, shards: int, seed: int) -> list[Shard]:
    per_shard = math.ceil(cases / shards)
    return [Shard("http", HTTP_TESTS, cases, seed)] + [
        Shard(f"socketio-{number}", SOCKETIO_TESTS, per_shard, seed + number) for number in range(1, shards + 1)
    ]


def merge(summaries: list[dict]) -> dict:
    """Cases and statuses added up per endpoint; seconds of the longest shard."""
    merged: dict[str, dict] = {}
    for summary in summaries:
        for endpoint, figures in summary.items():
            entry = merged.setdefault(endpoint, {"cases": 0, "seconds": 0.0, "statuses": Counter(), "shards": 0})
            entry["cases"] += figures["cases"]
            entry["seconds"] = max(entry["seconds"], figures["seconds"])
            entry["statuses"].update(figures["statuses"])
            entry["shards"] += 1
    for entry in merged.values():
        entry["cases_per_second"] = round(entry["cases"] / entry["seconds"], 1) if entry["seconds"] else None
        entry["statuses"] = dict(sorted(entry["statuses"].items()))
    return dict(sorted(merged.items()))


def run(shards: list[Shard]) -> dict[str, int]:
    running = {}
    (BUILD / "fuzz-tmp").mkdir(parents=True, exist_ok=True)  # pytest makes --basetemp, not its parent
    for shard in shards:
        shard.summary.unlink(missing_ok=True)
        env = {**os.environ, "LOTSE_FUZZ_CASES": str(shard.cases), "LOTSE_FUZZ_SUMMARY": str(shard.summary)}
        log = shard.log.open("w")
        running[shard.name] = (subprocess.Popen(shard.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log)
        print(f"started {shard.name}: {shard.cases} cases per endpoint, seed {shard.seed} -> {shard.log.relative_to(ROOT)}", flush=True)
    results = {}
    for name, (process, log) in running.items():
        results[name] = process.wait()
        log.close()
        print(f"{name}: {'passed' if results[name] == 0 else f'FAILED (exit {results[name]})'}", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="cases per endpoint")
    parser.add_argument("--shards", type=int, default=4, help="socket.io shards run side by side")
    parser.add_argument("--seed", type=int, help="hypothesis seed of the first shard (default: random, printed)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"fuzzing with seed {seed} (repeat with --seed {seed})", flush=True)
    BUILD.mkdir(exist_ok=True)
    shards = plan(args.cases, max(1, args.shards), seed)
    started = time.monotonic()
    results = run(shards)
    summaries = [json.loads(shard.summary.read_text()) for shard in shards if shard.summary.exists()]
    summary = {"seed": seed, "wall_seconds": round(time.monotonic() - started, 1), "endpoints": merge(summaries)}
    (BUILD / "fuzz-run.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    failed = [shard for shard in shards if results[shard.name] != 0]
    for shard in failed:
        print(f"\n--- {shard.name} (last lines of {shard.log.relative_to(ROOT)})")
        print("\n".join(shard.log.read_text(errors="replace").splitlines()[-40:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
