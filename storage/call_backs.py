"""Call-backs: the slots an owner may book, booking and cancelling them, and staff outcomes;
and call-back tasks (回访): the calls staff owe an owner after a closed repair or complaint or a
low survey score, with their deadlines on the estate's calendar and the call-back rates."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

# `tickets` is used as a module: it imports this one to open a task inside its close transaction.
from storage import audit, calendar, outbox, owners, tickets
from storage.kpis import Rate
from storage.models import (
    Callback,
    CallbackOrigin,
    CallbackStatus,
    CallbackTopic,
    Estate,
    Owner,
    StaffMember,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    Unit,
)
from storage.outbox import Draft

# What an owner may book a call about; "survey" is only ever a task's topic.
BOOKABLE = frozenset({CallbackTopic.ticket, CallbackTopic.fees, CallbackTopic.other})
MAX_BOOKED = 3
NOTE_MAX = 300
SLOT_DAYS = 3
# A lunch break splits the working day into a morning and an afternoon slot.
NOON = time(12, 0)
AFTERNOON = time(13, 0)


@dataclass(frozen=True)
class Slot:
    """A window (UTC) in which staff promise to call."""

    start: datetime
    end: datetime


def _day_slots(estate: Estate, day: date) -> list[Slot]:
    halves = [half for half in calendar.day_halves(estate, NOON, AFTERNOON) if half is not None]
    if len(halves) < 2:
        # No lunch break inside the hours: the whole working day is one slot.
        halves = [calendar.working_hours(estate)]
    return [
        Slot(calendar.at_local(estate, day, start), calendar.at_local(estate, day, end))
        for start, end in halves
    ]


def offered_slots(estate: Estate, now: datetime, days: int = SLOT_DAYS) -> list[Slot]:
    """Morning and afternoon slots of the next `days` working days (estate time, holidays off)
    that have not started yet; today counts while one of its slots is still ahead."""
    day = calendar.local(estate, now).date()
    found: list[Slot] = []
    counted = 0
    for _ in range(calendar.MAX_DAYS):
        if counted >= days:
            break
        if calendar.is_working_day(estate, day):
            ahead = [s for s in _day_slots(estate, day) if s.start > now]
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
    not_task = "not_task"
    invalid = "invalid"


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
            Callback.origin == CallbackOrigin.booking,
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
    topic: CallbackTopic,
    ticket_id: int | None,
    note: str | None,
    slot: Slot,
    now: datetime,
    drafts: Callable[[Callback], Iterable[Draft]],
) -> Result:
    """Book a call-back in one of the offered slots and queue the staff card (`drafts`, rendered
    once the call-back has an id); refused beyond MAX_BOOKED upcoming ones per owner."""
    if topic not in BOOKABLE or (topic == CallbackTopic.ticket) != (ticket_id is not None):
        raise ValueError(f"bad topic {topic!r} / ticket {ticket_id!r}")
    note = (note or "").strip()[:NOTE_MAX] or None
    # Lock the owner row so two parallel bookings cannot both pass the limit (PostgreSQL).
    owner = await session.get(Owner, owner_id, with_for_update=True)
    if owner is None or owner.estate_id != estate.id:
        return Result(Outcome.not_found)
    if slot not in offered_slots(estate, now):
        return Result(Outcome.slot_gone)
    if ticket_id is not None:
        ticket = await session.get(Ticket, ticket_id)
        if (
            ticket is None
            or ticket.owner_id != owner_id
            or ticket.status not in tickets.OPEN_STATUSES
        ):
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
    _audit(
        session,
        callback,
        f"owner:{owner_id}",
        "booked",
        estate.id,
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
    callback = await session.get(Callback, callback_id, with_for_update=True)
    if (
        callback is None
        or callback.owner_id != owner_id
        or callback.origin != CallbackOrigin.booking
    ):
        return Result(Outcome.not_found)
    if callback.status != CallbackStatus.booked or callback.slot_end <= now:
        return Result(Outcome.not_booked, callback)
    callback.status = CallbackStatus.cancelled
    session.add(callback)
    owner = await session.get(Owner, owner_id)
    _audit(session, callback, f"owner:{owner_id}", "cancelled", owner.estate_id if owner else None)
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
    found = await _locked(session, estate_id, callback_id)
    if found is None or found[0].origin != CallbackOrigin.booking:
        return Result(Outcome.not_found)
    callback, owner = found
    if callback.status != CallbackStatus.booked:
        return Result(Outcome.not_booked, callback)
    if status == CallbackStatus.missed and now < callback.slot_start:
        return Result(Outcome.too_early, callback)
    callback.status = status
    callback.staff_id = staff_id
    callback.outcome = outcome
    session.add(callback)
    _audit(session, callback, f"staff:{staff_id}", str(status), estate_id, outcome=outcome)
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
            Callback.origin == CallbackOrigin.booking,
            Callback.status == CallbackStatus.booked,
            col(Callback.slot_start) >= start,
            col(Callback.slot_start) < end,
        )
        .order_by(col(Callback.slot_start), col(Callback.id))
    )
    return await views(session, list((await session.exec(query)).all()))


# --- call-back tasks (回访) ---------------------------------------------------------------------

TASK_ORIGINS = frozenset(
    {CallbackOrigin.after_repair, CallbackOrigin.after_complaint, CallbackOrigin.low_score}
)
# Working days a call-back task has, counted from the day it opens (the seeds: the next working
# day after a repair, within three days after a complaint).
TASK_WORKING_DAYS = {
    CallbackOrigin.after_repair: 1,
    CallbackOrigin.after_complaint: 3,
    CallbackOrigin.low_score: 1,
}
TASK_NOTE_MAX = 1000


class TaskAction(StrEnum):
    """What staff record on a task: the owner was reached, was not, or asked to be called later."""

    reached = "reached"
    not_reached = "not_reached"
    reschedule = "reschedule"


def task_deadline(estate: Estate, origin: CallbackOrigin, since: datetime) -> datetime:
    """The end of the working day by which a task opened at `since` must be done: the next
    working day (repairs, low scores) or the third working day (complaints) after `since`'s
    day, on the estate's calendar (public holidays off, make-up working days on)."""
    day = calendar.local(estate, since).date()
    due_day = calendar.add_working_days(estate, day, TASK_WORKING_DAYS[origin])
    return calendar.at_local(estate, due_day, calendar.working_hours(estate)[1])


