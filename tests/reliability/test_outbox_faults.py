"""Bot API faults from the sandbox's switches against the real outbox sender, and `/outbox`
for managers with its Retry button."""

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlmodel import col, select

from bot.metrics import Metrics
from handlers.outbox import OutboxAction, OutboxCb
from sandbox import start_sandbox
from scheduler.outbox import OutboxSender
from storage import outbox
from storage.models import AuditEvent, OutboxMessage, OutboxStatus, Owner, OwnerStatus
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, MANAGER, OWNER

SANDBOX_OWNER = 810_001


@pytest.fixture
async def sandbox() -> AsyncIterator[Any]:
    running = await start_sandbox(port=0, seed=3)
    running.sandbox.add_user("Olga", user_id=SANDBOX_OWNER)
    yield running
    await running.stop()


@pytest.fixture
async def real_bot(sandbox) -> AsyncIterator[Bot]:
    bot = Bot(
        "123456:RELIABILITY_abcdefghij",
        session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url)),
    )
    yield bot
    await bot.session.close()


async def queue(session_pool, clock, *keys: str, chat_id: int = SANDBOX_OWNER, **params) -> None:
    async with session_pool() as session:
        for key in keys:
            await outbox.enqueue(
                session,
                dedupe_key=key,
                chat_id=chat_id,
                text=f"{key} hi",
                not_before=clock(),
                **params,
            )
        await session.commit()


async def rows(session_pool) -> dict[str, OutboxMessage]:
    async with session_pool() as session:
        found = (await session.exec(select(OutboxMessage))).all()
    return {r.dedupe_key: r for r in found}


async def test_429_waits_retry_after_without_hammering(session_pool, sandbox, real_bot, clock):
    metrics = Metrics()
    sender = OutboxSender(
        real_bot, session_pool, clock, limiter=contextlib.nullcontext(), metrics=metrics
    )
    await queue(session_pool, clock, "a")
    sandbox.sandbox.set_faults(rate_limit_per_second=1)
    # Use the single allowed call of this second, so the message meets a 429.
    await real_bot.get_me()
    assert await sender.send_due(clock()) == 0
    row = (await rows(session_pool))["a"]
    assert row.status == OutboxStatus.pending and row.attempts == 0
    waited = row.next_attempt_at - clock()
    assert waited >= timedelta(seconds=1)
    calls = len(sandbox.sandbox.calls)
    # Before retry_after is over, the sender does not call Telegram again for that row.
    for _ in range(5):
        await sender.send_due(clock())
    assert len(sandbox.sandbox.calls) == calls
    sandbox.sandbox.reset_faults()
    clock.advance(waited)
    assert await sender.send_due(clock()) == 1
    assert metrics.send_errors.labels("429")._value.get() == 1


async def test_5xx_and_timeouts_back_off_then_dead(session_pool, sandbox, real_bot, clock):
    metrics = Metrics()
    sender = OutboxSender(
        real_bot,
        session_pool,
        clock,
        limiter=contextlib.nullcontext(),
        max_attempts=3,
        request_timeout=1,
        metrics=metrics,
    )
    await queue(session_pool, clock, "five")
    sandbox.sandbox.set_faults(error_rate=1.0, error_codes=[502], methods=["sendMessage"])
    gaps = []
    for _ in range(3):
        await sender.send_due(clock())
        row = (await rows(session_pool))["five"]
        if row.status == OutboxStatus.dead:
            break
        gaps.append(row.next_attempt_at - clock())
        clock.advance(row.next_attempt_at - clock())
    row = (await rows(session_pool))["five"]
    assert row.status == OutboxStatus.dead and row.attempts == 3
    assert gaps == [timedelta(seconds=2), timedelta(seconds=4)]
    assert metrics.send_errors.labels("5xx")._value.get() >= 3
    # A timeout is an outage too.
    sandbox.sandbox.add_user("Slow", user_id=SANDBOX_OWNER + 1)
    await queue(session_pool, clock, "slow2", chat_id=SANDBOX_OWNER + 1)
    sandbox.sandbox.set_faults(error_rate=0.0, delay=2.0)
    await sender.send_due(clock())
    slow = (await rows(session_pool))["slow2"]
    assert slow.status == OutboxStatus.pending and slow.attempts == 1
    assert (
        metrics.send_errors.labels("network")._value.get()
        + metrics.send_errors.labels("timeout")._value.get()
        >= 1
    )


