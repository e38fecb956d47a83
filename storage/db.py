"""Engine, sessions and schema upgrades for SQLite (embedded) and PostgreSQL (production)."""

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import Connection, Dialect, event, inspect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

SessionPool = async_sessionmaker[AsyncSession]

# Connections per engine, all kept open; bot/factory.py sizes update concurrency from it. No
# overflow: with 20 updates in flight, an overflow connection was opened and closed again for
# about every other update (on SQLite its PRAGMAs, WAL mode included, cost more than the
# update's own statements; a new PostgreSQL connection is a server process), for the same
# 20 connections at most (benchmarks/README.md).
POOL_SIZE = 20
# PostgreSQL connections older than this are replaced when next taken from the pool.
RECYCLE_S = 1800


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the outbox sender read while a handler writes; busy_timeout waits out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut (not a crash of
    # the process) can lose the last commits but never corrupts the file. benchmarks/README.md
    # says what that means for an update.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No busy wait inside SQLite: it would hold up the event loop (storage.sqlite_driver waits
    # with asyncio instead, WRITE_WAIT_S at most).
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


# How long a write waits for the engine's writer before failing as "database is locked".
WRITE_WAIT_S = 5.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HOLDS = "frontdoor_write_lock"


class SqliteWriters:
    """One writer at a time per engine, in arrival order, taken by the first write statement
    of a transaction and released when it commits or rolls back.

    SQLite has one writer per file. Left to itself, a connection that finds the file locked
    naps with growing sleeps (SQLite's busy handler, up to 100 ms; storage.sqlite_driver's
    now) while newcomers take the lock first; with 20 updates in flight some starved for the
    whole `busy_timeout` and failed with "database is locked" (benchmarks/README.md). An
    asyncio lock queues them fairly and wakes the next one as soon as the lock is free.
    Reads never wait for it.
    """

    def __init__(self) -> None:
        # One lock per event loop: tests and tools run several loops over one engine.
        self.locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def install(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        dialect = sync_engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._release(_info(dbapi_connection))

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._release(_info(dbapi_connection))

        # The pool resets a returned connection through the same dialect methods, so a
        # session closed without committing releases the writer too.
        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]
        # A connection thrown away mid-transaction (a dropped or broken one) frees it as well.
        event.listen(
            sync_engine.pool, "invalidate", lambda _c, record, _e: self._release(record.info)
        )

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self.locks.get(loop)
        if lock is None:
            lock = self.locks[loop] = asyncio.Lock()
        return lock

    def _before_execute(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if _HOLDS in conn.info or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        lock = self._lock()
        try:
            await_only(_acquire(lock))
        except TimeoutError:
            # The same error SQLite gives: a storage fault, so the update comes again.
            raise sqlite3.OperationalError("database is locked") from None
        conn.info[_HOLDS] = lock

    @staticmethod
    def _release(info: dict[str, Any]) -> None:
        lock = info.pop(_HOLDS, None)
        if lock is not None and lock.locked():
            lock.release()


async def _acquire(lock: asyncio.Lock) -> None:
    if not lock.locked():
        # Free: taken without a timer (should a woken writer be ahead of it after all, it
        # queues behind that one, whose transaction is already under way).
        await lock.acquire()
        return
    # asyncio.timeout, not wait_for, which would start a task and wait a turn of the loop.
    async with asyncio.timeout(WRITE_WAIT_S):
        await lock.acquire()


def _info(connection: Any) -> dict[str, Any]:
    """The pool's info dict of a connection; empty for the bare one of the first connect."""
    try:
        info: dict[str, Any] = connection.info
    except (AttributeError, NotImplementedError):
        return {}
    return info


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        # The connections are sqlite3's own, called from the event loop (storage.sqlite_driver).
        kwargs.setdefault("async_creator", sqlite_driver.connector(database, WRITE_WAIT_S))
        kwargs.setdefault("module", sqlite_driver.LoopDBAPI())
        if database == ":memory:":
            kwargs.setdefault("poolclass", StaticPool)
        else:
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        SqliteWriters().install(engine)
        return engine
    # No ping at checkout: asyncpg's is a BEGIN, a ";" and a ROLLBACK, three round trips for
    # every update. A connection the server dropped (a restart) fails its first statement as
    # a storage fault instead (the update is not acknowledged and comes again) and SQLAlchemy
    # then replaces every connection of the pool; recycling keeps idle ones from going stale
    # behind a proxy or firewall (benchmarks/README.md).
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", RECYCLE_S)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    return create_async_engine(url, **kwargs)


def create_session_pool(engine: AsyncEngine) -> SessionPool:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Opened:
    """`async with Opened(pool) as session`: `async with pool() as session`, for a session
    that is usually closed after its commit (an update's).

    AsyncSession's own exit closes in a task of its own (so that a cancellation cannot cut the
    close short) and a greenlet: ~40 µs and a turn of the loop for an update's session, which
    after its commit holds no connection and has only its objects to forget, nothing to
    await. A session still in a transaction is closed the same way as before.
    """

    def __init__(self, pool: SessionPool) -> None:
        self.session = pool()

    async def __aenter__(self) -> AsyncSession:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        if self.session.in_transaction():
            await self.session.__aexit__(*exc)
        else:
            self.session.sync_session.close()


class Row(Protocol):
    id: int | None


class UnsavedRowError(RuntimeError):
    """A row was used by id before it was flushed: a bug in the calling code, never bad input."""


def saved_id(row: Row) -> int:
    """The primary key of a row that has been flushed or loaded."""
    if row.id is None:
        raise UnsavedRowError(f"{type(row).__name__} has no id yet (flush it first)")
    return row.id


Model = TypeVar("Model")


def detached(model: type[Model], values: Iterable[tuple[str, Any]]) -> Model:
    """The ORM object of a row read with a Core statement, as a session that loaded it and
    closed would leave it: detached, so no identity map is kept and a rollback expires nothing.

    A fraction of the cost of the model's constructor (SQLModel validates and instruments each
    field, ~50 µs for an estate), of an ORM query's loading, or of make_transient_to_detached
    (~20 µs, most of it resetting a history a fresh object does not have): the values come
    from the database, so there is nothing to validate. Adding it to a session attaches it
    without SQL.
    """
    mapper = inspect(model)
    row = mapper.class_manager.new_instance()
    row.__dict__.update(values)
    key = tuple(row.__dict__[column.key] for column in mapper.primary_key)
    instance_state(row).key = mapper.identity_key_from_primary_key(key)
    return row


class _Compiled(NamedTuple):
    sql: str
    # The bind parameters in the order of the SQL's placeholders (None: by name), each with
    # the conversion its type makes of a value for the driver.
    positions: Sequence[str] | None
    binds: Mapping[str, Callable[[Any], Any] | None]
    # The conversion of each column of a row the driver returns (None: as it comes).
    columns: Sequence[Callable[[Any], Any] | None]


class Prepared:
    """A Core statement that runs for every update, compiled once per dialect and sent to the
    driver's cursor of a connection directly.

    `Connection.execute` of a statement built once still costs ~90 µs of SQLAlchemy a call (the
    compiled-cache look-up, the execution context, the parameters, the result object), four
    times the driver's own call on SQLite (benchmarks/README.md). What of it matters is kept:
    the types' conversions of parameters and columns, the cursor events (storage.db's
    SqliteWriters takes the write lock in one) and the wrapping of driver errors, a dropped
    connection invalidating the pool as it would. Only for statements with plain bind
    parameters (no expanding IN, no literal rendering) and plain column types; a test checks
    each one against the Core statement on both databases.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self.compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self.compiled.get(dialect.name)
        if compiled is None:
            sql = cast(SQLCompiler, self.statement.compile(dialect=dialect))
            processors = {
                name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                for name, bind in sql.binds.items()
            }
            columns = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in getattr(self.statement, "selected_columns", ())
            ]
            positions = sql.positiontup
            compiled = _Compiled(sql.string, positions, processors, columns)
            self.compiled[dialect.name] = compiled
        return compiled

    def run(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute in the connection's transaction; the rows it returns, converted (an empty
        list for a statement that returns none)."""
        sql, positions, binds, columns = self._for(connection.dialect)
        values = {
            name: value if (convert := binds[name]) is None else convert(value)
            for name, value in params.items()
        }
        bound: Any = values if positions is None else tuple(values[n] for n in positions)
        cursor = connection.connection.cursor()
        # What Connection.execute does around the driver's call (SQLAlchemy's
        # _exec_single_context): the events, then any error, a cancellation included, through
        # the connection's handler, which wraps it, closes the cursor and invalidates what a
        # disconnect left unusable.
        try:
            for listener in connection.dispatch.before_cursor_execute:
                sql, bound = listener(connection, cursor, sql, bound, None, False)
            cursor.execute(sql, bound)
            connection.dispatch.after_cursor_execute(connection, cursor, sql, bound, None, False)
            raw = cursor.fetchall() if cursor.description is not None else []
            cursor.close()
        except BaseException as exc:
            connection._handle_dbapi_exception(exc, sql, bound, cursor, None)
        if not any(columns):
            return [tuple(row) for row in raw]
        return [
            tuple(v if c is None else c(v) for v, c in zip(row, columns, strict=True))
            for row in raw
        ]


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


# `upgrade` with the caller's log level, in a process of its own; the URL comes on stdin (never
# in a process listing).
UPGRADE_CHILD = """
import logging, sys
from bot.logging import setup_logging
from storage.db import upgrade
setup_logging(sys.argv[1])
try:
    upgrade(sys.stdin.read())
except Exception as exc:
    logging.getLogger("frontdoor.db").error("upgrade failed: %s: %s", type(exc).__name__, exc)
    sys.exit(1)
"""


def upgrade_in_child(url: str, log_level: str) -> bool:
    """`upgrade` in a child process, for a long-running bot: Alembic, Mako and the migration
    scripts (~11 MB resident, issue 14) stay out of it, for ~1 s of start-up. True when the
    schema is up to date."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", UPGRADE_CHILD, log_level], input=url, text=True)
    return done.returncode == 0


def upgrade_connection(connection: Any, revision: str = "head") -> None:
    """Upgrade through an open sync connection (used with `AsyncConnection.run_sync`)."""
    from alembic import command

    config = alembic_config("")
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
