"""What a person says about their situation in any message: income situation (job, ALG I,
Grundsicherungsgeld, training), single parenthood, pregnancy — words from content/person_words.yml,
matched as whole folded words. The NLU turns them into entities, the conversation keeps them as slots
(docs/conversation.md); the situation check (issue #23) reads them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from lotse.core.yamlfiles import load_parsed
from lotse.language.textnorm import fold

YES = "yes"


@dataclass(frozen=True)
class PersonWords:
    situation: tuple[tuple[str, tuple[str, ...]], ...]  # (value, phrases), in the file's order
    single_parent: tuple[str, ...]
    pregnant: tuple[str, ...]


def _phrases(raw: Any) -> tuple[str, ...]:
    return tuple(fold(str(p)) for p in raw or () if fold(str(p)))


def parse_person_words(raw: Mapping[str, Any]) -> PersonWords:
    situation = tuple((str(value), _phrases(phrases)) for value, phrases in (raw.get("situation") or {}).items())
    return PersonWords(situation, _phrases(raw.get("single_parent")), _phrases(raw.get("pregnant")))


def load_person_words(content_dir: Path) -> PersonWords:
    """The phrases of content/person_words.yml, folded once per version of the file (read per message)."""
    return load_parsed(Path(content_dir) / "person_words.yml", parse_person_words)


def _says(folded: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {p} " in folded for p in phrases)


def about_person(text: str, words: PersonWords) -> dict[str, str]:
    """Entities for what `text` says about the person: situation, single_parent, pregnant."""
    folded = f" {fold(text)} "
    found: dict[str, str] = {}
    situation = next((value for value, phrases in words.situation if _says(folded, phrases)), None)
    if situation:
        found["situation"] = situation
    if _says(folded, words.single_parent):
        found["single_parent"] = YES
    if _says(folded, words.pregnant):
        found["pregnant"] = YES
    return found


def person_words_problems(raw: Mapping[str, Any]) -> list[str]:
    words = parse_person_words(raw)
    problems = [f"person_words.yml: situation {value} has no phrases" for value, phrases in words.situation if not phrases]
    if not words.situation:
        problems.append("person_words.yml: no situation phrases")
    problems += [f"person_words.yml: {name} has no phrases" for name in ("single_parent", "pregnant") if not getattr(words, name)]
    return problems
