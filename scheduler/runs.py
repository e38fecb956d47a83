"""Running one job for one estate and reading the jobs' state: what the scheduler, `frontdoor
jobs` and `/jobs` share. Imports no aiogram (the CLI uses it)."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from scheduler.jobs import all_jobs
from scheduler.jobs.base import Job
from storage import calendar, jobruns
from storage.db import SessionPool
from storage.jobruns import LastRun
from storage.models import Estate, JobOutcome

log = logging.getLogger("frontdoor.jobs")


class UnknownJob(LookupError):
    """No job of that name; the message lists the ones there are."""


def find_job(name: str) -> Job:
    jobs: dict[str, Job] = {job.name: job for job in all_jobs()}
    if name not in jobs:
        raise UnknownJob(f"no job {name!r}; jobs: {', '.join(jobs)}")
    return jobs[name]


def trigger(job: Job, estate: Estate) -> CronTrigger:
    """The job's cron fields read on the estate's wall clock (DST included)."""
    return CronTrigger(timezone=calendar.zone(estate), **job.cron)


def schedule_text(cron: Mapping[str, str | int]) -> str:
    """The cron fields as written, e.g. "hour=9 minute=0" (`frontdoor jobs list`)."""
    return " ".join(f"{field}={value}" for field, value in cron.items())


def next_run(job: Job, estate: Estate, now: datetime) -> datetime | None:
    fire = trigger(job, estate).get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire is not None else None


class BadMoment(ValueError):
    """`--at` that is not YYYY-MM-DDTHH:MM."""


def parse_at(text: str, estate: Estate) -> datetime:
    """ "2026-12-02T09:00" on the estate's wall clock → that moment in UTC."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise BadMoment(f"{text!r} is not of the form YYYY-MM-DDTHH:MM") from None
    return calendar.at_local(estate, moment.date(), time(moment.hour, moment.minute))


@dataclass(frozen=True)
class RunReport:
    job: str
    estate_id: int | None
    as_of: datetime
    outcome: JobOutcome
    result: dict[str, Any]
    # Set when the owner messages it queued wait for the end of the quiet hours.
    held_until: datetime | None = None

    @property
    def enqueued(self) -> int:
        return int(self.result.get("enqueued", 0))


async def run_job(
    session_pool: SessionPool, job: Job, estate: Estate, as_of: datetime, clock: Clock
) -> RunReport:
    """One run of `job` for `estate` as of `as_of`: a JobRun row, the job's scan in its own
    transaction (its outbox rows commit together with the run's result), failures recorded."""
    async with session_pool() as session:
        run_id = await jobruns.start(
            session, job=job.name, estate_id=estate.id, as_of=as_of, at=clock()
        )
    try:
        async with session_pool() as session:
            done = await job.run(session, estate, as_of)
            result = done.as_dict()
            await jobruns.finish(session, run_id, at=clock(), outcome=JobOutcome.ok, result=result)
    except Exception as exc:
        # One failing job (or estate) must not stop the others; the run says what went wrong.
        log.exception("job=%s estate=%s failed", job.name, estate.id)
        result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        async with session_pool() as session:
            await jobruns.finish(
                session, run_id, at=clock(), outcome=JobOutcome.failed, result=result
            )
        return RunReport(job.name, estate.id, as_of, JobOutcome.failed, result)
    log.info("job=%s estate=%s outcome=ok %s", job.name, estate.id, result)
    return RunReport(job.name, estate.id, as_of, JobOutcome.ok, result, done.held_until)


@dataclass(frozen=True)
class JobStatus:
    job: Job
    schedule: str
    last: LastRun | None
    next_run: datetime | None


async def statuses(session: AsyncSession, estate: Estate, now: datetime) -> list[JobStatus]:
    """Every job with its schedule, last run and next run for the estate."""
    if estate.id is None:
        return []
    last = await jobruns.latest(session, estate.id)
    return [
        JobStatus(job, schedule_text(job.cron), last.get(job.name), next_run(job, estate, now))
        for job in all_jobs()
    ]


async def all_estates(session: AsyncSession) -> list[Estate]:
    return list((await session.exec(select(Estate).order_by(col(Estate.id)))).all())
