"""`handlers`: owners talking to a real Dispatcher (recording fake bot) on a real database.

Each owner is verified and holds one unit, so the repair conversation is the six-tap one:
menu text, category, description, Skip photos, Normal, Any time, Confirm.
"""

import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram.dispatcher.event.bases import UNHANDLED
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import func, select

from benchmarks.common import Row, database_kind, percentile
from bot.factory import create_dispatcher
from bot.settings import Settings
from storage import estates
from storage.db import (
    SessionPool,
    UnsavedRowError,
    create_engine,
    create_session_pool,
    upgrade_connection,
)
from storage.models import Owner, OwnerStatus, OwnerUnit, Ticket, Unit
from tests.helpers import STAFF_CHAT_ID, Person, Telegram
from tests.mocked_bot import MockedBot

MENU_OWNERS = 200
REPAIR_OWNERS = 100
# Owners talking at the same time; each owner's own updates stay in order, as in Telegram.
# More than the dispatcher lets in at once (bot.factory.MAX_CONCURRENT_UPDATES), so the gate that
# keeps updates from starving the connection pool is exercised too.
CONCURRENCY = 30
FIRST_USER_ID = 700_000
# A Monday 10:00 in Shanghai, moving with real time: the visit-time buttons are the same on
# every run, and the idle timeout never fires.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class TimedTelegram(Telegram):
    """The test helper that also times every update through the dispatcher."""

    latencies: list[float]

    async def feed(self, **update: Any) -> Any:
        started = time.perf_counter()
        try:
            return await super().feed(**update)
        finally:
            self.latencies.append(time.perf_counter() - started)


def moving_clock() -> Callable[[], datetime]:
    origin = time.monotonic()
    return lambda: START + timedelta(seconds=time.monotonic() - origin)


@asynccontextmanager
async def sqlite_file() -> Any:
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            yield engine
        finally:
            await engine.dispose()


@asynccontextmanager
async def postgres_schema(url: str) -> Any:
    """A fresh schema on the given server, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def seed(pool: SessionPool, settings: Settings, owners: int) -> list[Person]:
    """The default estate with its staff group and `owners` verified owners, one unit each."""
    async with pool() as session:
        estate = await estates.ensure_default(
            session,
            name="Bench Gardens",
            time_zone=settings.time_zone,
            locale=settings.locale,
            currency=settings.currency,
            staff_chat_id=STAFF_CHAT_ID,
        )
        if estate.id is None:
            raise UnsavedRowError("estate.id: not saved yet")
        people = []
        for i in range(owners):
            person = Person(FIRST_USER_ID + i, f"Owner{i}", "en")
            unit = Unit(estate_id=estate.id, building=str(i % 20 + 1), number=f"{i:04d}")
            owner = Owner(
                estate_id=estate.id,
                name=f"Owner {i}",
                phone=f"+86138{i:08d}",
                telegram_user_id=person.id,
                chat_id=person.id,
                language="en",
                status=OwnerStatus.verified,
            )
            session.add_all([unit, owner])
            await session.flush()
            if unit.id is None or owner.id is None:
                raise UnsavedRowError("unit.id, owner.id: not saved yet")
            session.add(OwnerUnit(owner_id=owner.id, unit_id=unit.id))
            people.append(person)
        await session.commit()
    return people


async def menu(tg: Telegram, person: Person) -> None:
    await tg.send(person, "/start")
    await tg.send(person, "📋 My requests")


async def repair(tg: Telegram, person: Person) -> None:
    await tg.send(person, "🛠 Report a repair")
    await tg.press_label(person, "Electrical")
    await tg.send(person, "The corridor light is out again.")
    await tg.press_label(person, "Skip")
    await tg.press_label(person, "Normal")
    await tg.press_label(person, "Any time")
    await tg.press_label(person, "Confirm")


async def scenario(
    engine: AsyncEngine,
    owners: int,
    conversation: Callable[[Telegram, Person], Awaitable[None]],
) -> dict[str, Any]:
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    pool = create_session_pool(engine)
    settings = Settings(_env_file=None, bot_token="42:BENCH_TOKEN_abcdefghij", locale="zh")
    people = await seed(pool, settings, owners)
    bot = MockedBot()
    tg = TimedTelegram(create_dispatcher(settings, pool, clock=moving_clock()), bot)
    tg.latencies = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(person: Person) -> None:
        async with gate:
            await conversation(tg, person)

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in people))
    elapsed = time.perf_counter() - started
    unhandled = sum(1 for r in tg.results if r is UNHANDLED)
    async with pool() as session:
        tickets = (await session.exec(select(func.count()).select_from(Ticket))).one()
    ms = [s * 1000 for s in tg.latencies]
    return {
        "owners": owners,
        "updates": len(ms),
        "updates_per_s": len(ms) / elapsed,
        "p50_ms": percentile(ms, 0.50),
        "p95_ms": percentile(ms, 0.95),
        "max_ms": max(ms, default=0.0),
        "tickets": tickets,
        "unanswered": unhandled,
        "bot_calls": len(bot.requests),
    }


Engines = Callable[[], AbstractAsyncContextManager[AsyncEngine]]


async def run(database_url: str | None = None) -> list[Row]:
    targets: list[tuple[str, Engines]] = [("sqlite-file", sqlite_file)]
    if database_url:
        url = database_url
        targets.append((database_kind(url), lambda: postgres_schema(url)))
    rows = []
    for label, engines in targets:
        for name, owners, conversation in (
            ("menu", MENU_OWNERS, menu),
            ("repair", REPAIR_OWNERS, repair),
        ):
            async with engines() as engine:
                metrics = await scenario(engine, owners, conversation)
            if name == "repair" and metrics["tickets"] != owners:
                raise RuntimeError(metrics)
            rows.append(Row(f"{name} on {label}", metrics))
    return rows
