"""Staff console: users, sessions, append-only audit log, transcript reviews/tags/notes,
NLU corrections, callback notes and status history.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

TS = sa.DateTime(timezone=True)

PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION console_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'console_audit is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER console_audit_no_update BEFORE UPDATE OR DELETE ON console_audit
    FOR EACH ROW EXECUTE FUNCTION console_audit_append_only();
"""

SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit "
    "BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END",
    "CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit "
    "BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END",
]


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("offices", sa.String(1000), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.CheckConstraint("role in ('reviewer', 'callback_agent', 'admin')", name="ck_console_users_role"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False, index=True),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("target", sa.String(100), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
    )
    op.create_table(
        "transcript_reviews",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("reviewed_by", sa.String(64), nullable=False),
        sa.Column("reviewed_at", TS, nullable=False, index=True),
    )
    op.create_table(
        "transcript_tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("tag", sa.String(40), nullable=False, index=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, index=True),
        sa.UniqueConstraint("conversation_id", "tag", name="uq_transcript_tag"),
    )
    op.create_table(
        "transcript_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, index=True),
    )
    op.create_table(
        "nlu_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("predicted_intent", sa.String(255), nullable=True),
        sa.Column("corrected_intent", sa.String(255), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="proposed"),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, index=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.UniqueConstraint("conversation_id", "event_id", name="uq_nlu_correction_event"),
        sa.CheckConstraint("state in ('proposed', 'approved', 'rejected')", name="ck_nlu_corrections_state"),
    )
    op.create_table(
        "callback_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "callback_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_APPEND_ONLY)
    elif dialect == "sqlite":
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS console_audit_no_update ON console_audit")
        op.execute("DROP FUNCTION IF EXISTS console_audit_append_only()")
    for table in (
        "callback_history", "callback_notes", "nlu_corrections", "transcript_notes", "transcript_tags",
        "transcript_reviews", "console_audit", "console_sessions", "console_users",
    ):
        op.drop_table(table)
