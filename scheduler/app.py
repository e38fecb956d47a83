"""Background work that lives as long as the bot process: the outbox sender and, unless
`--no-scheduler`, the job scheduler (APScheduler, one leader per database)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.clock import Clock
from scheduler.jobs import all_jobs
from scheduler.jobs.base import Job
from scheduler.runs import all_estates, run_job, trigger
from storage import estates
from storage.db import SessionPool

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.metrics import Metrics
    from scheduler.outbox import OutboxSender

log = logging.getLogger("frontdoor.scheduler")

# One number for "the Frontdoor scheduler" among the advisory locks of the database.
LOCK_KEY = 0x46_44_4F_4F_52  # "FDOOR"
# How often a standby tries to become the leader (and the leader checks its lock is alive):
# a leader that dies is replaced within this time, well inside a minute.
ELECTION_INTERVAL = 20.0
JOB_OPTIONS: dict[str, Any] = {
    # A run fired late (event loop busy, machine suspended) still runs: every job is a scan of
    # what is due as of its run, so late is fine and skipping would lose a day's reminders.
    "misfire_grace_time": None,
    # Several missed fire times collapse into one run: one scan covers them all.
    "coalesce": True,
    # A slow run (a big announcement) is never overlapped by the next fire of the same job.
    "max_instances": 1,
}


class LeaderLock:
    """Who runs the jobs (and, keyed by its token, that an outbox sender is alive). On
    PostgreSQL the holder of a session-level advisory lock, taken on a connection of its own
    outside the pool (the lock lives exactly as long as that connection, so a dead holder's
    lock is freed by the server); on SQLite the one process."""

    def __init__(self, database_url: str, key: int = LOCK_KEY) -> None:
        self.database_url = database_url
        self.key = key
        self.postgres = database_url.startswith("postgresql")
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return not self.postgres or self._connection is not None

    async def acquire(self) -> bool:
        """Keep or take the lock; False while another process holds it."""
        if not self.postgres:
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("scheduler lock connection lost; standing by")
                await self.release()
        if self._engine is None:
            self._engine = create_async_engine(
                self.database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
            )
        connection = await self._engine.connect()
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except Exception:
            await connection.close()
            raise
        if taken:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
            with contextlib.suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        await self.release()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


class JobScheduler:
    """APScheduler with one cron job per (job, estate) on the estate's wall clock, while this
    process holds the leader lock. The database is the source of truth: the job store is in
    memory and rebuilt from the estates on every election round."""

    def __init__(
        self,
        session_pool: SessionPool,
        clock: Clock,
        lock: LeaderLock,
        jobs: Sequence[Job] | None = None,
        interval: float = ELECTION_INTERVAL,
    ) -> None:
        self.session_pool = session_pool
        self.clock = clock
        self.lock = lock
        self.jobs: dict[str, Job] = {
            job.name: job for job in (jobs if jobs is not None else all_jobs())
        }
        self.interval = interval
        self.aps = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_OPTIONS)
        # What is scheduled now: APScheduler id → (time zone, cron fields).
        self.scheduled: dict[str, tuple[str, tuple[tuple[str, Any], ...]]] = {}
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Job runs in progress, so stopping lets them finish (APScheduler would cancel them).
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def leader(self) -> bool:
        return self.lock.held and self.aps.running

    async def tick(self) -> bool:
        """One election round: become or stay the leader and bring the schedule up to date, or
        stand by with nothing scheduled."""
        try:
            leader = await self.lock.acquire()
        except Exception:
            log.exception("scheduler lock unavailable")
            leader = False
        if not leader:
            if self.scheduled:
                log.info("scheduler standing by: another process holds the lock")
            self._unschedule_all()
            return False
        if not self.aps.running:
            self.aps.start()
            log.info("scheduler is the leader jobs=%s", ",".join(self.jobs))
        await self.sync()
        return True

    async def sync(self) -> None:
        """Add, replace or remove cron jobs so they match the estates' time zones now.

        Only changed entries are (re)added: replacing a job recomputes its next fire time from
        now, which would skip a run that is due this very second."""
        async with self.session_pool() as session:
            found = await all_estates(session)
        wanted: dict[str, tuple[str, tuple[tuple[str, Any], ...]]] = {}
        for estate in found:
            for job in self.jobs.values():
                job_id = f"{job.name}:{estate.id}"
                spec = (estate.time_zone, tuple(sorted(job.cron.items())))
                wanted[job_id] = spec
                if self.scheduled.get(job_id) != spec:
                    self.aps.add_job(
                        self.fire,
                        trigger(job, estate),
                        args=[job.name, estate.id],
                        id=job_id,
                        name=job_id,
                        replace_existing=True,
                    )
        for job_id in set(self.scheduled) - set(wanted):
            with contextlib.suppress(Exception):
                self.aps.remove_job(job_id)
        self.scheduled = wanted

    def _unschedule_all(self) -> None:
        if self.aps.running:
            self.aps.remove_all_jobs()
        self.scheduled = {}

    async def fire(self, name: str, estate_id: int) -> None:
        """A cron fire: run the job for the estate as of now (the estate read afresh)."""
        job = self.jobs.get(name)
        async with self.session_pool() as session:
            estate = await estates.get(session, estate_id)
        if job is None or estate is None:
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await run_job(self.session_pool, job, estate, self.clock(), self.clock)
        finally:
            if task is not None:
                self._running.discard(task)

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def _run(self) -> None:
        while not self._stop.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    async def stop(self) -> None:
        """Stop electing and scheduling, let a running job finish, give the lock back."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        self._unschedule_all()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self.aps.running:
            self.aps.shutdown(wait=False)
        await self.lock.close()


@dataclass
class Background:
    sender: "OutboxSender"
    scheduler: JobScheduler | None


@asynccontextmanager
async def background(
    bot: "Bot",
    session_pool: SessionPool,
    clock: Clock,
    send_rate: float,
    *,
    database_url: str,
    run_scheduler: bool,
    metrics: "Metrics | None" = None,
    in_flight: int | None = None,
) -> AsyncIterator[Background]:
    """Run the outbox sender (and the scheduler unless told not to) while the block runs; stop
    them cleanly (the current send and the current job finish)."""
    from scheduler.outbox import OutboxSender

    sender = OutboxSender(
        bot, session_pool, clock, rate=send_rate, metrics=metrics, in_flight=in_flight
    )
    sender.start()
    scheduler = (
        JobScheduler(session_pool, clock, LeaderLock(database_url)) if run_scheduler else None
    )
    if scheduler is not None:
        scheduler.start()
    try:
        yield Background(sender, scheduler)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await sender.stop()
