"""Call-backs: the slots an owner may book, booking and cancelling them, and staff outcomes."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, owners
from storage.models import (
    Callback,
    CallbackStatus,
    Estate,
    Owner,
    Ticket,
    Unit,
)
from storage.outbox import Draft
from storage.tickets import OPEN_STATUSES, WORKING_DAYS

TOPICS = ("ticket", "fees", "other")
MAX_BOOKED = 3
NOTE_MAX = 300
SLOT_DAYS = 3
# A lunch break splits the working day into a morning and an afternoon slot.
NOON = time(12, 0)
AFTERNOON = time(13, 0)
DEFAULT_HOURS = (time(9, 0), time(18, 0))


@dataclass(frozen=True)
class Slot:
    """A window (UTC) in which staff promise to call."""

    start: datetime
    end: datetime


def _working_hours(window: str) -> tuple[time, time]:
    try:
        open_at, close_at = (time.fromisoformat(part.strip()) for part in window.split("-"))
    except ValueError:
        return DEFAULT_HOURS
    return (open_at, close_at) if open_at < close_at else DEFAULT_HOURS


def _day_slots(day: date, tz: ZoneInfo, window: str) -> list[Slot]:
    open_at, close_at = _working_hours(window)
    parts = [(open_at, min(NOON, close_at)), (max(AFTERNOON, open_at), close_at)]
    if close_at <= NOON or open_at >= AFTERNOON:
        parts = [(open_at, close_at)]
    return [
        Slot(
            datetime.combine(day, start, tz).astimezone(UTC),
            datetime.combine(day, end, tz).astimezone(UTC),
        )
        for start, end in parts
        if start < end
    ]


def offered_slots(estate: Estate, now: datetime, days: int = SLOT_DAYS) -> list[Slot]:
    """Morning and afternoon slots of the next `days` working days (Mon–Fri, estate time) that
    have not started yet; today counts while one of its slots is still ahead."""
    tz = ZoneInfo(estate.time_zone)
    day = now.astimezone(tz).date()
    found: list[Slot] = []
    counted = 0
    while counted < days:
        if day.weekday() in WORKING_DAYS:
            ahead = [s for s in _day_slots(day, tz, estate.working_hours) if s.start > now]
            if ahead:
                found += ahead
                counted += 1
        day += timedelta(days=1)
    return found


class Outcome(StrEnum):
    booked = "booked"
    cancelled = "cancelled"
    recorded = "recorded"
    limit = "limit"
    slot_gone = "slot_gone"
    duplicate = "duplicate"
    ticket_gone = "ticket_gone"
    not_found = "not_found"
    not_booked = "not_booked"
    too_early = "too_early"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    callback: Callback | None = None


@dataclass(frozen=True)
class CallbackView:
    """A call-back with what staff need to make the call."""

    callback: Callback
    owner: Owner
    units: list[Unit]
    ticket_number: int | None
    note: str | None


async def upcoming_for_owner(
    session: AsyncSession, owner_id: int, now: datetime
) -> list[Callback]:
    """The owner's booked call-backs that have not ended yet, soonest first."""
    query = (
        select(Callback)
        .where(
            Callback.owner_id == owner_id,
            Callback.status == CallbackStatus.booked,
            col(Callback.slot_end) > now,
        )
        .order_by(col(Callback.slot_start), col(Callback.id))
    )
    return list((await session.exec(query)).all())


async def book(
    session: AsyncSession,
    *,
    estate: Estate,
    owner_id: int,
    topic: str,
    ticket_id: int | None,
    note: str | None,
    slot: Slot,
    now: datetime,
    drafts: Callable[[Callback], Iterable[Draft]],
) -> Result:
    """Book a call-back in one of the offered slots and queue the staff card (`drafts`, rendered
    once the call-back has an id); refused beyond MAX_BOOKED upcoming ones per owner."""
    if topic not in TOPICS or (topic == "ticket") != (ticket_id is not None):
        raise ValueError(f"bad topic {topic!r} / ticket {ticket_id!r}")
    note = (note or "").strip()[:NOTE_MAX] or None
    # Lock the owner row so two parallel bookings cannot both pass the limit (PostgreSQL).
    owner = (
        await session.exec(select(Owner).where(Owner.id == owner_id).with_for_update())
    ).first()
    if owner is None or owner.estate_id != estate.id:
        return Result(Outcome.not_found)
    if slot not in offered_slots(estate, now):
        return Result(Outcome.slot_gone)
    if ticket_id is not None:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is None or ticket.owner_id != owner_id or ticket.status not in OPEN_STATUSES:
            return Result(Outcome.ticket_gone)
    upcoming = await upcoming_for_owner(session, owner_id, now)
    if any(c.slot_start == slot.start for c in upcoming):
        return Result(Outcome.duplicate)
    if len(upcoming) >= MAX_BOOKED:
        return Result(Outcome.limit)
    callback = Callback(
        owner_id=owner_id,
        topic=topic,
        ticket_id=ticket_id,
        slot_start=slot.start,
        slot_end=slot.end,
        status=CallbackStatus.booked,
        note=note,
        created_at=now,
    )
    session.add(callback)
    await session.flush()
    audit.record(
        session,
        actor=f"owner:{owner_id}",
        entity="callback",
        entity_id=callback.id,
        type="booked",
        estate_id=estate.id,
        topic=topic,
        ticket_id=ticket_id,
        note=note,
        slot_start=slot.start.isoformat(),
    )
    await outbox.add_all(session, drafts(callback))
    await session.commit()
    return Result(Outcome.booked, callback)


