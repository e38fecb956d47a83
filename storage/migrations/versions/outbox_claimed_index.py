"""the outbox rows under a lease, indexed, so a PostgreSQL sender can look for a dead sender's
claims on every pass without reading the whole outbox

Revision ID: outbox_claimed_index
Revises: charge_settled
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "outbox_claimed_index"
down_revision: str | None = "charge_settled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_claimed",
        "outboxmessage",
        ["claimed_by"],
        postgresql_where=sa.text("claimed_by IS NOT NULL"),
        sqlite_where=sa.text("claimed_by IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_claimed", table_name="outboxmessage")
