"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when configured),
a fake clock, settings, a recording bot and a real dispatcher."""

# ruff: noqa: E402
from bot.lean_models import defer_aiogram_builds

# Before anything imports aiogram, as `frontdoor run` does: the tests see the lazy types.
defer_aiogram_builds()

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Dispatcher
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

from bot.factory import create_dispatcher
from bot.i18n import Catalogs, default_catalogs
from bot.middlewares import PlainCallbackAnswers
from bot.settings import Settings
from storage import estates
from storage.db import SessionPool, create_engine, create_session_pool, upgrade_connection
from storage.models import Estate
from tests.helpers import ADMIN_ID, STAFF_CHAT_ID, Telegram
from tests.mocked_bot import MockedBot

PG_URL = os.environ.get("FRONTDOOR_TEST_DATABASE_URL")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    # A Monday, 10:00 in Shanghai: inside working hours.
    return FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def sqlite_template() -> bytes:
    """The migrated schema as an SQLite image, built once: running the Alembic chain for every
    test cost about 0.3 s each, most of the suite's time."""
    sync_engine = create_sync_engine("sqlite://", poolclass=StaticPool)
    with sync_engine.begin() as conn:
        upgrade_connection(conn)
    raw = sync_engine.raw_connection()
    try:
        image = raw.driver_connection.serialize()
    finally:
        raw.close()
    sync_engine.dispose()
    return bytes(image)


async def sqlite_from_template(image: bytes) -> AsyncEngine:
    """A private in-memory database holding a copy of the migrated template."""
    engine = create_engine("sqlite+aiosqlite://")

    @event.listens_for(engine.sync_engine, "connect")
    def load(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's adapter -> aiosqlite.Connection -> the sqlite3 connection it drives.
        dbapi_connection._connection._conn.deserialize(image)

    # Connect now: StaticPool makes its one connection on first use, and two tasks using a
    # fresh engine at once (a sender and the test) would each make one, two separate databases.
    async with engine.connect():
        pass
    return engine


def run_aside(work: Callable[[], Awaitable[None]]) -> None:
    """Run a coroutine to completion on a loop of its own: session fixtures are set up from
    inside a test's running loop, which must not be re-entered."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work()).result()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """One migrated PostgreSQL schema for the session; each test gets it emptied (TRUNCATE is
    about 20 ms where a fresh schema through Alembic was 0.5 s)."""
    assert PG_URL
    url = PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        admin = create_async_engine(url, poolclass=NullPool)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
        engine = create_async_engine(
            url, poolclass=NullPool, connect_args={"server_settings": {"search_path": schema}}
        )
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        await engine.dispose()

    async def drop() -> None:
        admin = create_async_engine(url, poolclass=NullPool)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()

    run_aside(create)
    yield schema
    run_aside(drop)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not PG_URL, reason="FRONTDOOR_TEST_DATABASE_URL is not set (CI sets it)"
            ),
        ),
    ]
)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = await sqlite_from_template(request.getfixturevalue("sqlite_template"))
        yield engine
        await engine.dispose()
        return
    schema = request.getfixturevalue("pg_template")
    engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    yield engine
    await engine.dispose()
    await empty_schema(schema)


async def empty_schema(schema: str) -> None:
    """Empty every table of the shared schema and restart its sequences, for the next test.
    DELETE with foreign-key triggers off, not TRUNCATE: TRUNCATE rewrites each table's files and
    took 0.6 s for this schema, longer than the migration it replaces."""
    assert PG_URL
    admin = create_async_engine(PG_URL, poolclass=NullPool)
    async with admin.begin() as conn:
        await conn.execute(text(EMPTY_SCHEMA.replace(":schema", schema)))
    await admin.dispose()


EMPTY_SCHEMA = """
DO $$
DECLARE name text;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR name IN SELECT tablename FROM pg_tables
                WHERE schemaname = ':schema' AND tablename <> 'alembic_version' LOOP
        EXECUTE format('DELETE FROM %I.%I', ':schema', name);
    END LOOP;
    FOR name IN SELECT sequencename FROM pg_sequences WHERE schemaname = ':schema' LOOP
        EXECUTE format('ALTER SEQUENCE %I.%I RESTART', ':schema', name);
    END LOOP;
END $$;
"""


@asynccontextmanager
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    """A migrated PostgreSQL schema of its own at FRONTDOOR_TEST_DATABASE_URL, dropped after
    (for tests that need a schema no other engine touches)."""
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    yield engine
    await engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture
def session_pool(engine: AsyncEngine) -> SessionPool:
    return create_session_pool(engine)


@pytest.fixture
async def session(session_pool: SessionPool) -> AsyncIterator[object]:
    async with session_pool() as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        bot_token="42:TEST_TOKEN_abcdefghij",
        admin_ids=frozenset({ADMIN_ID}),
        time_zone="Asia/Shanghai",
        locale="zh",
        currency="CNY",
    )


@pytest.fixture
async def estate(session_pool: SessionPool, settings: Settings) -> Estate:
    async with session_pool() as session:
        return await estates.ensure_default(
            session,
            name="Sunny Gardens",
            time_zone=settings.time_zone,
            locale=settings.locale,
            currency=settings.currency,
            staff_chat_id=STAFF_CHAT_ID,
        )


@pytest.fixture
def catalogs() -> Catalogs:
    return default_catalogs()


@pytest.fixture
def bot() -> MockedBot:
    mocked = MockedBot()
    # As create_bot does: button answers reach Telegram as plain text.
    mocked.session.middleware(PlainCallbackAnswers())
    return mocked


@pytest.fixture
def dp(
    settings: Settings, session_pool: SessionPool, clock: FakeClock, estate: Estate
) -> Dispatcher:
    return create_dispatcher(settings, session_pool, clock=clock)


@pytest.fixture
def tg(dp: Dispatcher, bot: MockedBot) -> Telegram:
    return Telegram(dp, bot)
