"""Rows behind the conversation state store, keyed by an opaque string built by the bot.

`FsmRecord.updated_at` is the last time the conversation's state or data was written (at most
once per update); the idle timeout and the scheduler's idle note both read it.
"""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FsmRecord, utcnow

# Sentinel for "leave the state as it is" (None means "no state").
KEEP = "\x00keep"


class Stored(NamedTuple):
    """A conversation's row as read: what the FSM storage needs of it."""

    state: str | None
    data: dict[str, Any]
    updated_at: datetime


# Read and written for every update: built once (benchmarks/README.md).
_LOAD = select(col(FsmRecord.state), col(FsmRecord.data), col(FsmRecord.updated_at)).where(
    col(FsmRecord.key) == bindparam("key")
)
# (A bind parameter of an INSERT or UPDATE may not be named after a column.)
_UPDATE = (
    update(FsmRecord)
    .where(col(FsmRecord.key) == bindparam("of_key"))
    .values(state=bindparam("new_state"), data=bindparam("new_data"), updated_at=bindparam("at"))
)
_INSERT = insert(FsmRecord).values(
    key=bindparam("of_key"),
    state=bindparam("new_state"),
    data=bindparam("new_data"),
    created_at=bindparam("at"),
    updated_at=bindparam("at"),
)
_DELETE = delete(FsmRecord).where(col(FsmRecord.key) == bindparam("of_key"))


async def load(session: AsyncSession, key: str) -> Stored | None:
    connection = await session.connection()
    row = (await connection.execute(_LOAD, {"key": key})).first()
    return None if row is None else Stored(*row)


async def stage(
    session: AsyncSession,
    key: str,
    *,
    exists: bool,
    state: str | None,
    data: dict[str, Any],
    at: datetime,
) -> None:
    """Write a conversation's whole state and data without committing (the caller commits).

    `exists` says whether the row was there when the conversation was read, so no second
    read is needed; a conversation left with neither state nor data has no row.
    """
    # On the session's connection: Core statements, not the ORM's bulk INSERT and UPDATE
    # (~0.3 ms more a write, benchmarks/README.md).
    connection = await session.connection()
    if state is None and not data:
        if exists:
            await connection.execute(_DELETE, {"of_key": key})
        return
    params = {"of_key": key, "new_state": state, "new_data": dict(data), "at": at}
    await connection.execute(_UPDATE if exists else _INSERT, params)


async def save(
    session: AsyncSession,
    key: str,
    *,
    state: str | None = KEEP,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Set the state and/or data of `key` in a transaction of its own."""
    record = await load(session, key)
    await stage(
        session,
        key,
        exists=record is not None,
        state=(record.state if record else None) if state == KEEP else state,
        data=(record.data if record else {}) if data is None else data,
        at=at or utcnow(),
    )
    await session.commit()
