"""Fee reminders: the stages, one message per owner per day, payments, pauses, quiet hours,
unreachable owners, repeats, catching up, and two estates in other time zones."""

import contextlib
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.jobs import fee_reminders
from scheduler.jobs.base import enqueue_new
from scheduler.jobs.fee_reminders import JOB, MY_FEES, stage_between
from scheduler.outbox import OutboxSender
from scheduler.runs import next_run
from storage import reminders
from storage.models import OutboxStatus, Owner, OwnerStatus, Payment, Unit
from storage.outbox import Draft
from tests.conftest import FakeClock
from tests.mocked_bot import MockedBot
from tests.scheduler_fixtures import *  # noqa: F403
from tests.scheduler_fixtures import add_charge, at, make_estate, make_owner, rows_with, run_at
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import OWNER

DUE = date(2026, 12, 10)


def test_reminder_days_of_a_charge():
    days = [DUE + timedelta(days=n) for n in range(-20, 100)]
    hits = [d for d in days if stage_between(DUE, d - timedelta(days=1), d)]
    assert hits == [
        date(2026, 12, 3),
        date(2026, 12, 9),
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2027, 1, 9),
        date(2027, 2, 8),
        date(2027, 3, 10),
    ]


async def test_one_run_a_day_reminds_on_each_stage_only(
    session_pool, estate, verified_owner, units
):
    await add_charge(session_pool, units["3-1201"], DUE)
    day = date(2026, 11, 25)
    while day <= date(2027, 1, 12):
        await run_at(session_pool, JOB, estate, at(estate, day))
        day += timedelta(days=1)
    sent = [r.dedupe_key.rsplit(":", 1)[1] for r in await rows_with(session_pool, "fee-reminder:")]
    assert sent == ["2026-12-03", "2026-12-09", "2026-12-10", "2026-12-17", "2027-01-09"]


async def test_owner_with_two_units_gets_one_message_listing_both(
    session_pool, estate, verified_owner, units
):
    await add_charge(session_pool, units["3-1201"], DUE, 50000)
    await add_charge(session_pool, units["3-1202"], DUE - timedelta(days=2), 32000)
    await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 3)))
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert row.chat_id == OWNER.id
    text = row.payload["text"]
    assert "3-1201" in text and "¥500.00" in text
    assert "3-1202" in text and "¥320.00" in text
    assert "¥820.00" in text
    [[button]] = row.payload["reply_markup"]["inline_keyboard"]
    assert button == {"text": "My fees", "callback_data": MY_FEES}


async def test_payment_between_two_stages_stops_the_next(
    session_pool, estate, verified_owner, units
):
    charge = await add_charge(session_pool, units["3-1201"], DUE, 50000)
    first = await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 3)))
    assert first.enqueued == 1
    async with session_pool() as session:
        session.add(
            Payment(charge_id=charge.id, amount=50000, paid_at=at(estate, date(2026, 12, 5)))
        )
        await session.commit()
    later = await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 9)))
    assert later.enqueued == 0
    assert len(await rows_with(session_pool, "fee-reminder:")) == 1


async def test_partly_paid_and_reversed_payments(session_pool, estate, verified_owner, units):
    charge = await add_charge(session_pool, units["3-1201"], DUE, 50000)
    async with session_pool() as session:
        paid_at = at(estate, date(2026, 12, 1))
        session.add(Payment(charge_id=charge.id, amount=20000, paid_at=paid_at))
        session.add(
            Payment(charge_id=charge.id, amount=30000, paid_at=paid_at, reversed_at=paid_at)
        )
        await session.commit()
    await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 3)))
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert "¥300.00" in row.payload["text"]


async def test_running_twice_sends_nothing_new(session_pool, estate, verified_owner, units):
    await add_charge(session_pool, units["3-1201"], DUE)
    moment = at(estate, date(2026, 12, 10))
    assert (await run_at(session_pool, JOB, estate, moment)).enqueued == 1
    assert (await run_at(session_pool, JOB, estate, moment)).enqueued == 0
    assert (await run_at(session_pool, JOB, estate, moment + timedelta(hours=3))).enqueued == 0
    assert len(await rows_with(session_pool, "fee-reminder:")) == 1


async def test_a_run_in_quiet_hours_waits_for_the_morning(
    session_pool, estate, verified_owner, units
):
    await add_charge(session_pool, units["3-1201"], DUE)
    await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 10), 23, 30))
    [row] = await rows_with(session_pool, "fee-reminder:")
    # Quiet hours end at 08:00 in Shanghai: 00:00 UTC the next day.
    assert row.next_attempt_at == datetime(2026, 12, 11, 0, 0, tzinfo=UTC)


