"""SQLite driven from the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs each connection's calls in a worker thread of its own: a cursor, an execute,
a fetch, a close and a commit are five round trips, each a queue put, a thread wake-up, a GIL
hand-over and a write to the loop's self-pipe. The profile (benchmarks/README.md) found those
hops to be about a quarter of an update's CPU, for statements that take SQLite tens of
microseconds on a local file in WAL mode. `LoopConnection` keeps aiosqlite's interface, which
the dialect drives, and calls sqlite3 directly instead. The dialect's own adapter still awaited
each of those calls from SQLAlchemy's greenlet (a switch to the loop and back, for a coroutine
that never waits) three times a statement; `LoopDBAPI`'s connections await once.

What a thread did for us that this must do itself: SQLite's busy handler sleeps inside the call
while another process (a `frontdoor` admin command) holds the write lock, which would stall
the whole loop. So the busy timeout is 0 and a statement that finds the file busy is retried
here with asyncio sleeps, for as long as `storage.db.WRITE_WAIT_S` allows, before it fails with
SQLite's own "database is locked". Writers of this process never meet that: they queue in
`storage.db.SqliteWriters` first.
"""

import asyncio
import collections
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_

# sqlite3 error codes: busy (another connection holds the lock) and busy while it recovers the
# WAL after a crash; both pass. SQLITE_BUSY_SNAPSHOT (517) never does, so it is not retried.
SQLITE_BUSY = 5
SQLITE_BUSY_RECOVERY = 261
FIRST_NAP_S = 0.001
LONGEST_NAP_S = 0.05


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: SQLAlchemy's dialect puts calls on it
    directly (to set the isolation level) and awaits their future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as exc:
            if future is not None:
                future.set_exception(exc)
        else:
            if future is not None:
                future.set_result(result)


class LoopConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread (see the module docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], wait_s: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]
        self.wait_s = wait_s

    def __await__(self) -> Any:
        return self._connect().__await__()

    async def _connect(self) -> "LoopConnection":
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        nap = FIRST_NAP_S
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in (SQLITE_BUSY, SQLITE_BUSY_RECOVERY):
                    raise
                # A statement refused as busy did nothing; the same call is tried again (a
                # COMMIT refused as busy keeps its transaction open for the retry).
                deadline = deadline if deadline is not None else loop.time() + self.wait_s
                if loop.time() + nap > deadline:
                    raise
            await asyncio.sleep(nap)
            nap = min(nap * 2, LONGEST_NAP_S)

    def raw(self) -> sqlite3.Connection:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return self._connection

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor for aiosqlite, on the sqlite3 cursor itself.

    The adapter awaits aiosqlite's cursor for its creation, each execute (under a lock, then a
    fetch) and its close: three round trips from SQLAlchemy's greenlet to the loop and back,
    through aiosqlite's coroutines, for a statement that never waits. Here the execute and its
    fetch are the one awaited call (SQLAlchemy's AsyncConnection requires that a statement
    awaited something; it is also where a busy file's naps happen, LoopConnection._execute);
    the cursor's creation and close are plain calls.
    """

    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        try:
            cursor = cast(LoopConnection, self._connection).raw().cursor()
        except Exception as error:
            adapt_connection._handle_exception(error)
        # sqlite3's cursor where the adapter keeps aiosqlite's: the same attributes
        # (description, rowcount, lastrowid), called without awaiting.
        self._cursor = cursor  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        connection = cast(LoopConnection, self._connection)
        try:
            return await_(connection._execute(self._execute_now, operation, parameters or ()))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def _execute_now(self, operation: Any, parameters: Any) -> Any:
        cursor = cast(sqlite3.Cursor, self._cursor)
        result = cursor.execute(operation, parameters)
        if cursor.description:
            self._rows = collections.deque(cursor.fetchall())
        return result

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        connection = cast(LoopConnection, self._connection)
        cursor = cast(sqlite3.Cursor, self._cursor)
        try:
            return await_(connection._execute(cursor.executemany, operation, seq_of_parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor


class LoopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite dialect's DBAPI module (`create_async_engine(module=...)`), with its
    connections' cursors on sqlite3 directly (_Cursor)."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        return _Connection(self, await_(kw.pop("async_creator_fn")(*arg, **kw)))


def connector(database: str, wait_s: float) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: a LoopConnection to `database`.

    `check_same_thread=False`: a pooled connection may be closed by the thread that disposes
    of the engine; it is only ever used by one task at a time.
    """

    async def connect() -> LoopConnection:
        return await LoopConnection(
            partial(sqlite3.connect, database, check_same_thread=False), wait_s
        )

    return connect
