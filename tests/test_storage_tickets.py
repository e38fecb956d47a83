"""storage/tickets.py: numbering, SLA, the state machine, rights per role, events and drafts."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from storage import calendar, tickets
from storage.db import create_engine, upgrade_connection
from storage.models import (
    Estate,
    OutboxMessage,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketPhoto,
    TicketStatus,
    Urgency,
)
from storage.outbox import Draft
from storage.tickets import Actor, TicketError
from tests.conftest import PG_URL, pg_engine
from tests.tickets_fixtures import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH).astimezone(UTC)


def recorder():
    """A Notify that writes one draft per event and remembers what it saw."""
    seen = []

    def notify(view, event):
        seen.append((view.ticket.status, event.type))
        return [Draft(f"test:{view.ticket.id}:{event.id}", 1, f"{event.type}")]

    notify.seen = seen
    return notify


async def events_of(session_pool, ticket_id) -> list[str]:
    async with session_pool() as session:
        rows = await session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        )
        return [e.type for e in rows]


async def drafts_count(session_pool) -> int:
    async with session_pool() as session:
        return len((await session.exec(select(OutboxMessage))).all())


# --- SLA -------------------------------------------------------------------------------------


SH_ESTATE = Estate(name="E", time_zone="Asia/Shanghai", working_hours="09:00-18:00")


def working(start: datetime, minutes: int, estate: Estate = SH_ESTATE) -> datetime:
    return calendar.add_working_minutes(estate, start, minutes)


def test_working_minutes_inside_hours():
    assert working(sh(2026, 11, 23, 10, 0), 120) == sh(2026, 11, 23, 12, 0)


def test_working_minutes_carry_over_to_next_morning():
    assert working(sh(2026, 11, 23, 17, 30), 120) == sh(2026, 11, 24, 10, 30)


def test_working_minutes_skip_the_weekend_and_the_night():
    # Friday 17:00 + 2 working hours → Monday 10:00; Saturday night → Monday 11:00.
    assert working(sh(2026, 11, 27, 17, 0), 120) == sh(2026, 11, 30, 10, 0)
    assert working(sh(2026, 11, 28, 23, 0), 120) == sh(2026, 11, 30, 11, 0)


def test_working_minutes_before_opening_and_bad_window():
    assert working(sh(2026, 11, 23, 7, 0), 30) == sh(2026, 11, 23, 9, 30)
    # A setting written by hand that cannot be read counts the default hours (09:00-18:00).
    broken = Estate(name="E", time_zone="Asia/Shanghai", working_hours="nonsense")
    assert working(sh(2026, 11, 23, 7, 0), 30, broken) == sh(2026, 11, 23, 9, 30)


def test_sla_due_per_kind_and_urgency():
    estate = Estate(name="E", time_zone="Asia/Shanghai")
    now = sh(2026, 11, 23, 17, 0)
    assert tickets.sla_due(estate, TicketKind.repair, Urgency.urgent, now) == now + timedelta(
        minutes=15
    )
    assert tickets.sla_due(estate, TicketKind.repair, Urgency.normal, now) == sh(
        2026, 11, 24, 10, 0
    )
    assert tickets.sla_due(estate, TicketKind.complaint, Urgency.normal, now) == now + timedelta(
        hours=24
    )


# --- create ----------------------------------------------------------------------------------


async def test_create_numbers_per_estate_writes_event_photos_and_card(
    make_ticket, session_pool, outbox_rows, estate, clock
):
    first = await make_ticket(photos=[("f1", "u1"), ("f2", "u2")])
    second = await make_ticket(kind="complaint")
    assert (first.ticket.number, second.ticket.number) == (1, 2)
    assert first.ticket.status == TicketStatus.new
    assert first.ticket.sla_due_at == clock() + timedelta(hours=2)
    assert [p.file_id for p in first.photos] == ["f1", "f2"]
    assert [e.type for e in first.events] == ["created"]
    assert first.events[0].actor == f"owner:{first.owner.id}"
    rows = await outbox_rows(chat_id=estate.staff_chat_id)
    keys = [r.dedupe_key for r in rows]
    assert f"ticket:{first.ticket.id}:card" in keys
    assert f"ticket:{first.ticket.id}:photo:{first.photos[0].id}" in keys
    assert all(r.subject == f"ticket:{first.ticket.id}" for r in rows if "photo" in r.dedupe_key)
    async with session_pool() as session:
        other = Estate(name="Other", staff_chat_id=-100777)
        session.add(other)
        await session.commit()
        number = await tickets._next_number(session, other.id)
    assert number == 1


async def test_create_concurrently_gives_distinct_numbers(make_ticket, engine):
    if engine.dialect.name == "sqlite":
        pytest.skip("the in-memory test database shares one connection between sessions")
    views = await asyncio.gather(*(make_ticket() for _ in range(4)))
    assert sorted(v.ticket.number for v in views) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"category": "teleport"}, "category"),
        ({"description": "hm"}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"photos": [(f"f{i}", f"u{i}") for i in range(6)]}, "photos"),
        ({"unit_id": None, "location": "  "}, "place"),
    ],
)
async def test_create_refuses_bad_input_and_writes_nothing(
    make_ticket, session_pool, overrides, detail
):
    with pytest.raises(TicketError) as error:
        await make_ticket(**overrides)
    assert (error.value.code, error.value.detail) == ("invalid", detail)
    async with session_pool() as session:
        assert (await session.exec(select(Ticket))).all() == []
    assert await drafts_count(session_pool) == 0


async def test_create_in_common_area(make_ticket):
    view = await make_ticket(unit_id=None, location="Building 3 lobby", urgency="urgent")
    assert view.ticket.location == "Building 3 lobby"
    assert view.unit is None


# --- reading ---------------------------------------------------------------------------------


async def test_find_for_owner_only_finds_own(
    make_ticket, session_pool, verified_owner, other_owner
):
    mine = await make_ticket()
    async with session_pool() as session:
        assert (
            await tickets.find_for_owner(session, verified_owner.id, 1)
        ).ticket.id == mine.ticket.id
        assert await tickets.find_for_owner(session, other_owner.id, 1) is None
        assert (
            await tickets.find_for_owner(session, other_owner.id, mine.ticket.id, by_id=True)
            is None
        )
        found = await tickets.find_for_owner(
            session, verified_owner.id, mine.ticket.id, by_id=True
        )
        assert found.ticket.number == 1


async def test_list_for_owner_open_first_then_recent(
    make_ticket, session_pool, verified_owner, clock
):
    a = await make_ticket()
    clock.advance(timedelta(minutes=1))
    b = await make_ticket()
    clock.advance(timedelta(minutes=1))
    async with session_pool() as session:
        await tickets.cancel(
            session,
            b.ticket.id,
            actor=Actor.owner(verified_owner.id),
            now=clock(),
            reason=None,
            notify=tickets.no_notify,
        )
        listed = await tickets.list_for_owner(session, verified_owner.id)
    assert [t.number for t in listed] == [a.ticket.number, b.ticket.number]


async def test_queue_overdue_first_then_oldest(
    make_ticket, session_pool, estate, clock, staff_members
):
    normal = await make_ticket()
    clock.advance(timedelta(minutes=5))
    urgent = await make_ticket(urgency="urgent")
    clock.advance(timedelta(minutes=5))
    complaint = await make_ticket(kind="complaint")
    async with session_pool() as session:
        order = [v.ticket.number for v in await tickets.queue(session, estate.id, clock())]
        assert order == [2, 1, 3]  # urgent first, even before it is overdue
        clock.advance(timedelta(minutes=11))  # urgent is 16 min old now: overdue
        views = await tickets.queue(session, estate.id, clock())
        assert [v.ticket.number for v in views] == [2, 1, 3]
        assert views[0].overdue(clock())
        await tickets.assign(
            session,
            urgent.ticket.id,
            assignee=staff_members["technician"],
            actor=Actor.staff(staff_members["agent"]),
            now=clock(),
            notify=tickets.no_notify,
        )
        views = await tickets.queue(session, estate.id, clock())
        # Answered, so no longer overdue, but still urgent: still above the normal one.
        assert [v.ticket.number for v in views] == [2, 1, 3]
        assert not any(v.overdue(clock()) for v in views)
    assert normal and complaint


# --- the state machine -----------------------------------------------------------------------


async def test_full_repair_lifecycle(
    make_ticket, session_pool, staff_members, verified_owner, clock
):
    view = await make_ticket()
    tid = view.ticket.id
    agent = Actor.staff(staff_members["agent"])
    tech = Actor.staff(staff_members["technician"])
    notify = recorder()
    async with session_pool() as session:
        v = await tickets.assign(
            session,
            tid,
            assignee=staff_members["technician"],
            actor=agent,
            now=clock(),
            notify=notify,
        )
        assert (v.ticket.status, v.assignee.name) == ("assigned", "Tom")
        assert v.ticket.first_response_at == clock()
        clock.advance(timedelta(minutes=1))
        v = await tickets.start_work(session, tid, actor=agent, now=clock(), notify=notify)
        assert v.ticket.status == "in_progress"
        v = await tickets.add_note(
            session, tid, actor=tech, text="Need a new valve", now=clock(), notify=notify
        )
        v = await tickets.reschedule(
            session, tid, day=date(2026, 11, 25), actor=tech, now=clock(), notify=notify
        )
        assert v.ticket.scheduled_for == date(2026, 11, 25)
        v = await tickets.resolve(
            session, tid, actor=tech, now=clock(), text="Valve replaced", notify=notify
        )
        assert v.ticket.status == "resolved" and v.ticket.resolved_at == clock()
        v = await tickets.confirm_fixed(
            session,
            tid,
            owner_id=verified_owner.id,
            fixed=True,
            reason=None,
            now=clock(),
            notify=notify,
        )
        assert v.ticket.status == "closed" and v.ticket.closed_at == clock()
        v = await tickets.rate(
            session,
            tid,
            owner_id=verified_owner.id,
            rating=5,
            comment=None,
            now=clock(),
            notify=notify,
        )
        assert (v.ticket.rating, v.ticket.rating_comment) == (5, None)
        v = await tickets.add_rating_comment(
            session,
            tid,
            owner_id=verified_owner.id,
            comment=" Quick! ",
            now=clock(),
            notify=notify,
        )
        assert (v.ticket.rating, v.ticket.rating_comment) == (5, "Quick!")
        with pytest.raises(TicketError) as error:
            await tickets.rate(
                session,
                tid,
                owner_id=verified_owner.id,
                rating=4,
                comment=None,
                now=clock(),
                notify=notify,
            )
        assert error.value.code == "already_rated"
    assert await events_of(session_pool, tid) == [
        "created",
        "assigned",
        "started",
        "note",
        "rescheduled",
        "resolved",
        "closed",
        "rated",
        "rating_comment",
    ]
    # The notify saw the state after each change, and its drafts were written.
    assert notify.seen[0] == ("assigned", "assigned")
    assert notify.seen[-2:] == [("closed", "rated"), ("closed", "rating_comment")]
    async with session_pool() as session:
        keys = [r.dedupe_key for r in (await session.exec(select(OutboxMessage))).all()]
    assert sum(k.startswith(f"test:{tid}:") for k in keys) == 8


async def test_not_fixed_reopens_then_assign_again(
    make_ticket, session_pool, staff_members, verified_owner, clock
):
    tid = (await make_ticket()).ticket.id
    agent = Actor.staff(staff_members["agent"])
    tech = staff_members["technician"]
    async with session_pool() as session:
        await tickets.assign(
            session, tid, assignee=tech, actor=agent, now=clock(), notify=tickets.no_notify
        )
        await tickets.resolve(
            session, tid, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        v = await tickets.confirm_fixed(
            session,
            tid,
            owner_id=verified_owner.id,
            fixed=False,
            reason="Still dripping",
            now=clock(),
            notify=tickets.no_notify,
        )
        assert v.ticket.status == "reopened"
        assert v.events[-1].data == {
            "reason": "Still dripping",
            "by_owner": True,
            "was": "resolved",
        }
        # The same assignee may take it back after a reopen.
        v = await tickets.assign(
            session, tid, assignee=tech, actor=agent, now=clock(), notify=tickets.no_notify
        )
        assert v.ticket.status == "assigned"


async def test_staff_reopen_and_close(make_ticket, session_pool, staff_members, clock):
    tid = (await make_ticket()).ticket.id
    agent = Actor.staff(staff_members["agent"])
    async with session_pool() as session:
        await tickets.assign(
            session,
            tid,
            assignee=staff_members["agent"],
            actor=agent,
            now=clock(),
            notify=tickets.no_notify,
        )
        await tickets.resolve(
            session, tid, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        v = await tickets.reopen(
            session, tid, actor=agent, now=clock(), reason="Owner called", notify=tickets.no_notify
        )
        assert v.ticket.status == "reopened" and v.ticket.resolved_at is None
        await tickets.assign(
            session,
            tid,
            assignee=staff_members["agent"],
            actor=agent,
            now=clock(),
            notify=tickets.no_notify,
        )
        await tickets.resolve(
            session, tid, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        v = await tickets.close(session, tid, actor=agent, now=clock(), notify=tickets.no_notify)
        assert v.ticket.status == "closed"


async def test_complaint_reply_grade_resolve_from_new(
    make_ticket, session_pool, staff_members, clock
):
    view = await make_ticket(kind="complaint")
    tid = view.ticket.id
    agent = Actor.staff(staff_members["agent"])
    async with session_pool() as session:
        v = await tickets.reply(
            session,
            tid,
            actor=agent,
            text="We are looking into it",
            photo=None,
            now=clock(),
            notify=tickets.no_notify,
        )
        # The first reply to a new ticket takes it for the one who answered.
        assert v.ticket.first_response_at == clock() and v.ticket.status == "assigned"
        assert v.assignee is not None and v.assignee.id == agent.id
        assert [e.type for e in v.events] == ["created", "assigned", "reply"]
        v = await tickets.set_grade(
            session, tid, grade="A", actor=agent, now=clock(), notify=tickets.no_notify
        )
        assert v.ticket.grade == "A"
        v = await tickets.resolve(
            session, tid, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        assert v.ticket.status == "resolved"
    untouched = (await make_ticket(kind="complaint")).ticket.id
    async with session_pool() as session:
        v = await tickets.resolve(
            session, untouched, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        assert v.ticket.status == "resolved"


async def test_reply_with_photo_is_stored_as_staff_photo(
    make_ticket, session_pool, staff_members, clock
):
    tid = (await make_ticket()).ticket.id
    agent = Actor.staff(staff_members["agent"])
    async with session_pool() as session:
        v = await tickets.reply(
            session,
            tid,
            actor=agent,
            text=None,
            photo=("sp", "usp"),
            now=clock(),
            notify=tickets.no_notify,
        )
        assert [p.from_staff for p in v.photos] == [True]
        assert v.events[-1].data == {"by": "Alice", "text": None, "photo": "sp"}


async def test_owner_comment_with_photos(make_ticket, session_pool, verified_owner, clock):
    tid = (await make_ticket()).ticket.id
    async with session_pool() as session:
        v = await tickets.add_comment(
            session,
            tid,
            actor=Actor.owner(verified_owner.id),
            text="It got worse",
            photos=[("c1", "uc1")],
            now=clock(),
            notify=tickets.no_notify,
        )
        assert v.events[-1].data == {"text": "It got worse", "photos": ["c1"]}
        assert len(v.photos) == 1
        with pytest.raises(TicketError) as error:
            await tickets.add_comment(
                session,
                tid,
                actor=Actor.owner(verified_owner.id),
                text="  ",
                photos=[],
                now=clock(),
                notify=tickets.no_notify,
            )
        assert error.value.code == "invalid"


async def test_owner_cancels_own_new_ticket_and_system_can_act(
    make_ticket, session_pool, verified_owner, clock
):
    tid = (await make_ticket()).ticket.id
    async with session_pool() as session:
        v = await tickets.cancel(
            session,
            tid,
            actor=Actor.owner(verified_owner.id),
            now=clock(),
            reason="Fixed it myself",
            notify=tickets.no_notify,
        )
        assert v.ticket.status == "cancelled"
        assert str(Actor.SYSTEM) == "system" and str(Actor.owner(5)) == "owner:5"


# --- refusals --------------------------------------------------------------------------------


async def _ticket_in(session_pool, make_ticket, staff_members, clock, status, kind="repair"):
    """A ticket brought to `status`, assigned to the technician where that applies."""
    tid = (await make_ticket(kind=kind)).ticket.id
    agent = Actor.staff(staff_members["agent"])
    n = tickets.no_notify
    async with session_pool() as session:
        if status == "new":
            return tid
        if status == "cancelled":
            await tickets.cancel(
                session,
                tid,
                actor=Actor.staff(staff_members["manager"]),
                now=clock(),
                reason=None,
                notify=n,
            )
            return tid
        await tickets.assign(
            session, tid, assignee=staff_members["technician"], actor=agent, now=clock(), notify=n
        )
        if status == "assigned":
            return tid
        await tickets.start_work(session, tid, actor=agent, now=clock(), notify=n)
        if status == "in_progress":
            return tid
        await tickets.resolve(session, tid, actor=agent, now=clock(), text=None, notify=n)
        if status == "resolved":
            return tid
        if status == "reopened":
            await tickets.reopen(session, tid, actor=agent, now=clock(), reason=None, notify=n)
            return tid
        await tickets.close(session, tid, actor=agent, now=clock(), notify=n)
        return tid


async def test_a_work_order_goes_to_a_technician_only(
    make_ticket, session_pool, staff_members, clock
):
    agent, tom, tina = (staff_members[k] for k in ("agent", "technician", "technician2"))
    tid = (await make_ticket()).ticket.id
    notify = recorder()
    async with session_pool() as session:
        await tickets.assign(
            session, tid, assignee=agent, actor=Actor.staff(agent), now=clock(), notify=notify
        )
        # The agent holds it: no work order to her.
        with pytest.raises(TicketError) as refused:
            await tickets.start_work(
                session, tid, actor=Actor.staff(agent), now=clock(), notify=notify
            )
        assert (refused.value.code, refused.value.detail) == ("invalid", "technician")
        with pytest.raises(TicketError):
            await tickets.start_work(
                session,
                tid,
                actor=Actor.staff(agent),
                now=clock(),
                notify=notify,
                technician=agent,
            )
        # Naming the technician hands the ticket over in the same step.
        view = await tickets.start_work(
            session, tid, actor=Actor.staff(agent), now=clock(), notify=notify, technician=tom
        )
        assert (view.ticket.status, view.assignee.name) == ("in_progress", "Tom")
        started = view.events[-1]
        assert started.type == "started"
        assert started.data == {
            "by": "Alice",
            "assignee_id": tom.id,
            "assignee": "Tom",
            "previous_id": agent.id,
        }
        # Tom may send himself again, not a colleague.
        with pytest.raises(TicketError) as refused:
            await tickets.start_work(
                session, tid, actor=Actor.staff(tom), now=clock(), notify=notify, technician=tina
            )
        assert (refused.value.code, refused.value.detail) == ("forbidden", "role")
        # A new ticket is handed to the technician named and sent at once.
        new = (await make_ticket()).ticket.id
        view = await tickets.start_work(
            session, new, actor=Actor.staff(tina), now=clock(), notify=notify, technician=tina
        )
        assert (view.ticket.status, view.assignee.name) == ("in_progress", "Tina")
        assert view.ticket.first_response_at == clock()


def _ops(staff_members, owner_id, clock):
    agent = Actor.staff(staff_members["agent"])
    return {
        "assign": lambda s, tid, n: tickets.assign(
            s, tid, assignee=staff_members["technician2"], actor=agent, now=clock(), notify=n
        ),
        "start_work": lambda s, tid, n: tickets.start_work(
            s, tid, actor=agent, now=clock(), notify=n
        ),
        "resolve": lambda s, tid, n: tickets.resolve(
            s, tid, actor=agent, now=clock(), text=None, notify=n
        ),
        "close": lambda s, tid, n: tickets.close(s, tid, actor=agent, now=clock(), notify=n),
        # A manager: only a manager may reopen a closed ticket.
        "reopen": lambda s, tid, n: tickets.reopen(
            s, tid, actor=Actor.staff(staff_members["manager"]), now=clock(), reason=None, notify=n
        ),
        "cancel": lambda s, tid, n: tickets.cancel(
            s, tid, actor=Actor.owner(owner_id), now=clock(), reason=None, notify=n
        ),
        "confirm": lambda s, tid, n: tickets.confirm_fixed(
            s, tid, owner_id=owner_id, fixed=True, reason=None, now=clock(), notify=n
        ),
        "rate": lambda s, tid, n: tickets.rate(
            s, tid, owner_id=owner_id, rating=3, comment=None, now=clock(), notify=n
        ),
        "comment": lambda s, tid, n: tickets.add_comment(
            s, tid, actor=Actor.owner(owner_id), text="hello", photos=[], now=clock(), notify=n
        ),
        "reply": lambda s, tid, n: tickets.reply(
            s, tid, actor=agent, text="hi", photo=None, now=clock(), notify=n
        ),
        "reschedule": lambda s, tid, n: tickets.reschedule(
            s, tid, day=date(2026, 12, 1), actor=agent, now=clock(), notify=n
        ),
    }


ALLOWED = {
    "assign": {"new", "assigned", "in_progress", "reopened"},
    # Again in progress: the order is re-sent; a reopened ticket goes back to its assignee.
    "start_work": {"assigned", "in_progress", "reopened"},
    "resolve": {"assigned", "in_progress", "reopened"},
    "close": {"resolved"},
    "reopen": {"resolved", "closed"},
    "cancel": {"new", "assigned"},
    "confirm": {"resolved"},
    "rate": {"closed"},
    "comment": {"new", "assigned", "in_progress", "reopened", "resolved", "closed"},
    "reply": {"new", "assigned", "in_progress", "resolved", "closed", "reopened"},
    "reschedule": {"new", "assigned", "in_progress", "reopened"},
}
STATUSES = ["new", "assigned", "in_progress", "resolved", "closed", "reopened", "cancelled"]


@pytest.mark.parametrize("status", STATUSES)
async def test_state_machine_allows_and_refuses(
    make_ticket, session_pool, staff_members, verified_owner, clock, status
):
    """Every operation from every status: allowed ones pass, others refuse and write nothing."""
    for op, allowed in ALLOWED.items():
        tid = await _ticket_in(session_pool, make_ticket, staff_members, clock, status)
        run = _ops(staff_members, verified_owner.id, clock)[op]
        before = await events_of(session_pool, tid)
        drafts = await drafts_count(session_pool)
        notify = recorder()
        async with session_pool() as session:
            if status in allowed:
                await run(session, tid, notify)
                # The first reply to a new ticket also takes it: "assigned", then "reply".
                grown = 2 if (op, status) == ("reply", "new") else 1
                assert len(await events_of(session_pool, tid)) == len(before) + grown, op
                assert await drafts_count(session_pool) == drafts + 1, op
                continue
            with pytest.raises(TicketError) as error:
                await run(session, tid, notify)
        assert error.value.code == "bad_transition", (op, status)
        assert error.value.status == status
        assert error.value.number is not None
        assert await events_of(session_pool, tid) == before, op
        assert await drafts_count(session_pool) == drafts, op
        async with session_pool() as session:
            assert (await session.get(Ticket, tid)).status == status


async def test_rating_is_stored_alone_and_the_comment_added_once(
    make_ticket, session_pool, staff_members, verified_owner, other_owner, clock
):
    """Stars are kept without a comment; the comment comes later, once, from the owner only."""
    owner_id = verified_owner.id
    tid = await _ticket_in(session_pool, make_ticket, staff_members, clock, "closed")

    def comment_on(text, by=owner_id):
        return lambda s, n: tickets.add_rating_comment(
            s, tid, owner_id=by, comment=text, now=clock(), notify=n
        )

    async def refused(code, call):
        before = await events_of(session_pool, tid)
        drafts = await drafts_count(session_pool)
        async with session_pool() as session:
            with pytest.raises(TicketError) as error:
                await call(session, recorder())
        assert error.value.code == code
        assert await events_of(session_pool, tid) == before
        assert await drafts_count(session_pool) == drafts

    await refused("not_rated", comment_on("Too early"))
    async with session_pool() as session:
        await tickets.rate(
            session, tid, owner_id=owner_id, rating=4, comment=None, now=clock(), notify=recorder()
        )
    async with session_pool() as session:
        stored = await session.get(Ticket, tid, populate_existing=True)
        assert (stored.rating, stored.rating_comment) == (4, None)
    await refused("not_found", comment_on("Not mine", by=other_owner.id))
    await refused("invalid", comment_on("   "))
    await refused("invalid", comment_on("x" * (tickets.TEXT_MAX + 1)))
    notify = recorder()
    async with session_pool() as session:
        v = await comment_on("  Friendly team.  ")(session, notify)
    assert (v.ticket.rating, v.ticket.rating_comment) == (4, "Friendly team.")
    assert v.events[-1].type == "rating_comment"
    assert v.events[-1].data == {"rating": 4, "text": "Friendly team."}
    assert v.events[-1].actor == f"owner:{owner_id}"
    assert notify.seen == [("closed", "rating_comment")]
    await refused("already_commented", comment_on("Changed my mind"))
    async with session_pool() as session:
        assert (await session.get(Ticket, tid)).rating_comment == "Friendly team."


@pytest.mark.parametrize("status", ["new", "assigned", "in_progress", "resolved", "reopened"])
async def test_rating_comment_needs_a_closed_ticket(
    make_ticket, session_pool, staff_members, verified_owner, clock, status
):
    tid = await _ticket_in(session_pool, make_ticket, staff_members, clock, status)
    async with session_pool() as session:
        with pytest.raises(TicketError) as error:
            await tickets.add_rating_comment(
                session,
                tid,
                owner_id=verified_owner.id,
                comment="Nice",
                now=clock(),
                notify=tickets.no_notify,
            )
    assert (error.value.code, error.value.status) == ("bad_transition", status)
    assert (await events_of(session_pool, tid))[-1] != "rating_comment"


@pytest.mark.parametrize("status", ["new", "reopened"])
async def test_complaints_resolve_from_new_and_reopened(
    make_ticket, session_pool, staff_members, clock, status
):
    tid = await _ticket_in(
        session_pool, make_ticket, staff_members, clock, status, kind="complaint"
    )
    async with session_pool() as session:
        v = await tickets.resolve(
            session,
            tid,
            actor=Actor.staff(staff_members["agent"]),
            now=clock(),
            text=None,
            notify=tickets.no_notify,
        )
    assert v.ticket.status == "resolved"


async def test_rights_per_role(
    make_ticket, session_pool, staff_members, verified_owner, other_owner, clock
):
    n = tickets.no_notify
    tech = Actor.staff(staff_members["technician"])
    tech2 = Actor.staff(staff_members["technician2"])
    cashier = Actor.staff(staff_members["cashier"])
    manager = Actor.staff(staff_members["manager"])
    agent = Actor.staff(staff_members["agent"])
    tid = (await make_ticket()).ticket.id

    async def refused(code, call):
        before = await events_of(session_pool, tid)
        async with session_pool() as session:
            with pytest.raises(TicketError) as error:
                await call(session)
        assert error.value.code == code
        assert await events_of(session_pool, tid) == before

    # A technician may not assign someone else, nor act on an unassigned ticket.
    await refused(
        "forbidden",
        lambda s: tickets.assign(
            s, tid, assignee=staff_members["technician2"], actor=tech, now=clock(), notify=n
        ),
    )
    await refused(
        "not_assignee",
        lambda s: tickets.add_note(s, tid, actor=tech, text="x", now=clock(), notify=n),
    )
    # The owner may not do staff things, another owner sees nothing.
    await refused(
        "forbidden",
        lambda s: tickets.assign(
            s,
            tid,
            assignee=staff_members["technician"],
            actor=Actor.owner(verified_owner.id),
            now=clock(),
            notify=n,
        ),
    )
    await refused(
        "forbidden",
        lambda s: tickets.add_note(
            s, tid, actor=Actor.owner(verified_owner.id), text="x", now=clock(), notify=n
        ),
    )
    await refused(
        "not_found",
        lambda s: tickets.cancel(
            s, tid, actor=Actor.owner(other_owner.id), now=clock(), reason=None, notify=n
        ),
    )
    await refused(
        "not_found",
        lambda s: tickets.confirm_fixed(
            s, tid, owner_id=other_owner.id, fixed=True, reason=None, now=clock(), notify=n
        ),
    )
    await refused(
        "not_found",
        lambda s: tickets.add_comment(
            s, tid, actor=Actor.owner(other_owner.id), text="hi", photos=[], now=clock(), notify=n
        ),
    )
    # Cancelling is for the owner or a manager.
    await refused(
        "forbidden",
        lambda s: tickets.cancel(s, tid, actor=agent, now=clock(), reason=None, notify=n),
    )
    # Staff never add owner comments; only complaints are graded.
    await refused(
        "forbidden",
        lambda s: tickets.add_comment(
            s, tid, actor=agent, text="x", photos=[], now=clock(), notify=n
        ),
    )
    await refused(
        "not_complaint",
        lambda s: tickets.set_grade(s, tid, grade="A", actor=agent, now=clock(), notify=n),
    )

    # The technician takes the unassigned ticket; then another technician may not take it over
    # (and is told who has it).
    async with session_pool() as session:
        await tickets.assign(
            session, tid, assignee=staff_members["technician"], actor=tech, now=clock(), notify=n
        )
    await refused(
        "taken",
        lambda s: tickets.assign(
            s, tid, assignee=staff_members["technician2"], actor=tech2, now=clock(), notify=n
        ),
    )
    await refused(
        "not_assignee",
        lambda s: tickets.resolve(s, tid, actor=tech2, now=clock(), text=None, notify=n),
    )
    # Taking it twice explains that it is already assigned.
    await refused(
        "bad_transition",
        lambda s: tickets.assign(
            s, tid, assignee=staff_members["technician"], actor=tech, now=clock(), notify=n
        ),
    )
    async with session_pool() as session:
        await tickets.add_note(session, tid, actor=tech, text="On my way", now=clock(), notify=n)
        await tickets.start_work(session, tid, actor=tech, now=clock(), notify=n)
        await tickets.resolve(session, tid, actor=tech, now=clock(), text="done", notify=n)
    # Closing is for agents and managers; reopening is not for technicians.
    await refused("forbidden", lambda s: tickets.close(s, tid, actor=tech, now=clock(), notify=n))
    await refused(
        "forbidden", lambda s: tickets.close(s, tid, actor=cashier, now=clock(), notify=n)
    )
    await refused(
        "forbidden",
        lambda s: tickets.reopen(s, tid, actor=tech, now=clock(), reason=None, notify=n),
    )
    async with session_pool() as session:
        v = await tickets.close(session, tid, actor=manager, now=clock(), notify=n)
    assert v.ticket.status == "closed"

    # A manager may cancel; a staff member of another estate sees nothing.
    tid = (await make_ticket()).ticket.id
    async with session_pool() as session:
        stranger = Actor("staff", 999, staff_members["manager"].role, estate_id=12345)
        with pytest.raises(TicketError) as error:
            await tickets.cancel(session, tid, actor=stranger, now=clock(), reason=None, notify=n)
        assert error.value.code == "not_found"
        v = await tickets.cancel(
            session, tid, actor=manager, now=clock(), reason="Duplicate", notify=n
        )
    assert v.ticket.status == "cancelled"


async def test_invalid_inputs_are_refused(
    make_ticket, session_pool, staff_members, verified_owner, clock
):
    tid = (await make_ticket(kind="complaint")).ticket.id
    agent = Actor.staff(staff_members["agent"])
    n = tickets.no_notify
    async with session_pool() as session:
        for call in (
            lambda: tickets.reschedule(
                session, tid, day=date(2026, 11, 22), actor=agent, now=clock(), notify=n
            ),
            lambda: tickets.add_note(session, tid, actor=agent, text="  ", now=clock(), notify=n),
            lambda: tickets.reply(
                session, tid, actor=agent, text="x" * 2001, photo=None, now=clock(), notify=n
            ),
            lambda: tickets.set_grade(session, tid, grade="C", actor=agent, now=clock(), notify=n),
        ):
            with pytest.raises(TicketError) as error:
                await call()
            assert error.value.code == "invalid"
    assert await events_of(session_pool, tid) == ["created"]


async def test_a_failing_notify_writes_nothing(make_ticket, session_pool, staff_members, clock):
    tid = (await make_ticket()).ticket.id
    drafts = await drafts_count(session_pool)

    def broken(view, event):
        raise RuntimeError("render failed")

    async with session_pool() as session:
        with pytest.raises(RuntimeError):
            await tickets.add_note(
                session,
                tid,
                actor=Actor.staff(staff_members["agent"]),
                text="x",
                now=clock(),
                notify=broken,
            )
    assert await events_of(session_pool, tid) == ["created"]
    assert await drafts_count(session_pool) == drafts
    async with session_pool() as session:
        assert len((await session.exec(select(TicketPhoto))).all()) == 0


class TestTakeRace:
    """Separate connections, as in production: the in-memory test database shares one
    connection between sessions, so it cannot show a race (or its fix)."""

    @pytest.fixture(
        params=[
            "sqlite-file",
            pytest.param(
                "postgresql",
                marks=pytest.mark.skipif(not PG_URL, reason="FRONTDOOR_TEST_DATABASE_URL unset"),
            ),
        ]
    )
    async def engine(self, request, tmp_path):
        if request.param == "postgresql":
            async with pg_engine() as engine:
                yield engine
            return
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'race.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        yield engine
        await engine.dispose()

    async def test_concurrent_takes_have_exactly_one_winner(
        self, make_ticket, session_pool, staff_members
    ):
        """Three colleagues press Take at once: one gets the ticket, the others are told it is
        taken (and by whom); the history shows one assignment."""
        view = await make_ticket()
        tid = view.ticket.id
        pressers = [staff_members[k] for k in ("agent", "technician", "manager")]

        async def take(member):
            async with session_pool() as session:
                try:
                    done = await tickets.assign(
                        session,
                        tid,
                        assignee=member,
                        actor=Actor.staff(member),
                        now=view.ticket.created_at,
                        notify=tickets.no_notify,
                        take=True,
                    )
                except TicketError as error:
                    return error
                return done

        results = await asyncio.gather(*(take(m) for m in pressers))
        winners = [r for r in results if not isinstance(r, TicketError)]
        losers = [r for r in results if isinstance(r, TicketError)]
        assert len(winners) == 1
        assert [e.code for e in losers] == ["taken", "taken"]
        holder = winners[0].assignee
        assert holder is not None
        assert all(e.detail == holder.name for e in losers)
        assert (await events_of(session_pool, tid)).count("assigned") == 1
        async with session_pool() as session:
            ticket = await session.get(Ticket, tid)
            assert ticket is not None and ticket.assignee_id == holder.id
