"""who holds an outbox row's lease, so a restarted SQLite process takes its rows back at once

Revision ID: outbox_claimed_by
Revises: announcements_send_at
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "outbox_claimed_by"
down_revision: str | None = "announcements_send_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("claimed_by")
