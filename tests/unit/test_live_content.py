"""Staff save an answer text and the running bot answers with it, without training or restart —
but only content that passes the content checks is ever served."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lotse.knowledge.content import domain_responses
from lotse.rasa_server.nlg import CHECK_EVERY_SECONDS, LiveResponses

ROOT = Path(__file__).resolve().parents[2]
# oepnv has a core (issue #22): its first message is the core, the edited `text` is served as its details.
ANSWER = "utter_details_oepnv"
OLD = "Auch ohne Auto gibt es Wege"
NEW = "Auch ohne eigenes Auto kommen Sie ans Ziel"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def german_text(responses: dict, name: str = ANSWER) -> str:
    return next(v["text"] for v in responses[name] if {"name": "language", "value": "de", "type": "slot"} in v.get("condition", []))


def edit(content: Path, old: str, new: str) -> None:
    path = content / "answers" / "mobilitaet.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def live_responses(content: Path, clock: Clock) -> LiveResponses:
    built = domain_responses(content, "http://localhost:8080")
    return LiveResponses(built, content, "http://localhost:8080", clock)


def test_a_saved_answer_text_is_served_without_training(content):
    clock = Clock()
    live = live_responses(content, clock)
    assert german_text(live.current()).startswith(OLD)

    edit(content, OLD, NEW)
    assert german_text(live.current()).startswith(OLD)  # checked at most once per CHECK_EVERY_SECONDS
    clock.now += CHECK_EVERY_SECONDS
    assert german_text(live.current()).startswith(NEW)


def test_content_that_fails_the_checks_is_not_served(content):
    clock = Clock()
    live = live_responses(content, clock)
    edit(content, OLD, "Rufen Sie 0171 9999999 an. " + OLD)  # a phone number nobody verified
    clock.now += CHECK_EVERY_SECONDS
    assert german_text(live.current()).startswith(OLD)

    edit(content, "Rufen Sie 0171 9999999 an. ", "")  # fixed: served again
    edit(content, OLD, NEW)
    clock.now += CHECK_EVERY_SECONDS
    assert german_text(live.current()).startswith(NEW)


def test_a_broken_file_keeps_the_texts_that_were_served(content):
    clock = Clock()
    live = live_responses(content, clock)
    (content / "answers" / "mobilitaet.yml").write_text("answers: [\n  - id: oepnv\n", encoding="utf-8")
    clock.now += CHECK_EVERY_SECONDS
    assert german_text(live.current()).startswith(OLD)


def test_only_responses_the_model_knows_are_served(content):
    clock = Clock()
    built = domain_responses(content, "http://localhost:8080")
    del built[ANSWER]
    live = LiveResponses(built, content, "http://localhost:8080", clock)
    assert ANSWER not in live.current()


def test_the_generator_answers_with_the_models_responses_assigned_after_loading(content, monkeypatch):
    """Rasa creates the generator before the model is loaded and assigns the responses after."""
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from lotse.rasa_server.nlg import LotseNaturalLanguageGenerator

    monkeypatch.setenv("LOTSE_CONTENT_DIR", str(content))
    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = LotseNaturalLanguageGenerator(None, None)
    nlg.responses = domain_responses(content, "http://localhost:8080")  # what rasa/core/agent.py does
    tracker = DialogueStateTracker("t", domain.slots)
    tracker.update(SlotSet("language", "de"))

    reply = asyncio.run(nlg.generate(ANSWER, tracker, "rest"))
    assert reply and reply["text"].startswith(OLD)
    edit(content, OLD, NEW)
    nlg.live._checked_at = float("-inf")  # as if a second had passed
    assert asyncio.run(nlg.generate(ANSWER, tracker, "rest"))["text"].startswith(NEW)
