"""The KPI functions on hand-built data: every expected figure is worked out here by hand.

Times are written in Shanghai time (UTC+8, the estate's zone) with `sh(...)`, so the test reads
like the office's own log. November 2026: Monday 23rd, Friday 27th, Monday 30th.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from storage import calendar, call_backs, kpis
from storage.kpis import Rate
from storage.models import (
    Callback,
    CallbackOrigin,
    CallbackStatus,
    Charge,
    Estate,
    Payment,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketKind,
    TicketStatus,
    Unit,
)
from tests.reports_fixtures import *  # noqa: F403
from tests.reports_fixtures import NOW, Builder, sh


@pytest.fixture
def november(estate: Estate) -> kpis.Period:
    return kpis.month_period(estate, "2026-11")


def test_a_month_is_its_local_days(estate: Estate, november: kpis.Period) -> None:
    # Shanghai midnight is 16:00 UTC the evening before.
    assert november.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert (november.first_day, november.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(kpis.PeriodError):
        kpis.month_period(estate, "2026-13")
    week = kpis.current_period(estate, sh(26, 9), "week")
    assert (week.first_day, week.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert kpis.previous_month(estate, sh(1, 9, month=12)).month == "2026-11"


def test_working_minutes_skip_nights_and_weekends(estate: Estate) -> None:
    # Friday 17:00 → Monday 10:00: 17–18 on Friday and 9–10 on Monday, two hours.
    assert calendar.working_minutes_between(estate, sh(27, 17), sh(30, 10)) == 120
    # Within one morning; and a response before the office opens counts nothing.
    assert calendar.working_minutes_between(estate, sh(24, 9, 30), sh(24, 11)) == 90
    assert calendar.working_minutes_between(estate, sh(24, 6), sh(24, 8)) == 0
    assert calendar.working_minutes_between(estate, sh(24, 11), sh(24, 9)) == 0


async def test_an_empty_month_has_nothing_to_judge(
    session, estate: Estate, november: kpis.Period
) -> None:
    assert await kpis.tickets_opened(session, estate, november) == []
    assert await kpis.tickets_closed(session, estate, november) == []
    weeks = await kpis.tickets_per_week(session, estate, november)
    # 1 Nov 2026 is a Sunday: its week starts on Monday 26 Oct; five more weeks follow.
    assert [w.monday for w in weeks] == [date(2026, 10, 26) + timedelta(weeks=i) for i in range(6)]
    assert all(w.repairs == w.complaints == 0 for w in weeks)
    assert await kpis.first_response_times(session, estate, november) == kpis.Durations(
        0, None, None
    )
    assert await kpis.resolution_times(session, estate, november) == kpis.Durations(0, None, None)
    for rate in (
        await kpis.sla_compliance(session, estate, november, NOW),
        await kpis.complaint_reply_rate(session, estate, november, NOW),
        await kpis.reopen_rate(session, estate, november),
        await call_backs.complaint_callback_rate(session, estate.id, november.start, november.end),
        await call_backs.repair_callback_rate(session, estate.id, november.start, november.end),
        (await kpis.satisfaction(session, estate, november)).overall,
        await kpis.survey_coverage(session, estate, 2026),
    ):
        assert rate == Rate(0, 0)
        assert rate.pct is None and rate.meets(90) is None
    assert (await kpis.satisfaction(session, estate, november)).items == []
    collected = await kpis.collection_rate(session, estate, november)
    assert (collected.billed, collected.paid, collected.rate.pct) == (0, 0, None)


async def test_a_ticket_belongs_to_the_local_day_it_was_opened(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    # 30 Nov 23:30 in Shanghai is November; 1 Dec 00:30 is December, though both are 30 Nov
    # in UTC.
    await build.ticket(sh(30, 23, 30), category="lift")
    await build.ticket(sh(1, 0, 30, month=12), category="lift")
    opened = await kpis.tickets_opened(session, estate, november)
    assert opened == [kpis.CategoryCount(TicketKind.repair, "lift", 1)]
    december = kpis.month_period(estate, "2026-12")
    assert [c.count for c in await kpis.tickets_opened(session, estate, december)] == [1]
    weeks = await kpis.tickets_per_week(session, estate, november)
    # Monday 30 Nov is the last week, clipped to one day.
    assert (weeks[-1].monday, weeks[-1].repairs) == (date(2026, 11, 30), 1)
    assert sum(w.repairs for w in weeks) == 1


async def test_counts_by_kind_category_and_week(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    await build.ticket(sh(2, 10), category="plumbing")
    await build.ticket(sh(3, 10), category="plumbing", status=TicketStatus.cancelled)
    await build.ticket(
        sh(24, 10), category="electrical", status=TicketStatus.closed, closed_at=sh(25, 10)
    )
    await build.ticket(sh(24, 11), kind=TicketKind.complaint, category="noise")
    # Opened in October, closed in November: closed in November, not opened.
    await build.ticket(
        sh(20, 10, month=10), category="lift", status=TicketStatus.closed, closed_at=sh(1, 10)
    )
    opened = await kpis.tickets_opened(session, estate, november)
    assert opened[0] == kpis.CategoryCount(TicketKind.repair, "plumbing", 2)
    assert sum(c.count for c in opened) == 4
    closed = await kpis.tickets_closed(session, estate, november)
    assert {(c.category, c.count) for c in closed} == {("electrical", 1), ("lift", 1)}
    weeks = {w.monday: w for w in await kpis.tickets_per_week(session, estate, november)}
    assert (weeks[date(2026, 11, 2)].repairs, weeks[date(2026, 11, 2)].complaints) == (2, 0)
    assert (weeks[date(2026, 11, 23)].repairs, weeks[date(2026, 11, 23)].complaints) == (1, 1)
    # Ties go by kind (complaint before repair), then category.
    top = kpis.top_categories(opened, 2)
    assert [c.category for c in top] == ["plumbing", "noise"]


async def test_response_and_resolution_in_working_hours(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    # Working hours 09:00–18:00, Monday to Friday.
    # A: Mon 09:00 → answered 09:30 (0.5 h), resolved 12:00 (3 h)
    # B: Fri 17:00 → answered Mon 10:00 (2 h), resolved Mon 18:00 (1 + 9 = 10 h)
    # C: Tue 10:00 → answered 11:00 (1 h), not resolved
    # D: Wed 08:00 → answered 08:30, before opening time (0 h)
    await build.ticket(sh(23, 9), first_response_at=sh(23, 9, 30), resolved_at=sh(23, 12))
    await build.ticket(sh(27, 17), first_response_at=sh(30, 10), resolved_at=sh(30, 18))
    await build.ticket(sh(24, 10), first_response_at=sh(24, 11))
    await build.ticket(sh(25, 8), first_response_at=sh(25, 8, 30))
    # Never answered: left out.
    await build.ticket(sh(26, 10))
    response = await kpis.first_response_times(session, estate, november)
    # Sorted 0, 0.5, 1, 2: the median is the 2nd value, the 90th percentile the 4th.
    assert response == kpis.Durations(4, 0.5, 2.0)
    resolution = await kpis.resolution_times(session, estate, november)
    assert resolution == kpis.Durations(2, 3.0, 10.0)


async def test_sla_and_complaint_replies(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    late_now = sh(30, 20)
    # Met, missed (answered late), missed (never answered and overdue), not judged (still in
    # time at `late_now`), not judged (cancelled unanswered).
    await build.ticket(sh(23, 9), sla_due_at=sh(23, 11), first_response_at=sh(23, 10))
    await build.ticket(sh(23, 9), sla_due_at=sh(23, 11), first_response_at=sh(23, 12))
    await build.ticket(sh(24, 9), sla_due_at=sh(24, 11))
    await build.ticket(sh(30, 19), sla_due_at=sh(1, 11, month=12))
    await build.ticket(sh(24, 9), sla_due_at=sh(24, 11), status=TicketStatus.cancelled)
    # Complaints: 24 h deadlines; one answered in 20 h, one in 30 h.
    await build.ticket(
        sh(10, 9),
        kind=TicketKind.complaint,
        category="noise",
        sla_due_at=sh(11, 9),
        first_response_at=sh(11, 5),
    )
    await build.ticket(
        sh(12, 9),
        kind=TicketKind.complaint,
        category="noise",
        sla_due_at=sh(13, 9),
        first_response_at=sh(13, 15),
    )
    assert await kpis.sla_compliance(session, estate, november, late_now) == Rate(2, 5)
    reply = await kpis.complaint_reply_rate(session, estate, november, late_now)
    assert reply == Rate(1, 2)
    assert reply.pct == 50 and reply.meets(estate.target_complaint_reply_pct) is False


async def test_reopen_rate_counts_each_ticket_once(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    # Resolved, reopened, resolved again: one reopened ticket, counted once.
    await build.ticket(
        sh(3, 10),
        status=TicketStatus.closed,
        events=(("resolved", sh(3, 12)), ("reopened", sh(4, 9)), ("resolved", sh(4, 15))),
    )
    await build.ticket(sh(5, 10), status=TicketStatus.closed, events=(("resolved", sh(5, 12)),))
    await build.ticket(sh(6, 10), status=TicketStatus.resolved, events=(("resolved", sh(6, 12)),))
    # Never resolved: not counted.
    await build.ticket(sh(7, 10), status=TicketStatus.assigned, events=(("assigned", sh(7, 11)),))
    assert await kpis.reopen_rate(session, estate, november) == Rate(1, 3)


async def test_call_back_rates(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    owner = await build.owner()
    complaint = await build.ticket(sh(2, 10), kind=TicketKind.complaint, category="noise")
    repair = await build.ticket(sh(2, 10))

    def task(ticket: Ticket, origin: CallbackOrigin, due: datetime, status: CallbackStatus):
        return Callback(
            owner_id=owner.id,
            topic="t",
            ticket_id=ticket.id,
            slot_start=due,
            slot_end=due,
            origin=origin,
            due_at=due,
            status=status,
        )

    build.session.add_all(
        [
            task(complaint, CallbackOrigin.after_complaint, sh(5, 18), CallbackStatus.done),
            task(complaint, CallbackOrigin.after_complaint, sh(6, 18), CallbackStatus.missed),
            task(complaint, CallbackOrigin.after_complaint, sh(7, 18), CallbackStatus.cancelled),
            task(repair, CallbackOrigin.after_repair, sh(3, 18), CallbackStatus.done),
            # Due in December: another month's figure.
            task(repair, CallbackOrigin.after_repair, sh(1, 18, month=12), CallbackStatus.booked),
        ]
    )
    await build.session.flush()
    start, end = november.start, november.end
    assert await call_backs.complaint_callback_rate(session, estate.id, start, end) == Rate(1, 2)
    assert await call_backs.repair_callback_rate(session, estate.id, start, end) == Rate(1, 1)


async def test_collection_leaves_reversed_payments_out(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    a = await build.unit("3", "1201")
    b = await build.unit("3", "1202")
    c = await build.unit("5", "0801")
    charges = [
        Charge(
            unit_id=a.id,
            item="fee",
            period="2026-11",
            amount=30000,
            currency="CNY",
            due_date=date(2026, 11, 15),
        ),
        Charge(
            unit_id=b.id,
            item="fee",
            period="2026-11",
            amount=20000,
            currency="CNY",
            due_date=date(2026, 11, 30),
        ),
        Charge(
            unit_id=c.id,
            item="fee",
            period="2026-11",
            amount=50000,
            currency="CNY",
            due_date=date(2026, 11, 15),
        ),
        # Due in December: not billed in November.
        Charge(
            unit_id=c.id,
            item="fee",
            period="2026-12",
            amount=50000,
            currency="CNY",
            due_date=date(2026, 12, 15),
        ),
    ]
    build.session.add_all(charges)
    await build.session.flush()
    build.session.add_all(
        [
            Payment(charge_id=charges[0].id, amount=30000, paid_at=sh(10, 10)),
            # Paid, then reversed (a bounced transfer), then paid half.
            Payment(
                charge_id=charges[2].id,
                amount=50000,
                paid_at=sh(10, 10),
                reversed_at=sh(11, 10),
                reversal_reason="bounced",
            ),
            Payment(charge_id=charges[2].id, amount=25000, paid_at=sh(12, 10)),
            Payment(charge_id=charges[3].id, amount=50000, paid_at=sh(12, 10)),
        ]
    )
    await build.session.flush()
    buildings = await kpis.collection_by_building(session, estate, november)
    assert [(x.building, x.billed, x.paid) for x in buildings] == [
        ("3", 50000, 30000),
        ("5", 50000, 25000),
    ]
    total = await kpis.collection_rate(session, estate, november)
    assert (total.billed, total.paid) == (100000, 55000)
    assert total.rate.pct == 55 and total.rate.meets(estate.target_collection_pct) is False
    # As of 16 November only the charges due on the 15th had fallen due (not the 30th's), and
    # of their payments the reversed one no longer counted.
    then = await kpis.collection_rate(session, estate, november, as_of=sh(16, 12))
    assert (then.billed, then.paid) == (80000, 55000)
    # As of the 10th nothing was due yet: no rate at all, rather than 0 %.
    early = await kpis.collection_rate(session, estate, november, as_of=sh(10, 12))
    assert (early.billed, early.rate.pct) == (0, None)


async def test_collection_counts_the_estates_currency_and_buildings_in_natural_order(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    units = [await build.unit(b, "101") for b in ("10", "2", "A")]
    fee = {"item": "fee", "period": "2026-11", "due_date": date(2026, 11, 15)}
    build.session.add_all(
        [
            Charge(unit_id=units[0].id, amount=10000, currency="CNY", **fee),
            Charge(unit_id=units[1].id, amount=20000, currency="CNY", **fee),
            Charge(unit_id=units[2].id, amount=30000, currency="CNY", **fee),
            # A charge in another currency cannot be added to yuan: left out.
            Charge(unit_id=units[1].id, item="parking", period="2026-11", amount=5000,
                   currency="HKD", due_date=date(2026, 11, 15)),
        ]
    )  # fmt: skip
    await build.session.flush()
    buildings = await kpis.collection_by_building(session, estate, november)
    assert [(b.building, b.billed) for b in buildings] == [("2", 20000), ("10", 10000),
                                                           ("A", 30000)]  # fmt: skip
    assert (await kpis.collection_rate(session, estate, november)).billed == 60000


async def test_satisfaction_and_coverage(
    session, build: Builder, estate: Estate, november: kpis.Period
) -> None:
    owner = await build.owner()
    units = [await build.unit("1", f"{n:04d}") for n in range(1, 9)]

    async def survey(
        unit: Unit,
        kind: SurveyKind,
        sent: datetime,
        answered: datetime | None,
        scores: dict[str, int],
    ) -> None:
        row = Survey(
            kind=kind,
            owner_id=owner.id,
            unit_id=unit.id,
            sent_at=sent,
            answered_at=answered,
            quarter="2026-Q4",
        )
        build.session.add(row)
        await build.session.flush()
        build.session.add_all(
            SurveyAnswer(survey_id=row.id, item=item, score=s) for item, s in scores.items()
        )
        await build.session.flush()

    q = SurveyKind.quarterly
    await survey(units[0], q, sh(2, 10), sh(3, 10), {"cleaning": 5, "security": 4})
    await survey(units[1], q, sh(2, 10), sh(4, 10), {"cleaning": 3, "security": 5})
    await survey(units[0], SurveyKind.post_service, sh(5, 10), sh(5, 11), {"repairs": 2})
    # Sent in November, answered in December: November's (a survey belongs to when it was
    # sent), and an unfinished survey's answers count too.
    await survey(units[2], q, sh(20, 10), None, {"cleaning": 1})
    # Sent in October and answered in November: October's.
    await survey(units[4], q, sh(31, 10, month=10), sh(1, 10), {"cleaning": 5})
    # Sent in 2025: not this year's coverage.
    await survey(units[3], q, datetime(2025, 11, 2, tzinfo=UTC), None, {})
    found = await kpis.satisfaction(session, estate, november)
    # Mean score ÷ 5: cleaning (5 + 3 + 1) / 15 = 60 %, repairs 2 / 5 = 40 %, security
    # (4 + 5) / 10 = 90 %; overall every score, 20 / 30.
    assert [(i.item, i.answers, i.rate, i.mean) for i in found.items] == [
        ("cleaning", 3, Rate(9, 15), 3.0),
        ("repairs", 1, Rate(2, 5), 2.0),
        ("security", 2, Rate(9, 10), 4.5),
    ]
    assert found.overall == Rate(20, 30) and (found.answers, found.surveys) == (6, 4)
    assert [i.item for i in found.below(85)] == ["cleaning", "repairs"]
    quarterly = await kpis.satisfaction(session, estate, november, SurveyKind.quarterly)
    assert [i.item for i in quarterly.items] == ["cleaning", "security"]
    assert quarterly.overall == Rate(18, 25) and quarterly.surveys == 3
    # Units 0, 1, 2 and 4 had a quarterly survey in 2026, of eight.
    assert await kpis.survey_coverage(session, estate, 2026) == Rate(4, 8)
