"""What an answer's first message starts with as the bot renders it today: integration tests
compare replies with the content, not with copied texts."""
from __future__ import annotations

from lotse.knowledge.content import load_answers
from tests.conftest import CONTENT


def variant_start(answer_id: str, lang: str, details: bool = False, **when: str) -> str:
    answer = next(a for a in load_answers(CONTENT).answers if a.id == answer_id)
    entry = next(v for v in answer.variants if dict(v.when) == when) if when else answer
    text = entry.text[lang] if details else (entry.core or entry.text)[lang]  # the first message is the core (issue #22)
    return text.strip().splitlines()[0][:60]
