"""Every scheduled job, one module each; `frontdoor jobs`, `/jobs` and the scheduler read it."""

from scheduler.jobs import monthly_report, post_service_survey, quarterly_survey
from scheduler.jobs.base import Job


def all_jobs() -> list[Job]:
    """The jobs in the order `jobs list` shows them. Each module defines `JOB`."""
    return [post_service_survey.JOB, quarterly_survey.JOB, monthly_report.JOB]