async def cancel(
    session: AsyncSession,
    *,
    owner_id: int,
    callback_id: int,
    now: datetime,
    drafts: Callable[[Callback], Iterable[Draft]],
) -> Result:
    """The owner cancels their own booked call-back; anyone else's is "not found"."""
    callback = (
        await session.exec(select(Callback).where(Callback.id == callback_id).with_for_update())
    ).first()
    if callback is None or callback.owner_id != owner_id:
        return Result(Outcome.not_found)
    if callback.status != CallbackStatus.booked or callback.slot_end <= now:
        return Result(Outcome.not_booked, callback)
    callback.status = CallbackStatus.cancelled
    session.add(callback)
    owner = await session.get(Owner, owner_id)
    audit.record(
        session,
        actor=f"owner:{owner_id}",
        entity="callback",
        entity_id=callback.id,
        type="cancelled",
        estate_id=owner.estate_id if owner else None,
    )
    await outbox.add_all(session, drafts(callback))
    await session.commit()
    return Result(Outcome.cancelled, callback)


async def record_outcome(
    session: AsyncSession,
    *,
    estate_id: int,
    callback_id: int,
    staff_id: int,
    status: CallbackStatus,
    outcome: str,
    now: datetime,
    drafts: Callable[[Callback, Owner], Iterable[Draft]] = lambda callback, owner: (),
) -> Result:
    """Staff mark a booked call-back done or missed, with a short outcome; `drafts` (e.g. the
    owner's "we could not reach you") are queued in the same transaction. A call can be
    missed only once its slot has begun: the owner was promised that time."""
    if status not in (CallbackStatus.done, CallbackStatus.missed):
        raise ValueError(f"not an outcome status: {status}")
    callback = (
        await session.exec(select(Callback).where(Callback.id == callback_id).with_for_update())
    ).first()
    owner = await session.get(Owner, callback.owner_id) if callback else None
    if callback is None or owner is None or owner.estate_id != estate_id:
        return Result(Outcome.not_found)
    if callback.status != CallbackStatus.booked:
        return Result(Outcome.not_booked, callback)
    if status == CallbackStatus.missed and now < callback.slot_start:
        return Result(Outcome.too_early, callback)
    callback.status = status
    callback.staff_id = staff_id
    callback.outcome = outcome
    session.add(callback)
    audit.record(
        session,
        actor=f"staff:{staff_id}",
        entity="callback",
        entity_id=callback.id,
        type=str(status),
        estate_id=estate_id,
        outcome=outcome,
    )
    await outbox.add_all(session, drafts(callback, owner))
    await session.commit()
    return Result(Outcome.recorded, callback)


async def views(session: AsyncSession, found: list[Callback]) -> list[CallbackView]:
    """Call-backs with owner, units, ticket number and note, for staff cards and lists."""
    result: list[CallbackView] = []
    for callback in found:
        owner = await session.get(Owner, callback.owner_id)
        if not (owner is not None and owner.id is not None and callback.id is not None):
            raise LookupError(f"call-back {callback.id}: its owner is gone")
        ticket = await session.get(Ticket, callback.ticket_id) if callback.ticket_id else None
        result.append(
            CallbackView(
                callback=callback,
                owner=owner,
                units=await owners.units_of(session, owner.id),
                ticket_number=ticket.number if ticket else None,
                note=callback.note,
            )
        )
    return result


async def view(session: AsyncSession, callback: Callback) -> CallbackView:
    return (await views(session, [callback]))[0]


async def booked_between(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> list[CallbackView]:
    """The estate's booked call-backs whose slot starts in [start, end), by slot."""
    query = (
        select(Callback)
        .join(Owner, col(Owner.id) == col(Callback.owner_id))
        .where(
            Owner.estate_id == estate_id,
            Callback.status == CallbackStatus.booked,
            col(Callback.slot_start) >= start,
            col(Callback.slot_start) < end,
        )
        .order_by(col(Callback.slot_start), col(Callback.id))
    )
    return await views(session, list((await session.exec(query)).all()))