async def open_task(
    session: AsyncSession,
    estate: Estate,
    *,
    owner_id: int,
    ticket_id: int | None,
    origin: CallbackOrigin,
    topic: CallbackTopic,
    now: datetime,
) -> Callback:
    """Add a call-back task to the caller's transaction (the caller commits). A task of the same
    origin still open for the ticket gets the new deadline instead of a twin. A task's
    `slot_start`–`slot_end` are its opening and the deadline it opened with; `due_at` is when it
    is due now (a reschedule moves it)."""
    due = task_deadline(estate, origin, now)
    existing = None
    if ticket_id is not None:
        existing = (
            await session.exec(
                select(Callback).where(
                    Callback.ticket_id == ticket_id,
                    Callback.origin == origin,
                    Callback.status == CallbackStatus.booked,
                )
            )
        ).first()
    task = existing or Callback(
        owner_id=owner_id,
        topic=topic,
        ticket_id=ticket_id,
        slot_start=now,
        slot_end=due,
        status=CallbackStatus.booked,
        origin=origin,
        created_at=now,
    )
    # A task reused after a reclosing opens again now: its deadline counts from this closing.
    task.slot_start = now
    task.slot_end = due
    task.due_at = due
    session.add(task)
    await session.flush()
    return task


async def task_on_close(session: AsyncSession, ticket: Ticket, now: datetime) -> Callback | None:
    """The call-back task a closed ticket calls for, in the closing transaction."""
    if ticket.owner_id is None or ticket.id is None:
        return None
    estate = await session.get(Estate, ticket.estate_id)
    if estate is None:
        return None
    origin = (
        CallbackOrigin.after_complaint
        if ticket.kind == TicketKind.complaint
        else CallbackOrigin.after_repair
    )
    return await open_task(
        session,
        estate,
        owner_id=ticket.owner_id,
        ticket_id=ticket.id,
        origin=origin,
        topic=CallbackTopic.ticket,
        now=now,
    )


def is_overdue(callback: Callback, now: datetime) -> bool:
    return (
        callback.status == CallbackStatus.booked
        and callback.due_at is not None
        and now > callback.due_at
    )


