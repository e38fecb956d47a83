"""payment requests: a /paid waiting for its Confirm (issue 11)

Revision ID: payments_requests
Revises: reliability_processed_updates
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "payments_requests"
down_revision: str | None = "reliability_processed_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paymentrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["charge_id"], ["charge.id"], name="fk_paymentrequest_charge"),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staffmember.id"], name="fk_paymentrequest_decided_by"
        ),
        sa.ForeignKeyConstraint(["estate_id"], ["estate.id"], name="fk_paymentrequest_estate"),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staffmember.id"], name="fk_paymentrequest_requested_by"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name="fk_paymentrequest_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_paymentrequest"),
        sa.UniqueConstraint("receipt_number", name="uq_paymentrequest_receipt_number"),
    )
    with op.batch_alter_table("paymentrequest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paymentrequest_estate_id"), ["estate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("paymentrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paymentrequest_estate_id"))
    op.drop_table("paymentrequest")
