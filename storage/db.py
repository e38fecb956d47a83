"""Engine, sessions and schema upgrades for SQLite (embedded) and PostgreSQL (production)."""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

SessionPool = async_sessionmaker[AsyncSession]

# Connections per engine (pool plus overflow); bot/factory.py sizes update concurrency from it.
POOL_SIZE = 20


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the outbox sender read while a handler writes; busy_timeout waits out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut (not a crash of
    # the process) can lose the last commits but never corrupts the file. benchmarks/README.md
    # says what that means for an update.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        if url.rstrip("/").endswith(":memory:") or url in ("sqlite+aiosqlite://",):
            kwargs.setdefault("poolclass", StaticPool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        else:
            kwargs.setdefault("pool_size", POOL_SIZE // 2)
            kwargs.setdefault("max_overflow", POOL_SIZE - POOL_SIZE // 2)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POOL_SIZE // 2)
    kwargs.setdefault("max_overflow", POOL_SIZE - POOL_SIZE // 2)
    return create_async_engine(url, **kwargs)


def create_session_pool(engine: AsyncEngine) -> SessionPool:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Row(Protocol):
    id: int | None


class UnsavedRowError(RuntimeError):
    """A row was used by id before it was flushed: a bug in the calling code, never bad input."""


def saved_id(row: Row) -> int:
    """The primary key of a row that has been flushed or loaded."""
    if row.id is None:
        raise UnsavedRowError(f"{type(row).__name__} has no id yet (flush it first)")
    return row.id


def alembic_config(url: str) -> "Config":
    # Alembic is imported here, not at the top: the bot and most commands never upgrade.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call on every start."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def upgrade_connection(connection: Any, revision: str = "head") -> None:
    """Upgrade through an open sync connection (used with `AsyncConnection.run_sync`)."""
    from alembic import command

    config = alembic_config("")
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
