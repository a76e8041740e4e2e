"""Custom Rasa NLU components (loaded by config.yml; run inside the Rasa server).

- FoldingTokenizer: whitespace tokens folded to one spelling ("Gebühren" = "Gebuehren" =
  "gebuhren"), so missing umlauts and capitalisation do not split the vocabulary; old words
  ("Hartz IV", "450-€-Job", "Kiga") become today's word (content/terms.yml, lotse.knowledge.terms).
- LotseEntityExtractor: the user's municipality (and its Jugendamt area), the office a message
  names (`office_type`: jobcenter, jugendamt, agentur, familienbuero) and the child's age group,
  found by the tested pure functions in lotse.knowledge.places, office_requests and child_age. They
  fill slots that personalise answers without a call to the action server.
  Also the language to answer in (lotse.language.languages), which fills the `language` slot.
- NearestExampleClassifier: a second opinion for the messages the sparse classifier is unsure
  about: the message's sentence embedding (lotse.rasa_server.embeddings) is compared with the
  training examples' embeddings, computed at training time and stored with the model.
- SentenceEmbeddingFeaturizer: the sentence embedding as a dense feature of every message (measured
  and not used: docs/nlu-pipeline.md).
"""
from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lotse.core.settings import load_settings
from lotse.knowledge.child_age import age_group_for_years, extract_child_ages
from lotse.knowledge.office_requests import asks_for_office, office_type_of
from lotse.knowledge.offices import load_gazetteer, load_office_data
from lotse.knowledge.person import about_person, load_person_words
from lotse.knowledge.places import is_bare_place, resolve
from lotse.knowledge.terms import TERMS_FILE, load_terms, nlu_spans
from lotse.language.languages import detect_language, language_hints, language_of_message
from lotse.language.textnorm import fold
from lotse.rasa_server import embeddings


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Rasa's training cache must not reuse features made with another content/terms.yml."""
        path = Path(load_settings().content_dir) / TERMS_FILE
        terms = path.read_bytes() if path.exists() else b""
        return hashlib.sha256(terms + inspect.getsource(today_words).encode()).hexdigest()

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        for token in tokens:
            folded = fold(token.text) or token.text.lower()
            token.text = folded
            token.lemma = folded
        return today_words(message.get(TEXT) or "", tokens)


