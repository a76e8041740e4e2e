"""Held-out NLU evaluation: intent accuracy, macro-F1, per-intent table and top confusions.

Usage: python scripts/eval_nlu.py --model models/lotse.tar.gz --test tests/nlu [--write docs/nlu-eval.md]
The held-out files (tests/nlu/<language>.yml) are never used for training.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import platform
import sys
import time
from pathlib import Path

import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


TARGET_ACCURACY = {"de": 0.95, "en": 0.93, "uk": 0.93}


def load_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block["examples"]).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append((line[2:].strip(), block["intent"]))
    return examples


def scores(pairs: list[tuple[str, str]]) -> dict:
    labels = sorted({gold for gold, _ in pairs})
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = (precision, recall, f1, tp + fn)
    accuracy = sum(1 for g, p in pairs if g == p) / len(pairs)
    macro_f1 = sum(v[2] for v in per_intent.values()) / len(per_intent)
    confusions = collections.Counter((g, p) for g, p in pairs if g != p)
    return {"accuracy": accuracy, "macro_f1": macro_f1, "per_intent": per_intent, "confusions": confusions}


async def predict(model: str, texts: list[str]) -> tuple[list[str], float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    agent = Agent.load(model)
    started = time.perf_counter()
    predictions = []
    for text in texts:
        parsed = await agent.parse_message(text)
        predictions.append(parsed["intent"]["name"])
    return predictions, (time.perf_counter() - started) / max(len(texts), 1)


def report(language: str, result: dict, n: int, per_message_ms: float) -> str:
    lines = [
        f"### Held-out set: {language} ({n} examples, {len(result['per_intent'])} intents)",
        "",
        f"- intent accuracy: **{result['accuracy']:.1%}**",
        f"- macro-F1: **{result['macro_f1']:.3f}**",
        f"- NLU parse time: {per_message_ms:.1f} ms per message (in-process)",
        "",
        "| intent | precision | recall | F1 | n |",
        "|---|---|---|---|---|",
    ]
    for label, (p, r, f1, support) in sorted(result["per_intent"].items(), key=lambda kv: kv[1][2]):
        lines.append(f"| {label} | {p:.2f} | {r:.2f} | {f1:.2f} | {support} |")
    lines += ["", "Most frequent confusions (gold → predicted):", ""]
    for (gold, pred), count in result["confusions"].most_common(12):
        lines.append(f"- {gold} → {pred}: {count}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--test", default="tests/nlu")
    parser.add_argument("--write", help="write the report (markdown) to this file")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)

    sections = []
    summary = ["| language | examples | intent accuracy | macro-F1 | target | met |", "|---|---|---|---|---|---|"]
    for path in sorted(Path(args.test).glob("*.yml")):
        examples = load_examples(path)
        predictions, seconds = asyncio.run(predict(args.model, [t for t, _ in examples]))
        pairs = [(gold, pred) for (_, gold), pred in zip(examples, predictions, strict=True)]
        result = scores(pairs)
        target = TARGET_ACCURACY.get(path.stem, 0.93)
        summary.append(
            f"| {path.stem} | {len(examples)} | {result['accuracy']:.1%} | {result['macro_f1']:.3f} | ≥ {target:.0%} | "
            f"{'yes' if result['accuracy'] >= target else 'NO'} |"
        )
        sections.append(report(path.stem, result, len(examples), seconds * 1000))
    sections.insert(0, "\n".join(summary))
    header = [
        "# NLU evaluation on the held-out sets",
        "",
        f"Command: `make eval` (python scripts/eval_nlu.py --model {args.model} --test {args.test})",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
    ]
    text = "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
