"""The service centre's figures (KPIs), one function each, for /stats, /report and the workbook.

Every function reads one estate over one `Period`: a span of the estate's own calendar (a local
day, week or month), held as UTC instants `[start, end)`. Counting is done by SQL aggregates; the
only exception is the working-hours durations, whose median and 90th percentile need each ticket's
two timestamps (a narrow two-column read) because working hours follow the holiday calendar.
The docstring of each function is its definition: what is counted, what is excluded.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import calendar
from storage.models import (
    Charge,
    Estate,
    Owner,
    Payment,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    TicketStatus,
    Unit,
)

# Survey scores run from 1 to 5; satisfaction is the mean score ÷ 5.
TOP_SCORE = 5
TOP_CATEGORIES = 8


class PeriodError(ValueError):
    """A period that cannot be read ("2026-13"); the message says why."""


@dataclass(frozen=True)
class Period:
    """Local days `first_day` … `last_day` of the estate, as UTC instants `[start, end)`."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @classmethod
    def of_days(cls, estate: Estate, first_day: date, last_day: date) -> "Period":
        return cls(
            first_day,
            last_day,
            calendar.at_local(estate, first_day, time(0)),
            calendar.at_local(estate, last_day + timedelta(days=1), time(0)),
        )

    @property
    def month(self) -> str:
        return f"{self.first_day:%Y-%m}"


def month_period(estate: Estate, month: str) -> Period:
    """ "2026-11" → the whole of November on the estate's wall clock."""
    try:
        first = datetime.strptime(month.strip(), "%Y-%m").date()
    except ValueError:
        raise PeriodError(f"{month!r} is not a month of the form YYYY-MM") from None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period.of_days(estate, first, following - timedelta(days=1))


def current_period(estate: Estate, now: datetime, span: str) -> Period:
    """The local day, week (Monday to Sunday) or month that contains `now`."""
    today = calendar.local(estate, now).date()
    if span == "day":
        return Period.of_days(estate, today, today)
    if span == "week":
        monday = today - timedelta(days=today.weekday())
        return Period.of_days(estate, monday, monday + timedelta(days=6))
    if span == "month":
        return month_period(estate, f"{today:%Y-%m}")
    raise PeriodError(f"{span!r} is not day, week or month")


def previous_month(estate: Estate, now: datetime) -> Period:
    """The last whole local month before `now` (what the report of the 1st is about)."""
    today = calendar.local(estate, now).date()
    last = today.replace(day=1) - timedelta(days=1)
    return month_period(estate, f"{last:%Y-%m}")


@dataclass(frozen=True)
class Rate:
    """`hits` out of `total`; `pct` is None when there was nothing to count."""

    hits: int
    total: int

    @property
    def pct(self) -> float | None:
        return 100 * self.hits / self.total if self.total else None

    def meets(self, target_pct: float) -> bool | None:
        """Whether the rate reaches the target (None: nothing to judge)."""
        pct = self.pct
        return None if pct is None else pct >= target_pct


@dataclass(frozen=True)
class CategoryCount:
    kind: TicketKind
    category: str
    count: int


@dataclass(frozen=True)
class WeekCount:
    """Tickets opened in the local week starting `monday` (clipped to the period)."""

    monday: date
    repairs: int
    complaints: int


