"""SQLite writes queue in the process (storage.db.SqliteWriters) instead of SQLite's busy wait."""

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from storage import sqlite_driver, updates
from storage.db import create_engine, create_session_pool, upgrade_connection
from storage.models import ProcessedUpdate

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    pool = create_session_pool(engine)
    try:
        async with pool() as first, pool() as second:
            await first.exec(
                updates.mark_statement("sqlite"), params=updates.mark_params(1, 1, AT)
            )
            waiting = asyncio.create_task(updates.mark(second, 1, 2, AT))
            for _ in range(20):
                await asyncio.sleep(0)
            # Queued behind the open write transaction, not inside SQLite's busy handler.
            assert not waiting.done()
            await first.commit()
            await asyncio.wait_for(waiting, 5)

        # Many writers at once: every one gets its turn, none fails as "database is locked".
        async def one(update_id: int) -> None:
            async with pool() as session:
                await updates.mark(session, 1, update_id, AT)

        await asyncio.gather(*(one(n) for n in range(3, 43)))
        async with pool() as session:
            count = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        assert count == 42
    finally:
        await engine.dispose()


async def test_a_session_closed_without_commit_frees_the_writer(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    pool = create_session_pool(engine)
    try:
        async with pool() as abandoned:
            await abandoned.exec(
                updates.mark_statement("sqlite"), params=updates.mark_params(1, 1, AT)
            )
        async with pool() as session:
            await asyncio.wait_for(updates.mark(session, 1, 2, AT), 5)
            count = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        assert count == 1
    finally:
        await engine.dispose()


async def test_a_write_waits_for_another_process_without_holding_up_the_loop(tmp_path):
    """SQLite is called on the loop's thread (storage.sqlite_driver): while another process
    (here a plain sqlite3 connection) holds the write lock, the write naps with asyncio and
    the loop goes on; it is written once the lock is free, or fails as SQLite would."""
    path = tmp_path / "w.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    impatient = create_engine(
        f"sqlite+aiosqlite:///{path}", async_creator=sqlite_driver.connector(str(path), 0.02)
    )
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with create_session_pool(impatient)() as session:
            with pytest.raises(OperationalError, match="database is locked"):
                await updates.mark(session, 1, 1, AT)
        async with create_session_pool(engine)() as session:
            waiting = asyncio.create_task(updates.mark(session, 1, 2, AT))
            ticks = 0
            while ticks < 50:
                await asyncio.sleep(0)
                ticks += 1
            assert not waiting.done()
            other.execute("COMMIT")
            await asyncio.wait_for(waiting, 5)
            count = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        assert count == 1
    finally:
        other.close()
        await engine.dispose()
        await impatient.dispose()
