"""Accuracy, NLU time per message and memory of a trained model, and the settings sweep of the
embeddings' second opinion (docs/nlu-pipeline.md, "Sentence embeddings").

Usage: python scripts/measure_nlu.py --model models/lotse.tar.gz [--without-nearest] [--sweep]
Parses every held-out example (tests/nlu) and every real question (tests/realworld/questions.yml) in
process, as scripts/eval_nlu.py does, and prints per set and language the accuracy on the main label,
mean and p95 wall and CPU time per message, and the process's peak RSS. --without-nearest switches
NearestExampleClassifier off (the sparse classifier alone, same model). --sweep then replays the
sparse rankings with other thresholds and mixes, embedding the training examples (cached under
.build/embedding-cache) — never used to train anything.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import importlib.util
import logging
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]


def eval_module():  # noqa: ANN201 - scripts/eval_nlu.py as a module
    spec = importlib.util.spec_from_file_location("eval_nlu", ROOT / "scripts" / "eval_nlu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def items(ev) -> list[dict]:  # noqa: ANN001
    found = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        found += [{"set": "written", "lang": path.stem, "text": t, "gold": [g]} for t, g in ev.load_examples(path)]
    for q in ev.load_realworld(ROOT / "tests" / "realworld" / "questions.yml"):
        found.append({"set": "real", "lang": ev.REALWORLD_GROUP[q["lang"]], "text": q["text"], "gold": q["intents"]})
    return found


async def parse_all(model: str, found: list[dict]) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    agent = Agent.load(model)
    await agent.parse_message("hallo")
    for item in found:
        started, cpu = time.perf_counter(), time.process_time()
        parsed = await agent.parse_message(item["text"])
        item["ms"] = (time.perf_counter() - started) * 1000
        item["cpu_ms"] = (time.process_time() - cpu) * 1000
        item["pred"] = parsed["intent"]["name"]
        item["ranking"] = [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking", [])]


def accuracy(ev, found: list[dict], predictions: list[str]) -> dict[str, float]:  # noqa: ANN001
    right: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for item, predicted in zip(found, predictions, strict=True):
        key = f"{item['set']} {item['lang']}"
        right[key][0] += ev.right_on_main(item["gold"], predicted)
        right[key][1] += 1
    return {key: ok / n for key, (ok, n) in sorted(right.items())}


def fallback(ranking: list[tuple[str, float]]) -> str:
    """config.yml's FallbackClassifier: threshold 0.25, ambiguity 0.02."""
    top = ranking[0][1] if ranking else 0.0
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return "nlu_fallback" if top < 0.25 or top - second < 0.02 else ranking[0][0]


def sweep(ev, found: list[dict]) -> None:  # noqa: ANN001
    from lotse.rasa_server import embeddings

    training = []
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        training += ev.load_examples(path)
    vectors = embeddings.embed_cached([t for t, _ in training], ROOT / ".build" / "embedding-cache")
    labels = np.array([intent for _, intent in training])
    names = sorted(set(labels))
    rows = [np.flatnonzero(labels == name) for name in names]
    messages = embeddings.embed_cached([i["text"] for i in found], ROOT / ".build" / "embedding-cache")
    for threshold, margin in ((0.5, 0.1), (0.7, 0.2), (0.9, 0.3), (1.01, 1.0)):
        for k, temperature, weight in ((1, 0.01, 0.5), (3, 0.01, 0.7), (3, 0.02, 0.7), (3, 0.01, 1.0)):
            predictions, asked = [], 0
            for item, vector in zip(found, messages, strict=True):
                ranking = [r for r in item["ranking"] if r[0] != "nlu_fallback"]
                top, second = ranking[0][1], (ranking[1][1] if len(ranking) > 1 else 0.0)
                if ranking[0][0] == "inform_place" or (top >= threshold and top - second >= margin):
                    predictions.append(fallback(ranking))
                    continue
                asked += 1
                similarities = vectors @ vector
                scores = np.array([np.sort(similarities[r])[-k:].mean() for r in rows])
                votes = np.exp((scores - scores.max()) / temperature)
                votes /= votes.sum()
                sparse = dict(ranking)
                mixed = sorted(
                    ((n, (1 - weight) * sparse.get(n, 0.0) + weight * v) for n, v in zip(names, votes, strict=True)),
                    key=lambda pair: -pair[1],
                )
                predictions.append(fallback(mixed[:2]))
            scores_text = " ".join(f"{key} {value:.1%}" for key, value in accuracy(ev, found, predictions).items())
            print(
                f"threshold {threshold} margin {margin} k {k} temperature {temperature} weight {weight}: "
                f"embedded {asked / len(found):.0%} | {scores_text}"
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--without-nearest", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    ev = eval_module()
    if args.without_nearest or args.sweep:
        from lotse.rasa_server import components

        components.NearestExampleClassifier.process = lambda self, messages: messages
    found = items(ev)
    asyncio.run(parse_all(args.model, found))
    for key, value in accuracy(ev, found, [i["pred"] for i in found]).items():
        print(f"{key}: {value:.1%}")
    for name in ("written", "real"):
        wall = np.array([i["ms"] for i in found if i["set"] == name])
        cpu = np.array([i["cpu_ms"] for i in found if i["set"] == name])
        print(
            f"{name}: wall mean {wall.mean():.1f} ms, p95 {np.percentile(wall, 95):.1f} ms;"
            f" CPU mean {cpu.mean():.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms per message"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.sweep:
        sweep(ev, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
