"""Office directory kept by staff in the console: proposed and confirmed contact data per office.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "office_directory",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_id", sa.String(64), nullable=False, index=True),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False, server_default="console"),
        sa.Column("state", sa.String(10), nullable=False, server_default="proposed"),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.CheckConstraint("state in ('proposed', 'confirmed', 'rejected')", name="ck_office_directory_state"),
    )


def downgrade() -> None:
    op.drop_table("office_directory")
