"""Custom Rasa NLU components (loaded by config.yml; run inside the Rasa server).

- FoldingTokenizer: whitespace tokens folded to one spelling ("Gebühren" = "Gebuehren" =
  "gebuhren"), so missing umlauts and capitalisation do not split the vocabulary.
- LotseEntityExtractor: the user's municipality (and its Jugendamt area), the office a message
  names (`office_type`: jobcenter, jugendamt, agentur, familienbuero) and the child's age group,
  found by the tested pure functions in lotse.knowledge.places, office_requests and child_age. They
  fill slots that personalise answers without a call to the action server.
  Also the language to answer in (lotse.language.languages), which fills the `language` slot.
"""
from __future__ import annotations

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
from lotse.knowledge.office_requests import asks_for_office, office_type_of
from lotse.knowledge.offices import load_gazetteer, load_office_data
from lotse.knowledge.person import about_person, load_person_words
from lotse.knowledge.places import is_bare_place, resolve
from lotse.language.languages import language_of_message
from lotse.language.textnorm import fold


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        for token in tokens:
            folded = fold(token.text) or token.text.lower()
            token.text = folded
            token.lemma = folded
        return tokens


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
            office_type = office_type_of(text)
            if office_type:
                entities.append(self._entity(text, "office_type", office_type))
            ages = extract_child_ages(text)
            if ages:
                entities.append(self._entity(text, "child_age_group", age_group_for_years(min(ages))))
                entities += [self._entity(text, "child_age", f"{age:g}") for age in ages]
            entities += [self._entity(text, name, value) for name, value in about_person(text, person_words).items()]
            metadata = message.get("metadata") or {}
            language = language_of_message(text, metadata.get("language"), metadata.get("language_hint"))
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
            elif asks_for_office(text, gazetteer):
                self._force(message, "ask_office")
        return messages

    @staticmethod
    def _force(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
