"""The needs a long message names in words (stories, issue #19): "kein Auto", "Kita-Platz",
"größere Wohnung" — phrases of content/need_words.yml, matched as whole folded words ("…*" matches
the start of a word). lotse.knowledge.personal offers them as "Auch gefragt: …" buttons next to the
classifier's other likely needs. Pure; no Rasa."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from lotse.core.yamlfiles import load_parsed
from lotse.language.textnorm import fold


@dataclass(frozen=True)
class NeedWords:
    needs: tuple[tuple[str, tuple[str, ...]], ...]  # (intent, folded phrases), in the file's order


def _phrase(raw: Any) -> str:
    text = str(raw).strip()
    star = "*" if text.endswith("*") else ""
    folded = fold(text.rstrip("*"))
    return folded + star if folded else ""


def parse_need_words(raw: Mapping[str, Any]) -> NeedWords:
    needs = []
    for intent, phrases in (raw.get("needs") or {}).items():
        needs.append((str(intent), tuple(p for p in (_phrase(x) for x in phrases or ()) if p)))
    return NeedWords(tuple(needs))


def load_need_words(content_dir: Path) -> NeedWords:
    """content/need_words.yml, folded once per version of the file (read for every long message)."""
    return load_parsed(Path(content_dir) / "need_words.yml", parse_need_words)


def _names(padded: str, phrase: str) -> bool:
    if phrase.endswith("*"):
        return f" {phrase[:-1]}" in padded
    return f" {phrase} " in padded


def named_needs(text: str, words: NeedWords) -> list[str]:
    """The intents whose need `text` names in words, in the file's order."""
    padded = f" {fold(text)} "
    return [intent for intent, phrases in words.needs if any(_names(padded, p) for p in phrases)]


def need_words_problems(raw: Mapping[str, Any], intents_with_answers: Iterable[str]) -> list[str]:
    """What `make check-content` reports about content/need_words.yml."""
    known = set(intents_with_answers)
    problems = []
    for intent, phrases in parse_need_words(raw).needs:
        if intent not in known:
            problems.append(f"need_words.yml: {intent} is not the intent of an answer")
        if not phrases:
            problems.append(f"need_words.yml: {intent} has no phrases")
    return problems
