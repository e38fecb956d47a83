"""Every outbox `dedupe_key` and `subject` is built here, never spelled by hand elsewhere.

A dedupe key names one message that must be sent at most once ("fee reminder for owner 7 on
2026-12-02"); a subject names what a message is about ("ticket:42"), so a reply to it finds its
ticket. Each feature keeps its builders in its own section below.
"""

from datetime import UTC, datetime

# --- tickets, registrations, call-back bookings, delivery notices ------------------------------


# --- scheduler: reminders, escalations, summaries, announcements --------------------------------


# --- payments and receipts ----------------------------------------------------------------------


# --- surveys and call-back tasks ----------------------------------------------------------------


# --- reports ------------------------------------------------------------------------------------


def monthly_report(estate_id: int, month: str, part: str) -> str:
    """One part (dashboard, workbook) of an estate's scheduled report for one month."""
    return f"report:{estate_id}:{month}:{part}"


# --- reliability and operations -----------------------------------------------------------------


def error_alert(fingerprint: str, at: datetime) -> str:
    """One staff alert per distinct unexpected error per clock hour (UTC)."""
    return f"error:{fingerprint}:{at.astimezone(UTC):%Y-%m-%dT%H}"
