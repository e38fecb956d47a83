"""The database locked or unreachable for a while: the update is not acknowledged until it is
stored (polling keeps the offset, the webhook answers 5xx), nothing is half-written, and the bot
recovers by itself once the database is back."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import func, select

from bot import polling
from bot.guards import is_storage_fault
from bot.runners import webhook_app
from storage.models import OutboxMessage, ProcessedUpdate, TicketEvent
from tests.helpers import STAFF_CHAT_ID, Person
from tests.mocked_bot import RecordingSession
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT

STARTER = Person(820, "Pat", "en")


class Outage:
    """Every statement (or only those matching `only`) fails as if the database were locked."""

    def __init__(self) -> None:
        self.down = False
        self.only: str | None = None
        self.refused = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.down and (self.only is None or self.only in statement.lower()):
            self.refused += 1
            raise OperationalError(statement, {}, Exception("database is locked"))


@contextmanager
def outage(engine: AsyncEngine) -> Iterator[Outage]:
    switch = Outage()
    event.listen(engine.sync_engine, "before_cursor_execute", switch)
    try:
        yield switch
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", switch)


async def count(session_pool, model) -> int:
    async with session_pool() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


class PollingSession(RecordingSession):
    """getUpdates answers from a script and records the offsets the bot confirmed."""

    def __init__(self, batches: list[list[Update]]) -> None:
        super().__init__()
        self.batches = batches
        self.offsets: list[int | None] = []

    async def make_request(self, bot, method, timeout=None):
        if isinstance(method, GetUpdates):
            self.offsets.append(method.offset)
            pending = (
                [
                    u
                    for u in self.batches[0]
                    if method.offset is None or u.update_id >= method.offset
                ]
                if self.batches
                else []
            )
            if not pending:
                await asyncio.sleep(0.01)
            return pending
        return await super().make_request(bot, method, timeout)


def test_storage_faults_are_told_from_bugs():
    locked = OperationalError("UPDATE x", {}, Exception("database is locked"))
    assert is_storage_fault(locked)
    assert is_storage_fault(ConnectionRefusedError(111, "Connection refused"))
    wrapped = RuntimeError("handler failed")
    wrapped.__cause__ = locked
    assert is_storage_fault(wrapped)
    assert not is_storage_fault(ValueError("bad input"))
    assert not is_storage_fault(KeyError("x"))


def test_offset_confirms_only_the_leading_handled_run(tg):
    updates = [Update(update_id=n) for n in (10, 11, 12, 13)]
    assert polling.confirmed_offset(updates, [True, True, False, True]) == 12
    assert polling.confirmed_offset(updates, [False, True, True, True]) is None
    assert polling.confirmed_offset(updates, [True] * 4) == 14


async def test_polling_keeps_the_offset_while_the_database_is_down(
    tg, bot, engine, session_pool, estate, monkeypatch
):
    monkeypatch.setattr(polling, "BACKOFF_START", 0.01)
    update = Update(update_id=900_001, message=tg.message(STARTER, "/start"))
    session = PollingSession([[update]])
    session.requests = bot.session.requests
    bot.session = session
    stop = asyncio.Event()
    with outage(engine) as db:
        db.down = True
        task = asyncio.create_task(polling.poll(tg.dp, bot, stop, timeout=0))
        while db.refused < 3:
            await asyncio.sleep(0.01)
        # Asked again and again for the same update: its offset was never confirmed.
        assert set(session.offsets) == {None}
        assert bot.sent(STARTER.id) == []
        db.down = False
        while not bot.sent(STARTER.id):
            await asyncio.sleep(0.01)
        while update.update_id + 1 not in session.offsets:
            await asyncio.sleep(0.01)
        stop.set()
        await task
    assert len([t for t in bot.texts(STARTER.id) if t]) >= 1
    assert await count(session_pool, ProcessedUpdate) == 1


async def test_nothing_is_half_written_and_the_redelivery_is_stored_once(
    tg, bot, engine, session_pool, staff_members, make_ticket
):
    ticket = await make_ticket()
    update = Update(
        update_id=900_002,
        message=tg.message(
            AGENT, f"/reply {ticket.ticket.number} a plumber comes at 3", STAFF_CHAT_ID
        ),
    )
    events, queued = (
        await count(session_pool, TicketEvent),
        await count(session_pool, OutboxMessage),
    )
    with outage(engine) as db:
        # The ticket row is read and changed; the write of its event fails mid-transaction.
        db.down, db.only = True, "insert into ticketevent"
        try:
            await tg.dp.feed_update(bot, update)
            raised = None
        except Exception as exc:
            raised = exc
        assert raised is not None and is_storage_fault(raised)
        assert db.refused >= 1
    assert await count(session_pool, TicketEvent) == events
    assert await count(session_pool, OutboxMessage) == queued
    assert await count(session_pool, ProcessedUpdate) == 0
    await tg.dp.feed_update(bot, update)
    await tg.dp.feed_update(bot, update)
    assert await count(session_pool, TicketEvent) == events + 1
    assert await count(session_pool, ProcessedUpdate) == 1


async def test_webhook_answers_5xx_until_stored_then_200_once(
    tg, bot, engine, session_pool, estate
):
    app = webhook_app(tg.dp, bot, "s3cret", "/hook")
    update = Update(update_id=900_003, message=tg.message(STARTER, "/start"))
    body = update.model_dump(mode="json", exclude_none=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    async with TestClient(TestServer(app)) as client:
        with outage(engine) as db:
            db.down = True
            refused = await client.post("/hook", json=body, headers=headers)
            assert refused.status >= 500
        assert bot.sent(STARTER.id) == []
        accepted = await client.post("/hook", json=body, headers=headers)
        assert accepted.status == 200
        replies = len(bot.sent(STARTER.id))
        assert replies >= 1
        again = await client.post("/hook", json=body, headers=headers)
        assert again.status == 200
        assert len(bot.sent(STARTER.id)) == replies
