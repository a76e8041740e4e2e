"""Conversation memory: what the conversation so far tells about the next message (issue #19).

The topic is the last knowledge answer given; the question pending is what that answer's last
sentence asked (content/followups.yml `asks`), if it was the bot's last message; the options are
the buttons the bot showed last. `next_step` decides where a message goes in that context — a
follow-up about an aspect of the topic, a short reply to the bot's own question, a place or a
child's age for the topic, a choice from the buttons — or None, when the message stands on its own
and the ordinary rules answer it.

Pure functions over a neutral view of the tracker's events (`Event`), so the Rasa policy
(lotse.rasa_server.policy) and the action server (actions/offices.py) decide alike.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.child_age import (
    MAX_CHILD_AGE,
    age_group_for_years,
    bare_child_age,
    extract_child_ages,
    reply_child_age,
)
from lotse.knowledge.content import load_answers
from lotse.knowledge.followups import DETAILS, OFFICE_ASPECTS, Followups, Topic
from lotse.language.textnorm import fold

ANSWER_PREFIX = "utter_answer_"
DETAILS_PREFIX = "utter_details_"
OFFICE_ACTION = "action_find_office"
ASK_TOPIC = "utter_ask_topic"
NOTED = "utter_noted_details"
# The slots that hold what the person said about themselves (erased by "vergiss meine Angaben").
MEMORY_SLOTS = (
    "municipality", "jugendamt_area", "child_age_group", "child_ages", "office_kind", "situation", "single_parent", "pregnant",
)
PLACE_SLOTS = frozenset({"municipality", "jugendamt_area"})
PLACE_INTENTS = frozenset({"inform_place"})
AGE_INTENT = "inform_child_age"
CHOOSE_INTENT = "choose_option"
MAX_REPLY_WORDS = 6
TOPIC_CONFIDENCE = 0.15  # a follow-up without a topic that also reads as a question on its own: that question
# Intents that one general phrase can win ("wie funktioniert …", "was steht mir zu"); when a message
# also reads clearly as a question about a topic, the topic is what the person asked about.
GENERAL_INTENTS = frozenset({"ask_capabilities", "ask_situation_check", "out_of_scope"})
TOPIC_OVER_GENERAL = 0.3  # a longer message is a new question, not a reply to the bot's question
FALLBACK_INTENT = "nlu_fallback"  # the classifier was unsure: its ranking still holds its guesses
# A general or unsure reading of a message while a topic is in context: a follow-up about an aspect
# of that topic is what the person asked when the classifier ranks one at least this high.
ASPECT_IN_CONTEXT = 0.2
# A short message the classifier reads as another topic, with a follow-up about the topic in context
# at most this much less likely, is that follow-up (the classifier knows no context).
SHORT_FOLLOWUP_WORDS = 8
CONTEXT_MARGIN = 0.15
# An unsure reading (the fallback): of its best guesses, the likeliest one about the topic in context.
UNSURE_GUESSES = 3
UNSURE_IN_CONTEXT = 0.12


@dataclass(frozen=True)
class Event:
    """One tracker event, as both processes see it: kind "user" | "action" | "bot"."""

    kind: str
    name: str | None = None
    buttons: tuple[str, ...] = ()  # payloads, for "bot"


@dataclass(frozen=True)
class Message:
    intent: str | None
    text: str
    entities: frozenset[str] = frozenset()
    ranking: tuple[tuple[str, float], ...] = ()  # the classifier's other guesses, most likely first


def ranking_of(intent_ranking: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, float], ...]:
    return tuple((str(r.get("name")), float(r.get("confidence") or 0)) for r in intent_ranking or ())


@dataclass(frozen=True)
class Context:
    topic: str | None = None  # answer id
    asked: str | None = None  # child_age | municipality: the bot's last message asked this
    options: tuple[str, ...] = ()  # button payloads of the bot's last message
    office_after_topic: bool = False  # the office finder answered since the topic


@dataclass(frozen=True)
class Step:
    action: str
    slots: Mapping[str, Any] = field(default_factory=dict)
    aspect: str | None = None


@dataclass(frozen=True)
class Answers:
    """What the decision needs to know about the answers: which slots their variants use, and which
    answer an intent has."""

    varies_by: Mapping[str, frozenset[str]]
    by_intent: Mapping[str, str]
    with_details: frozenset[str] = frozenset()  # answers with a core: their whole text is the details

    @classmethod
    def from_content(cls, answers: Iterable[Any]) -> "Answers":
        varies, by_intent, details = {}, {}, set()
        for a in answers:
            varies[a.id] = frozenset(k for v in a.variants for k in v.when)
            if a.intent:
                by_intent[a.intent] = a.id
            if a.core:
                details.add(a.id)
        return cls(varies, by_intent, frozenset(details))


_index_cache: dict[str, tuple[tuple[int, ...], Answers]] = {}


def answers_index(content_dir: Path) -> Answers:
    """The answers' index from the content directory, built again only when an answer file changed
    (load_yaml hands out the same object until then); called for every knowledge answer."""
    files = sorted((Path(content_dir) / "answers").glob("*.yml"))
    key = tuple(id(load_yaml(f)) for f in files)
    cached = _index_cache.get(str(content_dir))
    if cached and cached[0] == key:
        return cached[1]
    index = Answers.from_content(load_answers(content_dir).answers)
    _index_cache[str(content_dir)] = (key, index)
    return index


def split_at_last_user(newest_first: Iterable[Event]) -> tuple[list[Event] | None, Iterator[Event]]:
    """The events since the latest user message (newest first; None: there is no user message) and an
    iterator over the events before it, newest first (read only as far as the context needs)."""
    events = iter(newest_first)
    after: list[Event] = []
    for event in events:
        if event.kind == "user":
            return after, events
        after.append(event)
    return None, iter(())


def context_of(newest_first: Iterable[Event], followups: Followups) -> Context:
    """The context from the events before a user message, newest first; stops at the last answer."""
    topic = None
    office_after = False
    last_bot_action: str | None = None
    options: tuple[str, ...] = ()
    seen_bot = False
    for event in newest_first:
        if event.kind == "bot" and not seen_bot:
            options, seen_bot = event.buttons, True
        if event.kind != "action" or event.name in (None, "action_listen"):
            continue
        if last_bot_action is None:
            last_bot_action = event.name
        if event.name == OFFICE_ACTION:
            office_after = True
        prefix = next((p for p in (ANSWER_PREFIX, DETAILS_PREFIX) if event.name.startswith(p)), None)
        if prefix:
            topic = event.name[len(prefix):]
            break
    asked = None
    if topic and last_bot_action in (ANSWER_PREFIX + topic, DETAILS_PREFIX + topic) and topic in followups.topics:
        asked = followups.topics[topic].asks
    return Context(topic, asked, options, office_after)


def _words(text: str) -> int:
    return len(text.split())


def reply_child_ages(text: str) -> list[float]:
    """The children's ages in a message or in a short reply ("7 und 1", "2", "zehn Monate")."""
    ages = extract_child_ages(text)
    if len(ages) < 2:
        numbers = [float(n) for n in re.findall(r"(?<![\d.,/])\d{1,2}(?![\d.,/]?\d)", text) if int(n) <= MAX_CHILD_AGE]
        if len(numbers) >= 2 and _words(text) <= MAX_REPLY_WORDS:
            return numbers
    if ages:
        return ages
    single = reply_child_age(text)
    return [] if single is None else [single]


