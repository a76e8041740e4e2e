"""Compare NLU pipelines side by side: accuracy, macro-F1, training time, start-up, RSS, latency.

Usage: python scripts/compare_pipelines.py [--write docs/nlu-pipeline.md]
Trains each config from scratch (no cache), starts `rasa run` with it, measures, stops it.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_nlu import load_examples, predict, scores  # noqa: E402

from lotse.runner.stack import rss_mb  # noqa: E402

CONFIGS = {"sparse (config.yml)": ROOT / "config.yml", "DIET + TED (configs/diet-ted.yml)": ROOT / "configs" / "diet-ted.yml"}
BIN = Path(sys.executable).parent
PORT = 15105


def measure(name: str, config: Path, workdir: Path, messages: list[str]) -> dict:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    out = workdir / name.split()[0]
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "rasa"), "train", "--config", str(config), "--domain", ".build/domain", "--data", "data", ".build/data",
         "--out", str(out), "--fixed-model-name", "m", "--force", "--quiet"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    train_s = time.perf_counter() - started
    model = out / "m.tar.gz"

    examples = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        examples += load_examples(path)
    predictions, _ = asyncio.run(predict(str(model), [t for t, _ in examples]))
    result = scores([(g, p) for (_, g), p in zip(examples, predictions, strict=True)])

    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--model", str(model), "-p", str(PORT), "-i", "127.0.0.1", "--quiet",
         "--endpoints", str(workdir / "endpoints.yml")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{PORT}/", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run for {name} exited")
        ready_s = time.perf_counter() - started
        session = requests.Session()
        latencies = []
        for i, text in enumerate(messages):
            t0 = time.perf_counter()
            session.post(f"http://127.0.0.1:{PORT}/webhooks/rest/webhook", json={"sender": f"cmp{i % 20}", "message": text}, timeout=30)
            latencies.append((time.perf_counter() - t0) * 1000)
        rss = rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    latencies.sort()
    return {
        "accuracy": result["accuracy"], "macro_f1": result["macro_f1"], "train_s": train_s, "ready_s": ready_s,
        "rss_mb": rss, "p50": statistics.median(latencies), "p95": latencies[int(len(latencies) * 0.95) - 1],
        "n": len(examples), "model_mb": model.stat().st_size / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write")
    args = parser.parse_args()
    texts = [t for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")) for t, i in load_examples(path) if i not in ("ask_office", "inform_place")]
    messages = (texts * 3)[:200]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n")
        for name, config in CONFIGS.items():
            print(f"measuring {name} …", flush=True)
            results[name] = measure(name, config, workdir, messages)
    lines = [
        "# Choosing the NLU pipeline by measurement",
        "",
        f"Command: `make compare-pipelines` (python scripts/compare_pipelines.py --write docs/nlu-pipeline.md), run on "
        f"{time.strftime('%Y-%m-%d')}, machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Both configurations train on the same data (data/ plus the rendered answer rules) from scratch (`--force`),",
        "are scored on the same held-out set (tests/nlu, never trained on), and answer the same 200 REST messages",
        "sequentially (in-memory tracker store, no action server: the office-finder messages are left out).",
        "",
        "| | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
    ]
    rows = [
        ("held-out intent accuracy", lambda r: f"{r['accuracy']:.1%}"),
        ("held-out macro-F1", lambda r: f"{r['macro_f1']:.3f}"),
        ("full training time", lambda r: f"{r['train_s']:.0f} s"),
        ("start-up to ready (`rasa run`)", lambda r: f"{r['ready_s']:.1f} s"),
        ("RSS of the Rasa server after 200 messages", lambda r: f"{r['rss_mb']:.0f} MB"),
        ("REST latency p50", lambda r: f"{r['p50']:.1f} ms"),
        ("REST latency p95", lambda r: f"{r['p95']:.1f} ms"),
        ("model file", lambda r: f"{r['model_mb']:.1f} MB"),
    ]
    for label, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt(r) for r in results.values()) + " |")
    lines += [""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        existing = Path(args.write).read_text(encoding="utf-8") if Path(args.write).exists() else ""
        marker = "## Decision"
        decision = existing[existing.index(marker):] if marker in existing else ""
        Path(args.write).write_text(text + "\n" + decision, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