async def open_tasks(
    session: AsyncSession, estate_id: int, due_before: datetime
) -> list[CallbackView]:
    """The estate's open call-back tasks due before `due_before` (overdue ones included),
    soonest deadline first."""
    query = (
        select(Callback)
        .join(Owner, col(Owner.id) == col(Callback.owner_id))
        .where(
            Owner.estate_id == estate_id,
            col(Callback.origin).in_([o.value for o in TASK_ORIGINS]),
            Callback.status == CallbackStatus.booked,
            col(Callback.due_at) < due_before,
        )
        .order_by(col(Callback.due_at), col(Callback.id))
    )
    return await views(session, list((await session.exec(query)).all()))


async def tasks_of_ticket(session: AsyncSession, ticket_id: int) -> list[Callback]:
    query = (
        select(Callback)
        .where(
            Callback.ticket_id == ticket_id,
            col(Callback.origin).in_([o.value for o in TASK_ORIGINS]),
        )
        .order_by(col(Callback.id))
    )
    return list((await session.exec(query)).all())


def _audit(
    session: AsyncSession,
    callback: Callback,
    actor: str,
    type_: str,
    estate_id: int | None,
    **data: object,
) -> None:
    audit.record(
        session,
        actor=actor,
        entity="callback",
        entity_id=callback.id,
        type=type_,
        estate_id=estate_id,
        **data,
    )


def _ticket_event(
    session: AsyncSession,
    callback: Callback,
    member: StaffMember,
    type_: TicketEventType,
    now: datetime,
    **data: object,
) -> None:
    if callback.ticket_id is None:
        return
    session.add(
        TicketEvent(
            ticket_id=callback.ticket_id,
            at=now,
            actor=f"staff:{member.id}",
            type=type_,
            data={"by": member.name, "callback_id": callback.id, **data},
        )
    )


async def _locked(
    session: AsyncSession, estate_id: int, callback_id: int
) -> tuple[Callback, Owner] | None:
    """The call-back, locked for its update, and its owner; None unless it is the estate's."""
    callback = await session.get(Callback, callback_id, with_for_update=True)
    owner = await session.get(Owner, callback.owner_id) if callback else None
    if callback is None or owner is None or owner.estate_id != estate_id:
        return None
    return callback, owner


async def _task_for_update(
    session: AsyncSession, estate_id: int, callback_id: int
) -> tuple[Callback | None, Estate | None]:
    found = await _locked(session, estate_id, callback_id)
    if found is None:
        return None, None
    return found[0], await session.get(Estate, estate_id)


async def record_task(
    session: AsyncSession,
    *,
    estate_id: int,
    callback_id: int,
    member: StaffMember,
    action: TaskAction,
    now: datetime,
) -> Result:
    """Staff record a task's outcome: reached (done) or not reached (missed), or reschedule it
    to the end of the next working day. The ticket's history gets the event; one transaction."""
    callback, estate = await _task_for_update(session, estate_id, callback_id)
    if callback is None or estate is None:
        return Result(Outcome.not_found)
    if callback.origin not in TASK_ORIGINS:
        return Result(Outcome.not_task, callback)
    if callback.status != CallbackStatus.booked:
        return Result(Outcome.not_booked, callback)
    callback.staff_id = member.id
    if action == TaskAction.reschedule:
        # Only `due_at` moves: `slot_end` keeps the deadline the task opened with, which the
        # call-back rates judge it by.
        due = task_deadline(estate, CallbackOrigin.low_score, now)
        callback.due_at = due
        day = calendar.local(estate, due).date().isoformat()
        _ticket_event(
            session, callback, member, TicketEventType.callback_rescheduled, now, day=day
        )
    else:
        reached = action == TaskAction.reached
        callback.status = CallbackStatus.done if reached else CallbackStatus.missed
        callback.outcome = str(action)
        callback.done_at = now
        _ticket_event(session, callback, member, TicketEventType(f"callback_{action}"), now)
    session.add(callback)
    _audit(
        session,
        callback,
        f"staff:{member.id}",
        f"task_{action}",
        estate_id,
        due_at=callback.due_at.isoformat() if callback.due_at else None,
    )
    await session.commit()
    return Result(Outcome.recorded, callback)


async def add_task_note(
    session: AsyncSession,
    *,
    estate_id: int,
    callback_id: int,
    member: StaffMember,
    text: str,
    now: datetime,
) -> Result:
    """A note on a call-back task (what the owner said); kept in the ticket's history."""
    note = text.strip()
    callback, estate = await _task_for_update(session, estate_id, callback_id)
    if callback is None or estate is None:
        return Result(Outcome.not_found)
    if not note or len(note) > TASK_NOTE_MAX:
        return Result(Outcome.invalid, callback)
    # A task without a ticket (a quarterly survey's low score) keeps its latest note itself.
    callback.note = note[:NOTE_MAX]
    session.add(callback)
    _ticket_event(session, callback, member, TicketEventType.callback_note, now, text=note)
    _audit(session, callback, f"staff:{member.id}", "task_note", estate_id, text=note)
    await session.commit()
    return Result(Outcome.recorded, callback)


