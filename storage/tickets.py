"""Tickets (repairs and complaints): numbering, SLA deadlines, the state machine and its events.

Every operation is one transaction: it checks the state machine and the actor's rights, changes the
ticket, writes a `TicketEvent`, writes the drafts its `notify` renders for that event and commits.
A refused operation raises `TicketError` before anything is written.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal, TypeVar

from sqlalchemy import Table, bindparam, case, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import calendar, call_backs, outbox
from storage.db import UnsavedRowError, detached, saved_id
from storage.models import (
    Estate,
    Owner,
    OwnerStatus,
    StaffMember,
    StaffRole,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    TicketPhoto,
    TicketStatus,
    Unit,
    Urgency,
)
from storage.outbox import Draft

REPAIR_CATEGORIES: tuple[str, ...] = (
    "plumbing",
    "electrical",
    "doors_windows",
    "lift",
    "walls_ceiling",
    "common_appliances",
    "other",
)
COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "attitude",
    "cleanliness",
    "security",
    "noise",
    "parking",
    "fees",
    "other",
)
Grade = Literal["A", "B"]
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
TEXT_MAX = 2000
MAX_PHOTOS = 5

OPEN_STATUSES = frozenset(
    {TicketStatus.new, TicketStatus.assigned, TicketStatus.in_progress, TicketStatus.reopened}
)
FINAL_STATUSES = frozenset({TicketStatus.closed, TicketStatus.cancelled})
# How long after closing the owner's "not fixed" still reopens the ticket.
OWNER_REOPEN_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Actor:
    """Who does something; `str(actor)` is what a TicketEvent records."""

    kind: Literal["owner", "staff", "system"]
    id: int | None = None
    role: StaffRole | None = None
    estate_id: int | None = field(default=None, compare=False)
    name: str | None = field(default=None, compare=False)

    SYSTEM: ClassVar["Actor"]

    @classmethod
    def owner(cls, owner_id: int) -> "Actor":
        return cls("owner", owner_id)

    @classmethod
    def staff(cls, member: StaffMember) -> "Actor":
        return cls(
            "staff",
            member.id,
            StaffRole(member.role),
            estate_id=member.estate_id,
            name=member.name,
        )

    def __str__(self) -> str:
        return self.kind if self.kind == "system" else f"{self.kind}:{self.id}"


Actor.SYSTEM = Actor("system")
SYSTEM = Actor.SYSTEM


class RefusalCode(StrEnum):
    """Why a ticket operation was refused (`TicketError.code`)."""

    not_found = "not_found"
    invalid = "invalid"
    forbidden = "forbidden"
    bad_transition = "bad_transition"
    taken = "taken"
    not_assignee = "not_assignee"
    already_rated = "already_rated"
    not_rated = "not_rated"
    already_commented = "already_commented"
    not_complaint = "not_complaint"


class Detail(StrEnum):
    """Which input was invalid, or a more specific reason (`TicketError.detail`)."""

    none = ""
    assignee = "assignee"
    category = "category"
    date = "date"
    description = "description"
    grade = "grade"
    owner = "owner"
    photos = "photos"
    place = "place"
    rating = "rating"
    resolve_first = "resolve_first"
    role = "role"
    # Only a technician gets a work order.
    technician = "technician"
    manager_reopens = "manager_reopens"
    text = "text"


class TicketError(Exception):
    """A refused operation; handlers show `ticket-error-<code>` with the number and status."""

    def __init__(
        self,
        code: RefusalCode,
        number: int | None = None,
        status: str | None = None,
        detail: Detail | str = Detail.none,
    ) -> None:
        super().__init__(f"{code}: #{number} ({status}) {detail}".strip())
        self.code = code
        self.number = number
        self.status = status
        self.detail = detail


@dataclass
class TicketView:
    """Everything needed to render a card or an owner's view, as plain data."""

    ticket: Ticket
    owner: Owner | None
    unit: Unit | None
    assignee: StaffMember | None
    photos: list[TicketPhoto] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)

    def overdue(self, now: datetime) -> bool:
        """Open, not yet answered by staff, and past its SLA deadline."""
        t = self.ticket
        return (
            t.status in OPEN_STATUSES
            and t.first_response_at is None
            and t.sla_due_at is not None
            and now > t.sla_due_at
        )


Notify = Callable[[TicketView, TicketEvent], Sequence[Draft]]


def no_notify(view: TicketView, event: TicketEvent) -> Sequence[Draft]:
    """A Notify that sends nothing (scripts, tests)."""
    return ()


