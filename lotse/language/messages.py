"""The texts of Lotse's custom actions in every language (`content/messages.yml`).

    t = messages_for("en")
    t("callback_consent", days=30)

A text missing in one language falls back to German (`make check-content` reports the gap,
so this only protects a running system from a half-edited file).
"""
from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from lotse.core.settings import load_settings
from lotse.core.yamlfiles import load_yaml
from lotse.language.languages import DEFAULT_LANGUAGE, LANGUAGES


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Messages:
    def __init__(self, catalogue: Mapping[str, Mapping[str, str]], language: str):
        self.catalogue = catalogue
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        texts = self.catalogue[key]
        return (texts.get(self.language) or texts[DEFAULT_LANGUAGE]).format(**values)

    def items(self, key: str) -> list[str]:
        """A comma-separated list, e.g. the weekday names."""
        return [item.strip() for item in self(key).split(",")]


def load_catalogue(content_dir: Path) -> dict[str, dict[str, str]]:
    return {key: dict(texts) for key, texts in (load_yaml(Path(content_dir) / "messages.yml")["messages"] or {}).items()}


@lru_cache(maxsize=8)
def _cached_catalogue(content_dir: str, mtime: float) -> dict[str, dict[str, str]]:
    return load_catalogue(Path(content_dir))


def messages_for(language: str | None, content_dir: Path | None = None) -> Messages:
    directory = Path(content_dir or load_settings().content_dir)
    path = directory / "messages.yml"
    return Messages(_cached_catalogue(str(directory), path.stat().st_mtime), language or DEFAULT_LANGUAGE)


def catalogue_problems(catalogue: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Every text in every language, with the same placeholders as the German one."""
    problems = []
    for key, texts in catalogue.items():
        german = texts.get(DEFAULT_LANGUAGE) or ""
        for language in LANGUAGES:
            text = texts.get(language)
            if not text or not str(text).strip():
                problems.append(f"messages.yml: {key}: no {language} text")
            elif placeholders(str(text)) != placeholders(german):
                problems.append(f"messages.yml: {key}: {language} placeholders {sorted(placeholders(str(text)))} differ from German {sorted(placeholders(german))}")
            elif re.search(r"\{\s*\}", str(text)):
                problems.append(f"messages.yml: {key}: {language} has an empty placeholder")
    return problems
