"""Rows behind the conversation state store, keyed by an opaque string built by the bot."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FsmRecord, utcnow

# Sentinel for "leave the state as it is" (None means "no state").
KEEP = "\x00keep"


async def load(session: AsyncSession, key: str) -> FsmRecord | None:
    return (await session.exec(select(FsmRecord).where(FsmRecord.key == key))).first()


async def save(
    session: AsyncSession,
    key: str,
    *,
    state: str | None = KEEP,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Set the state and/or data of `key`; a row left with neither is deleted."""
    record = await load(session, key)
    if record is None:
        record = FsmRecord(key=key)
    if state != KEEP:
        record.state = state
    if data is not None:
        record.data = dict(data)
    record.updated_at = at or utcnow()
    if record.state is None and not record.data:
        if record.id is not None:
            await session.exec(delete(FsmRecord).where(col(FsmRecord.key) == key))
    else:
        session.add(record)
    await session.commit()


async def touch(session: AsyncSession, key: str, at: datetime) -> None:
    record = await load(session, key)
    if record is not None:
        record.updated_at = at
        session.add(record)
        await session.commit()
