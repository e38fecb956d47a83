"""Call-back tasks (回访): opened on close with deadlines on the estate's calendar, recorded by
staff into the ticket's history, and the call-back rates."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from storage import calendar, call_backs, tickets
from storage.call_backs import TaskAction
from storage.models import Callback, CallbackOrigin, CallbackStatus, Estate, TicketEvent
from storage.tickets import Actor, no_notify
from tests.tickets_fixtures import *  # noqa: F403

# 30 September 2025, 15:00 in Shanghai: the eve of the National Day week.
EVE = datetime(2025, 9, 30, 7, 0, tzinfo=UTC)


def shanghai(day: date, hour: int) -> datetime:
    return calendar.at_local(Estate(name="E"), day, datetime.min.time().replace(hour=hour))


def test_deadlines_skip_the_national_day_week_and_count_the_make_up_saturday():
    cn = Estate(name="E", working_hours="09:00-18:00")
    repair = call_backs.task_deadline(cn, CallbackOrigin.after_repair, EVE)
    complaint = call_backs.task_deadline(cn, CallbackOrigin.after_complaint, EVE)
    # The week 1–8 October is off; 9, 10 and (make-up) Saturday 11 October are worked.
    assert repair == shanghai(date(2025, 10, 9), 18)
    assert complaint == shanghai(date(2025, 10, 11), 18)
    friday = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert call_backs.task_deadline(cn, CallbackOrigin.after_repair, friday) == shanghai(
        date(2026, 11, 30), 18
    )


async def close_ticket(session_pool, view, staff_members, now):
    actor = Actor.staff(staff_members["agent"])
    if view.ticket.kind == "repair":
        await assigned(session_pool, view, staff_members, now)
    async with session_pool() as session:
        await tickets.resolve(
            session, view.ticket.id, actor=actor, now=now, text="fixed", notify=no_notify
        )
    async with session_pool() as session:
        return await tickets.close(session, view.ticket.id, actor=actor, now=now, notify=no_notify)


async def assigned(session_pool, view, staff_members, now):
    async with session_pool() as session:
        return await tickets.assign(
            session,
            view.ticket.id,
            assignee=staff_members["agent"],
            actor=Actor.staff(staff_members["agent"]),
            now=now,
            notify=no_notify,
        )


async def tasks(session_pool) -> list[Callback]:
    async with session_pool() as session:
        return list((await session.exec(select(Callback).order_by(Callback.id))).all())


async def test_closing_a_repair_opens_a_task_due_the_next_working_day(
    session_pool, make_ticket, staff_members, clock, verified_owner
):
    view = await make_ticket()
    await close_ticket(session_pool, view, staff_members, clock())
    (task,) = await tasks(session_pool)
    assert task.origin == CallbackOrigin.after_repair
    assert task.ticket_id == view.ticket.id and task.owner_id == verified_owner.id
    assert task.status == CallbackStatus.booked
    # Closed Monday 23 November 2026 → due Tuesday 24th, 18:00 Shanghai.
    assert task.due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def test_a_complaint_closed_by_the_owner_gets_three_working_days(
    session_pool, make_ticket, staff_members, clock, verified_owner
):
    clock.current = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # Friday
    view = await make_ticket(kind="complaint")
    async with session_pool() as session:
        await tickets.resolve(
            session,
            view.ticket.id,
            actor=Actor.staff(staff_members["agent"]),
            now=clock(),
            text="sorted",
            notify=no_notify,
        )
    async with session_pool() as session:
        await tickets.confirm_fixed(
            session,
            view.ticket.id,
            owner_id=verified_owner.id,
            fixed=True,
            reason=None,
            now=clock(),
            notify=no_notify,
        )
    (task,) = await tasks(session_pool)
    assert task.origin == CallbackOrigin.after_complaint
    # Mon 30 Nov, Tue 1 Dec, Wed 2 Dec → due Wednesday 18:00.
    assert task.due_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


async def test_outcomes_go_into_the_ticket_history_and_the_rate(
    session_pool, make_ticket, staff_members, clock, estate
):
    first = await make_ticket(kind="complaint")
    second = await make_ticket(kind="complaint")
    for view in (first, second):
        await close_ticket(session_pool, view, staff_members, clock())
    task_a, task_b = await tasks(session_pool)
    member = staff_members["agent"]
    async with session_pool() as session:
        reschedule = await call_backs.record_task(
            session,
            estate_id=estate.id,
            callback_id=task_a.id,
            member=member,
            action=TaskAction.reschedule,
            now=clock(),
        )
    assert reschedule.callback.due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    async with session_pool() as session:
        reached = await call_backs.record_task(
            session,
            estate_id=estate.id,
            callback_id=task_a.id,
            member=member,
            action=TaskAction.reached,
            now=clock() + timedelta(hours=1),
        )
        await call_backs.add_task_note(
            session,
            estate_id=estate.id,
            callback_id=task_a.id,
            member=member,
            text="Owner is happy now",
            now=clock() + timedelta(hours=1),
        )
    assert reached.outcome == call_backs.Outcome.recorded
    async with session_pool() as session:
        again = await call_backs.record_task(
            session,
            estate_id=estate.id,
            callback_id=task_a.id,
            member=member,
            action=TaskAction.not_reached,
            now=clock(),
        )
        assert again.outcome == call_backs.Outcome.not_booked
        events = (
            await session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == first.ticket.id)
                .order_by(TicketEvent.id)
            )
        ).all()
    types = [e.type for e in events]
    assert types[-3:] == ["callback_rescheduled", "callback_reached", "callback_note"]
    assert events[-1].data["text"] == "Owner is happy now"
    async with session_pool() as session:
        week = (clock() - timedelta(days=1), clock() + timedelta(days=7))
        rate = await call_backs.complaint_callback_rate(session, estate.id, *week)
        repairs = await call_backs.repair_callback_rate(session, estate.id, *week)
        counts = await call_backs.task_counts(
            session, estate.id, clock(), clock() + timedelta(days=7)
        )
    assert (rate.hits, rate.total, rate.pct) == (1, 2, 50.0)
    assert repairs.total == 0 and repairs.pct is None
    assert (counts.due, counts.done, counts.open) == (2, 1, 1)


async def test_a_call_reached_after_the_deadline_does_not_count(
    session_pool, make_ticket, staff_members, clock, estate
):
    view = await make_ticket(kind="complaint")
    await close_ticket(session_pool, view, staff_members, clock())
    (task,) = await tasks(session_pool)
    async with session_pool() as session:
        await call_backs.record_task(
            session,
            estate_id=estate.id,
            callback_id=task.id,
            member=staff_members["agent"],
            action=TaskAction.reached,
            now=clock() + timedelta(days=5),
        )
        rate = await call_backs.complaint_callback_rate(
            session, estate.id, clock() - timedelta(days=1), clock() + timedelta(days=7)
        )
    assert (rate.hits, rate.total) == (0, 1)


async def test_tasks_are_not_the_owners_bookings(
    session_pool, make_ticket, staff_members, clock, verified_owner, estate
):
    view = await make_ticket()
    await close_ticket(session_pool, view, staff_members, clock())
    async with session_pool() as session:
        assert await call_backs.upcoming_for_owner(session, verified_owner.id, clock()) == []
        (task,) = await call_backs.open_tasks(session, estate.id, clock() + timedelta(days=7))
        assert task.ticket_number == view.ticket.number
        assert not call_backs.is_overdue(task.callback, clock())
        assert call_backs.is_overdue(task.callback, clock() + timedelta(days=2))


async def test_a_rescheduled_task_is_judged_by_the_deadline_it_opened_with(
    session_pool, make_ticket, staff_members, clock, estate
):
    view = await make_ticket()
    await close_ticket(session_pool, view, staff_members, clock())
    (task,) = await tasks(session_pool)
    first_deadline = task.due_at
    assert first_deadline is not None
    # Rescheduled once the deadline has passed, then reached on the new day: the owner was not
    # called by the next working day, so the repair call-back rate does not count it.
    late = first_deadline + timedelta(hours=1)
    async with session_pool() as session:
        for action, at in ((TaskAction.reschedule, late), (TaskAction.reached, late)):
            await call_backs.record_task(
                session,
                estate_id=estate.id,
                callback_id=task.id,
                member=staff_members["agent"],
                action=action,
                now=at,
            )
        (moved,) = await tasks(session_pool)
        assert moved.due_at is not None
        assert moved.due_at > first_deadline and moved.slot_end == first_deadline
        window = (first_deadline - timedelta(hours=2), first_deadline + timedelta(hours=2))
        rate = await call_backs.repair_callback_rate(session, estate.id, *window)
        # Not counted a second time in the window of the new due day either.
        later = (moved.due_at - timedelta(hours=2), moved.due_at + timedelta(hours=2))
        again = await call_backs.repair_callback_rate(session, estate.id, *later)
    assert (rate.hits, rate.total) == (0, 1)
    assert again.total == 0
