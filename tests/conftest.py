"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when configured),
a fake clock, settings, a recording bot and a real dispatcher."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Dispatcher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.factory import create_dispatcher
from bot.i18n import Catalogs, default_catalogs
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
        engine = create_engine("sqlite+aiosqlite://")
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        yield engine
        await engine.dispose()
        return
    async with pg_engine() as engine:
        yield engine


@asynccontextmanager
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    """A migrated PostgreSQL schema of its own at FRONTDOOR_TEST_DATABASE_URL, dropped after."""
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
    return MockedBot()


@pytest.fixture
def dp(
    settings: Settings, session_pool: SessionPool, clock: FakeClock, estate: Estate
) -> Dispatcher:
    return create_dispatcher(settings, session_pool, clock=clock)


@pytest.fixture
def tg(dp: Dispatcher, bot: MockedBot) -> Telegram:
    return Telegram(dp, bot)
