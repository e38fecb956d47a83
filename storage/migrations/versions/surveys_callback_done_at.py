"""callback.done_at: when staff recorded a call-back's outcome (call-back rates)

Revision ID: surveys_callback_done_at
Revises: payments_requests
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "surveys_callback_done_at"
down_revision: str | None = "payments_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("callback", schema=None) as batch_op:
        batch_op.drop_column("done_at")
