"""What operations watch: the database answers, the outbox drains, the jobs run."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import JobRun, OutboxMessage, OutboxStatus

# Sent rows grow without bound; the ones worth watching are those not (yet) delivered.
WATCHED = (OutboxStatus.pending, OutboxStatus.failed, OutboxStatus.dead)
RECENT_RUNS = 500


async def ping(session: AsyncSession) -> None:
    await session.exec(text("SELECT 1"))  # type: ignore[call-overload]


@dataclass(frozen=True)
class OutboxDepth:
    by_status: dict[str, int]
    oldest_pending_at: datetime | None


async def outbox_depth(session: AsyncSession) -> OutboxDepth:
    rows = (
        await session.exec(
            select(OutboxMessage.status, func.count())
            .where(col(OutboxMessage.status).in_(WATCHED))
            .group_by(OutboxMessage.status)
        )
    ).all()
    counts = {status.value: 0 for status in WATCHED}
    counts.update({str(status): int(n) for status, n in rows})
    oldest = (
        await session.exec(
            select(func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == OutboxStatus.pending
            )
        )
    ).one()
    return OutboxDepth(counts, oldest)


@dataclass(frozen=True)
class JobFigures:
    runs: dict[tuple[str, str], int]
    last_started_at: dict[str, datetime]
    last_seconds: dict[str, float]


async def job_figures(session: AsyncSession) -> JobFigures:
    """Runs by job and outcome, and each job's latest run and how long it took."""
    counts = (
        await session.exec(
            select(JobRun.job, JobRun.outcome, func.count()).group_by(
                col(JobRun.job), col(JobRun.outcome)
            )
        )
    ).all()
    runs = {(job, str(outcome or "running")): int(n) for job, outcome, n in counts}
    recent = (
        await session.exec(
            select(JobRun).order_by(col(JobRun.started_at).desc()).limit(RECENT_RUNS)
        )
    ).all()
    last_started: dict[str, datetime] = {}
    last_seconds: dict[str, float] = {}
    for run in recent:
        if run.job in last_started:
            continue
        last_started[run.job] = run.started_at
        if run.finished_at is not None:
            last_seconds[run.job] = (run.finished_at - run.started_at).total_seconds()
    return JobFigures(runs, last_started, last_seconds)
