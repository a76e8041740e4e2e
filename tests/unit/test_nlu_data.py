"""Training and held-out NLU data: coverage, size, and no leak from the test set into training."""
from __future__ import annotations

import collections
from pathlib import Path

import yaml

from lotse.knowledge.content import domain_intents
from lotse.language.languages import LANGUAGES
from tests.conftest import ROOT

MIN_TRAINING = 20
MIN_HELD_OUT = 5


def examples(paths) -> dict[str, list[str]]:
    found: dict[str, list[str]] = collections.defaultdict(list)
    for path in paths:
        for block in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                found[block["intent"]] += [
                    line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")
                ]
    return found


TRAINING = examples(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
TRAINING_BY_LANGUAGE = {language: examples(sorted((ROOT / "data" / "nlu" / language).glob("*.yml"))) for language in LANGUAGES}
HELD_OUT = {path.stem: examples([path]) for path in sorted((ROOT / "tests" / "nlu").glob("*.yml"))}


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def test_every_intent_has_enough_training_examples_in_every_language():
    intents = domain_intents()
    for language, training in TRAINING_BY_LANGUAGE.items():
        thin = {i: len(training.get(i, [])) for i in intents if len(training.get(i, [])) < MIN_TRAINING}
        assert not thin, language


def test_every_language_has_a_held_out_set():
    assert set(HELD_OUT) == set(LANGUAGES)


def test_every_intent_has_enough_held_out_examples():
    for language, held_out in HELD_OUT.items():
        thin = {i: len(held_out.get(i, [])) for i in domain_intents() if len(held_out.get(i, [])) < MIN_HELD_OUT}
        assert not thin, language


def test_held_out_examples_are_never_trained_on():
    trained = {normal(t) for texts in TRAINING.values() for t in texts}
    for language, held_out in HELD_OUT.items():
        leaked = [t for texts in held_out.values() for t in texts if normal(t) in trained]
        assert not leaked, language


def test_no_training_example_under_two_intents():
    owner: dict[str, str] = {}
    clashes = []
    for intent, texts in TRAINING.items():
        for t in texts:
            if normal(t) in owner and owner[normal(t)] != intent:
                clashes.append((t, owner[normal(t)], intent))
            owner[normal(t)] = intent
    assert not clashes
