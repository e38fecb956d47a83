"""Unexpected errors told to the office: one short alert per distinct error per hour."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import keys, outbox


async def alert(
    session: AsyncSession,
    *,
    chat_id: int,
    fingerprint: str,
    text: str,
    at: datetime,
) -> None:
    """Queue the alert for the staff group; a repeat of the same error within the hour is a
        no-op (its dedupe key is already in the outbox). The outbox row is the record of it: an
    alert changes nothing an audit trail follows."""
    await outbox.enqueue(
        session,
        dedupe_key=keys.error_alert(fingerprint, at),
        chat_id=chat_id,
        text=text,
        not_before=at,
    )
    await session.commit()
