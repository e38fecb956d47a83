"""Payments in storage: allocation properties, confirm once, reversal, arrears, collection rate."""

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, col, select

from storage import kpis, payments
from storage.db import create_engine, create_session_pool
from storage.models import (
    AuditEvent,
    Charge,
    Estate,
    Payment,
    StaffMember,
    StaffRole,
    Unit,
)
from storage.payments import OpenCharge, PaymentError, Refusal, allocate

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def no_drafts(_: object) -> list:
    return []


charges_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10**6),
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=90),
    ),
    min_size=1,
    max_size=8,
)


def make_open(specs) -> list[OpenCharge]:
    return [
        OpenCharge(
            charge_id=i + 1,
            item="fee",
            period=f"2026-{(i % 12) + 1:02d}",
            due_date=date(2026, 1, 1) + timedelta(days=days),
            amount=amount,
            paid=int(amount * share),
            currency="CNY",
        )
        for i, (amount, share, days) in enumerate(specs)
    ]


# The machine running the suite may be busy: slow input generation is not a failure here.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=charges_strategy, pick=st.floats(min_value=0, max_value=1))
def test_allocation_preserves_sums_and_never_goes_negative(specs, pick):
    charges = make_open(specs)
    owed = sum(c.balance for c in charges)
    if owed == 0:
        with pytest.raises(PaymentError) as refused:
            allocate(charges, 1)
        assert refused.value.refusal == Refusal.nothing_owed
        return
    amount = max(1, int(owed * pick))
    parts = allocate(charges, amount)
    assert sum(p.part for p in parts) == amount
    assert all(0 < p.part <= p.charge.balance and p.left >= 0 for p in parts)
    # Oldest first: a charge gets money only when every older open charge is settled.
    ordered = payments.oldest_first(c for c in charges if c.balance > 0)
    got = {p.charge.charge_id: p.part for p in parts}
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if got.get(later.charge_id):
            assert got.get(earlier.charge_id) == earlier.balance
    with pytest.raises(PaymentError) as refused:
        allocate(charges, owed + 1)
    assert refused.value.refusal == Refusal.overpayment


def test_refusals_of_allocation():
    charges = make_open([(1000, 0, 0), (500, 1, 1)])
    for amount, refusal in ((0, Refusal.not_positive), (-5, Refusal.not_positive)):
        with pytest.raises(PaymentError) as refused:
            allocate(charges, amount)
        assert refused.value.refusal == refusal
    with pytest.raises(PaymentError) as refused:
        allocate(charges, 100, charge_id=2)
    assert refused.value.refusal == Refusal.nothing_owed
    with pytest.raises(PaymentError) as refused:
        allocate(charges, 100, charge_id=99)
    assert refused.value.refusal == Refusal.unknown_charge
    assert [(p.charge.charge_id, p.part) for p in allocate(charges, 300, charge_id=1)] == [
        (1, 300)
    ]


async def _world(pool, specs):
    async with pool() as session:
        estate = Estate(name="E", staff_chat_id=-1)
        session.add(estate)
        await session.flush()
        unit = Unit(estate_id=estate.id, building="3", number="1201")
        cashier = StaffMember(estate_id=estate.id, telegram_user_id=1, name="C", role="cashier")
        manager = StaffMember(estate_id=estate.id, telegram_user_id=2, name="M", role="manager")
        session.add_all([unit, cashier, manager])
        await session.flush()
        for i, (amount, _, days) in enumerate(specs):
            session.add(
                Charge(
                    unit_id=unit.id,
                    item="fee",
                    period=f"p{i}",
                    amount=amount,
                    currency="CNY",
                    due_date=date(2026, 1, 1) + timedelta(days=days),
                )
            )
        await session.commit()
        return estate, unit, cashier, manager


async def _pay(pool, estate, cashier, label, amount, now=NOW):
    async with pool() as session:
        prepared = await payments.prepare(
            session, estate=estate, staff=cashier, unit_label=label, amount=amount, now=now
        )
    async with pool() as session:
        return await payments.confirm(
            session,
            estate=estate,
            request_id=prepared.request_id,
            token=prepared.token,
            staff=cashier,
            now=now,
            notify=no_drafts,
        )


