"""The scheduler engine: cron jobs per estate on its wall clock, one leader per database (two
schedulers against PostgreSQL), `--no-scheduler`, job runs recorded, failures contained."""

import asyncio
import random

import pytest
from sqlalchemy import text
from sqlmodel import select

from scheduler.app import JOB_OPTIONS, JobScheduler, LeaderLock, background
from scheduler.jobs import all_jobs
from scheduler.jobs.base import Job, JobResult
from scheduler.runs import run_job
from storage.db import create_engine
from storage.models import Estate, JobOutcome, JobRun
from tests.conftest import PG_URL
from tests.mocked_bot import MockedBot
from tests.scheduler_fixtures import make_estate

needs_pg = pytest.mark.skipif(not PG_URL, reason="FRONTDOOR_TEST_DATABASE_URL is not set")


def sqlite_scheduler(session_pool, clock) -> JobScheduler:
    return JobScheduler(session_pool, clock, LeaderLock("sqlite+aiosqlite://"))


async def test_every_job_is_scheduled_per_estate_in_its_time_zone(session_pool, clock, estate):
    new_york = await make_estate(session_pool, "Hudson Yards", "America/New_York", -100301)
    scheduler = sqlite_scheduler(session_pool, clock)
    try:
        assert await scheduler.tick()
        ids = {job.id for job in scheduler.aps.get_jobs()}
        names = [job.name for job in all_jobs()]
        assert ids == {f"{n}:{e.id}" for n in names for e in (estate, new_york)}
        job = scheduler.aps.get_job(f"fee_reminders:{new_york.id}")
        assert str(job.trigger.timezone) == "America/New_York"
        assert job.misfire_grace_time is None and job.coalesce is True
        assert job.max_instances == 1 == JOB_OPTIONS["max_instances"]
        # A second round changes nothing (replacing a job would move its next fire time).
        before = job.next_run_time
        assert await scheduler.tick()
        assert scheduler.aps.get_job(f"fee_reminders:{new_york.id}").next_run_time == before
        # A new time zone replaces the estate's jobs under the same ids.
        async with session_pool() as session:
            row = await session.get(Estate, new_york.id)
            row.time_zone = "Europe/Berlin"
            await session.commit()
        await scheduler.tick()
        job = scheduler.aps.get_job(f"fee_reminders:{new_york.id}")
        assert str(job.trigger.timezone) == "Europe/Berlin"
    finally:
        await scheduler.stop()


async def test_a_fire_records_a_job_run(session_pool, clock, estate):
    scheduler = sqlite_scheduler(session_pool, clock)
    await scheduler.fire("daily_summary", estate.id)
    async with session_pool() as session:
        [run] = (await session.exec(select(JobRun))).all()
    assert run.job == "daily_summary" and run.outcome == JobOutcome.ok
    assert run.as_of == clock() and run.finished_at == clock()
    assert run.result["enqueued"] == 1
    await scheduler.stop()


async def test_a_failing_job_is_recorded_and_contained(session_pool, clock, estate):
    async def broken(session, estate, now) -> JobResult:
        raise ValueError("no such thing")

    report = await run_job(
        session_pool, Job("broken", {"hour": 1}, broken), estate, clock(), clock
    )
    assert report.outcome == JobOutcome.failed
    assert report.result == {"error": "ValueError: no such thing"}
    async with session_pool() as session:
        [run] = (await session.exec(select(JobRun))).all()
    assert run.outcome == JobOutcome.failed and run.finished_at is not None


async def test_no_scheduler_runs_no_jobs(session_pool, clock, estate):
    async with background(
        MockedBot(),
        session_pool,
        clock,
        25,
        database_url="sqlite+aiosqlite://",
        run_scheduler=False,
    ) as running:
        assert running.scheduler is None
    async with session_pool() as session:
        assert (await session.exec(select(JobRun))).all() == []


async def test_with_the_scheduler_jobs_are_scheduled(session_pool, clock, estate):
    async with background(
        MockedBot(),
        session_pool,
        clock,
        25,
        database_url="sqlite+aiosqlite://",
        run_scheduler=True,
    ) as running:
        assert running.scheduler is not None
        # The first election round starts at once; wait for its database reads (a thread).
        for _ in range(500):
            if running.scheduler.aps.running and running.scheduler.aps.get_jobs():
                break
            await asyncio.sleep(0.01)
        assert {j.id for j in running.scheduler.aps.get_jobs()} >= {f"fee_reminders:{estate.id}"}
        assert running.scheduler.leader


@needs_pg
async def test_two_schedulers_one_leader_the_other_takes_over(session_pool, clock, estate):
    assert PG_URL
    key = random.randint(1, 2**40)
    first = JobScheduler(session_pool, clock, LeaderLock(PG_URL, key))
    second = JobScheduler(session_pool, clock, LeaderLock(PG_URL, key))
    admin = create_engine(PG_URL)
    try:
        assert await first.tick() is True
        assert await second.tick() is False
        assert first.aps.get_jobs() and not second.scheduled
        assert await second.tick() is False
        # The leader's process dies: the server ends its connection and frees the lock.
        async with admin.connect() as conn:
            pid = await first.lock._connection.scalar(text("SELECT pg_backend_pid()"))
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert await second.tick() is True
        assert second.aps.get_jobs()
        # The old leader notices its lock is gone and stands by with nothing scheduled.
        assert await first.tick() is False
        assert first.aps.get_jobs() == [] and not first.leader
    finally:
        await first.stop()
        await second.stop()
        await admin.dispose()


def test_election_is_frequent_enough_to_take_over_within_a_minute():
    from scheduler.app import ELECTION_INTERVAL

    # A standby tries again every interval; the dead leader's lock is free at once.
    assert ELECTION_INTERVAL < 60
