"""Rows behind the conversation state store, keyed by an opaque string built by the bot.

`FsmRecord.updated_at` is the last time the conversation's state or data was written (at most
once per update); the idle timeout and the scheduler's idle note both read it.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Prepared
from storage.models import FsmRecord, utcnow

# Sentinel for "leave the state as it is" (None means "no state").
KEEP = "\x00keep"


class Stored(NamedTuple):
    """A conversation's row as read: what the FSM storage needs of it."""

    state: str | None
    data: dict[str, Any]
    updated_at: datetime


# Read outside an update (inside one, storage.updates.context reads it): built once.
_LOAD = select(col(FsmRecord.state), col(FsmRecord.data), col(FsmRecord.updated_at)).where(
    col(FsmRecord.key) == bindparam("key")
)
# Written for every update that moves a conversation: prepared once (storage.db.Prepared).
# (A bind parameter of an INSERT or UPDATE may not be named after a column.)
_UPDATE = Prepared(
    update(FsmRecord)
    .where(col(FsmRecord.key) == bindparam("of_key"))
    .values(state=bindparam("new_state"), data=bindparam("new_data"), updated_at=bindparam("at"))
)
_INSERT = Prepared(
    insert(FsmRecord).values(
        key=bindparam("of_key"),
        state=bindparam("new_state"),
        data=bindparam("new_data"),
        created_at=bindparam("at"),
        updated_at=bindparam("at"),
    )
)
_DELETE = Prepared(delete(FsmRecord).where(col(FsmRecord.key) == bindparam("of_key")))


async def load(session: AsyncSession, key: str) -> Stored | None:
    connection = await session.connection()
    row = (await connection.execute(_LOAD, {"key": key})).first()
    return None if row is None else Stored(*row)


class Change(NamedTuple):
    """A conversation's whole state and data to write. `exists` says whether the row was there
    when the conversation was read, so no second read is needed."""

    key: str
    exists: bool
    state: str | None
    data: dict[str, Any]


async def commit(session: AsyncSession, changes: Sequence[Change], at: datetime) -> None:
    """Write the conversations and commit the session's transaction (with whatever else it
    holds); a conversation left with neither state nor data has no row."""
    # The writes and the commit in one call to SQLAlchemy's sync side (each call is a greenlet
    # of its own), the writes as prepared Core statements (benchmarks/README.md).
    await session.run_sync(_commit, changes, at)


def _commit(session: Session, changes: Sequence[Change], at: datetime) -> None:
    connection = session.connection()
    for change in changes:
        if change.state is None and not change.data:
            if change.exists:
                _DELETE.run(connection, {"of_key": change.key})
            continue
        params = {
            "of_key": change.key,
            "new_state": change.state,
            "new_data": dict(change.data),
            "at": at,
        }
        (_UPDATE if change.exists else _INSERT).run(connection, params)
    session.commit()


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
    change = Change(
        key,
        exists=record is not None,
        state=(record.state if record else None) if state == KEEP else state,
        data=(record.data if record else {}) if data is None else data,
    )
    await commit(session, [change], at or utcnow())
