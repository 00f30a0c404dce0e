"""Delivery that survives a crash: the outbox, updates already handled, the digest of waiting
cases; chat ids sealed at rest; which volunteers' group has a case.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED = 128


def _sealer() -> Any:
    """The Sealer given by `volnyja-bot run` (it knows PSEUDONYM_KEY); None when run by hand."""
    return context.config.attributes.get("sealer")


def _seal_column(table: str, key: str) -> None:
    """chat_id (a plain Telegram id) becomes chat (sealed); open rows are sealed on the way."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT {key}, chat_id FROM {table} WHERE chat_id IS NOT NULL"))
    found = list(rows)
    sealer = _sealer()
    if found and sealer is None:
        msg = (
            f"{table} holds chat ids to seal: upgrade with `volnyja-bot run`, which knows "
            "PSEUDONYM_KEY, not with alembic by hand"
        )
        raise RuntimeError(msg)
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("chat", sa.String(SEALED), nullable=True))
    for row_key, chat_id in found:
        bind.execute(
            sa.text(f"UPDATE {table} SET chat = :chat WHERE {key} = :key"),
            {"chat": sealer.seal_chat(int(chat_id)), "key": row_key},
        )
    with op.batch_alter_table(table) as batch:
        batch.drop_column("chat_id")
        if table == "auto_clearing":
            batch.alter_column("chat", existing_type=sa.String(SEALED), nullable=False)


def upgrade() -> None:
    _seal_column("cases", "id")
    _seal_column("auto_clearing", "person")
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("group", sa.String(32), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sequence", sa.String(64), nullable=False, index=True),
        sa.Column("priority", sa.Integer(), nullable=False, index=True),
        sa.Column("lane", sa.String(40), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("replaces", sa.String(64), nullable=True, index=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,  # an id is never reused: the sender remembers recent ones
    )
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "group_notes",
        sa.Column("group", sa.String(32), primary_key=True),
        sa.Column("digest_message_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("group_notes")
    op.drop_table("handled_updates")
    op.drop_table("outbox")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("group")
    for table in ("cases", "auto_clearing"):
        # Sealed ids cannot be read back without the key: open cases lose where to write.
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
            batch.drop_column("chat")
