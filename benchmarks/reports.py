"""`reports`: one month of an estate with 20,000 requests — gather the figures and rows, draw the
dashboard and write the workbook (the issue asks for under 10 s in all)."""

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.common import Row
from bot.documents.dashboard import render_dashboard
from bot.documents.workbook import render_workbook
from bot.i18n import default_catalogs
from storage import estates, kpis, reports
from storage.db import create_engine, create_session_pool, upgrade_connection
from storage.models import (
    Charge,
    Owner,
    OwnerStatus,
    Payment,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
)

TICKETS = 20_000
UNITS = 2_000
MONTH = "2026-11"
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
CATEGORIES = ("plumbing", "electrical", "doors_windows", "lift", "walls_ceiling", "other")
COMPLAINTS = ("noise", "parking", "cleanliness", "attitude", "security", "fees")
ITEMS = ("cleanliness", "security", "greenery", "repairs", "customer_service", "value_for_money")


async def _seed(pool: Any, estate_id: int) -> None:
    rng = random.Random(13)
    start = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    async with pool() as session:
        await session.execute(
            insert(Unit),
            [{"estate_id": estate_id, "building": str(i % 20 + 1), "number": f"{i:04d}",
              "created_at": start} for i in range(UNITS)],
        )  # fmt: skip
        await session.execute(
            insert(Owner),
            [{"estate_id": estate_id, "name": f"Owner {i}", "status": OwnerStatus.verified,
              "created_at": start} for i in range(UNITS)],
        )  # fmt: skip
        tickets = []
        for n in range(1, TICKETS + 1):
            opened = start + timedelta(seconds=rng.randint(0, 29 * 86400))
            complaint = rng.random() < 0.2
            responded = opened + timedelta(minutes=rng.randint(5, 600))
            resolved = responded + timedelta(hours=rng.uniform(1, 40))
            tickets.append(
                {
                    "estate_id": estate_id, "number": n, "created_at": opened,
                    "kind": TicketKind.complaint if complaint else TicketKind.repair,
                    "category": rng.choice(COMPLAINTS if complaint else CATEGORIES),
                    "description": "bench", "urgency": "normal", "status": TicketStatus.closed,
                    "unit_id": rng.randint(1, UNITS), "owner_id": rng.randint(1, UNITS),
                    "sla_due_at": opened + timedelta(hours=2 if not complaint else 24),
                    "first_response_at": responded, "resolved_at": resolved,
                    "closed_at": resolved + timedelta(hours=3),
                    "grade": rng.choice(("A", "B")) if complaint else None,
                }
            )  # fmt: skip
        await session.execute(insert(Ticket), tickets)
        await session.execute(
            insert(TicketEvent),
            [{"ticket_id": n, "at": tickets[n - 1]["resolved_at"], "actor": "bench",
              "type": "resolved", "data": {}, "created_at": start}
             for n in range(1, TICKETS + 1)],
        )  # fmt: skip
        await session.execute(
            insert(Charge),
            [{"unit_id": u, "item": "fee", "period": MONTH, "amount": 25000, "currency": "CNY",
              "due_date": date(2026, 11, 15), "created_at": start} for u in range(1, UNITS + 1)],
        )  # fmt: skip
        await session.execute(
            insert(Payment),
            [{"charge_id": u, "amount": 25000, "paid_at": start, "method": "cash",
              "created_at": start} for u in range(1, UNITS + 1) if u % 17],
        )  # fmt: skip
        await session.execute(
            insert(Survey),
            [{"kind": SurveyKind.quarterly, "owner_id": u, "unit_id": u, "quarter": "2026-Q4",
              "sent_at": start, "answered_at": start + timedelta(days=3), "created_at": start}
             for u in range(1, UNITS // 4 + 1)],
        )  # fmt: skip
        await session.execute(
            insert(SurveyAnswer),
            [{"survey_id": s, "item": item, "score": rng.choice((2, 3, 4, 4, 5, 5)),
              "created_at": start} for s in range(1, UNITS // 4 + 1) for item in ITEMS],
        )  # fmt: skip
        await session.commit()


async def run(database_url: str | None = None) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        engine = create_engine(database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(upgrade_connection)
            pool = create_session_pool(engine)
            async with pool() as session:
                estate = await estates.ensure_default(
                    session, name="Bench 基准", time_zone="Asia/Shanghai", locale="zh",
                    currency="CNY",
                )  # fmt: skip
            if estate.id is None:
                raise RuntimeError("the estate was not saved")
            await _seed(pool, estate.id)
            t = default_catalogs().translator("zh")
            period = kpis.month_period(estate, MONTH)
            started = time.perf_counter()
            async with pool() as session:
                figures = await reports.figures(session, estate, period, NOW)
                figured = time.perf_counter()
                report = await reports.month_report(session, estate, period, NOW)
            gathered = time.perf_counter()
            png = render_dashboard(report, t)
            drawn = time.perf_counter()
            xlsx = render_workbook(report, t)
            written = time.perf_counter()
        finally:
            await engine.dispose()
    if figures.opened_count() != TICKETS:
        raise RuntimeError(f"expected {TICKETS} requests, counted {figures.opened_count()}")
    return [
        Row(
            f"month of {TICKETS} requests",
            metrics={
                "kpis_s": figured - started,
                "gather_s": gathered - figured,
                "png_s": drawn - gathered,
                "xlsx_s": written - drawn,
                "report_s": written - figured,
                "png_kb": len(png) // 1024,
                "xlsx_kb": len(xlsx) // 1024,
            },
        )
    ]
