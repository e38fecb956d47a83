"""Fee reminders: what each reachable owner still owes (one aggregate query) and the pauses
staff set with `/remind off` and lift with `/remind on`."""

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Exists, Select, exists, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, units
from storage.models import (
    Charge,
    Owner,
    OwnerStatus,
    OwnerUnit,
    Payment,
    ReminderPause,
    StaffMember,
    Unit,
)

PAUSE_REASON_MAX = 200


class OwedCharge(NamedTuple):
    """One open charge of one owner's unit, with what is still owed (minor units). A named
    tuple, made straight from the result row: at 40 000 rows a frozen dataclass's __init__
    alone took 0.1 s of the selection (benchmarks/README.md)."""

    owner_id: int
    chat_id: int
    language: str | None
    building: str
    unit: str
    charge_id: int
    item: str
    period: str
    due_date: date
    balance: int
    currency: str


def _active_pause(now: datetime) -> Exists:
    return exists().where(
        col(ReminderPause.unit_id) == Unit.id,
        col(ReminderPause.starts_at) <= now,
        or_(col(ReminderPause.ends_at).is_(None), col(ReminderPause.ends_at) > now),
    )


def _owed_query(
    estate_id: int,
    due_by: date,
    now: datetime,
    owner_id: int | None,
    charge_ids: Collection[int] | None,
) -> Select[*tuple[Any, ...]]:
    # Per candidate charge through the payment charge index: the candidates are the few open
    # charges (the partial index), so the million payments of settled ones are never read.
    paid = (
        sa_select(func.coalesce(func.sum(Payment.amount), 0))
        .where(col(Payment.charge_id) == Charge.id, col(Payment.reversed_at).is_(None))
        .scalar_subquery()
    )
    chat = func.coalesce(Owner.chat_id, Owner.telegram_user_id)
    query: Select[*tuple[Any, ...]] = (
        sa_select(
            col(Owner.id).label("owner_id"),
            chat.label("chat_id"),
            col(Owner.language),
            col(Unit.building),
            col(Unit.number),
            col(Charge.id).label("charge_id"),
            col(Charge.item),
            col(Charge.period),
            col(Charge.due_date),
            (col(Charge.amount) - paid).label("balance"),
            col(Charge.currency),
        )
        .select_from(Charge)
        .join(Unit, col(Unit.id) == Charge.unit_id)
        .join(OwnerUnit, col(OwnerUnit.unit_id) == Unit.id)
        .join(Owner, col(Owner.id) == OwnerUnit.owner_id)
        .where(
            col(Unit.estate_id) == estate_id,
            col(Owner.estate_id) == estate_id,
            col(Owner.status) == OwnerStatus.verified,
            chat.is_not(None),
            col(Charge.due_date) <= due_by,
            # The partial index of open charges (settled ones cannot be owed).
            ~col(Charge.settled),
            ~_active_pause(now),
        )
    )
    if owner_id is not None:
        query = query.where(col(Owner.id) == owner_id)
    if charge_ids is not None:
        query = query.where(col(Charge.id).in_(list(charge_ids)))
    # Ordered for the fee-reminder job, which takes each owner's charges by due date. The
    # balance is checked by the callers rather than in SQL: filtering on it there evaluates
    # the payment subquery twice per row (filter and column), and an unsettled charge that is
    # paid is rare.
    return query.order_by(col(Owner.id), col(Charge.due_date), col(Charge.id))


async def owed(
    session: AsyncSession,
    estate_id: int,
    due_by: date,
    now: datetime,
    *,
    owner_id: int | None = None,
    charge_ids: Collection[int] | None = None,
) -> list[OwedCharge]:
    """Open charges (amount − payments not reversed > 0) due on or before `due_by`, of units
    whose reminders are not paused at `now`, per verified owner with a chat, by owner: ONE
    query, driven by the partial index of open charges and the payment charge index.
    `owner_id` and `charge_ids` narrow it to what one queued reminder listed (checked again at
    send time)."""
    query = _owed_query(estate_id, due_by, now, owner_id, charge_ids)
    # Core, not the ORM: the ORM's result loading cost as much as the query's transfer.
    connection = await session.connection()
    rows = (await connection.execute(query)).all()
    return [OwedCharge._make(row) for row in rows if row.balance > 0]


