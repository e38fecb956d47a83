"""`announce`: queueing an announcement — the announcements job (`scheduler.jobs.announcements`)
putting one outbox row per verified owner, BATCH owners per INSERT with the cursor committed
per batch — for 1 000, 10 000 and 100 000 owners (`FRONTDOOR_BENCH_ANNOUNCE_SCALES`), on
SQLite and on PostgreSQL when configured. The issue's target: 100 000 owners in ≤ 10 s."""

import os
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from sqlalchemy import func, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from benchmarks.common import Row
from benchmarks.handlers import postgres_schema, sqlite_file
from scheduler.jobs import announcements as job
from storage import estates
from storage.db import create_session_pool, upgrade_connection
from storage.models import Announcement, AnnouncementStatus, OutboxMessage, Owner, OwnerStatus

SCALES = tuple(
    int(n)
    for n in os.environ.get("FRONTDOOR_BENCH_ANNOUNCE_SCALES", "1000,10000,100000").split(",")
)
SLICE = 1000  # owners per INSERT while building (PostgreSQL's 32 767-parameter limit)


async def one(
    engines: Callable[[], AbstractAsyncContextManager[AsyncEngine]], owners: int
) -> dict[str, float | int]:
    async with engines() as engine:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        pool = create_session_pool(engine)
        now = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: no quiet hours
        async with pool() as session:
            estate = await estates.ensure_default(
                session, name="Bench", time_zone="Asia/Shanghai", locale="zh", currency="CNY"
            )
            rows = [
                {
                    "estate_id": estate.id,
                    "name": f"Owner {i}",
                    "telegram_user_id": 1_000_000 + i,
                    "chat_id": 1_000_000 + i,
                    "language": ("en", "zh")[i % 2],
                    "status": OwnerStatus.verified.value,
                    "created_at": now,
                }
                for i in range(owners)
            ]
            for start in range(0, owners, SLICE):
                await session.exec(insert(Owner).values(rows[start : start + SLICE]))
            session.add(
                Announcement(
                    estate_id=estate.id or 0,
                    text="en: Water is off on Tuesday 9:00-12:00.\nzh: 周二 9:00-12:00 停水。",
                    status=AnnouncementStatus.sending,
                    recipients=owners,
                    confirmed_at=now,
                    created_at=now,
                )
            )
            await session.commit()
        # The statistics autovacuum would have gathered after such a load: without them
        # PostgreSQL read each batch of recipients by scanning and sorting all the owners, one
        # full scan per 1 000 owners — the enqueue grew with the square of the estate.
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE owner"))
        async with pool() as session:
            started = time.perf_counter()
            cpu = time.process_time()
            result = await job.run(session, estate, now)
            enqueue_s = time.perf_counter() - started
            cpu_s = time.process_time() - cpu
            queued = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
        if result.enqueued != owners or queued != owners:
            raise AssertionError(f"{owners} owners but {result.enqueued} enqueued, {queued} rows")
    return {
        "owners": owners,
        "enqueue_s": round(enqueue_s, 2),
        "cpu_s": round(cpu_s, 2),
        "rows_per_s": round(owners / enqueue_s),
    }


async def run(database_url: str | None = None) -> list[Row]:
    targets: list[tuple[str, Callable[[], AbstractAsyncContextManager[AsyncEngine]]]] = [
        ("sqlite", sqlite_file)
    ]
    if database_url:
        targets.append(("postgresql", lambda: postgres_schema(database_url)))
    rows = []
    for kind, engines in targets:
        for n in SCALES:
            figures = await one(engines, n)
            rows.append(
                Row(f"enqueue {n} owners ({kind})", value=figures["enqueue_s"], metrics=figures)
            )
    return rows
