"""Follow-ups as content (content/followups.yml): which aspect a follow-up intent asks about, and where
each topic takes it — another answer, "that office" for the person's town, or an honest "no verified
answer". Loading and the checks of `make check-content`; pure, no Rasa."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from lotse.core.yamlfiles import load_yaml
from lotse.language.languages import LANGUAGES

OFFICE_KINDS = ("jobcenter", "jugendamt", "agentur")
# What the Agentur für Arbeit is "that office" for: its training advice (Weiterbildungsberatung) or its
# careers advice for vocational training (Berufsberatung), instead of ALG I (content/messages.yml
# office_why_agentur_<role>).
OFFICE_ROLES = ("weiterbildung", "ausbildung")
QUESTIONS = ("child_age", "municipality")
# Aspects about the office itself: without a topic they go to the office of the person's town.
OFFICE_ASPECTS = frozenset({"apply", "hours", "phone", "address", "website"})
OFFICE = "office"
UNKNOWN = "unknown"
DETAILS = "details"  # "Mehr dazu": the whole text of the answer in context


@dataclass(frozen=True)
class Target:
    """Where a follow-up goes: an answer id, the topic's office, or no verified answer."""

    kind: str  # "answer" | OFFICE | UNKNOWN
    answer: str | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    office: str = "jobcenter"
    responsible: Mapping[str, str] = field(default_factory=dict)
    asks: str | None = None
    targets: Mapping[str, Target] = field(default_factory=dict)
    office_role: str | None = None  # one of OFFICE_ROLES: what the office is this topic's office for

    def target(self, aspect: str) -> Target:
        if aspect in self.targets:
            return self.targets[aspect]
        if aspect == "more":
            return Target(DETAILS)
        if aspect in OFFICE_ASPECTS and not self.responsible:
            return Target(OFFICE)
        return Target(UNKNOWN)


@dataclass(frozen=True)
class Followups:
    aspects: Mapping[str, str]  # intent -> aspect
    in_context_only: frozenset[str]
    topics: Mapping[str, Topic]

    def aspect_of(self, intent: str | None, topic: Topic | None) -> str | None:
        """The aspect a message with `intent` asks about, given the topic in the conversation."""
        aspect = self.aspects.get(intent or "")
        if aspect is None:
            return None
        if intent in self.in_context_only and (topic is None or aspect not in topic.targets):
            return None  # e.g. ask_checkliste without a topic that names documents: its own answer
        return aspect


def _target(raw: Any) -> Target:
    if raw in (OFFICE, UNKNOWN):
        return Target(str(raw))
    if isinstance(raw, Mapping) and "answer" in raw:
        return Target("answer", str(raw["answer"]))
    raise ValueError(f"a target is 'office', 'unknown' or {{answer: <id>}}, not {raw!r}")


def parse_followups(raw: Mapping[str, Any]) -> Followups:
    aspects = {str(k): str(v) for k, v in (raw.get("aspects") or {}).items()}
    topics: dict[str, Topic] = {}
    roles = {str(k): str(v) for k, v in (raw.get("office_roles") or {}).items()}
    for topic_id, entry in (raw.get("topics") or {}).items():
        entry = dict(entry or {})
        office = str(entry.pop("office", "jobcenter"))
        responsible = dict(entry.pop("responsible", None) or {})
        asks = entry.pop("asks", None)
        role = entry.pop("office_role", None) or roles.get(str(topic_id))
        targets = {str(aspect): _target(value) for aspect, value in entry.items()}
        topics[str(topic_id)] = Topic(str(topic_id), office, responsible, asks, targets, str(role) if role else None)
    return Followups(aspects, frozenset(raw.get("in_context_only") or ()), topics)


def load_followups(content_dir: Path) -> Followups:
    return parse_followups(load_yaml(Path(content_dir) / "followups.yml") or {})


def followup_problems(raw: Mapping[str, Any], answer_ids: Iterable[str], intents: Iterable[str]) -> list[str]:
    """What `make check-content` reports about content/followups.yml."""
    try:
        followups = parse_followups(raw)
    except (TypeError, ValueError, AttributeError) as error:
        return [f"followups.yml: cannot read: {error}"]
    answer_ids, intents = set(answer_ids), set(intents)
    aspect_names = set(followups.aspects.values())
    problems = [f"followups.yml: aspect intent {i} is not in domain.yml" for i in followups.aspects if i not in intents]
    problems += [f"followups.yml: in_context_only {i} is not an aspect intent" for i in followups.in_context_only if i not in followups.aspects]
    problems += [f"followups.yml: office_roles names unknown topic {t}" for t in raw.get("office_roles") or {} if t not in followups.topics]
    for topic in followups.topics.values():
        where = f"followups.yml: {topic.id}"
        if topic.id not in answer_ids:
            problems.append(f"{where}: no answer with this id")
        if topic.office not in OFFICE_KINDS:
            problems.append(f"{where}: office {topic.office!r} is not one of {', '.join(OFFICE_KINDS)}")
        if topic.responsible and set(topic.responsible) != set(LANGUAGES):
            problems.append(f"{where}: responsible needs every language ({', '.join(LANGUAGES)})")
        if topic.office_role is not None and (topic.office_role not in OFFICE_ROLES or topic.office != "agentur"):
            problems.append(f"{where}: office_role {topic.office_role!r} needs office agentur and one of {', '.join(OFFICE_ROLES)}")
        if topic.asks is not None and topic.asks not in QUESTIONS:
            problems.append(f"{where}: asks {topic.asks!r} is not one of {', '.join(QUESTIONS)}")
        for aspect, target in topic.targets.items():
            if aspect not in aspect_names:
                problems.append(f"{where}: unknown aspect {aspect!r}")
            if target.kind == "answer" and target.answer not in answer_ids:
                problems.append(f"{where}: {aspect} goes to unknown answer {target.answer!r}")
            if target.kind == OFFICE and topic.responsible:
                problems.append(f"{where}: {aspect} goes to the office, but the topic's office is not in offices.yml")
    return problems
