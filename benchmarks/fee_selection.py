"""`fees`: the fee-reminder selection (`storage.reminders.owed`) over generated data on
PostgreSQL — 1 000, 10 000 and 100 000 owners, one unit each, ten monthly charges a unit
(1 000 000 charges at 100×), most paid (this month's open for 30 % of the units, three months'
for 4 %: about 4 % of the charges owed) — with the plan PostgreSQL chose. Opt-in: it runs only
with `FRONTDOOR_BENCH_DATABASE_URL` set (the data is built with `generate_series`, in SQL)."""

import os
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, text

from benchmarks.common import Row
from benchmarks.handlers import postgres_schema
from storage import estates, reminders
from storage.db import create_session_pool, upgrade_connection

SCALES = tuple(
    int(n) for n in os.environ.get("FRONTDOOR_BENCH_FEE_SCALES", "1000,10000,100000").split(",")
)
CHARGES_PER_UNIT = 10
TODAY = date(2026, 12, 10)

BUILD = [
    "INSERT INTO unit (id, created_at, estate_id, building, number)"
    " SELECT g, now(), 1, (g % 50)::text, g::text FROM generate_series(1, :owners) g",
    "INSERT INTO owner (id, created_at, estate_id, name, telegram_user_id, chat_id, status)"
    " SELECT g, now(), 1, 'Owner ' || g, 1000000 + g, 1000000 + g, 'verified'"
    " FROM generate_series(1, :owners) g",
    'INSERT INTO ownerunit (created_at, owner_id, unit_id, "primary")'
    " SELECT now(), g, g, true FROM generate_series(1, :owners) g",
    "INSERT INTO charge (created_at, unit_id, item, period, amount, currency, due_date)"
    " SELECT now(), u, 'Fee', to_char(d, 'YYYY-MM'), 50000, 'CNY', d"
    " FROM generate_series(1, :owners) u,"
    " LATERAL (SELECT (date '2026-03-10' + (m || ' month')::interval)::date AS d"
    "          FROM generate_series(0, :per_unit - 1) m) months",
    # Most charges paid: every one but this month's for 30 % of the units and the last three
    # months' for 4 % (the arrears), so about 4 % of all charges are owed on the day.
    "INSERT INTO payment (created_at, charge_id, amount, paid_at, method)"
    " SELECT now(), id, amount, due_date, 'cash' FROM charge"
    " WHERE NOT ((due_date = :today AND unit_id % 10 < 3)"
    "            OR (unit_id % 25 = 0 AND due_date >= :today - interval '2 months'))",
    # What recording the payments does (storage.payments.resettle), as the migration's backfill.
    "UPDATE charge SET settled = (amount <= COALESCE((SELECT SUM(payment.amount) FROM payment"
    " WHERE payment.charge_id = charge.id AND payment.reversed_at IS NULL), 0))",
    "ANALYZE",
]


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
        async with engine.begin() as conn:
            for statement in BUILD:
                await conn.execute(
                    text(statement),
                    {"owners": owners, "per_unit": CHARGES_PER_UNIT, "today": TODAY},
                )
        built = time.perf_counter() - started
        now = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
        captured: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            captured.append((statement, params))

        event.listen(engine.sync_engine, "before_cursor_execute", capture)
        async with pool() as session:
            started = time.perf_counter()
            owed = await reminders.owed(session, 1, TODAY, now)
            selected = time.perf_counter() - started
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
        # The plan of the very statement owed() ran, with its parameters.
        statement, params = next(c for c in captured if "FROM charge" in c[0])
        async with engine.connect() as conn:
            result = await conn.exec_driver_sql("EXPLAIN " + statement, params)
            plan = [line for (line,) in result.all()]
    return {
        "owners": owners,
        "charges": owners * CHARGES_PER_UNIT,
        "build_s": built,
        "selection_s": selected,
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
