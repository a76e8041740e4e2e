"""Custom Rasa NLU components (loaded by config.yml; run inside the Rasa server).

- FoldingTokenizer: whitespace tokens folded to one spelling ("Gebühren" = "Gebuehren" =
  "gebuhren"), so missing umlauts and capitalisation do not split the vocabulary; old words
  ("Hartz IV", "450-€-Job", "Kiga") become today's word (content/terms.yml, lotse.knowledge.terms).
- LotseEntityExtractor: the user's municipality (and its Jugendamt area) and the child's age
  group, found by the tested pure functions in lotse.knowledge.places and lotse.knowledge.child_age. They fill slots
  that personalise answers without a call to the action server.
  Also the language to answer in (lotse.language.languages), which fills the `language` slot.
"""
from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lotse.core.settings import load_settings
from lotse.knowledge.child_age import age_group_for_years, extract_child_ages
from lotse.knowledge.offices import load_gazetteer, load_office_data
from lotse.knowledge.person import about_person, load_person_words
from lotse.knowledge.places import is_bare_place, resolve
from lotse.knowledge.terms import TERMS_FILE, load_terms, nlu_spans
from lotse.language.languages import language_of_message
from lotse.language.textnorm import fold


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
            ages = extract_child_ages(text)
            if ages:
                entities.append(self._entity(text, "child_age_group", age_group_for_years(min(ages))))
                entities += [self._entity(text, "child_age", f"{age:g}") for age in ages]
            entities += [self._entity(text, name, value) for name, value in about_person(text, person_words).items()]
            metadata = message.get("metadata") or {}
            language = language_of_message(text, metadata.get("language"))
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
    """A message that only names a place ("48599", "Gemen", "wohne in Epe") is `inform_place`.

    Runs after the statistical classifier: such messages are unambiguous, but a bare postal code
    has too few features for the classifier to be confident.
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
            if text and not text.startswith("/") and is_bare_place(text, gazetteer):
                intent = {"name": "inform_place", "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != "inform_place"]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        return messages