def today_words(text: str, tokens: List[Token]) -> List[Token]:
    """The tokens with each old word ("Hartz IV", one or more tokens) replaced by one token of
    today's word ("grundsicherungsgeld"), spanning the old word's tokens."""
    spans = nlu_spans(text, load_terms(load_settings().content_dir))
    if not spans:
        return tokens
    result: List[Token] = []
    for start, end, word in spans:
        inside = [t for t in tokens if t.start < end and t.end > start]
        if not inside:
            continue
        tokens = [t for t in tokens if t not in inside]
        result.append(Token(word, inside[0].start, inside[-1].end, lemma=word))
    return sorted(tokens + result, key=lambda t: t.start)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier, trained with Newton-CG and with its weights stored
    column-major.

    - Training: Rasa's default solver (L-BFGS) needed 102 s for three languages (6,459 examples ×
      61,498 n-gram features × 59 intents; every L-BFGS step updates 3.6 M weights in Fortran).
      Newton-CG reaches the same model in 16 Newton steps: 35 s, and the same held-out accuracy
      in all three languages (measured on the dumped training matrix, docs/performance.md).
      Scaling the features instead (unit length, SAG solver: 6–17 s) cost 1–2 points of accuracy.
    - Scoring multiplies a sparse message vector by `coef_.T`; with the default row-major weights
      scipy copies the whole transposed matrix (features × intents) on every call, which was half
      of the NLU time per message (measured with cProfile).
    - A message's feature row is its sparse sentence features as they are: Rasa stacks them with
      an empty dense block and then stacks the rows again (three sparse-matrix constructions a
      message, about a third of the classifier's time in py-spy); the values are the same.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "solver": "newton-cg", "tol": 0.1}

    def _use_fortran_order(self) -> None:
        if hasattr(self.clf, "coef_"):
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)

    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        self._use_fortran_order()
        return resource

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> "FastLogisticRegressionClassifier":
        component = super().load(*args, **kwargs)
        component._use_fortran_order()
        return component

    def _create_X(self, messages: List[Message]) -> Any:  # noqa: N802 (Rasa's name)
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            if sparse is None or message.get_dense_features(attribute=TEXT)[1] is not None:
                return super()._create_X(messages)  # dense features configured: Rasa's way
            rows.append(scipy.sparse.csr_matrix(sparse.features, dtype=np.float64))
        return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows, format="csr")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LotseEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LotseEntityExtractor":
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = config or {}
        self._content_dir = load_settings().content_dir
        load_gazetteer(self._content_dir)  # parsed now, not during the first user's message

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        gazetteer = load_gazetteer(self._content_dir)
        municipalities = load_office_data(self._content_dir).municipalities
        person_words = load_person_words(self._content_dir)
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            entities = list(message.get(ENTITIES, []))
            found = resolve(text, gazetteer)
            if found.status == "found" and found.municipality in municipalities:
                area = municipalities[found.municipality].get("jugendamt_area")
                entities.append(self._entity(text, "municipality", found.municipality))
                if area:
                    entities.append(self._entity(text, "jugendamt_area", area))
            office_type = office_type_of(text)
            if office_type:
                entities.append(self._entity(text, "office_type", office_type))
            ages = extract_child_ages(text)
            if ages:
                entities.append(self._entity(text, "child_age_group", age_group_for_years(min(ages))))
                entities += [self._entity(text, "child_age", f"{age:g}") for age in ages]
            entities += [self._entity(text, name, value) for name, value in about_person(text, person_words).items()]
            # None: nothing in the message decides, the `language` slot keeps the conversation's language.
            language = language_of_message(text, language_hints(message.get("metadata")))
            if language:
                entities.append(self._entity(text, "language", language))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _entity(self, text: str, name: str, value: str) -> Dict[Text, Any]:
        return {
            "entity": name,
            "value": value,
            "start": 0,
            "end": len(text),
            "confidence": 1.0,
            "extractor": self.__class__.__name__,
        }


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class BarePlaceClassifier(GraphComponent):
    """A message that only names a place ("48599", "Gemen", "wohne in Epe", "und in Gronau?") is
    `inform_place`; one that names a place and an office or asks who is responsible ("Jobcenter
    Eggerode", "Meine PLZ ist 48691, welches Jobcenter?") is `ask_office`.

    Runs after the statistical classifier: such messages are unambiguous, but a bare postal code
    has too few features for the classifier to be confident, and a place with an office word often
    shares more words with a knowledge answer ("brauche", "für") than with the office finder.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "BarePlaceClassifier":
        return cls()

    def __init__(self) -> None:
        self._content_dir = load_settings().content_dir

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        gazetteer = load_gazetteer(self._content_dir)
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            if is_bare_place(text, gazetteer):
                self._force(message, "inform_place")
            elif not _is_office_field(message) and asks_for_office(text, gazetteer):
                self._force(message, "ask_office")
        return messages

    @staticmethod
    def _force(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)


def _decided_by_place(text: str, content_dir: str) -> bool:
    """BarePlaceClassifier gives this message its intent (a bare place, or a place with an office):
    the embeddings' second opinion is not asked (it would cost 20-40 ms for nothing)."""
    gazetteer = load_gazetteer(content_dir)
    return is_bare_place(text, gazetteer) or asks_for_office(text, gazetteer)


def _is_office_field(message: Message) -> bool:
    """The classifier already chose one field of the office (ask_office_hours, ask_office_phone …)."""
    return str((message.get(INTENT) or {}).get("name") or "").startswith("ask_office_")


def _intent_examples(training_data: TrainingData) -> List[Message]:
    return [m for m in training_data.intent_examples if m.get(TEXT)]


def _trigrams(text: str) -> frozenset:
    folded = f" {fold(text) or text.lower()} "
    return frozenset(folded[i : i + 3] for i in range(len(folded) - 2))