def _age_slots(years: float, ages: list[float]) -> dict[str, Any]:
    """The slots for a child's age given in a reply; ages as the entity extractor writes them ("2", "0.83")."""
    return {"child_age_group": age_group_for_years(years), "child_ages": [f"{round(a, 2):g}" for a in ages]}


def next_step(message: Message, context: Context, followups: Followups, answers: Answers) -> Step | None:
    """Where `message` goes in `context`; None: the ordinary rules answer it."""
    topic = followups.topics.get(context.topic or "")
    topic_response = ANSWER_PREFIX + context.topic if context.topic else None
    varies = answers.varies_by.get(context.topic or "", frozenset())

    if context.asked == "child_age" and _words(message.text) <= MAX_REPLY_WORDS and topic_response:
        ages = reply_child_ages(message.text)
        if ages:
            return Step(topic_response, _age_slots(min(ages), ages))  # the youngest decides ("7 und 1")
    if context.asked == "municipality" and "municipality" in message.entities and _words(message.text) <= MAX_REPLY_WORDS:
        return Step(topic_response if varies & PLACE_SLOTS else OFFICE_ACTION)

    if message.intent not in (AGE_INTENT, CHOOSE_INTENT) and bare_child_age(message.text) is not None:
        # a message that is only a child's age ("Ach nein, sie ist schon 4."), whatever else the classifier reads
        message = replace(message, intent=AGE_INTENT)
    if message.intent == CHOOSE_INTENT and extract_child_ages(message.text):
        # "und für mein zweites Kind (7)?" names a child's age, not the second button
        message = replace(message, intent=AGE_INTENT)
    unsure = message.intent in GENERAL_INTENTS or message.intent == FALLBACK_INTENT
    if unsure:
        topical = _topical(message, answers, TOPIC_OVER_GENERAL)
        if topical:
            return Step(ANSWER_PREFIX + topical)
    contextual = _contextual_intent(message, topic, followups, answers)
    if contextual and unsure and topic is not None and answers.by_intent.get(contextual) == topic.id:
        # unsure, and likeliest about the topic itself ("Bis zu welchem Alter gilt das?" after the
        # Kinderkrankentage): that topic's answer (its details when its core was just given), not "nicht sicher"
        return Step(ANSWER_PREFIX + topic.id)
    if contextual:
        message = replace(message, intent=contextual)
    elif unsure:
        return None

    if message.intent in PLACE_INTENTS and "municipality" in message.entities and topic_response and varies & PLACE_SLOTS:
        return Step(topic_response)  # "und in Gronau?", "nein, ich wohne in Vreden"
    if message.intent == AGE_INTENT:
        ages = reply_child_ages(message.text)
        if not ages:
            return None
        # "und für mein anderes Kind (7)?": the topic again, for that age (the amounts for each age are in it)
        return Step(topic_response or NOTED, _age_slots(min(ages), ages))

    if message.intent == CHOOSE_INTENT and context.options:
        chosen = _chosen(message.text, context.options)
        if chosen is None:
            return None
        intent, values = chosen
        if intent in PLACE_INTENTS:
            return Step(OFFICE_ACTION, {"municipality": values["municipality"]}) if values.get("municipality") else None
        if intent in answers.by_intent:
            return Step(ANSWER_PREFIX + answers.by_intent[intent])
        message = replace(message, intent=intent)  # a follow-up button ("Mehr dazu"): that follow-up

    aspect = followups.aspect_of(message.intent, topic)
    if aspect is None:
        return None
    if topic is None:
        if aspect in OFFICE_ASPECTS:
            return Step(OFFICE_ACTION, aspect=aspect)
        # "Ab wann muss ich wieder arbeiten?" names its topic: answer that rather than ask for it
        topical = _topical(message, answers, TOPIC_CONFIDENCE)
        return Step(ANSWER_PREFIX + topical) if topical else Step(ASK_TOPIC)
    target = topic.target(aspect)
    if target.kind == "answer" and target.answer:
        return Step(ANSWER_PREFIX + target.answer, aspect=aspect)
    if target.kind == DETAILS:
        return Step(DETAILS_PREFIX + topic.id if topic.id in answers.with_details else ANSWER_PREFIX + topic.id, aspect=aspect)
    return Step(OFFICE_ACTION, aspect=aspect)


