"""`fees`: the fee-reminder selection (`storage.reminders.owed`) over generated data on
PostgreSQL — 1 000, 10 000 and 100 000 owners, one unit each, ten monthly charges a unit
(1 000 000 charges at 100×), most paid (this month's open for 30 % of the units, three months'
for 4 %: about 4 % of the charges owed; benchmarks/estate_data.py) — with the plan PostgreSQL
chose and the server's own execution time: the first call (`selection_s`, as the daily job
makes it) and the best of two more (`repeat_s`). Opt-in: it runs only with
`FRONTDOOR_BENCH_DATABASE_URL` set."""

import os
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event

from benchmarks import estate_data
from benchmarks.common import Row
from benchmarks.handlers import postgres_schema
from bot.factory import settle_heap
from storage import estates, reminders
from storage.db import create_session_pool, upgrade_connection

SCALES = tuple(
    int(n) for n in os.environ.get("FRONTDOOR_BENCH_FEE_SCALES", "1000,10000,100000").split(",")
)
TODAY = date(2026, 12, 10)
REPEATS = 2


async def one(url: str, owners: int) -> dict[str, Any]:
    async with postgres_schema(url) as engine:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        pool = create_session_pool(engine)
        async with pool() as session:
            await estates.ensure_default(
                session, name="Bench", time_zone="Asia/Shanghai", locale="en", currency="CNY"
            )
        started = time.perf_counter()
        await estate_data.build(engine, estate_id=1, owners=owners, today=TODAY)
        built = time.perf_counter() - started
        now = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
        captured: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            captured.append((statement, params))

        event.listen(engine.sync_engine, "before_cursor_execute", capture)
        # As `frontdoor run` does before its first update: without it a full collection of
        # this process's heap (0.27 s at 10×) fell inside the first call.
        settle_heap()
        async with pool() as session:
            started = time.perf_counter()
            owed = await reminders.owed(session, 1, TODAY, now)
            selected = time.perf_counter() - started
        # Again, with the statement compiled and prepared and the pages in the server's cache.
        repeats = []
        for _ in range(REPEATS):
            async with pool() as session:
                started = time.perf_counter()
                await reminders.owed(session, 1, TODAY, now)
                repeats.append(time.perf_counter() - started)
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
        # The plan of the very statement owed() ran, with its parameters.
        statement, params = next(c for c in captured if "FROM charge" in c[0])
        async with engine.connect() as conn:
            result = await conn.exec_driver_sql("EXPLAIN " + statement, params)
            plan = [line for (line,) in result.all()]
            # The server's share of the selection (the rest is the rows' transfer and Python).
            result = await conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + statement, params
            )
            server_ms = result.scalar_one()[0]["Execution Time"]
    return {
        "owners": owners,
        "charges": owners * estate_data.CHARGES_PER_UNIT,
        "build_s": built,
        "selection_s": selected,
        "repeat_s": min(repeats),
        "server_ms": round(server_ms),
        "owed_rows": len(owed),
        "plan": " | ".join(plan),
    }


async def run(database_url: str | None = None) -> list[Row]:
    if not database_url:
        return []
    return [
        Row(f"owed() at {n} owners", value=None, metrics=await one(database_url, n))
        for n in SCALES
    ]