def _spread(texts: List[Text], n: int) -> List[int]:
    """Indices of at most `n` of `texts` that cover them: the longest first, then again and again
    the one least like those chosen (character trigrams, Jaccard), so that short and long, formal
    and colloquial wordings are all represented."""
    if len(texts) <= n:
        return list(range(len(texts)))
    grams = [_trigrams(t) for t in texts]
    chosen = [max(range(len(texts)), key=lambda i: (len(texts[i]), -i))]
    nearest = [0.0] * len(texts)  # similarity to the nearest chosen example
    while len(chosen) < n:
        last = grams[chosen[-1]]
        for i, g in enumerate(grams):
            nearest[i] = max(nearest[i], len(g & last) / max(len(g | last), 1))
        candidates = [i for i in range(len(texts)) if i not in chosen]
        chosen.append(min(candidates, key=lambda i: (nearest[i], -len(texts[i]), i)))
    return sorted(chosen)


def choose_examples(examples: List[tuple], per_language: int) -> tuple:
    """The fixed set of examples the nearest-example classifier embeds: for every intent and
    language (lotse.language.languages; examples too short to tell form one more group, with half
    the quota) at most `per_language` examples chosen for coverage by `_spread`. Returns the texts
    and their intents, in a stable order, so a training embeds the same few examples every time."""
    groups: Dict[tuple, List[Text]] = {}
    for text, intent in examples:
        groups.setdefault((intent, detect_language(text) or ""), []).append(text)
    texts: List[Text] = []
    labels: List[Text] = []
    for (intent, language), members in sorted(groups.items()):
        members = sorted(set(members))
        quota = per_language if language else max(per_language // 2, 1)
        for index in _spread(members, quota):
            texts.append(members[index])
            labels.append(intent)
    return texts, labels


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NearestExampleClassifier(GraphComponent):
    """A second opinion from sentence embeddings, asked only when the sparse classifier is unsure.

    Runs after FastLogisticRegressionClassifier. When its top confidence is below `threshold`, or
    the first two intents are closer than `margin`, the message is embedded and compared with the
    training examples (embedded at training time, stored in this component's resource): an intent's
    score is the mean cosine similarity of its `k` nearest examples, turned into probabilities with
    a softmax at `temperature`; the new ranking mixes them with the classifier's (`weight` is the
    share of the embeddings). Embeddings understand unseen wording, typos and the other languages
    (a Russian question is near the Ukrainian examples); the sparse n-grams are better where they
    are sure, and embedding every message would cost 15-60 ms each (docs/nlu-pipeline.md).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "threshold": 0.6,
            "margin": 0.2,
            "k": 3,
            "weight": 0.5,
            "temperature": 0.02,
            "max_examples_per_intent": None,
            "examples_per_language": None,
            "keep_answered": False,
            "cache_dir": ".build/embedding-cache",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectors: Optional[np.ndarray] = None,
        labels: Optional[List[Text]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._content_dir = load_settings().content_dir
        self._model_storage = model_storage
        self._resource = resource
        self._set_examples(vectors, labels or [])

    def _set_examples(self, vectors: Optional[np.ndarray], labels: List[Text]) -> None:
        self._vectors = np.zeros((0, embeddings.DIMENSION), np.float32) if vectors is None else vectors
        self._labels = labels
        by_intent: Dict[Text, List[int]] = {}
        for row, label in enumerate(labels):
            by_intent.setdefault(label, []).append(row)
        self._rows = {label: np.array(rows) for label, rows in by_intent.items()}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NearestExampleClassifier":
        return cls(config, model_storage, resource)

    def _chosen_examples(self, training_data: TrainingData) -> List[Message]:
        """The examples to embed: a fixed few per intent and language (`examples_per_language`,
        `choose_examples`), or at most `max_examples_per_intent` spread evenly over each intent's
        list (which runs language by language), or all."""
        per_language = self._config["examples_per_language"]
        if per_language:
            examples = _intent_examples(training_data)
            by_text = {(m.get(TEXT), m.get(INTENT)): m for m in examples}
            texts, labels = choose_examples([(m.get(TEXT), m.get(INTENT)) for m in examples], per_language)
            return [by_text[pair] for pair in zip(texts, labels, strict=True)]
        by_intent: Dict[Text, List[Message]] = {}
        for message in _intent_examples(training_data):
            by_intent.setdefault(message.get(INTENT), []).append(message)
        cap = self._config["max_examples_per_intent"]
        chosen: List[Message] = []
        for intent in sorted(by_intent):
            messages = by_intent[intent]
            if cap and len(messages) > cap:
                messages = [messages[i] for i in np.linspace(0, len(messages) - 1, cap).astype(int)]
            chosen += messages
        return chosen

    def train(self, training_data: TrainingData) -> Resource:
        chosen = self._chosen_examples(training_data)
        vectors = embeddings.embed_cached([m.get(TEXT) for m in chosen], Path(self._config["cache_dir"]))
        labels = [m.get(INTENT) for m in chosen]
        self._set_examples(vectors, labels)
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / "vectors.npy", vectors.astype(np.float16))
            (directory / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "NearestExampleClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                vectors = np.load(directory / "vectors.npy").astype(np.float32)
                labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        embeddings.warm_up()
        return cls(config, model_storage, resource, vectors, labels)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _is_unsure(self, ranking: List[Dict[Text, Any]]) -> bool:
        top = ranking[0]["confidence"]
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        return top < self._config["threshold"] or top - second < self._config["margin"]

    def nearest_intents(self, vector: np.ndarray) -> Dict[Text, float]:
        """Per intent: the probability the embeddings give it (softmax over the mean similarity of
        the intent's k nearest examples)."""
        similarities = self._vectors @ vector
        k = self._config["k"]
        names = list(self._rows)
        scores = np.array(
            [np.sort(similarities[rows])[-k:].mean() for rows in (self._rows[name] for name in names)]
        )
        weights = np.exp((scores - scores.max()) / self._config["temperature"])
        return dict(zip(names, (weights / weights.sum()).tolist(), strict=True))

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._labels:
            return messages
        weight = self._config["weight"]
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            if not text or text.startswith("/") or not ranking or not self._is_unsure(ranking):
                continue
            if _decided_by_place(text, self._content_dir):
                continue
            nearest = self.nearest_intents(embeddings.embed(text))
            sparse = {r["name"]: r["confidence"] for r in ranking}
            mixed = {
                name: (1 - weight) * sparse.get(name, 0.0) + weight * nearest.get(name, 0.0)
                for name in set(sparse) | set(nearest)
            }
            top = sorted(mixed.items(), key=lambda item: -item[1])[: len(ranking)]
            if self._config["keep_answered"]:
                top = _kept_confidence(top, ranking)
            new_ranking = [{"name": name, "confidence": confidence} for name, confidence in top]
            message.set(INTENT, new_ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, new_ranking, add_to_output=True)
        return messages


def _kept_confidence(mixed: List[tuple], sparse: List[Dict[Text, Any]]) -> List[tuple]:
    """The mixed ranking's first intent, then the sparse classifier's ranking without it.

    The first is at least as confident, and at least as far ahead of the next, as the classifier's
    first was: the second opinion may change which intent is chosen, but never turns a message the
    classifier answered into a "not understood" (FallbackClassifier judges the top confidence and
    the lead). The rest stays the classifier's, so the other needs of a long message
    (lotse.knowledge.personal.other_needs) are those it found (docs/nlu-pipeline.md)."""
    if not mixed or not sparse:
        return mixed
    name = mixed[0][0]
    top = sparse[0]["confidence"]
    lead = top - (sparse[1]["confidence"] if len(sparse) > 1 else 0.0)
    rest = [(r["name"], r["confidence"]) for r in sparse if r["name"] != name]
    second = rest[0][1] if rest else 0.0
    return [(name, min(1.0, max(mixed[0][1], top, second + lead)))] + rest[: len(sparse) - 1]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """The message's sentence embedding (times `scale`) as a dense sentence feature; the logistic
    regression appends it to the sparse n-gram counts. Embeds every message (docs/nlu-pipeline.md)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0, "cache_dir": ".build/embedding-cache"}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        embeddings.warm_up()

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        return None

    def _add(self, message: Message, vector: np.ndarray) -> None:
        self.add_features_to_message(None, vector[None, :] * self._config["scale"], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)]
        vectors = embeddings.embed_cached([m.get(TEXT) for m in messages], Path(self._config["cache_dir"]))
        for message, vector in zip(messages, vectors, strict=True):
            self._add(message, vector)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text:
                self._add(message, embeddings.embed(text))
        return messages
