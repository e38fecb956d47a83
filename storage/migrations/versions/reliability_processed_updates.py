"""processed Telegram updates, so a redelivered update is handled once

Revision ID: reliability_processed_updates
Revises: 0004
Create Date: 2026-12-02 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "reliability_processed_updates"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processedupdate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bot_id", "update_id", name="uq_processedupdate_bot_update"),
    )
    op.create_index("ix_processedupdate_created", "processedupdate", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_processedupdate_created", table_name="processedupdate")
    op.drop_table("processedupdate")
