"""/hours and /quiet: every staff member may look, only a manager may change, and
a window that cannot be used is refused with the reason and nothing written."""

import pytest
from sqlmodel import select

from storage.models import AuditEvent, Estate
from tests.helpers import STAFF_CHAT_ID
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import CASHIER, MANAGER, STRANGER


@pytest.fixture
async def english_group(session_pool, estate, staff_members) -> Estate:
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.locale = "en"
        session.add(row)
        await session.commit()
        return row


async def stored(session_pool, estate) -> Estate:
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        assert row is not None
        return row


async def test_any_staff_member_sees_the_settings(tg, bot, english_group):
    await tg.group(CASHIER, "/hours")
    shown = bot.last_text(STAFF_CHAT_ID)
    assert "Office hours: 09:00-18:00" in shown
    assert "Quiet hours: 21:00-08:00" in shown
    assert "Asia/Shanghai" in shown and "Emergency phone: not set" in shown


async def test_a_manager_sets_office_hours_typed_on_a_chinese_keyboard(
    tg, bot, session_pool, english_group
):
    await tg.group(MANAGER, "/hours ０８：３０－１７：３０")
    assert "Office hours are now 08:30-17:30 (Asia/Shanghai)" in bot.last_text(STAFF_CHAT_ID)
    assert (await stored(session_pool, english_group)).working_hours == "08:30-17:30"
    async with session_pool() as session:
        audit = (await session.exec(select(AuditEvent))).all()
    assert [(a.type, a.data) for a in audit][-1] == (
        "working_hours_set",
        {"previous": "09:00-18:00", "value": "08:30-17:30"},
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("/hours 9 to 5", "is not a time window"),
        ("/hours 18:00-09:00", "closes before it opens"),
        ("/hours 09:00-09:00", "starts and ends at the same time"),
        ("/hours 25:00-26:00", "is not a time window"),
        ("/quiet 22:00", "is not a time window"),
    ],
)
async def test_unusable_windows_are_refused_and_nothing_changes(
    tg, bot, session_pool, english_group, typed, reason
):
    await tg.group(MANAGER, typed)
    assert reason in bot.last_text(STAFF_CHAT_ID)
    row = await stored(session_pool, english_group)
    assert (row.working_hours, row.quiet_hours) == ("09:00-18:00", "21:00-08:00")


async def test_quiet_hours_may_cross_midnight(tg, bot, session_pool, english_group):
    await tg.group(MANAGER, "/quiet 22:00-07:30")
    assert "Quiet hours are now 22:00-07:30" in bot.last_text(STAFF_CHAT_ID)
    assert (await stored(session_pool, english_group)).quiet_hours == "22:00-07:30"


async def test_only_a_manager_changes_and_strangers_are_refused(
    tg, bot, session_pool, english_group
):
    await tg.group(CASHIER, "/hours 08:00-17:00")
    assert "only a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(STRANGER, "/quiet 20:00-09:00")
    assert bot.last_text(STAFF_CHAT_ID) != ""
    row = await stored(session_pool, english_group)
    assert (row.working_hours, row.quiet_hours) == ("09:00-18:00", "21:00-08:00")
