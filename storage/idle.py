"""Conversations left idle: FSM rows with a state not written for a while, dropped one by one
together with the note that tells the user (in the same transaction)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage.models import FsmRecord
from storage.outbox import Draft


async def idle_since(session: AsyncSession, before: datetime, limit: int) -> list[FsmRecord]:
    """Conversations in a state whose last write is older than `before`, oldest first."""
    query = (
        select(FsmRecord)
        .where(col(FsmRecord.state).is_not(None), col(FsmRecord.updated_at) < before)
        .order_by(col(FsmRecord.updated_at))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def drop(session: AsyncSession, record: FsmRecord, drafts: Sequence[Draft]) -> bool:
    """Delete the conversation unless it was written since it was read (the user came back),
    and queue `drafts` with it; the caller commits. False if the user came back."""
    result = await session.exec(
        delete(FsmRecord).where(
            col(FsmRecord.id) == record.id, col(FsmRecord.updated_at) == record.updated_at
        )
    )
    if not result.rowcount:
        return False
    await outbox.add_all(session, drafts)
    return True
