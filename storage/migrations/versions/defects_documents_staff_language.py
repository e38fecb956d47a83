"""ticketphoto.as_document (images sent as files) and staffmember.language

Revision ID: defects_documents_staff_language
Revises: outbox_recheck
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "defects_documents_staff_language"
down_revision: str | None = "outbox_recheck"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticketphoto", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("as_document", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("staffmember", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staffmember", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("ticketphoto", schema=None) as batch_op:
        batch_op.drop_column("as_document")