def _contextual_intent(message: Message, topic: Topic | None, followups: Followups, answers: Answers) -> str | None:
    """Another of the classifier's readings of the message, which the topic in context makes the
    likelier one; None: the message's own intent stands.

    - A general or unsure reading whose best specific guess (at least ASPECT_IN_CONTEXT) is a
      follow-up about the topic or a child's age: that guess ("Wie lange vorher muss ich den
      bestellen?" after the TaxiBus is out of scope on its own).
    - A short message read as another topic, with a follow-up about the topic in context close
      behind (CONTEXT_MARGIN): the follow-up ("Zahlt das Jobcenter sowas?" after early childcare).
    """
    if topic is None:
        return None
    ranked = [(i, conf) for i, conf in message.ranking if i not in GENERAL_INTENTS and i != FALLBACK_INTENT]
    if not ranked:
        return None
    if message.intent == FALLBACK_INTENT:
        # unsure: the likeliest of its best guesses that is about the topic in context
        return next((i for i, conf in ranked[:UNSURE_GUESSES] if conf >= UNSURE_IN_CONTEXT and _about(i, topic, followups, answers)), None)
    if message.intent in GENERAL_INTENTS:
        intent, conf = ranked[0]
        followup = followups.aspect_of(intent, topic) is not None or intent == AGE_INTENT
        return intent if followup and conf >= ASPECT_IN_CONTEXT else None
    other_topic = answers.by_intent.get(message.intent or "")
    if other_topic is None or other_topic == topic.id or _words(message.text) > SHORT_FOLLOWUP_WORDS or len(ranked) < 2:
        return None
    (top, top_conf), (second, second_conf) = ranked[0], ranked[1]
    if top == message.intent and followups.aspect_of(second, topic) is not None and second_conf >= top_conf - CONTEXT_MARGIN:
        return second
    return None


