"""Thumbs up/down on bot answers, stored for staff review.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("bot_message_id", sa.String(64), nullable=False),
        sa.Column("rating", sa.String(4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("conversation_id", "bot_message_id", name="uq_feedback_message"),
        sa.CheckConstraint("rating in ('up', 'down')", name="ck_feedback_rating"),
    )


def downgrade() -> None:
    op.drop_table("feedback")
