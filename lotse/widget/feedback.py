"""Thumbs up/down on bot answers, kept in the Lotse database for staff review.

Only the conversation id, the id of the rated bot message, the rating and the time are stored:
no message text, nothing about the person. Rating the same message again replaces the rating.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.database.schema import feedback

Rating = Literal["up", "down"]
RATINGS: tuple[str, ...] = ("up", "down")


def message_id(bot_text: str) -> str:
    """The id of a bot message: the widget receives it with each message and sends it back with a
    rating; the staff console finds the rated bot turn in the transcript by the same function."""
    return hashlib.sha256(bot_text.encode("utf-8")).hexdigest()[:16]


def is_valid(conversation_id: object, bot_message_id: object, rating: object) -> bool:
    return (
        isinstance(conversation_id, str)
        and 0 < len(conversation_id) <= 255
        and isinstance(bot_message_id, str)
        and 0 < len(bot_message_id) <= 64
        and rating in RATINGS
    )


def record(engine: Engine, conversation_id: str, bot_message_id: str, rating: Rating, now: datetime | None = None) -> None:
    if not is_valid(conversation_id, bot_message_id, rating):
        raise ValueError("invalid feedback")
    now = now or datetime.now(timezone.utc)
    key = (feedback.c.conversation_id == conversation_id) & (feedback.c.bot_message_id == bot_message_id)
    with engine.begin() as conn:
        updated = conn.execute(sa.update(feedback).where(key).values(rating=rating, created_at=now)).rowcount
        if not updated:
            conn.execute(
                sa.insert(feedback).values(
                    conversation_id=conversation_id, bot_message_id=bot_message_id, rating=rating, created_at=now
                )
            )


def ratings_for(engine: Engine, conversation_id: str) -> dict[str, str]:
    """bot_message_id -> rating for one conversation."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(feedback.c.bot_message_id, feedback.c.rating).where(feedback.c.conversation_id == conversation_id)
        )
        return {row.bot_message_id: row.rating for row in rows}
