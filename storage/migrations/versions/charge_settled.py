"""charges paid in full are marked settled, and open ones are indexed by due date for the fee
reminders (a partial index: at 1 000 000 charges most are settled)

Revision ID: charge_settled
Revises: outbox_claimed_by
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "charge_settled"
down_revision: str | None = "outbox_claimed_by"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charge") as batch:
        batch.add_column(
            sa.Column("settled", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
    op.execute(
        "UPDATE charge SET settled = (amount <= COALESCE((SELECT SUM(payment.amount)"
        " FROM payment WHERE payment.charge_id = charge.id AND payment.reversed_at IS NULL), 0))"
    )
    op.create_index(
        "ix_charge_open_due",
        "charge",
        ["due_date"],
        postgresql_where=sa.text("NOT settled"),
        sqlite_where=sa.text("NOT settled"),
    )


def downgrade() -> None:
    op.drop_index("ix_charge_open_due", table_name="charge")
    with op.batch_alter_table("charge") as batch:
        batch.drop_column("settled")
