"""What a monthly report holds, gathered from the KPI functions and the month's rows as plain
data, so the dashboard and the workbook render it without a database (bot/documents/)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import calendar, call_backs, kpis, surveys
from storage.kpis import (
    CategoryCount,
    Collection,
    Durations,
    Period,
    Rate,
    Satisfaction,
    WeekCount,
)
from storage.models import (
    Callback,
    Estate,
    Owner,
    StaffMember,
    Ticket,
    TicketKind,
    TicketStatus,
    Unit,
)


@dataclass(frozen=True)
class Targets:
    """The estate's KPI targets in per cent (the seeds' values unless changed)."""

    complaint_reply: int
    complaint_callback: int
    collection: int
    satisfaction: int
    satisfaction_item: int

    @classmethod
    def of(cls, estate: Estate) -> "Targets":
        return cls(
            estate.target_complaint_reply_pct,
            estate.target_complaint_callback_pct,
            estate.target_collection_pct,
            estate.target_satisfaction_pct,
            estate.target_satisfaction_item_pct,
        )


@dataclass(frozen=True)
class Figures:
    """Every KPI of one period (what /stats shows and the dashboard draws)."""

    period: Period
    targets: Targets
    opened: list[CategoryCount]
    closed: list[CategoryCount]
    response: Durations
    resolution: Durations
    sla: Rate
    reopen: Rate
    complaint_reply: Rate
    complaint_callback: Rate
    repair_callback: Rate
    collection: Collection
    satisfaction: Satisfaction
    coverage: Rate

    def opened_count(self, kind: TicketKind | None = None) -> int:
        return sum(c.count for c in self.opened if kind is None or c.kind == kind)

    def closed_count(self, kind: TicketKind | None = None) -> int:
        return sum(c.count for c in self.closed if kind is None or c.kind == kind)


@dataclass(frozen=True)
class WorkOrderRow:
    """One ticket opened in the month, with its timings (local wall-clock times)."""

    number: int
    kind: str
    category: str
    urgency: str
    status: str
    grade: str | None
    place: str
    assignee: str | None
    opened: datetime
    sla_due: datetime | None
    first_response: datetime | None
    resolved: datetime | None
    closed: datetime | None
    response_hours: float | None
    resolution_hours: float | None
    sla_met: bool | None
    rating: int | None


@dataclass(frozen=True)
class ComplaintCell:
    category: str
    grade: str | None
    status: str
    count: int


@dataclass(frozen=True)
class CallBackRow:
    ticket_number: int | None
    origin: str
    topic: str
    due: datetime
    status: str
    staff: str | None
    outcome: str | None


@dataclass(frozen=True)
class MonthReport:
    """The figures of one local month plus the rows behind them, for the documents."""

    estate_name: str
    locale: str
    time_zone: str
    generated_at: datetime
    figures: Figures
    weeks: list[WeekCount]
    buildings: list[Collection]
    work_orders: list[WorkOrderRow] = field(default_factory=list)
    complaints: list[ComplaintCell] = field(default_factory=list)
    call_backs: list[CallBackRow] = field(default_factory=list)


async def figures(session: AsyncSession, estate: Estate, period: Period, now: datetime) -> Figures:
    """All the KPIs of `period`, each from its own function in storage/kpis.py (the call-back
    rates in storage/call_backs.py, beside the tasks they count)."""
    return Figures(
        period=period,
        targets=Targets.of(estate),
        opened=await kpis.tickets_opened(session, estate, period),
        closed=await kpis.tickets_closed(session, estate, period),
        response=await kpis.first_response_times(session, estate, period),
        resolution=await kpis.resolution_times(session, estate, period),
        sla=await kpis.sla_compliance(session, estate, period, now),
        reopen=await kpis.reopen_rate(session, estate, period),
        complaint_reply=await kpis.complaint_reply_rate(session, estate, period, now),
        complaint_callback=await call_backs.complaint_callback_rate(
            session, estate.id or 0, period.start, period.end
        ),
        repair_callback=await call_backs.repair_callback_rate(
            session, estate.id or 0, period.start, period.end
        ),
        collection=await kpis.collection_rate(session, estate, period, as_of=now),
        satisfaction=surveys.in_survey_order(await kpis.satisfaction(session, estate, period)),
        coverage=await kpis.survey_coverage(session, estate, period.first_day.year),
    )


async def _work_orders(
    session: AsyncSession, estate: Estate, period: Period, now: datetime
) -> list[WorkOrderRow]:
    # Columns, not Ticket objects: a month can be 20 000 rows, and the ORM's identity map
    # would double the time it takes to read them.
    columns: list[Any] = [
        Ticket.number,
        Ticket.kind,
        Ticket.category,
        Ticket.urgency,
        Ticket.status,
        Ticket.grade,
        Ticket.location,
        Ticket.rating,
        Ticket.created_at,
        Ticket.sla_due_at,
        Ticket.first_response_at,
        Ticket.resolved_at,
        Ticket.closed_at,
        Unit.building,
        Unit.number,
        StaffMember.name,
    ]
    rows = await session.exec(
        select(*columns)
        .outerjoin(Unit, col(Unit.id) == col(Ticket.unit_id))
        .outerjoin(StaffMember, col(StaffMember.id) == col(Ticket.assignee_id))
        .where(
            col(Ticket.estate_id) == estate.id,
            col(Ticket.created_at) >= period.start,
            col(Ticket.created_at) < period.end,
        )
        .order_by(col(Ticket.number))
    )
    tz = calendar.zone(estate)

    def here(at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(tz)

    def hours(until: datetime | None, opened: datetime) -> float | None:
        if until is None:
            return None
        return calendar.working_minutes_between(estate, opened, until) / 60

    found = []
    for (
        number, kind, category, urgency, status, grade, location, rating,
        opened, sla_due, responded, resolved, closed, building, unit_number, assignee,
    ) in rows:  # fmt: skip
        place = f"{building}-{unit_number}" if building is not None else (location or "")
        met = None
        if sla_due is not None and responded is not None:
            met = responded <= sla_due
        elif sla_due is not None and sla_due <= now and status != TicketStatus.cancelled:
            met = False
        found.append(
            WorkOrderRow(
                number=number,
                kind=kind,
                category=category,
                urgency=urgency,
                status=status,
                grade=grade,
                place=place,
                assignee=assignee,
                opened=opened.astimezone(tz),
                sla_due=here(sla_due),
                first_response=here(responded),
                resolved=here(resolved),
                closed=here(closed),
                response_hours=hours(responded, opened),
                resolution_hours=hours(resolved, opened),
                sla_met=met,
                rating=rating,
            )
        )
    return found


async def _complaints(
    session: AsyncSession, estate: Estate, period: Period
) -> list[ComplaintCell]:
    count = func.count(col(Ticket.id))
    rows = await session.exec(
        select(Ticket.category, Ticket.grade, Ticket.status, count)
        .where(
            col(Ticket.estate_id) == estate.id,
            col(Ticket.kind) == TicketKind.complaint,
            col(Ticket.created_at) >= period.start,
            col(Ticket.created_at) < period.end,
        )
        .group_by(col(Ticket.category), col(Ticket.grade), col(Ticket.status))
        .order_by(col(Ticket.category), col(Ticket.grade), col(Ticket.status))
    )
    return [ComplaintCell(c, g, s, n) for c, g, s, n in rows]


async def _call_backs(session: AsyncSession, estate: Estate, period: Period) -> list[CallBackRow]:
    staff = aliased(StaffMember)
    # Tasks by their deadline, owners' bookings by their slot.
    when = func.coalesce(col(Callback.due_at), col(Callback.slot_start))
    columns: list[Any] = [
        Callback.origin,
        Callback.topic,
        Callback.due_at,
        Callback.slot_start,
        Callback.status,
        Callback.outcome,
        Ticket.number,
        staff.name,
    ]
    rows = await session.exec(
        select(*columns)
        .join(Owner, col(Owner.id) == col(Callback.owner_id))
        .outerjoin(Ticket, col(Ticket.id) == col(Callback.ticket_id))
        .outerjoin(staff, col(staff.id) == col(Callback.staff_id))
        .where(
            col(Owner.estate_id) == estate.id,
            when >= period.start,
            when < period.end,
        )
        .order_by(when)
    )
    tz = calendar.zone(estate)
    return [
        CallBackRow(
            ticket_number=number,
            origin=origin,
            topic=topic,
            due=(due_at or slot_start).astimezone(tz),
            status=status,
            staff=name,
            outcome=outcome,
        )
        for origin, topic, due_at, slot_start, status, outcome, number, name in rows
    ]


async def month_report(
    session: AsyncSession, estate: Estate, period: Period, now: datetime
) -> MonthReport:
    """Everything the dashboard and the workbook of `period` show."""
    return MonthReport(
        estate_name=estate.name,
        locale=estate.locale,
        time_zone=estate.time_zone,
        generated_at=calendar.local(estate, now),
        figures=await figures(session, estate, period, now),
        weeks=await kpis.tickets_per_week(session, estate, period),
        buildings=await kpis.collection_by_building(session, estate, period, as_of=now),
        work_orders=await _work_orders(session, estate, period, now),
        complaints=await _complaints(session, estate, period),
        call_backs=await _call_backs(session, estate, period),
    )
