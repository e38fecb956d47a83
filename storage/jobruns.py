"""Runs of scheduled jobs (`JobRun`): what `frontdoor jobs list` and `/jobs` show, and where a
job that catches up after downtime finds its previous run."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import JobOutcome, JobRun

# Jobs that run every minute would grow the table without end; older runs are of no use.
KEEP = timedelta(days=14)


async def start(
    session: AsyncSession, *, job: str, estate_id: int | None, as_of: datetime, at: datetime
) -> int:
    """A run begins (committed, so a run that dies half-way still shows)."""
    run = JobRun(job=job, estate_id=estate_id, as_of=as_of, started_at=at)
    session.add(run)
    await session.commit()
    if run.id is None:
        raise RuntimeError("the job run got no id")
    return run.id


async def finish(
    session: AsyncSession,
    run_id: int,
    *,
    at: datetime,
    outcome: JobOutcome,
    result: dict[str, Any],
) -> None:
    """Record how the run ended, in the caller's transaction (with the job's outbox rows), and
    drop this job's runs older than KEEP; then commit."""
    run = await session.get(JobRun, run_id)
    if run is None:
        return
    await session.exec(
        update(JobRun)
        .where(col(JobRun.id) == run_id)
        .values(finished_at=at, outcome=outcome, result=result)
    )
    await session.exec(
        delete(JobRun).where(
            col(JobRun.job) == run.job,
            col(JobRun.estate_id) == run.estate_id,
            col(JobRun.started_at) < at - KEEP,
        )
    )
    await session.commit()


async def last_ok_before(
    session: AsyncSession, job: str, estate_id: int, before: datetime
) -> datetime | None:
    """The `as_of` of the job's latest successful run for the estate before `before`."""
    query = select(func.max(JobRun.as_of)).where(
        JobRun.job == job,
        JobRun.estate_id == estate_id,
        JobRun.outcome == JobOutcome.ok,
        col(JobRun.as_of) < before,
    )
    value = (await session.exec(query)).one()
    return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class LastRun:
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    outcome: JobOutcome | None
    result: dict[str, Any]


async def latest(session: AsyncSession, estate_id: int) -> dict[str, LastRun]:
    """Each job's most recent run for the estate."""
    newest = (
        select(JobRun.job, func.max(JobRun.id).label("id"))
        .where(JobRun.estate_id == estate_id)
        .group_by(col(JobRun.job))
        .subquery()
    )
    rows = (await session.exec(select(JobRun).join(newest, col(JobRun.id) == newest.c.id))).all()
    return {
        row.job: LastRun(
            as_of=row.as_of,
            started_at=row.started_at,
            finished_at=row.finished_at,
            outcome=JobOutcome(row.outcome) if row.outcome else None,
            result=dict(row.result),
        )
        for row in rows
    }
