"""NLU evaluation: the held-out sets and the real-question set, per language.

Usage: python scripts/eval_nlu.py --model models/lotse.tar.gz --test tests/nlu
           [--realworld tests/realworld/questions.yml] [--write docs/nlu-eval.md]
The held-out files (tests/nlu/<language>.yml) and the real questions (tests/realworld/questions.yml,
written by people in public, issue #20) are never used for training. Held-out sets: intent accuracy,
macro-F1, per-intent table, top confusions. Real questions: accuracy on the main label and on any
label, macro-F1 on the main label, the share answered with the fallback and the top confusions; the
Russian questions (from Ukrainian refugees, answered in Ukrainian) count with uk and are shown on their
own as well. Pass --realworld "" to skip the real questions.
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
# Targets of issue #20 for the real questions, on the main label.
REALWORLD_TARGET = {"de": 0.90, "en": 0.85, "uk": 0.85}
# Which language row a question is counted in: the language Lotse answers in.
REALWORLD_GROUP = {"de": "de", "en": "en", "uk": "uk", "ru": "uk"}
FALLBACK_INTENT = "nlu_fallback"


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


def load_realworld(path: Path) -> list[dict]:
    """The real questions: dicts with text, lang, source, intents (main label first) and an optional note."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


async def predict_batches(model: str, batches: list[list[str]]) -> list[tuple[list[str], float]]:
    """The predicted intent of every text, batch by batch, with the mean parse time per message in
    seconds; the model is loaded once."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    agent = Agent.load(model)
    results = []
    for texts in batches:
        started = time.perf_counter()
        predictions = []
        for text in texts:
            parsed = await agent.parse_message(text)
            predictions.append(parsed["intent"]["name"])
        results.append((predictions, (time.perf_counter() - started) / max(len(texts), 1)))
    return results


def right_on_main(labels: list[str], predicted: str) -> bool:
    """The main label was predicted; a question no intent covers (out_of_scope) may also get the fallback."""
    return predicted == labels[0] or (labels[0] == "out_of_scope" and predicted == FALLBACK_INTENT)


def right_on_any(labels: list[str], predicted: str) -> bool:
    """One of the labels a good answer needs was predicted."""
    return right_on_main(labels, predicted) or predicted in labels


def realworld_scores(questions: list[dict], predictions: list[str]) -> dict:
    """Accuracy on the main label and on any label, macro-F1 on the main label, the share answered
    with the fallback, and the confusions (main label → prediction) of the questions wrong on any label."""
    n = len(questions)
    pairs = [(q["intents"][0], p) for q, p in zip(questions, predictions, strict=True)]
    confusions = collections.Counter(
        (q["intents"][0], p) for q, p in zip(questions, predictions, strict=True) if not right_on_any(q["intents"], p)
    )
    return {
        "n": n,
        "main": sum(right_on_main(q["intents"], p) for q, p in zip(questions, predictions, strict=True)) / n,
        "any": sum(right_on_any(q["intents"], p) for q, p in zip(questions, predictions, strict=True)) / n,
        "macro_f1": scores(pairs)["macro_f1"],
        "fallback": sum(p == FALLBACK_INTENT for p in predictions) / n,
        "confusions": confusions,
    }


def realworld_section(questions: list[dict], predictions: list[str], per_message_ms: float, path: str) -> str:
    """The markdown section of the real questions: a summary row per answer language (ru also alone)
    and the top confusions of each."""
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for index, question in enumerate(questions):
        groups[REALWORLD_GROUP[question["lang"]]].append(index)
        if question["lang"] == "ru":
            groups["ru"].append(index)
    order = [g for g in ("de", "en", "uk", "ru") if g in groups]
    results = {
        group: realworld_scores([questions[i] for i in groups[group]], [predictions[i] for i in groups[group]])
        for group in order
    }
    lines = [
        f"## Real questions ({path}, {len(questions)} questions)",
        "",
        "Questions people wrote in public (forums, Q&A sites, FAQ pages, letters, quotes), each as written",
        "and with its source; never trained on (tests/unit/test_realworld_set.py). This is the number that",
        "counts. *Main*: the predicted intent is the first label; *any*: it is one of the labels a good",
        "answer needs. A question labelled out_of_scope that gets the fallback counts as right.",
        "Russian questions (from Ukrainian refugees, answered in Ukrainian) are counted in the uk row and",
        "shown on their own in the ru row.",
        f"NLU parse time: {per_message_ms:.1f} ms per message (in-process, mostly long messages).",
        "",
        "| language | questions | right (main label) | right (any label) | macro-F1 (main) | answered with fallback"
        " | target (main) | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group in order:
        r = results[group]
        target = REALWORLD_TARGET.get(group)
        target_cells = f"≥ {target:.0%} | {'yes' if r['main'] >= target else 'NO'}" if target else "(in uk) | –"
        name = "ru (part of uk)" if group == "ru" else group
        lines.append(
            f"| {name} | {r['n']} | {r['main']:.1%} | {r['any']:.1%} | {r['macro_f1']:.3f} | {r['fallback']:.1%}"
            f" | {target_cells} |"
        )
    for group in order:
        if group == "ru":
            continue
        lines += ["", f"Most frequent confusions, {group} (main label → predicted, wrong on every label):", ""]
        top = results[group]["confusions"].most_common(12)
        lines += [f"- {gold} → {pred}: {count}" for (gold, pred), count in top] or ["- none"]
    return "\n".join(lines)


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
    parser.add_argument(
        "--realworld", default="tests/realworld/questions.yml", help='the real-question set; "" to skip it'
    )
    parser.add_argument("--write", help="write the report (markdown) to this file")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)

    held_out = [(path, load_examples(path)) for path in sorted(Path(args.test).glob("*.yml"))]
    questions = load_realworld(Path(args.realworld)) if args.realworld else []
    batches = [[t for t, _ in examples] for _, examples in held_out] + [[q["text"] for q in questions]]
    predicted = asyncio.run(predict_batches(args.model, batches))

    sections = []
    summary = ["| language | examples | intent accuracy | macro-F1 | target | met |", "|---|---|---|---|---|---|"]
    for (path, examples), (predictions, seconds) in zip(held_out, predicted, strict=False):
        pairs = [(gold, pred) for (_, gold), pred in zip(examples, predictions, strict=True)]
        result = scores(pairs)
        target = TARGET_ACCURACY.get(path.stem, 0.93)
        summary.append(
            f"| {path.stem} | {len(examples)} | {result['accuracy']:.1%} | {result['macro_f1']:.3f} | ≥ {target:.0%} | "
            f"{'yes' if result['accuracy'] >= target else 'NO'} |"
        )
        sections.append(report(path.stem, result, len(examples), seconds * 1000))
    sections.insert(0, "## Held-out sets (written with the training data, never trained on)\n\n" + "\n".join(summary))
    if questions:
        real_predictions, real_seconds = predicted[-1]
        sections.insert(0, realworld_section(questions, real_predictions, real_seconds * 1000, args.realworld))
    realworld_option = f" --realworld {args.realworld}" if args.realworld else ""
    header = [
        "# NLU evaluation: real questions and held-out sets",
        "",
        f"Command: `make eval` (python scripts/eval_nlu.py --model {args.model} --test {args.test}{realworld_option})",
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
