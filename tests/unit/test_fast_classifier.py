"""The intent classifier Lotse trains (FastLogisticRegressionClassifier): trained on the same
word and character n-grams, it ranks messages exactly as Rasa's LogisticRegressionClassifier
ranks them with the same weights, while building each message's row more cheaply."""
from __future__ import annotations

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lotse.rasa_server.components import FastLogisticRegressionClassifier

EXAMPLES = {
    "ask_kita": ["Wo finde ich einen Kita-Platz?", "Kita anmelden in Borken", "Mein Kind braucht einen Platz in der Kita"],
    "ask_umschulung": ["Kann ich eine Umschulung machen?", "Umschulung in Teilzeit", "Weiterbildung zur Buchhalterin"],
    "ask_geld": ["Wie viel Geld bekomme ich?", "Reicht das Bürgergeld?", "Mehrbedarf für Alleinerziehende"],
}
MESSAGES = ["kita platz gesucht", "umschulung teilzeit bitte", "wieviel geld gibt es", "xyz", "Kita oder Umschulung?"]


def _component(cls, tmp_path, name):
    context = ExecutionContext(GraphSchema({}), "t")
    return cls.create({**cls.get_default_config()}, LocalModelStorage(tmp_path), Resource(name), context)


def _featurisers(tmp_path):
    tokenizer = _component(WhitespaceTokenizer, tmp_path, "tok")
    words = _component(CountVectorsFeaturizer, tmp_path, "words")
    chars = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
        LocalModelStorage(tmp_path), Resource("chars"), ExecutionContext(GraphSchema({}), "t"),
    )
    return tokenizer, words, chars


def test_the_fast_classifier_ranks_messages_as_rasa_s_own_with_the_same_weights(tmp_path):
    examples = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    data = TrainingData(examples)
    tokenizer, words, chars = _featurisers(tmp_path)
    tokenizer.process_training_data(data)
    words.train(data)
    chars.train(data)
    words.process_training_data(data)
    chars.process_training_data(data)
    fast = _component(FastLogisticRegressionClassifier, tmp_path, "fast")
    fast.clf.fit(*fast._create_training_matrix(data))  # not train(): persisting imports numpy.distutils, which changes the root logger for later tests
    rasa_own = _component(LogisticRegressionClassifier, tmp_path, "rasa")
    rasa_own.clf = fast.clf  # the same weights: only how a message's row is built differs

    messages = [Message(data={TEXT: t}) for t in MESSAGES]
    tokenizer.process(messages)
    words.process(messages)
    chars.process(messages)
    for batch in ([m] for m in messages):
        fast_x, rasa_x = fast._create_X(batch), rasa_own._create_X(batch)
        assert fast_x.shape == rasa_x.shape
        assert np.array_equal(fast_x.toarray(), rasa_x.toarray())
    assert np.array_equal(fast._create_X(messages).toarray(), rasa_own._create_X(messages).toarray())

    assert fast.clf.predict(fast._create_X(messages)).tolist()[:3] == ["ask_kita", "ask_umschulung", "ask_geld"]
