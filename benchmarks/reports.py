"""`reports`: one month of an estate with 20,000 requests — gather the figures and rows, draw the
dashboard and write the workbook, as `/report` does (the issue asks for under 10 s in all)."""

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
    Callback,
    CallbackOrigin,
    CallbackStatus,
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
        tickets: list[dict[str, Any]] = []
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
        # A call-back task for every closed request, most reached in time.
        await session.execute(
            insert(Callback),
            [{"owner_id": tk["owner_id"], "topic": "ticket", "ticket_id": n,
              "slot_start": tk["closed_at"], "slot_end": tk["closed_at"] + timedelta(days=1),
              "due_at": tk["closed_at"] + timedelta(days=1),
              "origin": CallbackOrigin.after_complaint if tk["grade"] else
              CallbackOrigin.after_repair,
              "status": CallbackStatus.done if n % 9 else CallbackStatus.booked,
              "done_at": tk["closed_at"] + timedelta(hours=20) if n % 9 else None,
              "created_at": start} for n, tk in enumerate(tickets, start=1)],
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
            # Wall and CPU seconds (all threads of the process) per stage: on a machine shared
            # with other work the wall time grows with the load, the CPU time hardly does.
            marks = [(time.perf_counter(), time.process_time())]
            async with pool() as session:
                figures = await reports.figures(session, estate, period, NOW)
                marks.append((time.perf_counter(), time.process_time()))
                # What /report does: the figures again with the month's rows, then the files.
                report = await reports.month_report(session, estate, period, NOW)
            marks.append((time.perf_counter(), time.process_time()))
            png = render_dashboard(report, t)
            marks.append((time.perf_counter(), time.process_time()))
            xlsx = render_workbook(report, t)
            marks.append((time.perf_counter(), time.process_time()))
        finally:
            await engine.dispose()
    if figures.opened_count() != TICKETS:
        raise RuntimeError(f"expected {TICKETS} requests, counted {figures.opened_count()}")
    tasks = figures.repair_callback.total + figures.complaint_callback.total
    if not 0 < tasks <= TICKETS:
        raise RuntimeError(f"expected up to {TICKETS} call-back tasks, counted {tasks}")
    stages = ("kpis", "gather", "png", "xlsx")
    metrics: dict[str, Any] = {}
    for name, (wall0, cpu0), (wall1, cpu1) in zip(stages, marks[:-1], marks[1:], strict=True):
        metrics[f"{name}_s"] = round(wall1 - wall0, 3)
        metrics[f"{name}_cpu_s"] = round(cpu1 - cpu0, 3)
    # /report as a whole: the month's figures and rows, the picture and the workbook.
    metrics["report_s"] = round(marks[-1][0] - marks[1][0], 3)
    metrics["report_cpu_s"] = round(marks[-1][1] - marks[1][1], 3)
    metrics["png_kb"] = len(png) // 1024
    metrics["xlsx_kb"] = len(xlsx) // 1024
    return [Row(f"month of {TICKETS} requests", value=metrics["report_s"], metrics=metrics)]