@dataclass(frozen=True)
class Durations:
    """Working hours from a ticket's opening to a moment: how many, median, 90th percentile."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class ItemScore:
    """One survey item: `rate` is the sum of its scores out of 5 × its answers, so `rate.pct`
    is the mean score ÷ 5 in per cent."""

    item: str
    answers: int
    rate: Rate

    @property
    def mean(self) -> float | None:
        return self.rate.hits / self.answers if self.answers else None


@dataclass(frozen=True)
class Satisfaction:
    """Satisfaction of a period: per item and `overall` (over every answer of every item)."""

    items: list[ItemScore]
    overall: Rate
    answers: int
    surveys: int

    def below(self, item_target: float) -> list[ItemScore]:
        """The items under the per-item target."""
        return [i for i in self.items if i.rate.meets(item_target) is False]


@dataclass(frozen=True)
class Collection:
    """Billed and paid (minor units) of charges due in the period; `building` None: all."""

    building: str | None
    billed: int
    paid: int
    currency: str

    @property
    def rate(self) -> Rate:
        return Rate(self.paid, self.billed)


def _opened(estate: Estate, period: Period) -> list[ColumnElement[bool]]:
    return [
        col(Ticket.estate_id) == estate.id,
        col(Ticket.created_at) >= period.start,
        col(Ticket.created_at) < period.end,
    ]


async def tickets_opened(
    session: AsyncSession, estate: Estate, period: Period
) -> list[CategoryCount]:
    """Tickets opened (created) in the period, by kind and category, most first. Cancelled
    tickets count: they were reported all the same."""
    return await _by_category(session, *_opened(estate, period))


async def tickets_closed(
    session: AsyncSession, estate: Estate, period: Period
) -> list[CategoryCount]:
    """Tickets closed in the period (closed_at inside it, status closed: cancelled tickets are
    withdrawn, not closed), whenever they were opened, by kind and category."""
    return await _by_category(
        session,
        col(Ticket.estate_id) == estate.id,
        col(Ticket.status) == TicketStatus.closed,
        col(Ticket.closed_at) >= period.start,
        col(Ticket.closed_at) < period.end,
    )


async def _by_category(session: AsyncSession, *where: ColumnElement[bool]) -> list[CategoryCount]:
    """The tickets `where` selects, counted by kind and category, most first."""
    count = func.count(col(Ticket.id))
    rows = await session.exec(
        select(Ticket.kind, Ticket.category, count)
        .where(*where)
        .group_by(col(Ticket.kind), col(Ticket.category))
        .order_by(count.desc(), col(Ticket.kind), col(Ticket.category))
    )
    return [CategoryCount(TicketKind(k), c, n) for k, c, n in rows]


async def tickets_per_week(
    session: AsyncSession, estate: Estate, period: Period
) -> list[WeekCount]:
    """Tickets opened per local week (Monday to Sunday, clipped to the period), repairs and
    complaints apart; cancelled tickets count as in `tickets_opened`."""
    weeks: list[tuple[date, datetime, datetime]] = []
    day = period.first_day
    while day <= period.last_day:
        monday = day - timedelta(days=day.weekday())
        last = min(monday + timedelta(days=6), period.last_day)
        clipped = Period.of_days(estate, day, last)
        weeks.append((monday, clipped.start, clipped.end))
        day = last + timedelta(days=1)
    created = col(Ticket.created_at)
    columns = [
        func.coalesce(
            func.sum(
                case((and_(created >= s, created < e, col(Ticket.kind) == kind), 1), else_=0)
            ),
            0,
        )
        for _, s, e in weeks
        for kind in (TicketKind.repair, TicketKind.complaint)
    ]
    row = (await session.exec(select(*columns).where(*_opened(estate, period)))).one()
    return [
        WeekCount(monday, int(row[2 * i]), int(row[2 * i + 1]))
        for i, (monday, _, _) in enumerate(weeks)
    ]


def _percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or
    below it (so the median of 1, 2, 3, 4 is 2, a value that occurred)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def _durations(
    session: AsyncSession, estate: Estate, period: Period, until: Any
) -> Durations:
    rows = await session.exec(
        select(Ticket.created_at, until).where(*_opened(estate, period), col(until).is_not(None))
    )
    hours = sorted(
        calendar.working_minutes_between(estate, opened, done) / 60 for opened, done in rows
    )
    return Durations(len(hours), _percentile(hours, 0.5), _percentile(hours, 0.9))


async def first_response_times(session: AsyncSession, estate: Estate, period: Period) -> Durations:
    """Working hours (the estate's working hours on its working days) from opening to the
    first staff response (taken, assigned, replied or resolved) of tickets opened in the
    period; tickets not yet answered are left out. Median and 90th percentile, nearest rank."""
    return await _durations(session, estate, period, Ticket.first_response_at)


async def resolution_times(session: AsyncSession, estate: Estate, period: Period) -> Durations:
    """Working hours from opening to the (latest) resolution of tickets opened in the period
    and resolved now; a reopened ticket counts from its new resolution, one still reopened is
    left out. Median and 90th percentile, nearest rank."""
    return await _durations(session, estate, period, Ticket.resolved_at)


async def _on_time(
    session: AsyncSession,
    estate: Estate,
    period: Period,
    now: datetime,
    kind: TicketKind | None,
) -> Rate:
    responded = col(Ticket.first_response_at)
    due = col(Ticket.sla_due_at)
    met = and_(responded.is_not(None), responded <= due)
    # Unanswered and past due is missed; unanswered but still in time is not judged yet, and a
    # ticket withdrawn before anyone answered is not judged at all.
    judged = or_(
        responded.is_not(None),
        and_(due <= now, col(Ticket.status) != TicketStatus.cancelled),
    )
    where = [*_opened(estate, period), due.is_not(None), judged]
    if kind is not None:
        where.append(col(Ticket.kind) == kind)
    row = (
        await session.exec(
            select(func.count(col(Ticket.id)), func.sum(case((met, 1), else_=0))).where(*where)
        )
    ).one()
    return Rate(int(row[1] or 0), int(row[0]))


async def sla_compliance(
    session: AsyncSession, estate: Estate, period: Period, now: datetime
) -> Rate:
    """Tickets opened in the period whose first staff response came by their SLA deadline
    (urgent 15 min, normal 2 working hours, complaints 24 h: the estate's settings), out of
    those judged: answered, or unanswered with the deadline passed at `now`. Excluded:
    unanswered tickets still in time, and tickets cancelled before any answer."""
    return await _on_time(session, estate, period, now, None)


async def complaint_reply_rate(
    session: AsyncSession, estate: Estate, period: Period, now: datetime
) -> Rate:
    """Complaints opened in the period answered within 24 hours (the estate's complaint SLA,
    24 h by default: 投诉24小时内答复), judged and excluded as in `sla_compliance`."""
    return await _on_time(session, estate, period, now, TicketKind.complaint)


async def reopen_rate(session: AsyncSession, estate: Estate, period: Period) -> Rate:
    """Of the tickets opened in the period that were resolved at least once, the share that
    were reopened at least once (by staff or by the owner saying it is not fixed)."""

    def has(event_type: TicketEventType) -> ColumnElement[bool]:
        return exists().where(
            col(TicketEvent.ticket_id) == col(Ticket.id), col(TicketEvent.type) == event_type
        )

    row = (
        await session.exec(
            select(
                func.count(col(Ticket.id)),
                func.sum(case((has(TicketEventType.reopened), 1), else_=0)),
            ).where(*_opened(estate, period), has(TicketEventType.resolved))
        )
    ).one()
    return Rate(int(row[1] or 0), int(row[0]))


def _natural(name: str) -> tuple[int, str]:
    # Building names are mostly numbers: "2" before "10", names after numbers.
    return (int(name), "") if name.isdigit() else (10**9, name)


def _counted_payments(as_of: datetime | None) -> ColumnElement[bool]:
    if as_of is None:
        return col(Payment.reversed_at).is_(None)
    return and_(
        col(Payment.paid_at) <= as_of,
        or_(col(Payment.reversed_at).is_(None), col(Payment.reversed_at) > as_of),
    )


async def collection_by_building(
    session: AsyncSession, estate: Estate, period: Period, as_of: datetime | None = None
) -> list[Collection]:
    """Per building: the amount billed by the estate's charges in its currency falling due in
    the period (their due date is a local day inside it), and what has been paid on those
    charges, whenever (a late payment for November still counts for November); reversed
    payments do not count. With `as_of`, only charges due by that day (a month still running
    counts what has fallen due so far, not the 15th's fees on the 2nd) and payments made by
    then and not reversed by then count, so a report of a past moment can be drawn again.
    Buildings in natural order ("2" before "10")."""
    last_day = period.last_day
    if as_of is not None:
        last_day = min(last_day, calendar.local(estate, as_of).date())
    paid = (
        select(Payment.charge_id, func.sum(Payment.amount).label("paid"))
        .where(_counted_payments(as_of))
        .group_by(col(Payment.charge_id))
        .subquery()
    )
    rows = await session.exec(
        select(
            Unit.building,
            func.sum(Charge.amount),
            func.coalesce(func.sum(paid.c.paid), 0),
        )
        .join(Unit, col(Unit.id) == col(Charge.unit_id))
        .outerjoin(paid, paid.c.charge_id == col(Charge.id))
        .where(
            col(Unit.estate_id) == estate.id,
            col(Charge.currency) == estate.currency,
            col(Charge.due_date) >= period.first_day,
            col(Charge.due_date) <= last_day,
        )
        .group_by(col(Unit.building))
    )
    found = [Collection(b, int(billed), int(p), estate.currency) for b, billed, p in rows]
    return sorted(found, key=lambda c: _natural(c.building or ""))


async def collection_rate(
    session: AsyncSession, estate: Estate, period: Period, as_of: datetime | None = None
) -> Collection:
    """Collection rate (收缴率), the one definition (/arrears, /stats, the report): paid ÷
    billed over the charges falling due in the period, counted as in
    `collection_by_building`, all buildings together."""
    buildings = await collection_by_building(session, estate, period, as_of)
    return Collection(
        None,
        sum(b.billed for b in buildings),
        sum(b.paid for b in buildings),
        estate.currency,
    )


async def satisfaction(
    session: AsyncSession, estate: Estate, period: Period, kind: SurveyKind | None = None
) -> Satisfaction:
    """Satisfaction (满意度), the one definition (/stats, the report and workbook, the daily
    summary, /survey results): over the answers to the surveys *sent* in the period (post-service
    and quarterly, or one `kind`; answers to a survey left unfinished count too), each item's
    mean score ÷ 5 in per cent, and overall the mean of every score ÷ 5. Compare with
    `Estate.target_satisfaction_item_pct` (85 %) and `target_satisfaction_pct` (90 %).
    Unanswered surveys count for nothing. Items in name order."""
    where = [
        col(Owner.estate_id) == estate.id,
        col(Survey.sent_at) >= period.start,
        col(Survey.sent_at) < period.end,
    ]
    if kind is not None:
        where.append(col(Survey.kind) == kind)
    rows = (
        await session.exec(
            select(
                SurveyAnswer.item,
                func.count(col(SurveyAnswer.id)),
                func.sum(SurveyAnswer.score),
            )
            .join(Survey, col(Survey.id) == col(SurveyAnswer.survey_id))
            .join(Owner, col(Owner.id) == col(Survey.owner_id))
            .where(*where)
            .group_by(col(SurveyAnswer.item))
            .order_by(col(SurveyAnswer.item))
        )
    ).all()
    surveys = (
        await session.exec(
            select(func.count(distinct(col(SurveyAnswer.survey_id))))
            .join(Survey, col(Survey.id) == col(SurveyAnswer.survey_id))
            .join(Owner, col(Owner.id) == col(Survey.owner_id))
            .where(*where)
        )
    ).one()
    items = [
        ItemScore(item, int(count), Rate(int(total or 0), TOP_SCORE * int(count)))
        for item, count, total in rows
    ]
    answers = sum(i.answers for i in items)
    overall = Rate(sum(i.rate.hits for i in items), TOP_SCORE * answers)
    return Satisfaction(items, overall, answers, int(surveys))


async def survey_coverage(session: AsyncSession, estate: Estate, year: int) -> Rate:
    """Households (units) of the estate sent a quarterly survey in the local calendar `year`,
    out of all its units: the seeds ask for 25 % a quarter with no repeats, 100 % a year."""
    year_period = Period.of_days(estate, date(year, 1, 1), date(year, 12, 31))
    surveyed = (
        await session.exec(
            select(func.count(distinct(col(Survey.unit_id))))
            .join(Unit, col(Unit.id) == col(Survey.unit_id))
            .where(
                col(Unit.estate_id) == estate.id,
                col(Survey.kind) == SurveyKind.quarterly,
                col(Survey.sent_at) >= year_period.start,
                col(Survey.sent_at) < year_period.end,
            )
        )
    ).one()
    units = (
        await session.exec(
            select(func.count(col(Unit.id))).where(col(Unit.estate_id) == estate.id)
        )
    ).one()
    return Rate(int(surveyed), int(units))


def top_categories(
    counts: Sequence[CategoryCount], n: int = TOP_CATEGORIES
) -> list[CategoryCount]:
    """The `n` largest (kind, category) counts, largest first."""
    return sorted(counts, key=lambda c: (-c.count, c.kind, c.category))[:n]