async def test_unreachable_owners_get_nothing(session_pool, estate, units):
    unit = units["5-0801"]
    await make_owner(session_pool, estate, 6101, [unit], status=OwnerStatus.unreachable)
    await add_charge(session_pool, unit, DUE)
    report = await run_at(session_pool, JOB, estate, at(estate, DUE))
    assert report.enqueued == 0


async def test_paused_unit_gets_no_reminders_until_resumed(
    session_pool, estate, verified_owner, units, staff_members
):
    await add_charge(session_pool, units["3-1201"], DUE)
    async with session_pool() as session:
        await reminders.pause(
            session,
            estate_id=estate.id,
            building="3",
            number="1201",
            reason="payment plan agreed",
            by=staff_members["cashier"],
            now=at(estate, date(2026, 12, 1)),
        )
    assert (await run_at(session_pool, JOB, estate, at(estate, DUE))).enqueued == 0
    async with session_pool() as session:
        await reminders.resume(
            session,
            estate_id=estate.id,
            building="3",
            number="1201",
            by=staff_members["cashier"],
            now=at(estate, date(2026, 12, 12)),
        )
    assert (await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 17)))).enqueued == 1


async def test_catching_up_after_downtime(session_pool, estate, verified_owner, units):
    await add_charge(session_pool, units["3-1201"], DUE)
    await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 2)))
    # Down from the 3rd (the 7-days-before reminder) to the 5th: the reminder comes late.
    assert (await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 5)))).enqueued == 1
    assert (await run_at(session_pool, JOB, estate, at(estate, date(2026, 12, 6)))).enqueued == 0


async def test_estates_in_other_time_zones_and_across_dst(session_pool):
    new_york = await make_estate(session_pool, "Hudson Yards", "America/New_York", -100201)
    async with session_pool() as session:
        unit = Unit(estate_id=new_york.id, building="A", number="7")
        session.add(unit)
        await session.commit()
    await make_owner(session_pool, new_york, 6201, [unit])
    # Due 8 November: the 7-days-before reminder is on 1 November, the day DST ends.
    await add_charge(session_pool, unit, date(2026, 11, 8))
    # 09:00 local is 13:00 UTC under EDT, 14:00 UTC under EST.
    assert next_run(JOB, new_york, datetime(2026, 10, 31, 0, 0, tzinfo=UTC)) == datetime(
        2026, 10, 31, 13, 0, tzinfo=UTC
    )
    assert next_run(JOB, new_york, datetime(2026, 10, 31, 13, 1, tzinfo=UTC)) == datetime(
        2026, 11, 1, 14, 0, tzinfo=UTC
    )
    moment = datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    report = await run_at(session_pool, JOB, new_york, moment)
    assert report.enqueued == 1
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert row.dedupe_key.endswith(":2026-11-01")
    assert row.next_attempt_at == moment
    # In New York at 06:00 (quiet until 08:00 local = 13:00 UTC under EST) it waits.
    await add_charge(session_pool, unit, date(2026, 11, 9), item="Parking")
    await run_at(session_pool, JOB, new_york, datetime(2026, 11, 2, 11, 0, tzinfo=UTC))
    rows = await rows_with(session_pool, "fee-reminder:")
    assert rows[-1].next_attempt_at == datetime(2026, 11, 2, 13, 0, tzinfo=UTC)


async def test_shanghai_and_new_york_fire_at_their_own_nine(estate, session_pool):
    new_york = await make_estate(session_pool, "Hudson Yards", "America/New_York", -100202)
    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert next_run(JOB, estate, now) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    assert next_run(JOB, new_york, now) == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert fee_reminders.NAME == "fee_reminders"


async def _queued_at_night(session_pool, estate, units):
    """Two charges, the job run at 23:30 (quiet hours): the reminder waits for 08:00."""
    first = await add_charge(session_pool, units["3-1201"], DUE, 50000)
    second = await add_charge(session_pool, units["3-1202"], DUE, 32000, item="Parking")
    night = at(estate, DUE, 23, 30)
    await run_at(session_pool, JOB, estate, night)
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert row.next_attempt_at == at(estate, DUE + timedelta(days=1), 8, 0)
    return first, second, night


def _sender(session_pool, clock):
    return OutboxSender(MockedBot(), session_pool, clock, limiter=contextlib.nullcontext())


async def _pay(session_pool, charge, amount, moment):
    async with session_pool() as session:
        session.add(Payment(charge_id=charge.id, amount=amount, paid_at=moment))
        await session.commit()


