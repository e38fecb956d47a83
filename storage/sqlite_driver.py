"""SQLite driven from the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs each connection's calls in a worker thread of its own: a cursor, an execute,
a fetch, a close and a commit are five round trips, each a queue put, a thread wake-up, a GIL
hand-over and a write to the loop's self-pipe. The profile (benchmarks/README.md) found those
hops to be about a quarter of an update's CPU, for statements that take SQLite tens of
microseconds on a local file in WAL mode. `LoopConnection` keeps aiosqlite's interface, which
the dialect drives, and calls sqlite3 directly instead.

What a thread did for us that this must do itself: SQLite's busy handler sleeps inside the call
while another process (a `frontdoor` admin command) holds the write lock, which would stall
the whole loop. So the busy timeout is 0 and a statement that finds the file busy is retried
here with asyncio sleeps, for as long as `storage.db.WRITE_WAIT_S` allows, before it fails with
SQLite's own "database is locked". Writers of this process never meet that: they queue in
`storage.db.SqliteWriters` first.
"""

import asyncio
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

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

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


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
