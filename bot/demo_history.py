"""A few months of history for the demo estate, so /stats, /report and /export have something
to show: requests with their timings and events, call-back tasks, payments (one reversed) and
answered surveys. Deterministic (a seeded random), written once: an estate that already has
requests from before this month keeps what it has.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import calendar, call_backs
from storage.call_backs import TaskAction
from storage.db import SessionPool
from storage.models import (
    Callback,
    CallbackOrigin,
    CallbackStatus,
    CallbackTopic,
    Charge,
    Estate,
    Owner,
    OwnerUnit,
    Payment,
    StaffMember,
    StaffRole,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    TicketStatus,
    Unit,
    Urgency,
)
from storage.tickets import sla_due

# Two whole months before this one, and this one up to today.
MONTHS = 2
REPAIRS = (
    ("plumbing", 30), ("electrical", 20), ("doors_windows", 12), ("lift", 8),
    ("walls_ceiling", 8), ("common_appliances", 6), ("other", 4),
)  # fmt: skip
COMPLAINTS = (
    ("noise", 8), ("parking", 6), ("cleanliness", 5), ("attitude", 3), ("security", 2),
    ("fees", 2),
)  # fmt: skip
QUARTERLY_ITEMS = (
    "cleanliness", "security", "greenery", "repairs", "customer_service", "value_for_money",
)  # fmt: skip
POST_SERVICE_ITEMS = ("response_speed", "quality", "attitude")
ACTOR = "system:demo"


def _saved(row_id: int | None) -> int:
    """The id of a row that has been flushed."""
    if row_id is None:
        raise ValueError("row has no id: flush it first")
    return row_id


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


def _month_start(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


async def _has_history(session: AsyncSession, estate: Estate, before: datetime) -> bool:
    found = await session.exec(
        select(Ticket.id).where(Ticket.estate_id == estate.id, col(Ticket.created_at) < before)
    )
    return found.first() is not None


def _working_moment(rng: random.Random, estate: Estate, day: date) -> datetime:
    minutes = rng.randint(8 * 60, 20 * 60)
    return calendar.at_local(estate, day, time(minutes // 60, minutes % 60))


async def seed_history(session_pool: SessionPool, estate: Estate, now: datetime) -> int:
    """Write the demo's past months; returns how many requests it wrote (0 when it had them)."""
    rng = random.Random(20261101)
    today = calendar.local(estate, now).date()
    first = _month_start(today, MONTHS)
    async with session_pool() as session:
        if await _has_history(session, estate, calendar.at_local(estate, today, time(0))):
            return 0
        units = list(await session.exec(select(Unit).where(Unit.estate_id == estate.id)))
        links = list(
            await session.exec(
                select(OwnerUnit.unit_id, Owner.id)
                .join(Owner, col(Owner.id) == col(OwnerUnit.owner_id))
                .where(Owner.estate_id == estate.id)
            )
        )
        owner_of = {unit_id: _saved(owner_id) for unit_id, owner_id in links}
        staff = list(
            await session.exec(select(StaffMember).where(StaffMember.estate_id == estate.id))
        )
        technicians = [s for s in staff if s.role == StaffRole.technician] or staff
        agents = [s for s in staff if s.role != StaffRole.technician] or staff
        # After any request already made, so a re-seeded demo keeps its numbering unique.
        number = (
            await session.exec(
                select(func.coalesce(func.max(Ticket.number), 0)).where(
                    Ticket.estate_id == estate.id
                )
            )
        ).one()
        day = first
        written = 0
        while day < today:
            # Busier on weekdays.
            per_day = (
                rng.choice((1, 2, 2, 3, 3, 4)) if day.weekday() < 5 else rng.choice((0, 1, 2))
            )
            for _ in range(per_day):
                number += 1
                written += 1
                await _ticket(session, rng, estate, day, now, number, units, owner_of,
                              technicians, agents)  # fmt: skip
            day += timedelta(days=1)
        await _payments(session, rng, estate, first, today)
        await _surveys(session, rng, estate, first, today, units, owner_of)
        await session.commit()
        return written