async def _callback_rate(
    session: AsyncSession,
    estate_id: int,
    start: datetime,
    end: datetime,
    origin: CallbackOrigin,
) -> Rate:
    # A task's deadline for the rates is the one it opened with (`slot_end`: a reschedule moves
    # only `due_at`), or its due time if a reschedule made that earlier.
    due = col(Callback.due_at)
    deadline = case(
        (and_(due.is_not(None), due < col(Callback.slot_end)), due), else_=col(Callback.slot_end)
    )
    reached = and_(
        col(Callback.status) == CallbackStatus.done,
        or_(col(Callback.done_at).is_(None), col(Callback.done_at) <= deadline),
    )
    total, done = (
        await session.exec(
            select(func.count(col(Callback.id)), func.sum(case((reached, 1), else_=0)))
            .join(Ticket, col(Ticket.id) == col(Callback.ticket_id))
            .where(
                Ticket.estate_id == estate_id,
                Callback.origin == origin,
                Callback.status != CallbackStatus.cancelled,
                deadline >= start,
                deadline < end,
            )
        )
    ).one()
    return Rate(int(done or 0), int(total))


async def complaint_callback_rate(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> Rate:
    """Complaint call-backs within 3 working days (投诉三日内回访; seed target 100 %,
    `Estate.target_complaint_callback_pct`).

    Counted: the estate's after-complaint call-back tasks (one opens when a complaint closes)
    whose deadline falls in [start, end) — the end of the third working day after the closing
    day on the estate's calendar (public holidays off, make-up working days on); a reschedule
    does not move it. Cancelled tasks are left out. Done: those where staff recorded the owner
    *reached* by that deadline (a task recorded without a time counts by its status). Not
    reached, still open or reached too late counts as not done."""
    return await _callback_rate(session, estate_id, start, end, CallbackOrigin.after_complaint)


async def repair_callback_rate(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> Rate:
    """Repair call-backs by the next working day (维修次日回访).

    Counted and done as in `complaint_callback_rate`, for after-repair tasks, whose deadline is
    the end of the next working day after the repair was closed."""
    return await _callback_rate(session, estate_id, start, end, CallbackOrigin.after_repair)


@dataclass(frozen=True)
class TaskCounts:
    """Calls due in a period: how many, how many done (the owner reached), how many still open
    (nothing recorded yet); the rest were missed."""

    due: int
    done: int
    open: int

    @property
    def missed(self) -> int:
        """Tasks whose call was made and did not reach the owner."""
        return self.due - self.done - self.open


async def _counts(
    session: AsyncSession, estate_id: int, *where: ColumnElement[bool]
) -> TaskCounts:
    rows = await session.exec(
        select(Callback.status, func.count(col(Callback.id)))
        .join(Owner, col(Owner.id) == col(Callback.owner_id))
        .where(
            Owner.estate_id == estate_id, col(Callback.status) != CallbackStatus.cancelled, *where
        )
        .group_by(col(Callback.status))
    )
    by_status = {str(status): int(n) for status, n in rows}
    return TaskCounts(
        due=sum(by_status.values()),
        done=by_status.get(CallbackStatus.done, 0),
        open=by_status.get(CallbackStatus.booked, 0),
    )


async def task_counts(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> TaskCounts:
    """Call-back tasks (回访, after a repair, a complaint or a low score) whose deadline falls in
    [start, end) (today, for the daily summary): done means the owner was reached, open means
    nothing recorded yet. Cancelled tasks are left out. One SQL aggregate."""
    return await _counts(
        session,
        estate_id,
        col(Callback.origin).in_([o.value for o in TASK_ORIGINS]),
        col(Callback.due_at) >= start,
        col(Callback.due_at) < end,
    )


async def booking_counts(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> TaskCounts:
    """Call-backs owners booked whose slot starts in [start, end), counted as `task_counts`."""
    return await _counts(
        session,
        estate_id,
        col(Callback.origin) == CallbackOrigin.booking,
        col(Callback.slot_start) >= start,
        col(Callback.slot_start) < end,
    )