async def _check_settled(pool, unit_id):
    """Charge.settled says "paid in full" exactly for the charges with nothing left to pay."""
    async with pool() as session:
        balances = {c.charge_id: c.balance for c in await payments.unit_charges(session, unit_id)}
        charges = (await session.exec(select(Charge).where(Charge.unit_id == unit_id))).all()
    assert {c.id: c.settled for c in charges} == {i: b == 0 for i, b in balances.items()}


async def _reversal_scenario(specs, first_share, second_share):
    engine = create_engine("sqlite+aiosqlite://")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    pool = create_session_pool(engine)
    try:
        estate, unit, cashier, manager = await _world(pool, specs)
        total = sum(a for a, _, _ in specs)
        first = max(1, int(total * first_share))
        await _pay(pool, estate, cashier, "3-1201", first)
        async with pool() as session:
            before = await payments.unit_charges(session, unit.id)
        await _check_settled(pool, unit.id)
        owed = sum(c.balance for c in before)
        if owed == 0:
            return
        second = max(1, int(owed * second_share))
        recorded = await _pay(pool, estate, cashier, "3-1201", second)
        async with pool() as session:
            middle = await payments.unit_charges(session, unit.id)
        assert sum(c.balance for c in middle) == owed - second
        await _check_settled(pool, unit.id)
        assert all(c.balance >= 0 for c in middle)
        async with pool() as session:
            await payments.reverse(
                session,
                estate=estate,
                key=recorded.receipt_number,
                reason="typo",
                staff=manager,
                now=NOW,
                notify=no_drafts,
            )
        async with pool() as session:
            after = await payments.unit_charges(session, unit.id)
            kept = (await session.exec(select(Payment))).all()
        assert after == before
        await _check_settled(pool, unit.id)
        # Nothing deleted: the reversed rows are still there, marked.
        assert len(kept) == len(set(recorded.payment_ids)) + len(
            [p for p in kept if p.receipt_number != recorded.receipt_number]
        )
    finally:
        await engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=charges_strategy,
    first_share=st.floats(min_value=0, max_value=0.9),
    second_share=st.floats(min_value=0, max_value=1),
)
def test_reversal_restores_the_previous_state_exactly(specs, first_share, second_share):
    asyncio.run(_reversal_scenario(specs, first_share, second_share))


@pytest.fixture
async def world(session_pool):
    return await _world(session_pool, [(50000, 0, 0), (50000, 0, 40)])


