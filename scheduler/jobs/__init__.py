"""Every scheduled job, one module each; `frontdoor jobs`, `/jobs` and the scheduler read it."""

from scheduler.jobs.base import Job


def all_jobs() -> list[Job]:
    """The jobs in the order `jobs list` shows them. Each module defines `JOB`."""
    from scheduler.jobs import daily_summary, fee_reminders, weekly_complaint_summary

    return [
        fee_reminders.JOB,
        daily_summary.JOB,
        weekly_complaint_summary.JOB,
    ]