async def _ticket(
    session: AsyncSession,
    rng: random.Random,
    estate: Estate,
    day: date,
    now: datetime,
    number: int,
    units: list[Unit],
    owner_of: dict[int, int],
    technicians: list[StaffMember],
    agents: list[StaffMember],
) -> None:
    complaint = rng.random() < 0.22
    kind = TicketKind.complaint if complaint else TicketKind.repair
    unit = rng.choice(units)
    opened = _working_moment(rng, estate, day)
    urgency = Urgency.urgent if not complaint and rng.random() < 0.1 else Urgency.normal
    due = sla_due(estate, kind, urgency, opened)
    # Most answers come within the SLA; a few are late.
    late = rng.random() < 0.08
    gap = (due - opened) * (rng.uniform(1.1, 3) if late else rng.uniform(0.05, 0.9))
    responded = opened + gap
    resolved = responded + timedelta(hours=rng.uniform(1, 30))
    closed_at = resolved + timedelta(hours=rng.uniform(2, 48))
    staffer = rng.choice(agents if complaint else technicians)
    status = TicketStatus.closed
    resolved_at: datetime | None = resolved
    closed: datetime | None = closed_at
    if closed_at > now:
        status, closed = TicketStatus.resolved, None
        if resolved > now:
            status, resolved_at = TicketStatus.in_progress, None
    ticket = Ticket(
        estate_id=_saved(estate.id),
        number=number,
        kind=kind,
        owner_id=owner_of.get(unit.id or 0),
        unit_id=unit.id,
        category=_pick(rng, COMPLAINTS if complaint else REPAIRS),
        description="(demo history)",
        urgency=urgency,
        status=status,
        grade=("A" if rng.random() < 0.2 else "B") if complaint else None,
        assignee_id=staffer.id,
        sla_due_at=due,
        first_response_at=responded if responded <= now else None,
        resolved_at=resolved_at,
        closed_at=closed,
        rating=rng.choice((3, 4, 4, 5, 5, 5)) if closed else None,
        created_at=opened,
        updated_at=closed or resolved_at or responded,
    )
    session.add(ticket)
    await session.flush()
    ev = TicketEventType
    events = [(ev.created, opened), (ev.assigned, responded)]
    if rng.random() < 0.06:
        # Not fixed the first time: resolved, reopened by the owner, resolved again.
        third = (resolved - responded) / 3
        events += [(ev.resolved, responded + third), (ev.reopened, responded + 2 * third)]
    events += [(ev.resolved, resolved), (ev.closed, closed_at)]
    session.add_all(
        TicketEvent(ticket_id=_saved(ticket.id), at=at, actor=ACTOR, type=type_)
        for type_, at in events
        if at <= now
    )
    if closed is not None and ticket.owner_id is not None:
        origin = CallbackOrigin.after_complaint if complaint else CallbackOrigin.after_repair
        task_due = call_backs.task_deadline(estate, origin, closed_at)
        reached = rng.random() < (0.95 if complaint else 0.85)
        # The call is made some time before the deadline; one still ahead is open.
        called = closed_at + (task_due - closed_at) * rng.uniform(0.1, 0.8)
        done = called <= now
        session.add(
            Callback(
                owner_id=ticket.owner_id,
                topic=CallbackTopic.ticket,
                ticket_id=ticket.id,
                slot_start=closed_at,
                slot_end=task_due,
                origin=origin,
                due_at=task_due,
                status=(CallbackStatus.done if reached else CallbackStatus.missed)
                if done
                else CallbackStatus.booked,
                staff_id=ticket.assignee_id,
                outcome=(TaskAction.reached if reached else TaskAction.not_reached)
                if done
                else None,
                done_at=called if done else None,
            )
        )