async def test_403_marks_the_owner_unreachable_and_staff_are_told_once(
    session_pool, sandbox, real_bot, clock, estate, make_ticket, verified_owner
):
    async with session_pool() as session:
        owner = await session.get(Owner, verified_owner.id)
        owner.chat_id = SANDBOX_OWNER
        session.add(owner)
        await session.commit()
    ticket = await make_ticket()
    sender = OutboxSender(real_bot, session_pool, clock, limiter=contextlib.nullcontext())
    sandbox.sandbox.set_blocked(SANDBOX_OWNER, True)
    subject = f"ticket:{ticket.ticket.id}"
    for key in ("t1", "t2", "t3"):
        await queue(session_pool, clock, key, subject=subject)
        await sender.send_due(clock())
        clock.advance(timedelta(seconds=2))
    found = await rows(session_pool)
    assert {found[k].status for k in ("t1", "t2", "t3")} == {OutboxStatus.failed}
    notices = [r for r in found.values() if r.dedupe_key.startswith("undelivered:")]
    assert len(notices) == 1 and notices[0].chat_id == STAFF_CHAT_ID
    async with session_pool() as session:
        assert (await session.get(Owner, verified_owner.id)).status == OwnerStatus.unreachable


async def given_up_rows(session_pool, clock, estate) -> dict[str, OutboxMessage]:
    await queue(session_pool, clock, "dead1", chat_id=OWNER.id)
    await queue(session_pool, clock, "failed1", chat_id=STAFF_CHAT_ID)
    await queue(session_pool, clock, "elsewhere", chat_id=-100777)
    await queue(session_pool, clock, "fine", chat_id=OWNER.id)
    async with session_pool() as session:
        by_key = {r.dedupe_key: r for r in (await session.exec(select(OutboxMessage))).all()}
        for key, status in (("dead1", "dead"), ("failed1", "failed"), ("elsewhere", "dead")):
            await outbox.write_marks(
                session, [outbox.final_mark(by_key[key].id, OutboxStatus(status), "Bad Gateway")]
            )
    return await rows(session_pool)


async def test_managers_list_dead_and_failed_and_retry_one(
    tg, bot, session_pool, clock, estate, staff_members, verified_owner
):
    found = await given_up_rows(session_pool, clock, estate)
    await tg.group(MANAGER, "/outbox")
    listing = bot.last_text(STAFF_CHAT_ID)
    assert f"#{found['dead1'].id}" in listing and f"#{found['failed1'].id}" in listing
    assert f"#{found['elsewhere'].id}" not in listing  # another estate's chat
    assert f"#{found['fine'].id}" not in listing
    await tg.press_label(MANAGER, f"#{found['dead1'].id}", chat_id=STAFF_CHAT_ID)
    again = (await rows(session_pool))["dead1"]
    assert again.status == OutboxStatus.pending and again.attempts == 0
    async with session_pool() as session:
        audit = (
            await session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "outbox"))
        ).one()
    assert (audit.type, audit.entity_id) == ("retried", again.id)
    # Pressing it again (a stale button) changes nothing and says so.
    await tg.press(
        MANAGER,
        OutboxCb(action=OutboxAction.retry, row_id=again.id).pack(),
        chat_id=STAFF_CHAT_ID,
    )
    assert answers(bot)[-1].show_alert


async def test_outbox_is_for_managers_only(
    tg, bot, session_pool, clock, estate, staff_members, verified_owner
):
    found = await given_up_rows(session_pool, clock, estate)
    await tg.group(AGENT, "/outbox")
    assert "只有主管" in bot.last_text(STAFF_CHAT_ID)
    for person, chat_id in ((AGENT, STAFF_CHAT_ID), (OWNER, None)):
        await tg.press(
            person,
            OutboxCb(action=OutboxAction.retry, row_id=found["dead1"].id).pack(),
            chat_id=chat_id,
        )
    # Forged: a manager retrying another estate's row.
    await tg.press(
        MANAGER,
        OutboxCb(action=OutboxAction.retry, row_id=found["elsewhere"].id).pack(),
        chat_id=STAFF_CHAT_ID,
    )
    after = await rows(session_pool)
    assert after["dead1"].status == OutboxStatus.dead
    assert after["elsewhere"].status == OutboxStatus.dead
