"""Telegram updates already handled, so one delivered twice is handled once.

Telegram redelivers an update it did not see acknowledged (a webhook answer lost to a timeout, a
polling offset not confirmed before a restart). The mark is written in the same transaction as
the update's first change of state, so "handled" and "stored" are one fact: a crash before that
commit leaves neither, and the redelivery is handled as if it were the first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    true,
)
from sqlalchemy import event as sa_event
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import fsm
from storage.db import Prepared, detached
from storage.models import Estate, FsmRecord, Owner, ProcessedUpdate, StaffMember

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
_PREPARED_MARK = {dialect: Prepared(statement) for dialect, statement in _MARK.items()}


@dataclass(frozen=True)
class Context:
    """What an update is handled with, as stored when it arrived."""

    seen: bool
    conversation: fsm.Stored | None
    estate: Estate | None
    staff_member: StaffMember | None
    owner: Owner | None


def _context_statement() -> tuple[Any, list[tuple[type[Any], list[str], int]]]:
    """One SELECT for the whole of `Context`: each row it could need is LEFT JOINed to a
    single constant row, so every part may be missing without losing the others."""
    models: list[tuple[type[Any], str]] = [
        (Estate, "e"),
        (StaffMember, "s"),
        (Owner, "o"),
    ]
    tables: list[tuple[type[Any], Table]] = [
        (model, model.__table__.alias(name)) for model, name in models
    ]
    estate, member, owner = (alias for _, alias in tables)
    conversation = FsmRecord.__table__.alias("f")  # type: ignore[attr-defined]
    estates = Estate.__table__  # type: ignore[attr-defined]
    processed = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    # The staff group's estate, else the first one (estates.by_staff_chat, estates.default).
    estate_id = func.coalesce(
        core_select(estates.c.id)
        .where(estates.c.staff_chat_id == bindparam("group_chat_id"))
        .scalar_subquery(),
        core_select(func.min(estates.c.id)).scalar_subquery(),
    )
    seen = exists().where(
        processed.c.bot_id == bindparam("bot_id"),
        processed.c.update_id == bindparam("update_id"),
    )
    one = core_select(literal_column("1").label("one")).subquery("one")
    statement = (
        core_select(
            seen.label("seen"),
            *(conversation.c[name] for name in _CONVERSATION),
            *(c for _, alias in tables for c in alias.c),
        )
        .select_from(one)
        .outerjoin(conversation, conversation.c.key == bindparam("key"))
        .outerjoin(estate, estate.c.id == estate_id)
        .outerjoin(
            member,
            and_(
                member.c.estate_id == estate.c.id,
                member.c.telegram_user_id == bindparam("staff_user_id"),
                member.c.active == true(),
            ),
        )
        .outerjoin(
            owner,
            and_(
                owner.c.estate_id == estate.c.id,
                owner.c.telegram_user_id == bindparam("owner_user_id"),
            ),
        )
    )
    # Where each part's columns start in the row (after `seen` and the conversation); its
    # primary key comes first.
    parts, first = [], 1 + len(_CONVERSATION)
    for model, alias in tables:
        names = [c.name for c in alias.c]
        if names[0] != "id":
            raise RuntimeError(f"{model.__name__}: the primary key is not the first column")
        parts.append((model, names, first))
        first += len(names)
    return statement, parts


# The conversation's columns: its id (None: no row), then what fsm.Stored holds.
_CONVERSATION = ("id", *fsm.Stored._fields)

# Read for every update, before anything else: one round trip and plain rows instead of five
# ORM queries (benchmarks/README.md).
_CONTEXT_STATEMENT, _CONTEXT_PARTS = _context_statement()
_CONTEXT = Prepared(_CONTEXT_STATEMENT)


async def context(
    session: AsyncSession,
    *,
    bot_id: int,
    update_id: int,
    conversation_key: str | None,
    group_chat_id: int | None,
    staff_user_id: int | None,
    owner_user_id: int | None,
) -> Context:
    """Whether the update was handled already, the conversation stored under
    `conversation_key`, the estate (of the staff group `group_chat_id`, else the first), its
    active staff member with Telegram id `staff_user_id` and its owner with `owner_user_id`.
    A None key or id looks nothing up."""
    params = {
        "bot_id": bot_id,
        "update_id": update_id,
        "key": conversation_key,
        "group_chat_id": group_chat_id,
        "staff_user_id": staff_user_id,
        "owner_user_id": owner_user_id,
    }
    # Checking out the connection and the read in one call to SQLAlchemy's sync side (each
    # call is a greenlet of its own).
    row = await session.run_sync(_read_context, params)
    estate, staff_member, owner = (
        # No primary key: the part's join found no row.
        None if row[first] is None else detached(model, zip(names, row[first:], strict=False))
        for model, names, first in _CONTEXT_PARTS
    )
    conversation = None if row[1] is None else fsm.Stored(*row[2 : 1 + len(_CONVERSATION)])
    return Context(bool(row[0]), conversation, estate, staff_member, owner)


def _read_context(session: Session, params: dict[str, Any]) -> tuple[Any, ...]:
    (row,) = _CONTEXT.run(session.connection(), params)
    return row


async def seen(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    params = {"bot_id": bot_id, "update_id": update_id}
    return (await session.exec(_SEEN, params=params)).first() is not None


def mark_statement(dialect: str) -> Insert:
    """Insert-or-ignore of the mark, for the caller's transaction (no commit of its own);
    bind `mark_params`."""
    return _MARK[_dialect(dialect)]


def _dialect(name: str) -> str:
    return "postgresql" if name == "postgresql" else "sqlite"


def _write_mark(connection: Connection, params: dict[str, object]) -> None:
    _PREPARED_MARK[_dialect(connection.dialect.name)].run(connection, params)


def mark_params(bot_id: int, update_id: int, at: datetime) -> dict[str, object]:
    return {"of_bot": bot_id, "of_update": update_id, "at": at}


# Where a session keeps the mark of the update it handles until its first commit.
_PENDING = "frontdoor_update_mark"


def mark_on_first_commit(session: AsyncSession, bot_id: int, update_id: int, at: datetime) -> None:
    """Write the mark in the session's first committing transaction, so it is stored if and
    only if the update's first change is."""
    session.sync_session.info[_PENDING] = mark_params(bot_id, update_id, at)


def withdraw_mark(session: AsyncSession) -> bool:
    """Stop waiting for a commit; True if none took the mark (it is still to be written)."""
    return session.sync_session.info.pop(_PENDING, None) is not None


# One listener for every session (a dict look-up for those that handle no update), in place of
# one added and removed for each update.
@sa_event.listens_for(Session, "before_commit")
def _mark_with_commit(session: Session) -> None:
    params = session.info.pop(_PENDING, None)
    if params is not None:
        _write_mark(session.connection(), params)


async def mark(session: AsyncSession, bot_id: int, update_id: int, at: datetime) -> None:
    """Mark an update that changed nothing as handled, in a transaction of its own."""
    await session.run_sync(_mark_and_commit, mark_params(bot_id, update_id, at))


def _mark_and_commit(session: Session, params: dict[str, object]) -> None:
    _write_mark(session.connection(), params)
    session.commit()


async def forget_before(session: AsyncSession, before: datetime) -> int:
    """Drop marks older than Telegram keeps undelivered updates; returns how many."""
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < before)
    )
    await session.commit()
    return int(result.rowcount or 0)
