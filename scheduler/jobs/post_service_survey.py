"""Post-service survey (回访满意度): at 10:00 estate time, each owner whose ticket closed on an
earlier day gets a short survey, one question at a time; one reminder 48 h later if unanswered."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import survey_messages
from bot.i18n import default_catalogs
from scheduler.jobs.base import Job, JobName, JobResult, held
from storage import surveys
from storage.models import Estate, SurveyKind


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    catalogs = default_catalogs()
    report = await surveys.send_post_service(
        session,  # type: ignore[arg-type]
        estate,
        now,
        survey_messages.ask_drafts(catalogs, estate, now),
    )
    report.reminded = await surveys.remind(
        session,  # type: ignore[arg-type]
        estate,
        SurveyKind.post_service,
        now,
        survey_messages.reminder_drafts(catalogs, estate, now),
    )
    enqueued = report.sent + report.reminded
    return JobResult(enqueued, report.counts(), held(estate, now, enqueued))


async def next_due(session: AsyncSession, estate: Estate, now: datetime) -> datetime | None:
    return await surveys.next_post_service_due(session, estate, now)  # type: ignore[arg-type]


JOB = Job(
    name=JobName.post_service_survey, cron={"hour": 10, "minute": 0}, run=run, next_due=next_due
)