def meaningful_length(text: str) -> int:
    """Letters and digits only: "😡😡😡😡😡😡" or "!!!!!" says nothing a technician can act on."""
    return sum(char.isalnum() for char in text)


# --- SLA -------------------------------------------------------------------------------------


def sla_due(estate: Estate, kind: TicketKind, urgency: Urgency, now: datetime) -> datetime:
    """When the first staff response is due, per the estate's SLA settings."""
    if kind == TicketKind.complaint:
        return now + timedelta(hours=estate.sla_complaint_hours)
    if urgency == Urgency.urgent:
        return now + timedelta(minutes=estate.sla_urgent_minutes)
    return calendar.add_working_minutes(estate, now, estate.sla_normal_work_minutes)


# --- reading ---------------------------------------------------------------------------------


def _among(column: Any) -> Any:
    return col(column).in_(bindparam("ids", expanding=True))


# Read for every ticket change and card: built once, bound per call (benchmarks/README.md).
_OWNERS = select(Owner).where(_among(Owner.id))
_UNITS = select(Unit).where(_among(Unit.id))
_STAFF = select(StaffMember).where(_among(StaffMember.id))
_PHOTOS = select(TicketPhoto).where(_among(TicketPhoto.ticket_id)).order_by(col(TicketPhoto.id))
_EVENTS = (
    select(TicketEvent)
    .where(_among(TicketEvent.ticket_id))
    .order_by(col(TicketEvent.at), col(TicketEvent.id))
)


async def _read(session: AsyncSession, query: Any, ids: Collection[int | None]) -> list[Any]:
    """The rows of `query` for these ids; none (and no round trip) for no ids."""
    known = [i for i in ids if i is not None]
    if not known:
        return []
    return list((await session.exec(query, params={"ids": known})).all())


async def _views(session: AsyncSession, tickets: Sequence[Ticket]) -> list[TicketView]:
    if not tickets:
        return []
    ids = {t.id for t in tickets if t.id is not None}
    owners_by = {o.id: o for o in await _read(session, _OWNERS, {t.owner_id for t in tickets})}
    units_by = {u.id: u for u in await _read(session, _UNITS, {t.unit_id for t in tickets})}
    staff_by = {s.id: s for s in await _read(session, _STAFF, {t.assignee_id for t in tickets})}
    photos: dict[int, list[TicketPhoto]] = {i: [] for i in ids}
    for photo in await _read(session, _PHOTOS, ids):
        photos[photo.ticket_id].append(photo)
    events: dict[int, list[TicketEvent]] = {i: [] for i in ids}
    for event in await _read(session, _EVENTS, ids):
        events[event.ticket_id].append(event)
    return [
        TicketView(
            ticket=t,
            owner=owners_by.get(t.owner_id) if t.owner_id is not None else None,
            unit=units_by.get(t.unit_id) if t.unit_id is not None else None,
            assignee=staff_by.get(t.assignee_id) if t.assignee_id is not None else None,
            photos=photos[t.id] if t.id is not None else [],
            events=events[t.id] if t.id is not None else [],
        )
        for t in tickets
    ]


async def _view(session: AsyncSession, ticket: Ticket) -> TicketView:
    return (await _views(session, [ticket]))[0]


async def view(session: AsyncSession, ticket_id: int) -> TicketView:
    """The ticket with everything around it; raises TicketError(RefusalCode.not_found)."""
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None:
        raise TicketError(RefusalCode.not_found)
    return await _view(session, ticket)


async def find(session: AsyncSession, estate_id: int, number: int) -> TicketView | None:
    """A ticket of the estate by its number (what staff type)."""
    ticket = (
        await session.exec(
            select(Ticket)
            .where(Ticket.estate_id == estate_id, Ticket.number == number)
            .execution_options(populate_existing=True)
        )
    ).first()
    return await _view(session, ticket) if ticket else None


