"""Tables of the staff console, kept in Lotse's own database (migration 0004), on the metadata of
lotse/database/schema.py.

Defined here, with the other tables, because erasure and the retention purge (lotse.privacy) must
reach them as well as the console itself. Conversation-bound rows carry the raw `conversation_id`
so that erasing a conversation finds them; the audit log never does (it stores pseudonyms).
"""
from __future__ import annotations

import sqlalchemy as sa

from lotse.database.schema import metadata

ROLES: tuple[str, ...] = ("reviewer", "callback_agent", "admin")
CORRECTION_STATES: tuple[str, ...] = ("proposed", "approved", "rejected")

console_users = sa.Table(
    "console_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("offices", sa.String(1000), nullable=False, server_default=""),  # comma-separated office ids; "" = all
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role in ('reviewer', 'callback_agent', 'admin')", name="ck_console_users_role"),
)

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the cookie value; the value itself is never stored
    sa.Column("user_id", sa.Integer, sa.ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

console_audit = sa.Table(
    "console_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=True),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("target", sa.String(100), nullable=True),  # a pseudonym, callback office, user name - never a raw conversation id
    sa.Column("detail", sa.String(500), nullable=True),
)

transcript_reviews = sa.Table(
    "transcript_reviews",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_by", sa.String(64), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

transcript_tags = sa.Table(
    "transcript_tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("tag", sa.String(40), nullable=False, index=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.UniqueConstraint("conversation_id", "tag", name="uq_transcript_tag"),
)

transcript_notes = sa.Table(
    "transcript_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

nlu_corrections = sa.Table(
    "nlu_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("event_id", sa.Integer, nullable=False),  # id of the user event in the tracker store
    sa.Column("text", sa.Text, nullable=False),  # the message with personal data already replaced
    sa.Column("predicted_intent", sa.String(255), nullable=True),
    sa.Column("corrected_intent", sa.String(255), nullable=False),
    sa.Column("state", sa.String(10), nullable=False, server_default="proposed"),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("conversation_id", "event_id", name="uq_nlu_correction_event"),
    sa.CheckConstraint("state in ('proposed', 'approved', 'rejected')", name="ck_nlu_corrections_state"),
)

callback_notes = sa.Table(
    "callback_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

callback_history = sa.Table(
    "callback_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20), nullable=False),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("changed_by", sa.String(64), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

CONVERSATION_TABLES: tuple[sa.Table, ...] = (transcript_reviews, transcript_tags, transcript_notes, nlu_corrections)
CALLBACK_TABLES: tuple[sa.Table, ...] = (callback_notes, callback_history)

# The office directory kept by staff (migration 0005): one row per proposed value of one contact
# field of one office. Nothing is shown to users before an administrator other than the proposer
# has confirmed it (lotse/directory/store.py); the newest confirmed row per office and field
# overrides content/offices.yml in the bot's office answers (lotse/directory/overlay.py).
DIRECTORY_STATES: tuple[str, ...] = ("proposed", "confirmed", "rejected")

office_directory = sa.Table(
    "office_directory",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.String(64), nullable=False, index=True),
    sa.Column("field", sa.String(16), nullable=False),  # address, phone, email, web, form, hours
    sa.Column("value", sa.Text, nullable=False),  # as entered; hours in the console's text form ("Mo–Mi 08:00–12:30")
    sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),  # hours: the other days are closed
    sa.Column("source", sa.String(500), nullable=False),  # a URL, or "Telefonat mit …", "Aushang"
    sa.Column("as_of", sa.String(10), nullable=False),  # the date the value was seen at its source (YYYY-MM-DD)
    sa.Column("origin", sa.String(20), nullable=False, server_default="console"),  # console | csv
    sa.Column("state", sa.String(10), nullable=False, server_default="proposed"),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state in ('proposed', 'confirmed', 'rejected')", name="ck_office_directory_state"),
)
