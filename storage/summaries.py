"""Counts for the staff summaries (the 18:00 daily one and the weekly complaint one)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import call_backs
from storage.models import (
    Charge,
    Payment,
    Ticket,
    TicketKind,
    TicketStatus,
    Unit,
)
from storage.tickets import OPEN_STATUSES

UNGRADED = "-"


@dataclass
class Daily:
    """One day of an estate, by ticket kind ("repair", "complaint")."""

    new: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)
    open: Counter[str] = field(default_factory=Counter)
    overdue: Counter[str] = field(default_factory=Counter)
    # Complaints received, by grade ("A", "B", UNGRADED).
    complaint_grades: Counter[str] = field(default_factory=Counter)
    # Call-back tasks (回访) and owners' bookings due today (`storage.call_backs`).
    tasks: call_backs.TaskCounts = field(default_factory=lambda: call_backs.TaskCounts(0, 0, 0))
    bookings: call_backs.TaskCounts = field(default_factory=lambda: call_backs.TaskCounts(0, 0, 0))
    payments: int = 0
    # Amount recorded per currency (minor units).
    paid: dict[str, int] = field(default_factory=dict)


async def _by_kind(session: AsyncSession, *where: object) -> Counter[str]:
    query = (
        select(Ticket.kind, func.count())
        .where(*where)  # type: ignore[arg-type]
        .group_by(col(Ticket.kind))
    )
    return Counter({str(kind): int(n) for kind, n in (await session.exec(query)).all()})


async def daily(session: AsyncSession, estate_id: int, start: datetime, end: datetime) -> Daily:
    """From `start` to `end` (the local day so far): tickets new, closed, still open and
    overdue at `end`, complaints by grade, call-back tasks and booked call-backs due and done,
    payments recorded."""
    in_estate = Ticket.estate_id == estate_id
    summary = Daily()
    summary.new = await _by_kind(
        session, in_estate, col(Ticket.created_at) >= start, col(Ticket.created_at) < end
    )
    summary.closed = await _by_kind(
        session, in_estate, col(Ticket.closed_at) >= start, col(Ticket.closed_at) < end
    )
    open_now = (in_estate, col(Ticket.status).in_(list(OPEN_STATUSES)))
    summary.open = await _by_kind(session, *open_now)
    summary.overdue = await _by_kind(
        session,
        *open_now,
        col(Ticket.first_response_at).is_(None),
        col(Ticket.sla_due_at) < end,
    )
    grades = await session.exec(
        select(Ticket.grade, func.count())
        .where(
            in_estate,
            Ticket.kind == TicketKind.complaint,
            col(Ticket.created_at) >= start,
            col(Ticket.created_at) < end,
        )
        .group_by(col(Ticket.grade))
    )
    summary.complaint_grades = Counter({(grade or UNGRADED): int(n) for grade, n in grades.all()})
    summary.tasks = await call_backs.task_counts(session, estate_id, start, end)
    summary.bookings = await call_backs.booking_counts(session, estate_id, start, end)
    payments = await session.exec(
        select(Charge.currency, func.count(), func.sum(Payment.amount))
        .join(Charge, col(Charge.id) == Payment.charge_id)
        .join(Unit, col(Unit.id) == Charge.unit_id)
        .where(
            Unit.estate_id == estate_id,
            col(Payment.reversed_at).is_(None),
            col(Payment.created_at) >= start,
            col(Payment.created_at) < end,
        )
        .group_by(col(Charge.currency))
    )
    for currency, n, total in payments.all():
        summary.payments += int(n)
        summary.paid[currency] = int(total or 0)
    return summary


@dataclass
class Complaints:
    """Complaints received in a span, by category, grade and outcome."""

    total: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    grades: Counter[str] = field(default_factory=Counter)
    # "resolved" (resolved or closed), "open", "cancelled".
    outcomes: Counter[str] = field(default_factory=Counter)


def outcome(status: str) -> str:
    if status in (TicketStatus.resolved, TicketStatus.closed):
        return "resolved"
    return "cancelled" if status == TicketStatus.cancelled else "open"


async def complaints(
    session: AsyncSession, estate_id: int, start: datetime, end: datetime
) -> Complaints:
    rows = await session.exec(
        select(Ticket.category, Ticket.grade, Ticket.status, func.count())
        .where(
            Ticket.estate_id == estate_id,
            Ticket.kind == TicketKind.complaint,
            col(Ticket.created_at) >= start,
            col(Ticket.created_at) < end,
        )
        .group_by(col(Ticket.category), col(Ticket.grade), col(Ticket.status))
    )
    found = Complaints()
    for category, grade, status, n in rows.all():
        count = int(n)
        found.total += count
        found.categories[category] += count
        found.grades[grade or UNGRADED] += count
        found.outcomes[outcome(status)] += count
    return found
