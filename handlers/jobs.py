"""/jobs for managers in the staff group: each job's schedule, last and next run and last result,
with a Run now button per job (the same runs as the scheduler's, as of now)."""

from collections.abc import Mapping

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from babel.dates import get_day_names
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Html, MissingMessage, Translator
from bot.texts import WEEKDAYS
from handlers.edits import unchanged_is_done
from handlers.filters import IsActiveStaff, refuse_non_staff, refuse_not_manager
from handlers.keyboards import Buttons
from handlers.surveys import show_waiting_surveys
from scheduler.jobs import post_service_survey
from scheduler.jobs.base import JobName
from scheduler.runs import (
    JobStatus,
    UnknownJob,
    find_job,
    run_job,
    schedule_text,
    statuses,
)
from storage import calendar
from storage.db import SessionPool
from storage.jobruns import LastRun
from storage.models import Estate, JobOutcome, StaffMember, StaffRole

router = Router(name=__name__)
MANAGERS = IsActiveStaff(roles={StaffRole.manager})
# Jobs whose waiting work a manager can see and send sooner, shown when Run now is too early.
WAITING = {post_service_survey.JOB.name: show_waiting_surveys}


class JobCB(CallbackData, prefix="job"):
    """Run now: the job's name."""

    name: JobName


def job_title(t: Translator, name: str) -> str:
    """The job's name in the catalogs (`job-<name>`), else its code name."""
    try:
        return t(f"job-{name.replace('_', '-')}")
    except MissingMessage:
        return name


def schedule_words(t: Translator, cron: Mapping[str, str | int]) -> str:
    """The job's cron fields as a manager says them: "every minute", "daily at 09:00",
    "Fridays at 17:00", "monthly on day 1 at 09:00"; the fields themselves for other shapes."""
    fields = dict(cron)
    if fields == {"minute": "*"}:
        return t("jobs-every-minute")
    minute, hour = fields.pop("minute", None), fields.pop("hour", None)
    if not isinstance(minute, int) or not isinstance(hour, int):
        return schedule_text(cron)
    at = f"{hour:02d}:{minute:02d}"
    if not fields:
        return t("jobs-daily", time=at)
    if fields.keys() == {"day_of_week"} and fields["day_of_week"] in WEEKDAYS:
        names = get_day_names("wide", locale=t.locale)
        day = names[WEEKDAYS.index(str(fields["day_of_week"]))]
        return t("jobs-weekly", day=day, time=at)
    if fields.keys() == {"day"}:
        return t("jobs-monthly", day=str(fields["day"]), time=at)
    return schedule_text(cron)


def last_result(t: Translator, last: LastRun) -> str:
    if last.outcome is None:
        return t("jobs-result-running")
    if last.outcome is JobOutcome.failed:
        return t("jobs-result-failed")
    return t("jobs-result-ok", count=int(last.result.get("enqueued", 0)))


def status_line(t: Translator, estate: Estate, status: JobStatus) -> str:
    last = status.last
    if last is None:
        done = t("jobs-never-run")
    else:
        when = calendar.local(estate, last.as_of).strftime("%m-%d %H:%M")
        done = t("jobs-last-run", at=when, result=last_result(t, last))
    upcoming = (
        calendar.local(estate, status.next_run).strftime("%m-%d %H:%M")
        if status.next_run is not None
        else "—"
    )
    return t(
        "jobs-line",
        title=job_title(t, status.job.name),
        schedule=schedule_words(t, status.job.cron),
        last=Html(done),
        next=upcoming,
    )


async def jobs_view(
    session: AsyncSession, estate: Estate, t: Translator, clock: Clock
) -> tuple[str, InlineKeyboardMarkup]:
    found = await statuses(session, estate, clock())
    lines = [t("jobs-title", zone=estate.time_zone)]
    lines += [status_line(t, estate, s) for s in found]
    builder = Buttons()
    for status in found:
        builder.button(
            text=t("jobs-btn-run", title=Html(job_title(t, status.job.name))),
            callback_data=JobCB(name=status.job.name),
        )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


@router.message(Command("jobs"), MANAGERS)
async def show_jobs(
    message: Message, session: AsyncSession, estate: Estate, t: Translator, clock: Clock
) -> None:
    """The scheduled jobs with a Run now button each."""
    text, markup = await jobs_view(session, estate, t, clock)
    await message.answer(text, reply_markup=markup)


@router.message(Command("jobs"), F.chat.type != "private")
async def jobs_refused(message: Message, t: Translator, staff_member: StaffMember | None) -> None:
    """Staff who are not managers are told so; anyone else is refused."""
    await refuse_not_manager(message, staff_member, t)


@router.callback_query(JobCB.filter(), MANAGERS)
async def run_now(
    query: CallbackQuery,
    callback_data: JobCB,
    session: AsyncSession,
    session_pool: SessionPool,
    estate: Estate,
    t: Translator,
    own_t: Translator,
    clock: Clock,
) -> None:
    """Run now: one run of the job as of now; the list is refreshed with its result (the
    popup in the presser's language, the list in the group's)."""
    try:
        job = find_job(callback_data.name)
    except UnknownJob:
        await query.answer(own_t("jobs-unknown"), show_alert=True)
        return
    now = clock()
    report = await run_job(session_pool, job, estate, now, clock)
    title = job_title(own_t, job.name)
    upcoming = None
    if report.outcome == JobOutcome.ok and report.enqueued == 0 and job.next_due is not None:
        upcoming = await job.next_due(session, estate, now)
    if upcoming is not None:
        # Run too early (a survey waits for 10:00 the day after closing): say when it is due,
        # and show what is waiting where it can be sent sooner.
        at = calendar.local(estate, upcoming).strftime("%m-%d %H:%M")
        await query.answer(own_t("jobs-not-due-yet", title=title, at=at), show_alert=True)
        waiting = WAITING.get(job.name)
        if waiting is not None and isinstance(query.message, Message):
            await waiting(query.message, t, session, estate, now)
    elif report.held_until is not None:
        # At night owners' messages wait for the morning; say so, or nothing seems to happen.
        at = calendar.local(estate, report.held_until).strftime("%m-%d %H:%M")
        await query.answer(
            own_t(
                "jobs-ran-held",
                title=title,
                count=report.enqueued,
                at=at,
                quiet=estate.quiet_hours,
            ),
            show_alert=True,
        )
    else:
        key = "jobs-ran" if report.outcome == JobOutcome.ok else "jobs-failed"
        await query.answer(own_t(key, title=title, count=report.enqueued))
    if isinstance(query.message, Message):
        text, markup = await jobs_view(session, estate, t, clock)
        with unchanged_is_done():
            await query.message.edit_text(text, reply_markup=markup)


@router.callback_query(JobCB.filter())
async def run_now_refused(query: CallbackQuery, own_t: Translator) -> None:
    await refuse_non_staff(query, own_t)
