"""My fees: statement arithmetic, overdue marks, several units, all clear, money formatting."""

from datetime import UTC, date, datetime

import pytest

from handlers.fees import chunks
from storage import fees
from storage.models import Charge, Owner, OwnerStatus, Payment
from storage.money import format_money
from tests.helpers import Person
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import OWNER

TODAY = date(2026, 11, 23)


async def add_charge(session_pool, unit, item, period, amount, due, paid=(), currency="CNY"):
    async with session_pool() as session:
        charge = Charge(
            unit_id=unit.id,
            item=item,
            period=period,
            amount=amount,
            currency=currency,
            due_date=due,
        )
        session.add(charge)
        await session.flush()
        for value in paid:
            session.add(
                Payment(
                    charge_id=charge.id, amount=value, paid_at=datetime(2026, 11, 1, tzinfo=UTC)
                )
            )
        await session.commit()
        return charge


def test_money_formatting():
    assert format_money(123450, "CNY", "zh") == "¥1,234.50"
    assert format_money(123450, "CNY", "en") == "CN¥1,234.50"
    assert format_money(5, "USD", "en") == "$0.05"
    assert format_money(100000000, "HKD", "en") == "HK$1,000,000.00"
    assert format_money(-250, "EUR", "en") == "-€2.50"
    # The currency says how many decimals: none for yen, three for dinars.
    assert format_money(1500, "JPY", "en") == "¥1,500"
    assert format_money(1500, "KWD", "en") == "KWD1.500"


def test_chunks_stay_under_the_limit():
    lines = [f"line {i} " + "x" * 90 for i in range(200)]
    parts = list(chunks(lines, 4000))
    assert len(parts) > 1
    assert all(len(p) <= 4000 for p in parts)
    assert "\n".join(parts).count("line ") == 200


async def test_statement_with_partial_payments_and_overdue(session_pool, verified_owner, units):
    a, b = units["3-1201"], units["3-1202"]
    await add_charge(
        session_pool, a, "Property fee", "2026-10", 50000, date(2026, 10, 31), [20000]
    )
    await add_charge(session_pool, a, "Property fee", "2026-11", 50000, date(2026, 11, 30))
    await add_charge(
        session_pool, a, "Parking", "2026-09", 30000, date(2026, 9, 30), [10000, 20000]
    )
    await add_charge(session_pool, b, "Property fee", "2026-11", 40000, date(2026, 11, 30), [100])
    await add_charge(session_pool, b, "Water", "2026-11", 1000, date(2026, 11, 30), currency="USD")
    async with session_pool() as session:
        result = await fees.statement(session, verified_owner.id, TODAY)
    by_unit = {s.unit.number: s for s in result}
    first = by_unit["1201"]
    assert [(c.period, c.paid, c.balance, c.overdue) for c in first.open] == [
        ("2026-10", 20000, 30000, True),
        ("2026-11", 0, 50000, False),
    ]
    assert [c.item for c in first.paid] == ["Parking"]
    assert first.outstanding == {"CNY": 80000}
    assert by_unit["1202"].outstanding == {"CNY": 39900, "USD": 1000}
    assert fees.totals(result) == {"CNY": 119900, "USD": 1000}


async def test_menu_shows_balances_overdue_and_totals(
    tg, bot, verified_owner, units, session_pool
):
    await add_charge(
        session_pool, units["3-1201"], "Property fee", "2026-10", 123450, date(2026, 10, 31), [450]
    )
    await add_charge(session_pool, units["3-1202"], "Parking", "2026-11", 20000, date(2026, 12, 5))
    await tg.send(OWNER, "💳 My fees")
    text = bot.last_text(OWNER.id)
    assert "Building 3, unit 1201" in text and "Building 3, unit 1202" in text
    assert "⚠️ Property fee 2026-10" in text
    assert "owed CN¥1,230.00" in text and "paid CN¥4.50" in text
    assert "Total outstanding: CN¥1,430.00" in text
    assert "2026-12-05" in text


async def test_chinese_alias_and_all_clear(tg, bot, verified_owner, units, session_pool):
    await add_charge(
        session_pool, units["3-1201"], "Property fee", "2026-10", 5000, date(2026, 10, 31), [5000]
    )
    await tg.send(OWNER, "物业费")
    text = bot.last_text(OWNER.id)
    assert "nothing is owed" in text
    assert "✓ Property fee 2026-10: CN¥50.00" in text


async def test_many_charges_are_capped(tg, bot, verified_owner, units, session_pool):
    for month in range(1, 13):
        for item in ("Property fee", "Parking"):
            await add_charge(
                session_pool,
                units["3-1201"],
                item,
                f"2025-{month:02d}",
                10000,
                date(2025, month, 28),
            )
    await tg.send(OWNER, "fees")
    texts = bot.texts(OWNER.id)
    assert all(len(t) <= 4096 for t in texts)
    assert "12 more open charges" in texts[-1]
    assert "Total outstanding: CN¥2,400.00" in texts[-1]


@pytest.mark.parametrize("status", [OwnerStatus.pending, OwnerStatus.rejected])
async def test_unverified_owner_is_refused(tg, bot, estate, session_pool, status):
    person = Person(6001, "Pat", "en")
    async with session_pool() as session:
        session.add(
            Owner(
                estate_id=estate.id,
                name="Pat",
                phone="+8613800000099",
                telegram_user_id=person.id,
                chat_id=person.id,
                status=status,
            )
        )
        await session.commit()
    await tg.send(person, "💳 My fees")
    text = bot.last_text(person.id)
    assert "Your fees" not in text
    assert "registration" in text


async def test_stranger_is_told_to_register(tg, bot, estate):
    await tg.send(Person(6002, "Kim", "en"), "💳 My fees")
    assert "/start" in bot.last_text(6002)