async def _payments(
    session: AsyncSession, rng: random.Random, estate: Estate, first: date, today: date
) -> None:
    charges = list(
        await session.exec(
            select(Charge)
            .join(Unit, col(Unit.id) == col(Charge.unit_id))
            .where(Unit.estate_id == estate.id, col(Charge.due_date) >= first)
        )
    )
    # What the cashier's demo payments (bot/demo_data.py) already settled is not paid twice.
    settled = dict(
        (
            await session.exec(
                select(Payment.charge_id, func.sum(Payment.amount))
                .where(col(Payment.reversed_at).is_(None))
                .group_by(col(Payment.charge_id))
            )
        ).all()
    )
    reversed_one = False
    for charge in sorted(charges, key=lambda c: (c.due_date, c.id or 0)):
        owed = charge.amount - int(settled.get(_saved(charge.id), 0) or 0)
        if charge.due_date > today or owed <= 0 or rng.random() > 0.93:
            continue
        paid_on = charge.due_date - timedelta(days=rng.randint(-5, 12))
        paid_at = datetime.combine(min(paid_on, today), time(3, 0), UTC)
        if not reversed_one:
            # A transfer that bounced, then the same amount paid again.
            session.add(
                Payment(charge_id=_saved(charge.id), amount=owed, paid_at=paid_at,
                        created_at=paid_at, method="transfer",
                        reversed_at=paid_at + timedelta(days=2),
                        reversal_reason="bank transfer returned")
            )  # fmt: skip
            paid_at += timedelta(days=3)
            reversed_one = True
        session.add(
            # Recorded when paid: the daily summary counts payments by when they were recorded.
            Payment(
                charge_id=_saved(charge.id),
                amount=owed,
                paid_at=paid_at,
                created_at=paid_at,
                method="wechat",
            )
        )


async def _surveys(
    session: AsyncSession,
    rng: random.Random,
    estate: Estate,
    first: date,
    today: date,
    units: list[Unit],
    owner_of: dict[int, int],
) -> None:
    # A quarter of the households each quarter, none twice a year.
    order = [u for u in units if u.id in owner_of]
    rng.shuffle(order)
    per_quarter = max(1, len(order) // 4)
    day = first
    sent = 0
    while day < today and sent < len(order):
        if day.day == 5:
            for unit in order[sent : sent + per_quarter]:
                sent_at = calendar.at_local(estate, day, time(10))
                survey = Survey(
                    kind=SurveyKind.quarterly,
                    owner_id=owner_of[unit.id or 0],
                    unit_id=unit.id,
                    quarter=f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                    sent_at=sent_at,
                    answered_at=sent_at + timedelta(hours=rng.randint(2, 60)),
                )
                session.add(survey)
                await session.flush()
                session.add_all(
                    SurveyAnswer(survey_id=_saved(survey.id), item=item,
                                 score=rng.choices((2, 3, 4, 5), (1, 2, 5, 8))[0])
                    for item in QUARTERLY_ITEMS
                )  # fmt: skip
            sent += per_quarter
        day += timedelta(days=1)
    for ticket in await session.exec(
        select(Ticket).where(Ticket.estate_id == estate.id, Ticket.status == TicketStatus.closed)
    ):
        if ticket.closed_at is None or ticket.owner_id is None or rng.random() > 0.6:
            continue
        answered = ticket.closed_at + timedelta(hours=rng.randint(16, 40))
        survey = Survey(
            kind=SurveyKind.post_service,
            owner_id=ticket.owner_id,
            unit_id=ticket.unit_id,
            ticket_id=ticket.id,
            sent_at=ticket.closed_at + timedelta(hours=14),
            answered_at=answered,
        )
        session.add(survey)
        await session.flush()
        session.add_all(
            SurveyAnswer(survey_id=_saved(survey.id), item=item,
                         score=rng.choices((1, 3, 4, 5), (1, 2, 6, 10))[0])
            for item in POST_SERVICE_ITEMS
        )  # fmt: skip