async def find_for_owner(
    session: AsyncSession, owner_id: int, number_or_id: int, *, by_id: bool = False
) -> TicketView | None:
    """The owner's own ticket by number (or by id with `by_id=True`); None for anyone else's."""
    key = col(Ticket.id) if by_id else col(Ticket.number)
    ticket = (
        await session.exec(
            select(Ticket)
            .where(Ticket.owner_id == owner_id, key == number_or_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    return await _view(session, ticket) if ticket else None


async def list_for_owner(session: AsyncSession, owner_id: int, *, limit: int = 10) -> list[Ticket]:
    """The owner's tickets: open ones first, then the most recently changed. Detached rows as
    stored: nothing unflushed is in the session when an owner asks for the list."""
    connection = await session.connection()
    rows = await connection.execute(_FOR_OWNER, {"owner_id": owner_id, "limit": limit})
    return [detached(Ticket, zip(rows.keys(), row, strict=True)) for row in rows]


async def assigned_to(session: AsyncSession, staff_id: int) -> list[TicketView]:
    """A staff member's open work: tickets assigned to them, oldest first."""
    tickets = (
        await session.exec(
            select(Ticket)
            .where(
                Ticket.assignee_id == staff_id,
                col(Ticket.status).in_([TicketStatus.assigned, TicketStatus.in_progress]),
            )
            .order_by(col(Ticket.created_at), col(Ticket.id))
        )
    ).all()
    return await _views(session, list(tickets))


async def queue(session: AsyncSession, estate_id: int, now: datetime) -> list[TicketView]:
    """Open tickets of the estate: overdue first, then urgent ones, then oldest first."""
    tickets = (
        await session.exec(
            select(Ticket)
            .where(
                Ticket.estate_id == estate_id,
                col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(col(Ticket.created_at), col(Ticket.id))
        )
    ).all()
    views = await _views(session, list(tickets))
    return sorted(views, key=lambda v: (not v.overdue(now), v.ticket.urgency != Urgency.urgent))


# --- creating --------------------------------------------------------------------------------


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


# Serialise numbering per estate by writing to its row first: on PostgreSQL that locks the row,
# on SQLite it takes the write lock before MAX() is read. The unique constraint and the retry in
# `create` stay as the net. Core statements, built once: nothing here is an ORM object.
_estate, _ticket = _table(Estate), _table(Ticket)
_TOUCH_ESTATE = (
    update(_estate).where(_estate.c.id == bindparam("estate_id")).values(name=_estate.c.name)
)
_LAST_NUMBER = select(func.max(_ticket.c.number)).where(
    _ticket.c.estate_id == bindparam("estate_id")
)


async def _next_number(session: AsyncSession, estate_id: int) -> int:
    connection = await session.connection()
    params = {"estate_id": estate_id}
    await connection.execute(_TOUCH_ESTATE, params)
    current = (await connection.execute(_LAST_NUMBER, params)).scalar()
    return int(current or 0) + 1


# "My requests" is a menu button: built once, Core rows kept as detached tickets (the ORM
# query built per call was a fifth of that update's CPU, benchmarks/README.md).
_FOR_OWNER = (
    select(*_ticket.c)
    .where(_ticket.c.owner_id == bindparam("owner_id"))
    .order_by(
        case((_ticket.c.status.in_([s.value for s in FINAL_STATUSES]), 1), else_=0),
        func.coalesce(_ticket.c.updated_at, _ticket.c.created_at).desc(),
        _ticket.c.id.desc(),
    )
    .limit(bindparam("limit"))
)


async def create(
    session: AsyncSession,
    *,
    estate: Estate,
    owner: Owner,
    kind: TicketKind,
    category: str,
    description: str,
    unit_id: int | None,
    location: str | None,
    urgency: Urgency,
    preferred_time: str | None,
    contact_phone: str | None,
    wants_call: bool,
    photos: Sequence[tuple[str, str]],
    now: datetime,
    notify: Notify,
    documents: Collection[str] = (),
) -> TicketView:
    """Open a ticket with the next per-estate number and its SLA deadline, event and drafts.
    `documents` names (by file_unique_id) the photos the owner sent as files."""
    categories = REPAIR_CATEGORIES if kind == TicketKind.repair else COMPLAINT_CATEGORIES
    description = description.strip()
    if category not in categories:
        raise TicketError(RefusalCode.invalid, detail=Detail.category)
    if meaningful_length(description) < DESCRIPTION_MIN or len(description) > DESCRIPTION_MAX:
        raise TicketError(RefusalCode.invalid, detail=Detail.description)
    if len(photos) > MAX_PHOTOS:
        raise TicketError(RefusalCode.invalid, detail=Detail.photos)
    if owner.estate_id != estate.id or owner.status != OwnerStatus.verified:
        raise TicketError(RefusalCode.forbidden)
    if unit_id is None and not (location and location.strip()):
        raise TicketError(RefusalCode.invalid, detail=Detail.place)
    # Plain values, because a retry rolls back and expires the caller's objects.
    estate_id, owner_id = estate.id, owner.id
    if estate_id is None or owner_id is None:
        raise UnsavedRowError("estate_id, owner_id: not saved yet")
    due = sla_due(estate, kind, urgency, now)
    values = {
        "estate_id": estate_id,
        "kind": str(kind),
        "owner_id": owner_id,
        "unit_id": unit_id,
        "location": location.strip() if location else None,
        "category": category,
        "description": description,
        "urgency": str(urgency),
        "preferred_time": preferred_time,
        "contact_phone": contact_phone,
        "wants_call": wants_call,
        "status": TicketStatus.new.value,
        "sla_due_at": due,
        "created_at": now,
        "updated_at": now,
    }
    for attempt in range(5):
        number = await _next_number(session, estate_id)
        try:
            ticket = await _inserted(session, Ticket, {**values, "number": number})
        except IntegrityError:
            await session.rollback()
            for obj in (estate, owner):
                if obj in session:
                    await session.refresh(obj)
            if attempt == 4:
                raise
            continue
        break
    tid = saved_id(ticket)
    added = [
        await _inserted(
            session,
            TicketPhoto,
            {
                "ticket_id": tid,
                "file_id": file_id,
                "file_unique_id": file_unique_id,
                "as_document": file_unique_id in documents,
            },
        )
        for file_id, file_unique_id in photos
    ]
    event = await _inserted(
        session,
        TicketEvent,
        {
            "ticket_id": tid,
            "at": now,
            "actor": str(Actor.owner(owner_id)),
            "type": TicketEventType.created.value,
            "data": {},
        },
    )
    # Nothing to read back: this transaction wrote the ticket, its photos (in id order) and
    # its only event, the owner is the caller's and nobody is assigned yet.
    unit = await _unit(session, unit_id) if unit_id is not None else None
    return await _publish(
        session, TicketView(ticket, owner, unit, None, added, [event]), event, notify
    )


Row = TypeVar("Row", Ticket, TicketPhoto, TicketEvent)
_INSERTS = {
    model: insert(_table(model)).returning(*_table(model).c)
    for model in (Ticket, TicketPhoto, TicketEvent)
}
_UNIT = select(*_table(Unit).c).where(_table(Unit).c.id == bindparam("unit_id"))


async def _inserted(session: AsyncSession, model: type[Row], values: dict[str, Any]) -> Row:
    """A new row written with a Core INSERT on the session's connection, as stored (column
    defaults included) and detached: the ORM's flush of one object costs several times more
    (benchmarks/README.md)."""
    connection = await session.connection()
    row = (await connection.execute(_INSERTS[model], values)).one()
    return detached(model, zip(row._fields, row, strict=True))


async def _unit(session: AsyncSession, unit_id: int) -> Unit | None:
    connection = await session.connection()
    row = (await connection.execute(_UNIT, {"unit_id": unit_id})).first()
    return None if row is None else detached(Unit, zip(row._fields, row, strict=True))


# --- transitions -----------------------------------------------------------------------------


async def _load(session: AsyncSession, ticket_id: int, actor: Actor) -> Ticket:
    """The ticket, locked for this transaction; a ticket the actor may not see is 'not found'."""
    ticket = await session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
    if ticket is None:
        raise TicketError(RefusalCode.not_found)
    if actor.kind == "owner" and ticket.owner_id != actor.id:
        raise TicketError(RefusalCode.not_found)
    if actor.kind == "staff" and actor.estate_id not in (None, ticket.estate_id):
        raise TicketError(RefusalCode.not_found)
    return ticket


def refusal(
    ticket: Ticket,
    code: RefusalCode = RefusalCode.bad_transition,
    detail: Detail | str = Detail.none,
) -> TicketError:
    """The error for an operation the ticket's state (or the actor's rights) does not allow."""
    return TicketError(code, ticket.number, str(ticket.status), detail)


def _require_status(ticket: Ticket, allowed: Sequence[TicketStatus]) -> None:
    if ticket.status not in allowed:
        raise refusal(ticket)


def _require_staff(
    ticket: Ticket,
    actor: Actor,
    *,
    technician: bool = True,
    roles: frozenset[StaffRole] | None = None,
) -> None:
    """Staff rights: `roles` limits who may act; technicians act only on tickets assigned to them
    (and only where `technician` allows it at all)."""
    if actor.kind == "system":
        return
    if actor.kind != "staff":
        raise refusal(ticket, RefusalCode.forbidden)
    if roles is not None and actor.role not in roles:
        raise refusal(ticket, RefusalCode.forbidden, Detail.role)
    if actor.role == StaffRole.technician:
        if not technician:
            raise refusal(ticket, RefusalCode.forbidden, Detail.role)
        if ticket.assignee_id != actor.id:
            raise refusal(ticket, RefusalCode.not_assignee)


def _text(value: str | None, ticket: Ticket, *, required: bool = False) -> str | None:
    value = (value or "").strip() or None
    if (required and value is None) or (value is not None and len(value) > TEXT_MAX):
        raise refusal(ticket, RefusalCode.invalid, Detail.text)
    return value


def _event(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    type_: TicketEventType,
    data: dict[str, Any],
) -> TicketEvent:
    if actor.name:
        data = {"by": actor.name, **data}
    if ticket.id is None:
        raise UnsavedRowError("ticket.id: not saved yet")
    event = TicketEvent(ticket_id=ticket.id, at=now, actor=str(actor), type=type_, data=data)
    session.add(event)
    return event


async def _finish(
    session: AsyncSession,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    type_: TicketEventType,
    data: dict[str, Any],
    notify: Notify,
) -> TicketView:
    """Write the event and the drafts for it, and commit."""
    ticket.updated_at = now
    session.add(ticket)
    event = _event(session, ticket, actor, now, type_, data)
    await session.flush()
    return await _publish(session, await _view(session, ticket), event, notify)


async def _publish(
    session: AsyncSession, view: TicketView, event: TicketEvent, notify: Notify
) -> TicketView:
    """Queue the drafts the event calls for and commit."""
    await outbox.add_all(session, notify(view, event))
    await session.commit()
    return view


def _responded(ticket: Ticket, now: datetime) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = now


async def assign(
    session: AsyncSession,
    ticket_id: int,
    *,
    assignee: StaffMember,
    actor: Actor,
    now: datetime,
    notify: Notify,
    take: bool = False,
) -> TicketView:
    """Give the ticket to a staff member; technicians may only take unassigned tickets for
    themselves. `take` (the Take button) only claims a ticket nobody holds: of colleagues
    pressing Take at once, the first gets it and the others are told."""
    ticket = await _load(session, ticket_id, actor)
    _require_status(
        ticket,
        [TicketStatus.new, TicketStatus.assigned, TicketStatus.in_progress, TicketStatus.reopened],
    )
    # A reopened ticket is up for grabs again, whoever held it before.
    if (
        take
        and ticket.status != TicketStatus.reopened
        and ticket.assignee_id not in (None, assignee.id)
    ):
        await _holder_refusal(session, ticket_id)
    if actor.kind == "owner":
        raise refusal(ticket, RefusalCode.forbidden)
    if actor.role == StaffRole.technician and ticket.assignee_id not in (None, actor.id):
        await _holder_refusal(session, ticket_id)
    if actor.role == StaffRole.technician and assignee.id != actor.id:
        raise refusal(ticket, RefusalCode.forbidden, Detail.role)
    if not assignee.active or assignee.estate_id != ticket.estate_id:
        raise refusal(ticket, RefusalCode.invalid, Detail.assignee)
    if ticket.assignee_id == assignee.id and ticket.status != TicketStatus.reopened:
        raise refusal(ticket)
    previous, seen_status = ticket.assignee_id, ticket.status
    status = TicketStatus.in_progress if seen_status == TicketStatus.in_progress else None
    # A conditional update on the state and assignee just read: of colleagues pressing Take at
    # once (where the row lock above is no lock, as on SQLite), exactly one changes the row.
    claimed = await session.exec(
        update(Ticket)
        .where(
            col(Ticket.id) == ticket.id,
            col(Ticket.status) == seen_status,
            col(Ticket.assignee_id).is_(None)
            if previous is None
            else col(Ticket.assignee_id) == previous,
        )
        .values(assignee_id=assignee.id, status=status or TicketStatus.assigned)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        await session.rollback()
        await _holder_refusal(session, ticket_id)
    ticket.assignee_id = assignee.id
    ticket.status = status or TicketStatus.assigned
    _responded(ticket, now)
    data = {"assignee_id": assignee.id, "assignee": assignee.name, "previous_id": previous}
    return await _finish(session, ticket, actor, now, TicketEventType.assigned, data, notify)


async def _holder_refusal(session: AsyncSession, ticket_id: int) -> None:
    """Refuse a lost race for a ticket, naming the colleague who has it now."""
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None:
        raise TicketError(RefusalCode.not_found)
    holder = await session.get(StaffMember, ticket.assignee_id) if ticket.assignee_id else None
    raise refusal(ticket, RefusalCode.taken, holder.name if holder else "")


async def start_work(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    now: datetime,
    notify: Notify,
    technician: StaffMember | None = None,
) -> TicketView:
    """Dispatch: the ticket goes in progress and the technician doing the work gets the work
    order (the notify sends it): the assignee, or `technician`, who then holds the ticket (an
    agent who took it hands it on; a new ticket is handed over and sent at once). A work
    order goes to a technician only: anyone else is refused with Detail.technician.

    Dispatching a ticket already in progress sends the work order again, e.g. once the
    technician has opened a private chat with the bot."""
    ticket = await _load(session, ticket_id, actor)
    # A reopened ticket still held by someone goes back to them.
    allowed = [TicketStatus.assigned, TicketStatus.in_progress, TicketStatus.reopened]
    if technician is not None:
        allowed.append(TicketStatus.new)
    _require_status(ticket, allowed)
    if technician is not None and actor.role == StaffRole.technician:
        # A technician sends herself, and only on a ticket no colleague holds.
        if technician.id != actor.id:
            raise refusal(ticket, RefusalCode.forbidden, Detail.role)
        if ticket.assignee_id not in (None, actor.id):
            await _holder_refusal(session, ticket_id)
    else:
        _require_staff(ticket, actor)
    previous = ticket.assignee_id
    going = technician
    if going is None and previous is not None:
        going = await session.get(StaffMember, previous)
    if going is None or not going.active or going.estate_id != ticket.estate_id:
        raise refusal(ticket, RefusalCode.invalid, Detail.assignee)
    if going.role != StaffRole.technician:
        raise refusal(ticket, RefusalCode.invalid, Detail.technician)
    ticket.assignee_id = going.id
    ticket.status = TicketStatus.in_progress
    _responded(ticket, now)
    data = {"assignee_id": going.id, "assignee": going.name, "previous_id": previous}
    return await _finish(session, ticket, actor, now, TicketEventType.started, data, notify)


async def resolve(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    now: datetime,
    text: str | None,
    notify: Notify,
) -> TicketView:
    """Work done: the owner is asked to confirm. Complaints may be resolved straight from new."""
    ticket = await _load(session, ticket_id, actor)
    allowed = [TicketStatus.assigned, TicketStatus.in_progress]
    if ticket.kind == TicketKind.complaint:
        allowed += [TicketStatus.new, TicketStatus.reopened]
    elif ticket.assignee_id is not None:
        allowed.append(TicketStatus.reopened)
    _require_status(ticket, allowed)
    _require_staff(ticket, actor)
    note = _text(text, ticket)
    ticket.status = TicketStatus.resolved
    ticket.resolved_at = now
    _responded(ticket, now)
    return await _finish(
        session, ticket, actor, now, TicketEventType.resolved, {"text": note}, notify
    )


async def close(
    session: AsyncSession, ticket_id: int, *, actor: Actor, now: datetime, notify: Notify
) -> TicketView:
    """Close a resolved ticket (agents and managers); its call-back task opens with it."""
    ticket = await _load(session, ticket_id, actor)
    if ticket.status in OPEN_STATUSES:
        raise refusal(ticket, detail=Detail.resolve_first)
    _require_status(ticket, [TicketStatus.resolved])
    _require_staff(ticket, actor, roles=frozenset({StaffRole.agent, StaffRole.manager}))
    ticket.status = TicketStatus.closed
    ticket.closed_at = now
    await call_backs.task_on_close(session, ticket, now)
    return await _finish(session, ticket, actor, now, TicketEventType.closed, {}, notify)


async def reopen(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None,
    notify: Notify,
) -> TicketView:
    """Back to work after a resolution that did not hold; a closed ticket only by a manager
    (the event records that it had been closed)."""
    ticket = await _load(session, ticket_id, actor)
    _require_status(ticket, [TicketStatus.resolved, TicketStatus.closed])
    _require_staff(ticket, actor, technician=False)
    was = TicketStatus(ticket.status)
    if was == TicketStatus.closed and actor.kind == "staff" and actor.role != StaffRole.manager:
        raise refusal(ticket, RefusalCode.forbidden, Detail.manager_reopens)
    why = _text(reason, ticket)
    _reopen(ticket)
    data = {"reason": why, "was": was.value}
    return await _finish(session, ticket, actor, now, TicketEventType.reopened, data, notify)


def _reopen(ticket: Ticket) -> None:
    ticket.status = TicketStatus.reopened
    ticket.resolved_at = None
    ticket.closed_at = None


async def cancel(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None,
    notify: Notify,
) -> TicketView:
    """Withdraw a ticket nobody has started: the owner their own, or a manager."""
    ticket = await _load(session, ticket_id, actor)
    _require_status(ticket, [TicketStatus.new, TicketStatus.assigned])
    if actor.kind == "staff":
        _require_staff(ticket, actor, roles=frozenset({StaffRole.manager}))
    why = _text(reason, ticket)
    ticket.status = TicketStatus.cancelled
    ticket.closed_at = now
    return await _finish(
        session, ticket, actor, now, TicketEventType.cancelled, {"reason": why}, notify
    )


async def confirm_fixed(
    session: AsyncSession,
    ticket_id: int,
    *,
    owner_id: int,
    fixed: bool,
    reason: str | None,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """The owner's answer to "Is it fixed?": yes closes (opening the call-back task), no
    reopens — also a ticket staff closed before the owner answered, within
    OWNER_REOPEN_WINDOW of its closing."""
    actor = Actor.owner(owner_id)
    ticket = await _load(session, ticket_id, actor)
    recently_closed = (
        ticket.status == TicketStatus.closed
        and ticket.closed_at is not None
        and now - ticket.closed_at <= OWNER_REOPEN_WINDOW
    )
    if fixed or not recently_closed:
        _require_status(ticket, [TicketStatus.resolved])
    why = _text(reason, ticket)
    if fixed:
        ticket.status = TicketStatus.closed
        ticket.closed_at = now
        await call_backs.task_on_close(session, ticket, now)
        return await _finish(
            session, ticket, actor, now, TicketEventType.closed, {"confirmed": True}, notify
        )
    was = TicketStatus(ticket.status)
    _reopen(ticket)
    data = {"reason": why, "by_owner": True, "was": was.value}
    return await _finish(session, ticket, actor, now, TicketEventType.reopened, data, notify)


async def rate(
    session: AsyncSession,
    ticket_id: int,
    *,
    owner_id: int,
    rating: int,
    comment: str | None,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """The owner rates a closed ticket, once."""
    actor = Actor.owner(owner_id)
    ticket = await _load(session, ticket_id, actor)
    _require_status(ticket, [TicketStatus.closed])
    if ticket.rating is not None:
        raise refusal(ticket, RefusalCode.already_rated)
    if not 1 <= rating <= 5:
        raise refusal(ticket, RefusalCode.invalid, Detail.rating)
    ticket.rating = rating
    ticket.rating_comment = _text(comment, ticket)
    data = {"rating": rating, "comment": ticket.rating_comment}
    return await _finish(session, ticket, actor, now, TicketEventType.rated, data, notify)


async def add_rating_comment(
    session: AsyncSession,
    ticket_id: int,
    *,
    owner_id: int,
    comment: str,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """The owner's comment on stars already given (stored on their own, so none are lost), once."""
    actor = Actor.owner(owner_id)
    ticket = await _load(session, ticket_id, actor)
    _require_status(ticket, [TicketStatus.closed])
    if ticket.rating is None:
        raise refusal(ticket, RefusalCode.not_rated)
    if ticket.rating_comment is not None:
        raise refusal(ticket, RefusalCode.already_commented)
    ticket.rating_comment = _text(comment, ticket, required=True)
    data = {"rating": ticket.rating, "text": ticket.rating_comment}
    return await _finish(session, ticket, actor, now, TicketEventType.rating_comment, data, notify)


async def add_comment(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    text: str | None,
    photos: Sequence[tuple[str, str]],
    now: datetime,
    notify: Notify,
) -> TicketView:
    """The owner adds a comment and/or photos to a ticket (forwarded to the staff group).

    Closed tickets take comments too: staff may still write to the owner about one, and the
    owner's answer must reach them. Only a cancelled ticket is past talking about."""
    ticket = await _load(session, ticket_id, actor)
    if actor.kind != "owner":
        raise refusal(ticket, RefusalCode.forbidden)
    _require_status(ticket, [*OPEN_STATUSES, TicketStatus.resolved, TicketStatus.closed])
    note = _text(text, ticket, required=not photos)
    if len(photos) > MAX_PHOTOS:
        raise refusal(ticket, RefusalCode.invalid, Detail.photos)
    added = []
    for file_id, file_unique_id in photos:
        photo = TicketPhoto(ticket_id=ticket_id, file_id=file_id, file_unique_id=file_unique_id)
        session.add(photo)
        added.append(file_id)
    return await _finish(
        session,
        ticket,
        actor,
        now,
        TicketEventType.comment,
        {"text": note, "photos": added},
        notify,
    )


async def add_note(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    text: str,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """An internal staff note; it never reaches the owner."""
    ticket = await _load(session, ticket_id, actor)
    _require_staff(ticket, actor)
    note = _text(text, ticket, required=True)
    return await _finish(session, ticket, actor, now, TicketEventType.note, {"text": note}, notify)


async def reply(
    session: AsyncSession,
    ticket_id: int,
    *,
    actor: Actor,
    text: str | None,
    photo: tuple[str, str] | None,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """A staff message to the owner (text and/or a photo); the first is the first response."""
    ticket = await _load(session, ticket_id, actor)
    if ticket.status == TicketStatus.cancelled:
        raise refusal(ticket)
    _require_staff(ticket, actor)
    if ticket.owner_id is None:
        raise refusal(ticket, RefusalCode.invalid, Detail.owner)
    message = _text(text, ticket, required=photo is None)
    data: dict[str, Any] = {"text": message}
    if photo is not None:
        session.add(
            TicketPhoto(
                ticket_id=ticket_id, file_id=photo[0], file_unique_id=photo[1], from_staff=True
            )
        )
        data["photo"] = photo[0]
    if ticket.status == TicketStatus.new and ticket.assignee_id is None and actor.id is not None:
        # As helpdesks do: whoever answers a new ticket first is on it, and the card says so.
        ticket.assignee_id = actor.id
        ticket.status = TicketStatus.assigned
        taken = {"assignee_id": actor.id, "assignee": actor.name, "previous_id": None}
        _event(session, ticket, actor, now, TicketEventType.assigned, taken)
    _responded(ticket, now)
    return await _finish(session, ticket, actor, now, TicketEventType.reply, data, notify)


async def set_grade(
    session: AsyncSession,
    ticket_id: int,
    *,
    grade: Grade,
    actor: Actor,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """Grade a complaint A (serious) or B."""
    ticket = await _load(session, ticket_id, actor)
    if ticket.kind != TicketKind.complaint:
        raise refusal(ticket, RefusalCode.not_complaint)
    if grade not in ("A", "B"):
        raise refusal(ticket, RefusalCode.invalid, Detail.grade)
    _require_staff(ticket, actor, technician=False)
    previous = ticket.grade
    ticket.grade = grade
    return await _finish(
        session,
        ticket,
        actor,
        now,
        TicketEventType.graded,
        {"grade": grade, "previous": previous},
        notify,
    )


async def reschedule(
    session: AsyncSession,
    ticket_id: int,
    *,
    day: date,
    actor: Actor,
    now: datetime,
    notify: Notify,
) -> TicketView:
    """Promise the owner a new visit day (not in the past, estate time)."""
    ticket = await _load(session, ticket_id, actor)
    _require_status(ticket, list(OPEN_STATUSES))
    _require_staff(ticket, actor)
    estate = await session.get(Estate, ticket.estate_id)
    if estate is None:
        raise LookupError("the ticket's estate is gone")
    if day < calendar.local(estate, now).date():
        raise refusal(ticket, RefusalCode.invalid, Detail.date)
    previous = ticket.scheduled_for
    ticket.scheduled_for = day
    data = {"day": day.isoformat(), "previous": previous.isoformat() if previous else None}
    return await _finish(session, ticket, actor, now, TicketEventType.rescheduled, data, notify)


async def log_call(
    session: AsyncSession, ticket_id: int, *, actor: Actor, now: datetime, notify: Notify
) -> TicketView:
    """Record that a staff member looked up the owner's phone to call them."""
    ticket = await _load(session, ticket_id, actor)
    if actor.kind == "owner":
        raise refusal(ticket, RefusalCode.forbidden)
    if actor.role == StaffRole.technician and ticket.assignee_id not in (None, actor.id):
        raise refusal(ticket, RefusalCode.not_assignee)
    return await _finish(session, ticket, actor, now, TicketEventType.called, {}, notify)