def _about(intent: str, topic: Topic, followups: Followups, answers: Answers) -> bool:
    """Whether a message with `intent` is about `topic`: a follow-up, a child's age, or the topic's own question."""
    return followups.aspect_of(intent, topic) is not None or intent == AGE_INTENT or answers.by_intent.get(intent) == topic.id


def _topical(message: Message, answers: Answers, confidence: float) -> str | None:
    """The answer of the likeliest topic the message also reads as (at least `confidence`)."""
    return next((answers.by_intent[i] for i, conf in message.ranking if i in answers.by_intent and conf >= confidence), None)


def office_kind_in(context: Context, followups: Followups, remembered_kind: str | None) -> str:
    """"That office": the one the office finder answered last, or the topic's office."""
    if context.office_after_topic and remembered_kind:
        return remembered_kind
    topic = followups.topics.get(context.topic or "")
    return topic.office if topic else (remembered_kind or "jobcenter")


# Ordinal words first: in "the second one", "one" is no number.
_ORDINALS = {
    1: r"erst\w*|first|перш\w*|pershyi|persha|pershe",
    2: r"zweit\w*|second|друг\w*|druhyi|druha|druhe",
    3: r"dritt\w*|third|трет\w*|tretii|tretia|tretie",
    4: r"viert\w*|fourth|четверт\w*|chetvertyi",
}
_CARDINALS = {
    1: r"1|eins|one|один|одна|одне",
    2: r"2|zwei|two|два|дві",
    3: r"3|drei|three|три",
    4: r"4|vier|four|чотири",
}


def option_number(text: str) -> int | None:
    """1 for "das erste", "nummer 1", "the first one", "перше"; None when no option is named."""
    folded = fold(text)
    for table in (_ORDINALS, _CARDINALS):
        for number, words in table.items():
            if re.search(rf"(?<!\w)(?:{words})(?!\w)", folded):
                return number
    return None


def _chosen(text: str, options: tuple[str, ...]) -> tuple[str, dict[str, Any]] | None:
    """The button the person names ("das zweite"): its intent and entities."""
    number = option_number(text)
    if number is None or number > len(options):
        return None
    intent, _, entities = options[number - 1].lstrip("/").partition("{")
    try:
        values = json.loads("{" + entities) if entities else {}
    except ValueError:
        return None
    return intent, values if isinstance(values, dict) else {}


def from_rasa_events(events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """The neutral view of serialised tracker events (rasa-sdk's `tracker.events`, Rasa's `as_dict()`)."""
    result = []
    for e in events:
        kind = e.get("event")
        if kind == "user":
            result.append(Event("user"))
        elif kind == "action":
            result.append(Event("action", e.get("name")))
        elif kind == "bot":
            buttons = ((e.get("data") or {}).get("buttons")) or []
            result.append(Event("bot", buttons=tuple(str(b.get("payload", "")) for b in buttons)))
    return result


def message_of(latest: Mapping[str, Any]) -> Message:
    intent = (latest.get("intent") or {}).get("name")
    entities = frozenset(str(e.get("entity")) for e in latest.get("entities") or [])
    return Message(intent, str(latest.get("text") or ""), entities, ranking_of(latest.get("intent_ranking") or ()))
