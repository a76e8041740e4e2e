"""What staff add to a conversation: tags, notes, "reviewed" (data access), and what the
conversation produced elsewhere in the callback database (callbacks, thumbs down)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.database.console_schema import transcript_notes, transcript_reviews, transcript_tags
from lotse.database.schema import callbacks, feedback


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Annotations:
    tags: dict[str, set[str]]
    reviewed: set[str]
    thumbs_down: set[str]
    with_callback: set[str]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def annotations(engine: Engine) -> Annotations:
    """Tags, reviewed marks, thumbs down and callbacks of every conversation (for the list filters)."""
    tags: dict[str, set[str]] = defaultdict(set)
    with engine.connect() as conn:
        for row in conn.execute(sa.select(transcript_tags.c.conversation_id, transcript_tags.c.tag)):
            tags[row.conversation_id].add(row.tag)
        reviewed = {r[0] for r in conn.execute(sa.select(transcript_reviews.c.conversation_id))}
        down = {r[0] for r in conn.execute(sa.select(feedback.c.conversation_id).where(feedback.c.rating == "down").distinct())}
        with_callback = {r[0] for r in conn.execute(sa.select(callbacks.c.conversation_id).distinct())}
    return Annotations(dict(tags), reviewed, down, with_callback)


def all_tags(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(transcript_tags.c.tag).distinct().order_by(transcript_tags.c.tag))]


def callback_names(engine: Engine, conversation_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """First names given in callbacks, per conversation: they are masked wherever they appear in the chat."""
    query = sa.select(callbacks.c.conversation_id, callbacks.c.first_name).where(callbacks.c.first_name.is_not(None))
    if conversation_ids is not None:
        query = query.where(callbacks.c.conversation_id.in_(list(conversation_ids)))
    names: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(query):
            names[row.conversation_id].append(row.first_name)
    return dict(names)


def conversation_callbacks(engine: Engine, conversation_id: str) -> list[sa.engine.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(callbacks).where(callbacks.c.conversation_id == conversation_id).order_by(callbacks.c.id)))


def add_tag(engine: Engine, conversation_id: str, tag: str, username: str, now: datetime) -> None:
    with engine.begin() as conn:
        exists = conn.execute(
            sa.select(transcript_tags.c.id).where(transcript_tags.c.conversation_id == conversation_id, transcript_tags.c.tag == tag)
        ).first()
        if not exists:
            conn.execute(sa.insert(transcript_tags).values(conversation_id=conversation_id, tag=tag, created_by=username, created_at=now))


def remove_tag(engine: Engine, conversation_id: str, tag: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(transcript_tags).where(transcript_tags.c.conversation_id == conversation_id, transcript_tags.c.tag == tag))


def tags_of(engine: Engine, conversation_id: str) -> list[str]:
    with engine.connect() as conn:
        query = sa.select(transcript_tags.c.tag).where(transcript_tags.c.conversation_id == conversation_id).order_by(transcript_tags.c.tag)
        return [r[0] for r in conn.execute(query)]


def add_note(engine: Engine, conversation_id: str, text: str, username: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(transcript_notes).values(conversation_id=conversation_id, text=text, created_by=username, created_at=now))


def notes_of(engine: Engine, conversation_id: str) -> list[Note]:
    with engine.connect() as conn:
        query = sa.select(transcript_notes).where(transcript_notes.c.conversation_id == conversation_id).order_by(transcript_notes.c.id)
        return [Note(r.id, r.text, r.created_by, _utc(r.created_at)) for r in conn.execute(query)]


def set_reviewed(engine: Engine, conversation_id: str, reviewed: bool, username: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(transcript_reviews).where(transcript_reviews.c.conversation_id == conversation_id))
        if reviewed:
            conn.execute(sa.insert(transcript_reviews).values(conversation_id=conversation_id, reviewed_by=username, reviewed_at=now))


def review_of(engine: Engine, conversation_id: str) -> tuple[str, datetime] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(transcript_reviews).where(transcript_reviews.c.conversation_id == conversation_id)).first()
    return (row.reviewed_by, _utc(row.reviewed_at)) if row else None
