"""Handled updates: whether handling finished (its answer went out) or only its first commit
did, so that one handed back after a crash is skipped, or its step shown again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handled_updates") as batch:
        batch.add_column(
            sa.Column("answered", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("handled_updates") as batch:
        batch.drop_column("answered")
