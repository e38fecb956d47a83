"""Every scheduled job, one module each; `frontdoor jobs`, `/jobs` and the scheduler read it."""

from scheduler.jobs import monthly_report
from scheduler.jobs.base import Job


def all_jobs() -> list[Job]:
    """The jobs in the order `jobs list` shows them. Each module defines `JOB`."""
    return [monthly_report.JOB]
