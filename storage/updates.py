"""Telegram updates already handled, so one delivered twice is handled once.

Telegram redelivers an update it did not see acknowledged (a webhook answer lost to a timeout, a
polling offset not confirmed before a restart). The mark is written in the same transaction as
the update's first change of state, so "handled" and "stored" are one fact: a crash before that
commit leaves neither, and the redelivery is handled as if it were the first.
"""

from datetime import datetime

from sqlalchemy import Insert, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate

# Both run for every update: built once (benchmarks/README.md), the values bound per call.
_SEEN = select(ProcessedUpdate.id).where(
    ProcessedUpdate.bot_id == bindparam("bot_id"),
    ProcessedUpdate.update_id == bindparam("update_id"),
)
_MARK = {
    dialect: insert(ProcessedUpdate)
    # (A bind parameter of an INSERT may not be named after a column.)
    .values(
        bot_id=bindparam("of_bot"), update_id=bindparam("of_update"), created_at=bindparam("at")
    )
    .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def seen(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    params = {"bot_id": bot_id, "update_id": update_id}
    return (await session.exec(_SEEN, params=params)).first() is not None


def mark_statement(dialect: str) -> Insert:
    """Insert-or-ignore of the mark, for the caller's transaction (no commit of its own);
    bind `mark_params`."""
    return _MARK["postgresql" if dialect == "postgresql" else "sqlite"]


def mark_params(bot_id: int, update_id: int, at: datetime) -> dict[str, object]:
    return {"of_bot": bot_id, "of_update": update_id, "at": at}


async def mark(session: AsyncSession, bot_id: int, update_id: int, at: datetime) -> None:
    """Mark an update that changed nothing as handled, in a transaction of its own."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    await session.exec(mark_statement(dialect), params=mark_params(bot_id, update_id, at))
    await session.commit()


async def forget_before(session: AsyncSession, before: datetime) -> int:
    """Drop marks older than Telegram keeps undelivered updates; returns how many."""
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < before)
    )
    await session.commit()
    return int(result.rowcount or 0)
