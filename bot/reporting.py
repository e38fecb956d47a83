"""The month's report documents (dashboard PNG, workbook XLSX) rendered from the database, for
/report and /export, `frontdoor report` and the outbox sender. No aiogram here.

How a scheduled report reaches Telegram: outbox rows are JSON, so the monthly job queues a
*recipe* — `{"$document": {"kind": "report", "part": "dashboard", "estate_id": 1, "month":
"2026-11", "as_of": "…"}}` in place of the file — and the sender renders it just before the
call. Nothing binary is stored, a retry renders the same figures again (the month is over and
`as_of` fixes the moment SLA deadlines are judged at), and a report that is never sent costs
nothing. Rendering is CPU work (a second or two), so it runs in a worker thread.
"""

import asyncio
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from storage import estates, reports
from storage.db import SessionPool
from storage.kpis import Period, PeriodError, month_period
from storage.models import Estate

DOCUMENT = "$document"
RECIPE_KIND = "report"


class Part(StrEnum):
    dashboard = "dashboard"
    workbook = "workbook"


class RecipeError(ValueError):
    """A `$document` recipe that cannot be rendered; the message says why."""


def file_name(month: str, part: Part) -> str:
    return f"frontdoor-report-{month}.{'png' if part is Part.dashboard else 'xlsx'}"


def _render(
    report: reports.MonthReport, catalogs: Catalogs, parts: tuple[Part, ...]
) -> list[bytes]:
    # Imported here: matplotlib and openpyxl cost start-up time that most commands never need.
    from bot.documents.dashboard import render_dashboard
    from bot.documents.workbook import render_workbook

    # The documents are the estate's, so they speak its language whoever asked for them.
    t = catalogs.translator(report.locale)
    return [
        render_dashboard(report, t) if part is Part.dashboard else render_workbook(report, t)
        for part in parts
    ]


async def render(
    session: AsyncSession,
    estate: Estate,
    period: Period,
    now: datetime,
    catalogs: Catalogs,
    parts: tuple[Part, ...] = (Part.dashboard, Part.workbook),
) -> list[bytes]:
    """The documents of `period`, in the order of `parts`."""
    report = await reports.month_report(session, estate, period, now)
    return await asyncio.to_thread(_render, report, catalogs, parts)


def recipe(estate_id: int, month: str, part: Part, as_of: datetime) -> dict[str, Any]:
    """The payload value that stands for a document until the sender renders it."""
    return {
        DOCUMENT: {
            "kind": RECIPE_KIND,
            "part": part.value,
            "estate_id": estate_id,
            "month": month,
            "as_of": as_of.isoformat(),
        }
    }


async def render_recipe(
    session_pool: SessionPool, spec: dict[str, Any], catalogs: Catalogs
) -> tuple[str, bytes]:
    """(file name, bytes) of the document a recipe describes; RecipeError when it is unusable."""
    try:
        if spec["kind"] != RECIPE_KIND:
            raise RecipeError(f"unknown document kind {spec['kind']!r}")
        part = Part(spec["part"])
        estate_id = int(spec["estate_id"])
        as_of = datetime.fromisoformat(spec["as_of"])
        month = str(spec["month"])
    except (KeyError, ValueError, TypeError) as exc:
        raise RecipeError(f"bad document recipe: {exc}") from None
    async with session_pool() as session:
        estate = await estates.get(session, estate_id)
        if estate is None:
            raise RecipeError(f"no estate {estate_id}")
        try:
            period = month_period(estate, month)
        except PeriodError as exc:
            raise RecipeError(str(exc)) from None
        (content,) = await render(session, estate, period, as_of, catalogs, (part,))
    return file_name(month, part), content
