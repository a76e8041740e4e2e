"""Answers that show what the conversation already knows (issue #19): "Für Gescher: …" when an
answer's variant was chosen by the person's town, "Für Ihr Kind mit 2 Jahren: …" when it was chosen by
the child's age, and "Auch gefragt: …" buttons for the other needs of a long message. Pure functions;
lotse.rasa_server.nlg applies them to each knowledge answer."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from lotse.language.messages import Messages

PLACE_CONDITIONS = frozenset({"municipality", "jugendamt_area"})
AGE_CONDITIONS = frozenset({"child_age_group"})
# A message this long may hold several needs (a "story"); the other likely ones are offered.
STORY_WORDS = 12
OTHER_NEED_CONFIDENCE = 0.12
MAX_OTHER_NEEDS = 2  # from the classifier's ranking
MAX_ALL_NEEDS = 3  # with the needs the message names in words (content/need_words.yml)


def age_text(years: float, t: Messages) -> str:
    """ "2 Jahren", "10 Monaten", "1 Jahr" in the person's language."""
    if years < 1:
        return t("age_months", number=max(1, round(years * 12)))
    if round(years) == 1 and years < 1.5:
        return t("age_one_year")
    number = f"{years:g}" if years != int(years) else str(int(years))
    return t("age_years", number=number)


def plain_age(years: float, t: Messages) -> str:
    """ "2 Jahre", "10 Monate": an age on its own (not after "mit")."""
    if years < 1:
        return t("age_plain_months", number=max(1, round(years * 12)))
    return t("age_plain_years", number=f"{years:g}")


def noted_details(town: str | None, ages: Iterable[float], t: Messages) -> str | None:
    """What Lotse keeps for this conversation, said back ("Ihr Wohnort: Gescher · Alter Ihrer Kinder: 3 Jahre, 7 Jahre")."""
    parts = [t("memory_noted_town", town=town)] if town else []
    ages = list(ages)
    if ages:
        parts.append(t("memory_noted_ages", ages=", ".join(plain_age(a, t) for a in ages)))
    return " · ".join(parts) if parts else None


def memory_prefix(
    conditions: Iterable[str],
    town: str | None,
    child_age: float | None,
    t: Messages,
) -> str | None:
    """What the chosen variant was chosen by, said back in one short line; None for a general text."""
    used = set(conditions)
    parts = []
    if used & PLACE_CONDITIONS and town:
        parts.append(t("memory_for_town", town=town))
    if used & AGE_CONDITIONS and child_age is not None:
        parts.append(t("memory_for_child", age=age_text(child_age, t)))
    return " ".join(parts) if parts else None


def other_needs(
    text: str,
    ranking: Iterable[Mapping[str, Any]],
    answered_intent: str | None,
    answer_intents: Iterable[str],
    labels: Mapping[str, Mapping[str, str]],
    t: Messages,
    named: Iterable[str] = (),
) -> list[dict[str, str]]:
    """Buttons for the other needs of a long message: the next likely intents that have an answer,
    then the needs it names in words (`named`, lotse.knowledge.needs) that are not offered yet."""
    if len(text.split()) < STORY_WORDS:
        return []
    known = set(answer_intents)
    intents: list[str] = []
    for item in ranking:
        intent = item.get("name")
        if intent == answered_intent or intent not in known:
            continue
        if float(item.get("confidence") or 0) < OTHER_NEED_CONFIDENCE:
            break  # the ranking is sorted: the rest are less likely still
        intents.append(str(intent))
        if len(intents) == MAX_OTHER_NEEDS:
            break
    for intent in named:
        if len(intents) == MAX_ALL_NEEDS:
            break
        if intent != answered_intent and intent in known and intent not in intents:
            intents.append(intent)
    return [_also_asked(intent, labels, t) for intent in intents]


def _also_asked(intent: str, labels: Mapping[str, Mapping[str, str]], t: Messages) -> dict[str, str]:
    label = (labels.get(intent) or {}).get(t.language) or (labels.get(intent) or {}).get("de") or intent
    return {"title": t("also_asked", topic=label), "payload": f"/{intent}"}
