"""What every scheduled job is (DESIGN.md §11): a name, a schedule on the estate's wall clock, and
an idempotent scan `run(session, estate, now)` writing outbox rows, never calling the Bot API."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Estate


@dataclass(frozen=True)
class JobResult:
    """What one run did: outbox rows written and a few counts for `jobs list` and `/jobs`."""

    enqueued: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"enqueued": self.enqueued, **self.counts}


Run = Callable[[AsyncSession, Estate, datetime], Awaitable[JobResult]]


@dataclass(frozen=True)
class Job:
    """`cron` holds APScheduler `CronTrigger` fields, read on the estate's wall clock."""

    name: str
    cron: Mapping[str, str | int]
    run: Run
