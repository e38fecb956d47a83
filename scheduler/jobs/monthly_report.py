"""The monthly report (1st, 09:00): last month's dashboard and workbook to the staff group.

The rows carry rendering recipes, not files (bot/reporting.py explains why); the sender turns
them into the picture and the workbook when it sends them.
"""

from datetime import datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel.ext.asyncio.session import AsyncSession as SqlModelSession

from bot.i18n import default_catalogs
from bot.reporting import Part, recipe
from scheduler.jobs.base import Job, JobName, JobResult
from storage import keys, outbox
from storage.kpis import previous_month
from storage.models import Estate
from storage.outbox import Draft

NAME = JobName.monthly_report


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    """Queue last month's report for the staff group (once per estate and month)."""
    if estate.staff_chat_id is None or estate.id is None:
        return JobResult(counts={"no_staff_chat": 1})
    month = previous_month(estate, now).month
    t = default_catalogs().translator(estate.locale)
    caption = t("reports-monthly-caption", month=month, estate=estate.name)
    drafts = [
        Draft(
            dedupe_key=keys.monthly_report(estate.id, month, part),
            chat_id=estate.staff_chat_id,
            method=method,
            not_before=now,
            params={
                "caption": caption,
                "parse_mode": "HTML",
                field: recipe(estate.id, month, part, now),
            },
        )
        for part, method, field in (
            (Part.dashboard, "sendPhoto", "photo"),
            (Part.workbook, "sendDocument", "document"),
        )
    ]
    # The session pool makes SQLModel sessions; the job contract names their SQLAlchemy base.
    sqlmodel_session = cast(SqlModelSession, session)
    known = await outbox.known_keys(sqlmodel_session, [d.dedupe_key for d in drafts])
    fresh = [d for d in drafts if d.dedupe_key not in known]
    await outbox.add_all(sqlmodel_session, fresh)
    await session.commit()
    return JobResult(enqueued=len(fresh))


JOB = Job(name=NAME, cron={"day": 1, "hour": 9, "minute": 0}, run=run)
