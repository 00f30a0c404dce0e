"""Privacy controls: message numbers for clearing the chat, automatic clearing, counts per day.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_messages_person", "chat_messages", ["person"])
    op.create_index("ix_chat_messages_sent_at", "chat_messages", ["sent_at"])
    op.create_table(
        "auto_clearing",
        sa.Column("person", sa.String(64), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("after_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Counts gain a day, so that old ones can be purged; what was counted so far counts as today.
    op.rename_table("helped_counts", "helped_counts_old")
    op.create_table(
        "helped_counts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("answer", sa.String(8), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    # A typed date: PostgreSQL does not turn a text parameter into a date (SQLite stores the
    # same ISO text either way, so databases migrated before this line are alike).
    today = sa.bindparam("today", datetime.now(UTC).date(), type_=sa.Date())
    op.execute(
        sa.text(
            "INSERT INTO helped_counts (day, answer, count) "
            "SELECT :today, answer, count FROM helped_counts_old"
        ).bindparams(today)
    )
    op.drop_table("helped_counts_old")


def downgrade() -> None:
    op.rename_table("helped_counts", "helped_counts_new")
    op.create_table(
        "helped_counts",
        sa.Column("answer", sa.String(8), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO helped_counts (answer, count) "
        "SELECT answer, SUM(count) FROM helped_counts_new GROUP BY answer"
    )
    op.drop_table("helped_counts_new")
    op.drop_table("auto_clearing")
    op.drop_index("ix_chat_messages_sent_at", "chat_messages")
    op.drop_index("ix_chat_messages_person", "chat_messages")
    op.drop_table("chat_messages")
