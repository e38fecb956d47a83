"""Every scheduled job, one module each; `frontdoor jobs`, `/jobs` and the scheduler read it."""

from scheduler.jobs.base import Job, Recheck


def all_jobs() -> list[Job]:
    """The jobs in the order `jobs list` shows them. Each module defines `JOB`."""
    from scheduler.jobs import (
        announcements,
        callback_reminders,
        daily_summary,
        fee_reminders,
        idle_conversations,
        monthly_report,
        post_service_survey,
        quarterly_survey,
        sla_escalation,
        weekly_complaint_summary,
    )

    return [
        fee_reminders.JOB,
        sla_escalation.JOB,
        callback_reminders.JOB,
        daily_summary.JOB,
        weekly_complaint_summary.JOB,
        announcements.JOB,
        idle_conversations.JOB,
        post_service_survey.JOB,
        quarterly_survey.JOB,
        monthly_report.JOB,
    ]


def rechecks() -> dict[str, Recheck]:
    """The send-time checks by `recheck["kind"]`, for the outbox sender."""
    from scheduler.jobs import fee_reminders

    return {fee_reminders.RECHECK: fee_reminders.recheck}
