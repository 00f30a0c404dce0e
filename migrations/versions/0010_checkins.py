"""Check-ins a person asks for: the schedule while it is on, and answer counts per day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("person", sa.String(64), primary_key=True),
        sa.Column("chat", sa.String(128), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_day", sa.Date(), nullable=True),
    )
    op.create_index("ix_checkins_due_at", "checkins", ["due_at"])
    op.create_table(
        "checkin_counts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("answer", sa.String(16), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkin_counts")
    op.drop_index("ix_checkins_due_at", table_name="checkins")
    op.drop_table("checkins")
