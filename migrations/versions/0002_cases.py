"""Cases of the handoff to volunteers, relayed message ids, volunteers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person", sa.String(64), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.Column("volunteer", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_cases_person", "cases", ["person"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_thread_id", "cases", ["thread_id"])
    op.create_table(
        "relayed_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("person_message_id", sa.Integer(), nullable=False),
        sa.Column("group_message_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_relayed_messages_case_id", "relayed_messages", ["case_id"])
    op.create_table(
        "volunteers",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("alias", sa.String(64), nullable=True),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("volunteers")
    op.drop_index("ix_relayed_messages_case_id", table_name="relayed_messages")
    op.drop_table("relayed_messages")
    op.drop_index("ix_cases_thread_id", table_name="cases")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_person", table_name="cases")
    op.drop_table("cases")
