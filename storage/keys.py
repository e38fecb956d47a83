"""Every outbox `dedupe_key` and `subject` is built here, never spelled by hand elsewhere.

A dedupe key names one message that must be sent at most once ("fee reminder for owner 7 on
2026-12-02"); a subject names what a message is about ("ticket:42"), so a reply to it finds its
ticket. Each feature keeps its builders in its own section below.
"""

from datetime import UTC, datetime

# --- tickets, registrations, call-back bookings, delivery notices ------------------------------


# --- scheduler: reminders, escalations, summaries, announcements --------------------------------


# --- payments and receipts ----------------------------------------------------------------------


def payment_received(receipt_number: str, owner_id: int) -> str:
    """The owner's "payment received" notice of one receipt."""
    return f"payment:{receipt_number}:owner:{owner_id}"


def payment_reversed(receipt_number: str, payment_ids: list[int], owner_id: int) -> str:
    """The owner's notice that these payments of a receipt were reversed (a receipt may be
    reversed a payment at a time, so the ids are part of the key)."""
    ids = "-".join(str(i) for i in sorted(payment_ids))
    return f"payment-reversed:{receipt_number}:{ids}:owner:{owner_id}"


def unit_subject(unit_id: int) -> str:
    return f"unit:{unit_id}"


# --- surveys and call-back tasks ----------------------------------------------------------------


def survey_ask(survey_id: int) -> str:
    """A survey's first message to the owner (its first question)."""
    return f"survey:{survey_id}:ask"


def survey_reminder(survey_id: int) -> str:
    """The one reminder of an unanswered survey."""
    return f"survey:{survey_id}:reminder"


def survey_alert(survey_id: int) -> str:
    """The staff group's alert on a survey with a low score."""
    return f"survey:{survey_id}:low"


def survey_comment(survey_id: int) -> str:
    """The owner's comment on a low-scored survey, forwarded under the alert."""
    return f"survey:{survey_id}:comment"


# --- reports ------------------------------------------------------------------------------------


def monthly_report(estate_id: int, month: str, part: str) -> str:
    """One part (dashboard, workbook) of an estate's scheduled report for one month."""
    return f"report:{estate_id}:{month}:{part}"


# --- reliability and operations -----------------------------------------------------------------


def error_alert(fingerprint: str, at: datetime) -> str:
    """One staff alert per distinct unexpected error per clock hour (UTC)."""
    return f"error:{fingerprint}:{at.astimezone(UTC):%Y-%m-%dT%H}"
