"""`/healthz` and Prometheus `/metrics` on FRONTDOOR_METRICS_LISTEN.

Counters and histograms are of this process (updates, handler latency, send errors); gauges read
from the database at scrape time are shared by all processes (outbox depth and age, job runs), so
any one worker's `/metrics` shows them.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.clock import Clock
from bot.guards import is_storage_fault
from storage import health
from storage.db import SessionPool

log = logging.getLogger("frontdoor.metrics")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One process's metrics, in a registry of their own (tests build many dispatchers)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "frontdoor_updates", "Telegram updates by outcome", ["outcome"], registry=r
        )
        self.latency = Histogram(
            "frontdoor_update_seconds",
            "Time to handle one update",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sent = Counter("frontdoor_outbox_sent", "Outbox messages delivered", registry=r)
        self.send_errors = Counter(
            "frontdoor_send_errors", "Bot API errors of the outbox sender", ["code"], registry=r
        )
        self.outbox = Gauge(
            "frontdoor_outbox_messages", "Undelivered outbox rows", ["status"], registry=r
        )
        self.outbox_oldest = Gauge(
            "frontdoor_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox row (0 when none)",
            registry=r,
        )
        self.job_runs = Gauge(
            "frontdoor_job_runs", "Job runs by outcome", ["job", "outcome"], registry=r
        )
        self.job_seconds = Gauge(
            "frontdoor_job_last_duration_seconds", "Latest run's duration", ["job"], registry=r
        )
        self.job_last = Gauge(
            "frontdoor_job_last_run_timestamp_seconds",
            "Start of each job's latest run (Unix time)",
            ["job"],
            registry=r,
        )
        self.database_up = Gauge(
            "frontdoor_database_up", "1 when the database answered the last scrape", registry=r
        )

    async def refresh(self, session_pool: SessionPool, clock: Clock) -> bool:
        """Read the shared gauges from the database; False when it did not answer."""
        try:
            async with session_pool() as session:
                depth = await health.outbox_depth(session)
                jobs = await health.job_figures(session)
        except Exception as exc:
            if not is_storage_fault(exc):
                raise
            self.database_up.set(0)
            return False
        self.database_up.set(1)
        for status, count in depth.by_status.items():
            self.outbox.labels(status).set(count)
        oldest = depth.oldest_pending_at
        self.outbox_oldest.set(max(0.0, (clock() - oldest).total_seconds()) if oldest else 0)
        for (job, outcome), count in jobs.runs.items():
            self.job_runs.labels(job, outcome).set(count)
        for job, started in jobs.last_started_at.items():
            self.job_last.labels(job).set(started.timestamp())
        for job, seconds in jobs.last_seconds.items():
            self.job_seconds.labels(job).set(seconds)
        return True

    def count_update(self, outcome: str, seconds: float) -> None:
        """One update handled (bot.front.FrontMiddleware times it): "ok", "unhandled",
        "error", "storage_unavailable", or what a guard set (`OUTCOME_KEY`)."""
        self.updates.labels(outcome).inc()
        self.latency.observe(seconds)


def metrics_app(metrics: Metrics, session_pool: SessionPool, clock: Clock) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with session_pool() as session:
                await health.ping(session)
        except Exception as exc:
            if not is_storage_fault(exc):
                raise
            return web.Response(status=503, text="database unavailable\n")
        return web.Response(text="ok\n")

    async def scrape(_request: web.Request) -> web.Response:
        await metrics.refresh(session_pool, clock)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
    return app


async def serve_metrics(
    listen: str, metrics: Metrics, session_pool: SessionPool, clock: Clock
) -> web.AppRunner:
    """Start the endpoint on HOST:PORT; the caller cleans the runner up."""
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(metrics_app(metrics, session_pool, clock), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, int(port)).start()
    log.info("metrics listening on %s", listen)
    return runner