async def owed_per_owner(
    session: AsyncSession, estate_id: int, due_by: date, now: datetime, *, chunk: int = 1000
) -> AsyncIterator[list[OwedCharge]]:
    """What `owed` returns, one owner's charges at a time, read `chunk` rows at a time from a
    server-side cursor: the fee-reminder job at 100 000 owners never holds the 40 000 rows at
    once (benchmarks/README.md, `rss`). Other statements may run on the session between
    owners (the job queues its reminders as it goes)."""
    query = _owed_query(estate_id, due_by, now, None, None)
    connection = await session.connection()
    result = await connection.stream(query)
    owner: list[OwedCharge] = []
    try:
        async for rows in result.partitions(chunk):
            for row in rows:
                if row.balance <= 0:
                    continue
                if owner and owner[0].owner_id != row.owner_id:
                    yield owner
                    owner = []
                owner.append(OwedCharge._make(row))
    finally:
        await result.close()
    if owner:
        yield owner


class PauseError(Exception):
    """`/remind` refused: `code` is no_unit or no_reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PauseResult:
    unit: Unit
    changed: bool


async def pause(
    session: AsyncSession,
    *,
    estate_id: int,
    building: str,
    number: str,
    reason: str,
    by: StaffMember,
    now: datetime,
) -> PauseResult:
    """`/remind off`: no fee reminders for the unit from now until resumed (audited)."""
    reason = " ".join(reason.split())[:PAUSE_REASON_MAX]
    if not reason:
        raise PauseError("no_reason")
    unit = await units.find(session, estate_id, building, number)
    if unit is None or unit.id is None:
        raise PauseError("no_unit")
    if await _open_pauses(session, unit.id, now):
        return PauseResult(unit, changed=False)
    pause_row = ReminderPause(unit_id=unit.id, reason=reason, paused_by=by.id, starts_at=now)
    session.add(pause_row)
    await session.flush()
    audit.record(
        session,
        actor=f"staff:{by.id}",
        entity="unit",
        entity_id=unit.id,
        type="reminders_paused",
        estate_id=estate_id,
        reason=reason,
        pause_id=pause_row.id,
    )
    await session.commit()
    return PauseResult(unit, changed=True)


async def resume(
    session: AsyncSession,
    *,
    estate_id: int,
    building: str,
    number: str,
    by: StaffMember,
    now: datetime,
) -> PauseResult:
    """`/remind on`: end the unit's open pauses now (audited)."""
    unit = await units.find(session, estate_id, building, number)
    if unit is None or unit.id is None:
        raise PauseError("no_unit")
    open_ids = await _open_pauses(session, unit.id, now)
    if not open_ids:
        return PauseResult(unit, changed=False)
    await session.exec(
        update(ReminderPause).where(col(ReminderPause.id).in_(open_ids)).values(ends_at=now)
    )
    audit.record(
        session,
        actor=f"staff:{by.id}",
        entity="unit",
        entity_id=unit.id,
        type="reminders_resumed",
        estate_id=estate_id,
        pause_ids=open_ids,
    )
    await session.commit()
    return PauseResult(unit, changed=True)


async def _open_pauses(session: AsyncSession, unit_id: int, now: datetime) -> list[int]:
    query = select(ReminderPause.id).where(
        ReminderPause.unit_id == unit_id,
        or_(col(ReminderPause.ends_at).is_(None), col(ReminderPause.ends_at) > now),
    )
    return [i for i in (await session.exec(query)).all() if i is not None]
