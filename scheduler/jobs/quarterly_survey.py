"""Quarterly satisfaction survey: on the first working day of each quarter at 10:00, 25 % of the
verified households (never one already asked this calendar year) get the six-item survey; one
reminder 48 h later if unanswered. Runs daily; a quarter's sample goes out once."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import survey_messages
from bot.i18n import default_catalogs
from scheduler.jobs.base import Job, JobName, JobResult, held
from storage import calendar, surveys
from storage.models import Estate, SurveyKind


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    catalogs = default_catalogs()
    today = calendar.local(estate, now).date()
    quarter = surveys.Quarter.of(today)
    sent = 0
    # From the quarter's first working day on (a missed day catches up the next morning).
    if today >= surveys.first_working_day(estate, quarter):
        sample = await surveys.send_quarterly(
            session,  # type: ignore[arg-type]
            estate,
            quarter,
            now,
            "system",
            survey_messages.ask_drafts(catalogs, estate, now),
        )
        sent = sample.sent_count if sample.just_sent else 0
    reminded = await surveys.remind(
        session,  # type: ignore[arg-type]
        estate,
        SurveyKind.quarterly,
        now,
        survey_messages.reminder_drafts(catalogs, estate, now),
    )
    counts = {"sent": sent, "reminded": reminded}
    return JobResult(sent + reminded, counts, held(estate, now, sent + reminded))


JOB = Job(name=JobName.quarterly_survey, cron={"hour": 10, "minute": 0}, run=run)
