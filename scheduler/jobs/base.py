"""What every scheduled job is (DESIGN.md §11): a name, a schedule on the estate's wall clock, and
an idempotent scan `run(session, estate, now)` writing outbox rows, never calling the Bot API."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import calendar, outbox
from storage.models import Estate
from storage.outbox import Draft


@dataclass(frozen=True)
class JobResult:
    """What one run did: outbox rows written and a few counts for `jobs list` and `/jobs`;
    `held_until` when the rows wait for the end of the quiet hours, so whoever ran the job at
    night is told why nothing arrives yet."""

    enqueued: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    held_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"enqueued": self.enqueued, **self.counts}


Run = Callable[[AsyncSession, Estate, datetime], Awaitable[JobResult]]


@dataclass(frozen=True)
class Verdict:
    """What a recheck decided for a queued row at send time: send it as queued, send `text`
    in place of the queued text (what it says changed), or skip it for the reason `skip`."""

    skip: str | None = None
    text: str | None = None


# A job's check of one of its queued rows (OutboxMessage.recheck) just before it is sent.
Recheck = Callable[[AsyncSession, Mapping[str, Any], datetime], Awaitable[Verdict]]


# When a job will next find something to do, for jobs whose work waits for a set moment (a
# survey at 10:00 the day after closing): `/jobs` tells a manager who runs it too early.
NextDue = Callable[[AsyncSession, Estate, datetime], Awaitable[datetime | None]]


class JobName(StrEnum):
    """Every job's name: its runs are recorded under it, `/jobs` buttons and `frontdoor jobs
    run` name it, and its title in the catalogs is `job-<name>`."""

    fee_reminders = "fee_reminders"
    sla_escalation = "sla_escalation"
    callback_reminders = "callback_reminders"
    daily_summary = "daily_summary"
    weekly_complaint_summary = "weekly_complaint_summary"
    announcements = "announcements"
    idle_conversations = "idle_conversations"
    post_service_survey = "post_service_survey"
    quarterly_survey = "quarterly_survey"
    monthly_report = "monthly_report"


@dataclass(frozen=True)
class Job:
    """`cron` holds APScheduler `CronTrigger` fields, read on the estate's wall clock."""

    name: JobName
    cron: Mapping[str, str | int]
    run: Run
    next_due: NextDue | None = None


# Rows per INSERT: large enough to make few round trips, small enough for any driver's
# limit on bound parameters (PostgreSQL's is 32767; a row binds nine).
BATCH = 1000


async def enqueue_new(session: AsyncSession, drafts: Sequence[Draft], at: datetime) -> int:
    """Queue the drafts in multi-row INSERTs of BATCH rows; drafts whose dedupe key was queued
    before are skipped. Returns how many are new, so a run repeating an earlier one reports 0."""
    new = 0
    for start in range(0, len(drafts), BATCH):
        new += await outbox.add_many(session, drafts[start : start + BATCH], at)
    return new


def held(estate: Estate, now: datetime, enqueued: int) -> datetime | None:
    """When owner messages queued `now` go out, if the quiet hours hold them; else None."""
    return calendar.quiet_until(estate, now) if enqueued else None