async def test_reminder_paid_before_the_morning_is_skipped_not_sent(
    session_pool, estate, verified_owner, units
):
    first, second, night = await _queued_at_night(session_pool, estate, units)
    await _pay(session_pool, first, 50000, night + timedelta(minutes=20))
    await _pay(session_pool, second, 32000, night + timedelta(minutes=40))
    clock = FakeClock(at(estate, DUE + timedelta(days=1), 8, 0))
    sender = _sender(session_pool, clock)
    assert await sender.send_due(clock()) == 0
    assert sender.bot.sent(OWNER.id) == []
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert row.status == OutboxStatus.skipped
    assert row.last_error is not None and "nothing owed" in row.last_error
    assert await sender.send_due(clock.advance(timedelta(minutes=5))) == 0


async def test_reminder_partly_paid_overnight_lists_only_what_is_left(
    session_pool, estate, verified_owner, units
):
    first, _, night = await _queued_at_night(session_pool, estate, units)
    await _pay(session_pool, first, 50000, night + timedelta(minutes=20))
    clock = FakeClock(at(estate, DUE + timedelta(days=1), 8, 0))
    sender = _sender(session_pool, clock)
    assert await sender.send_due(clock()) == 1
    [request] = sender.bot.sent(OWNER.id)
    assert "Parking" in request.text and "¥320.00" in request.text
    assert "¥500.00" not in request.text and "¥820.00" not in request.text
    [row] = await rows_with(session_pool, "fee-reminder:")
    assert row.status == OutboxStatus.sent


@pytest.mark.parametrize("change", ["none", "paused", "blocked"])
async def test_reminder_is_rechecked_at_send_time(
    session_pool, estate, verified_owner, units, staff_members, change
):
    await add_charge(session_pool, units["3-1201"], DUE, 50000)
    night = at(estate, DUE, 23, 30)
    await run_at(session_pool, JOB, estate, night)
    async with session_pool() as session:
        if change == "paused":
            await reminders.pause(
                session,
                estate_id=estate.id,
                building="3",
                number="1201",
                reason="payment plan agreed",
                by=staff_members["cashier"],
                now=night + timedelta(hours=1),
            )
        elif change == "blocked":
            owner = await session.get(Owner, verified_owner.id)
            owner.status = OwnerStatus.unreachable
            session.add(owner)
            await session.commit()
    clock = FakeClock(at(estate, DUE + timedelta(days=1), 8, 0))
    sender = _sender(session_pool, clock)
    delivered = await sender.send_due(clock())
    [row] = await rows_with(session_pool, "fee-reminder:")
    if change == "none":
        assert (delivered, row.status) == (1, OutboxStatus.sent)
        [request] = sender.bot.sent(OWNER.id)
        assert request.text == row.payload["text"]
    else:
        assert (delivered, row.status) == (0, OutboxStatus.skipped)
        assert sender.bot.sent(OWNER.id) == []


async def test_owed_per_owner_streams_what_owed_returns_owner_by_owner(
    session_pool, estate, units
):
    olivia = await make_owner(session_pool, estate, 8101, [units["3-1201"], units["3-1202"]])
    oscar = await make_owner(session_pool, estate, 8102, [units["5-0801"]])
    for months in range(3):
        for unit in units.values():
            await add_charge(session_pool, unit, DUE - timedelta(days=30 * months))
    # Paid in full though not marked settled (a hint): owed by neither call.
    paid = await add_charge(session_pool, units["5-0801"], DUE, item="Parking")
    async with session_pool() as session:
        session.add(Payment(charge_id=paid.id, amount=paid.amount, paid_at=at(estate, DUE)))
        await session.commit()
    now = at(estate, DUE)
    async with session_pool() as session:
        everything = await reminders.owed(session, estate.id, DUE, now)
    assert {c.owner_id for c in everything} == {olivia.id, oscar.id}
    assert paid.id not in {c.charge_id for c in everything}
    streamed = []
    async with session_pool() as session:
        # Two rows a read, and a write on the same session between owners, as the job does.
        async for charges in reminders.owed_per_owner(session, estate.id, DUE, now, chunk=2):
            streamed.append(charges)
            draft = Draft(f"stream:{charges[0].owner_id}", charges[0].chat_id, "x")
            await enqueue_new(session, [draft], now)
        await session.commit()
    assert [c for owner in streamed for c in owner] == everything
    assert [len(owner) for owner in streamed] == [6, 3]
    assert {owner[0].owner_id for owner in streamed} == {olivia.id, oscar.id}
    assert len(await rows_with(session_pool, "stream:")) == 2