@pytest.fixture
async def file_pool(tmp_path):
    """A database file, so that two sessions really are two connections (the in-memory test
    database shares one)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pay.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    yield create_session_pool(engine)
    await engine.dispose()


async def test_confirm_twice_records_one_payment(file_pool):
    session_pool = file_pool
    estate, unit, cashier, _ = await _world(session_pool, [(50000, 0, 0), (50000, 0, 30)])
    async with session_pool() as session:
        prepared = await payments.prepare(
            session, estate=estate, staff=cashier, unit_label="3-1201", amount=60000, now=NOW
        )
    assert [(a.part, a.left) for a in prepared.allocations] == [(50000, 0), (10000, 40000)]

    async def press():
        async with session_pool() as session:
            return await payments.confirm(
                session,
                estate=estate,
                request_id=prepared.request_id,
                token=prepared.token,
                staff=cashier,
                now=NOW,
                notify=no_drafts,
            )

    results = await asyncio.gather(press(), press(), return_exceptions=True)
    recorded = [r for r in results if isinstance(r, payments.Recorded)]
    refused = [r for r in results if isinstance(r, PaymentError)]
    assert len(recorded) == 1 and [r.refusal for r in refused] == [Refusal.already_confirmed]
    assert recorded[0].receipt_number == f"R202611-{prepared.request_id:05d}"
    assert recorded[0].owed_after == 40000
    async with session_pool() as session:
        assert sum(p.amount for p in (await session.exec(select(Payment))).all()) == 60000
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.entity == "payment"))
        ).all()
    assert [e.type for e in events] == ["payment_recorded"]


async def test_a_wrong_token_or_role_records_nothing(session_pool, world):
    estate, unit, cashier, manager = world
    async with session_pool() as session:
        prepared = await payments.prepare(
            session, estate=estate, staff=cashier, unit_label="3-1201", amount=100, now=NOW
        )
    agent = StaffMember(estate_id=estate.id, telegram_user_id=3, name="A", role=StaffRole.agent)
    for who, token, refusal in (
        (cashier, "forged", Refusal.stale),
        (agent, prepared.token, Refusal.not_allowed),
    ):
        async with session_pool() as session:
            with pytest.raises(PaymentError) as refused:
                await payments.confirm(
                    session,
                    estate=estate,
                    request_id=prepared.request_id,
                    token=token,
                    staff=who,
                    now=NOW,
                    notify=no_drafts,
                )
        assert refused.value.refusal == refusal
    async with session_pool() as session:
        with pytest.raises(PaymentError) as refused:
            await payments.confirm(
                session,
                estate=estate,
                request_id=prepared.request_id,
                token=prepared.token,
                staff=cashier,
                now=NOW + payments.REQUEST_TTL,
                notify=no_drafts,
            )
    assert refused.value.refusal == Refusal.stale
    async with session_pool() as session:
        assert (await session.exec(select(Payment))).all() == []


async def test_collection_rate_and_arrears(session_pool, world):
    estate, unit, cashier, manager = world
    await _pay(session_pool, estate, cashier, "3-1201", 25000)
    async with session_pool() as session:
        # The one definition of the collection rate is the KPI's (/arrears, /stats, /report).
        jan = await kpis.collection_rate(session, estate, kpis.month_period(estate, "2026-01"))
        nothing = await kpis.collection_rate(session, estate, kpis.month_period(estate, "2025-01"))
        before = await kpis.collection_rate(
            session, estate, kpis.month_period(estate, "2026-01"), as_of=NOW - timedelta(days=1)
        )
        owing = await payments.arrears(session, estate, date(2026, 1, 15))
        all_open = await payments.arrears(session, estate, date(2026, 1, 15), overdue_only=False)
    assert (jan.billed, jan.paid, jan.rate.pct) == (50000, 25000, 50)
    assert nothing.rate.pct is None
    assert before.paid == 0
    assert [(a.overdue, a.owed, a.days_overdue) for a in owing] == [(25000, 75000, 14)]
    assert len(all_open) == 1


async def test_unknown_unit_and_reversal_refusals(session_pool, world):
    estate, unit, cashier, manager = world
    async with session_pool() as session:
        with pytest.raises(PaymentError) as refused:
            await payments.prepare(
                session, estate=estate, staff=cashier, unit_label="9-9", amount=1, now=NOW
            )
    assert refused.value.refusal == Refusal.unknown_unit
    recorded = await _pay(session_pool, estate, cashier, "3-1201", 100)
    key = str(recorded.payment_ids[0])
    cases = [
        (cashier, key, "oops", Refusal.not_allowed),
        (manager, key, "  ", Refusal.reason_missing),
        (manager, "12345", "oops", Refusal.unknown_payment),
    ]
    for who, what, reason, refusal in cases:
        async with session_pool() as session:
            with pytest.raises(PaymentError) as refused:
                await payments.reverse(
                    session,
                    estate=estate,
                    key=what,
                    reason=reason,
                    staff=who,
                    now=NOW,
                    notify=no_drafts,
                )
        assert refused.value.refusal == refusal
    for expected in (None, Refusal.already_reversed):
        async with session_pool() as session:
            try:
                await payments.reverse(
                    session,
                    estate=estate,
                    key=key,
                    reason="wrong unit",
                    staff=manager,
                    now=NOW,
                    notify=no_drafts,
                )
                outcome = None
            except PaymentError as exc:
                outcome = exc.refusal
        assert outcome == expected
    async with session_pool() as session:
        row = (await session.exec(select(Payment).where(col(Payment.id) == int(key)))).one()
    assert (row.reversed_at, row.reversed_by, row.reversal_reason) == (
        NOW,
        manager.id,
        "wrong unit",
    )
