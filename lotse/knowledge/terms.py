"""Old and colloquial words ("Hartz IV", "ARGE", "450-€-Job", "Kiga") and today's terms.

The mapping is content (content/terms.yml). Two users:
- NLU reads today's word instead of the old one (`nlu_spans`, used by the FoldingTokenizer in
  lotse/rasa_server/components.py), so "Hartz IV" reaches the questions trained with "Bürgergeld".
- The answer explains the old word once per conversation (`explain_old_terms`, called by
  lotse/rasa_server/nlg.py): "Hartz IV heißt heute Grundsicherungsgeld (früher Bürgergeld)."
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from lotse.core.yamlfiles import load_parsed, load_yaml
from lotse.language.languages import DEFAULT_LANGUAGE, LANGUAGES, is_supported

TERMS_FILE = "terms.yml"
_PART = re.compile(r"€|[^\W_]+")
_SEPARATOR = r"[\s\-–]*"
_EURO = r"(?:€|euro|eur)"


@dataclass(frozen=True)
class Term:
    """One old word (in its spellings), the word NLU reads instead, and the explanation."""

    id: str
    pattern: re.Pattern[str]
    nlu: str
    explain: Mapping[str, str]


def _pattern(words: Iterable[str], match_case: bool) -> re.Pattern[str]:
    """One spelling per alternative, longest first; parts joined by an optional space or hyphen."""
    spellings = []
    for word in sorted(words, key=len, reverse=True):
        parts = [_EURO if part == "€" else re.escape(part) for part in _PART.findall(word)]
        spellings.append(_SEPARATOR.join(parts))
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(spellings)})(?![^\W_])", 0 if match_case else re.IGNORECASE)


def _raw_terms(content_dir: Path) -> list[Mapping[str, Any]]:
    path = Path(content_dir) / TERMS_FILE
    if not path.exists():
        return []
    return list((load_yaml(path) or {}).get("terms") or [])


def _compiled_terms(document: Mapping[str, Any]) -> tuple[Term, ...]:
    return tuple(
        Term(str(t["id"]), _pattern(t["words"], bool(t.get("match_case"))), str(t["nlu"]), dict(t["explain"]))
        for t in document.get("terms") or []
    )


def load_terms(content_dir: Path) -> tuple[Term, ...]:
    """The terms of content/terms.yml, compiled once per version of the file."""
    path = Path(content_dir) / TERMS_FILE
    if not path.exists():
        return ()
    return load_parsed(path, _compiled_terms)


def term_problems(content_dir: Path) -> list[str]:
    """What `make check-content` reports about content/terms.yml: every term has spellings, one
    NLU word, and its explanation in every language; no spelling belongs to two terms."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for raw in _raw_terms(content_dir):
        name = f"{TERMS_FILE}: {raw.get('id') or '?'}"
        words = [str(w) for w in raw.get("words") or []]
        if not words:
            problems.append(f"{name}: no words")
        for word in words:
            if word.lower() in seen:
                problems.append(f"{name}: '{word}' is also a word of {seen[word.lower()]}")
            seen[word.lower()] = str(raw.get("id"))
        if not re.fullmatch(r"[a-z0-9]+", str(raw.get("nlu") or "")):
            problems.append(f"{name}: nlu must be one word in folded spelling (lower case, no umlauts)")
        explain = raw.get("explain") or {}
        for lang in LANGUAGES:
            if not str(explain.get(lang) or "").strip():
                problems.append(f"{name}: no {lang} explanation")
    return problems


def nlu_spans(text: str, terms: Iterable[Term]) -> list[tuple[int, int, str]]:
    """Where the text has an old word: (start, end, the word NLU reads instead), in text order."""
    spans: list[tuple[int, int, str]] = []
    for term in terms:
        spans += [(m.start(), m.end(), term.nlu) for m in term.pattern.finditer(text)]
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def explanations(user_text: str, said_before: Iterable[str], language: object, terms: Iterable[Term]) -> list[str]:
    """The explanations for the old words in the user's message that no earlier bot message gave
    (in any language: a user who switched language is not told twice)."""
    lang = str(language) if is_supported(language) else DEFAULT_LANGUAGE
    earlier = "\n".join(said_before)
    found = []
    for term in terms:
        if term.pattern.search(user_text) and not any(text in earlier for text in term.explain.values()):
            if term.explain[lang] not in found:
                found.append(term.explain[lang])
    return found


def explain_old_terms(
    message: Optional[dict[str, Any]], user_text: str, said_before: Iterable[str], language: object, content_dir: Path
) -> Optional[dict[str, Any]]:
    """The response with the explanation of the user's old words before its text, once per
    conversation ("Hartz IV heißt heute Grundsicherungsgeld (früher Bürgergeld).")."""
    if not message or not message.get("text") or not user_text or user_text.startswith("/"):
        return message
    found = explanations(user_text, said_before, language, load_terms(content_dir))
    if not found:
        return message
    return {**message, "text": " ".join(found) + "\n\n" + message["text"]}
