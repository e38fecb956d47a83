"""outbox rows that are verified again just before they are sent (fee reminders)

Revision ID: outbox_recheck
Revises: scheduler_announcements
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "outbox_recheck"
down_revision: str | None = "scheduler_announcements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(sa.Column("recheck", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("recheck")
