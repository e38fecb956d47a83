"""Two cashiers pressing Confirm at the same moment, on a database file: each session has its
own connection there, as in production (the in-memory test database shares one)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage.db import create_engine, upgrade_connection
from storage.models import Charge, Estate, Payment
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import CASHIER, MANAGER


@pytest.fixture
async def engine(tmp_path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    yield engine
    await engine.dispose()


async def test_two_cashiers_confirming_at_once_never_overpay(
    tg, bot, session_pool, estate, units, verified_owner, staff_members
):
    """Both summaries fit the balance on their own; together they would not."""
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.locale = "en"
        session.add(row)
        session.add_all(
            Charge(
                unit_id=units["3-1201"].id,
                item="Property fee",
                period=period,
                amount=50000,
                currency="CNY",
                due_date=due,
            )
            for period, due in (("2026-10", date(2026, 10, 31)), ("2026-11", date(2026, 11, 30)))
        )
        await session.commit()
    await tg.group(CASHIER, "/paid 3-1201 800")
    first = bot.sent(STAFF_CHAT_ID)[-1].reply_markup.inline_keyboard[0][0].callback_data
    await tg.group(MANAGER, "/paid 3-1201 700")
    second = bot.sent(STAFF_CHAT_ID)[-1].reply_markup.inline_keyboard[0][0].callback_data
    await asyncio.gather(
        tg.press(CASHIER, first, STAFF_CHAT_ID), tg.press(MANAGER, second, STAFF_CHAT_ID)
    )
    async with session_pool() as session:
        rows = (
            await session.exec(select(Payment).where(col(Payment.reversed_at).is_(None)))
        ).all()
    assert sum(p.amount for p in rows) in (80000, 70000)
    assert len({p.receipt_number for p in rows}) == 1
    assert any("balance of this unit changed" in (a.text or "") for a in answers(bot))
