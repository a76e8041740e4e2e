"""The schema of Lotse's own SQL database: one metadata, every table (the migrations in
lotse/database/migrations/versions create them; the console's tables are in console_schema.py).

Callbacks and their seats and staff notifications (lotse/callbacks), the ratings of bot messages
(lotse/widget/feedback.py) and the widget sessions ended by "Verlauf löschen" (lotse/widget/store.py).
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

callbacks = sa.Table(
    "callbacks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("office_id", sa.String(64), nullable=False),
    sa.Column("municipality", sa.String(64), nullable=False),
    sa.Column("topic", sa.String(200), nullable=True),
    sa.Column("phone_e164", sa.String(32), nullable=True),
    sa.Column("first_name", sa.String(100), nullable=True),
    sa.Column("language", sa.String(8), nullable=False, server_default="de"),
    sa.Column("window_key", sa.String(32), nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="new"),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("phone_purged_at", sa.DateTime(timezone=True), nullable=True),
)

window_seats = sa.Table(
    "window_seats",
    metadata,
    sa.Column("office_id", sa.String(64), primary_key=True),
    sa.Column("window_key", sa.String(32), primary_key=True),
    sa.Column("seat", sa.Integer, primary_key=True),
    sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.CheckConstraint("seat >= 1", name="ck_window_seats_seat_positive"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("callback_reference", sa.String(16), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("last_error", sa.String(200), nullable=True),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("bot_message_id", sa.String(64), nullable=False),
    sa.Column("rating", sa.String(4), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.UniqueConstraint("conversation_id", "bot_message_id", name="uq_feedback_message"),
    sa.CheckConstraint("rating in ('up', 'down')", name="ck_feedback_rating"),
)

# Widget sessions ended by "Verlauf löschen": their tokens must never be accepted again. A row can
# go once its token has expired.
widget_revoked_sessions = sa.Table(
    "widget_revoked_sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
