"""The audit trail for owners, staff, estates and imports (tickets keep their own TicketEvent)."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    actor: str,
    entity: str,
    entity_id: int | None,
    type: str,
    estate_id: int | None = None,
    **data: Any,
) -> None:
    """Add an audit row to the caller's transaction (the caller commits)."""
    session.add(
        AuditEvent(
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            type=type,
            estate_id=estate_id,
            data=data,
        )
    )
