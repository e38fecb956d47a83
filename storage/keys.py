"""Every outbox `dedupe_key` and `subject` is built here, never spelled by hand elsewhere.

A dedupe key names one message that must be sent at most once ("fee reminder for owner 7 on
2026-12-02"); a subject names what a message is about ("ticket:42"), so a reply to it finds its
ticket. Each feature keeps its builders in its own section below.
"""

from datetime import UTC, date, datetime
from enum import StrEnum


class SubjectKind(StrEnum):
    """What an outbox message can be about."""

    ticket = "ticket"
    owner = "owner"
    callback = "callback"
    call_task = "calltask"
    survey = "survey"
    announcement = "announcement"


def _subject(kind: SubjectKind, entity_id: int | None) -> str:
    return f"{kind}:{entity_id}"


def subject_id(subject: str | None, kind: SubjectKind) -> int | None:
    """The id in a subject of this kind ("ticket:42" → 42), None for any other subject."""
    head, _, entity_id = (subject or "").partition(":")
    if head != kind or not entity_id.isdigit():
        return None
    return int(entity_id)


def direct(chat_id: int, message_id: int) -> str:
    """A message the bot sent directly (not through the outbox), remembered for its subject."""
    return f"direct:{chat_id}:{message_id}"


# --- tickets, registrations, call-back bookings, delivery notices ------------------------------


def ticket_subject(ticket_id: int | None) -> str:
    return _subject(SubjectKind.ticket, ticket_id)


def ticket_card(ticket_id: int | None) -> str:
    """The ticket's card in the staff group; every later event edits it."""
    return f"ticket:{ticket_id}:card"


def ticket_photo(ticket_id: int | None, photo_id: int | None) -> str:
    """An owner's photo threaded under the ticket's first card."""
    return f"ticket:{ticket_id}:photo:{photo_id}"


def ticket_event(ticket_id: int | None, event_id: int | None, *part: object) -> str:
    """One message a ticket event causes: `part` says which ("card", "owner", "group", …)."""
    return ":".join(["ticket", str(ticket_id), "event", str(event_id), *map(str, part)])


def work_order(ticket_id: int | None, started_event_id: int | None) -> str:
    """The technician's work order sent when the job was started (event `started`)."""
    return ticket_event(ticket_id, started_event_id, "order")


def owner_subject(owner_id: int | None) -> str:
    return _subject(SubjectKind.owner, owner_id)


def registration(owner_id: int | None, request_no: int, part: str) -> str:
    """A message about one registration request: asking again after a rejection is a new
    request, whose card and decision must not be taken for repeats of the first one's."""
    key = f"owner:{owner_id}:{part}"
    return key if request_no == 1 else f"{key}:{request_no}"


def rejecting(owner_id: int | None, request_no: int) -> str:
    """The staff group's question "why is this request rejected?" (a reply to it is the reason)."""
    return f"rejecting:{owner_id}:{request_no}"


def rejecting_of(subject: str | None) -> tuple[int, int] | None:
    """(owner id, request number) of a `rejecting` subject, None for any other subject."""
    head, _, rest = (subject or "").partition(":")
    owner_id, _, request_no = rest.partition(":")
    if head != "rejecting" or not owner_id.isdigit() or not request_no.isdigit():
        return None
    return int(owner_id), int(request_no)


def callback_subject(callback_id: int | None) -> str:
    return _subject(SubjectKind.callback, callback_id)


def callback_card(callback_id: int | None) -> str:
    """The call-back booking's card in the staff group."""
    return f"callback:{callback_id}:card"


def callback_event(callback_id: int | None, what: str) -> str:
    """A message a booking's change causes ("cancelled", "missed")."""
    return f"callback:{callback_id}:{what}"


def undelivered(row_id: int, estate_id: int | None) -> str:
    """The staff group's notice that outbox row `row_id` could not be delivered."""
    return f"undelivered:{row_id}:{estate_id}"


def undelivered_owner(owner_id: int | None, ticket_id: int | None) -> str:
    """The staff group's notice that an owner cannot be reached about a ticket: once per ticket,
    however many messages about it bounce."""
    return f"undelivered:owner:{owner_id}:ticket:{ticket_id}"


# --- scheduler: reminders, escalations, summaries, announcements --------------------------------


def fee_reminder(owner_id: int, day: date) -> str:
    """One fee reminder per owner per (estate-local) day, however many charges it lists."""
    return f"fee-reminder:{owner_id}:{day.isoformat()}"


def sla_alert(ticket_id: int, deadline: str, level: int) -> str:
    """The `level`-th (1 at the deadline, 2 at twice it) alert for a ticket's deadline."""
    return f"sla:{ticket_id}:{deadline}:{level}"


def sla_card(ticket_id: int, deadline: str, level: int) -> str:
    return f"sla:{ticket_id}:{deadline}:{level}:card"


def callback_reminder(callback_id: int) -> str:
    return f"callback-reminder:{callback_id}"


def daily_summary(estate_id: int, day: date) -> str:
    return f"daily-summary:{estate_id}:{day.isoformat()}"


def weekly_complaints(estate_id: int, week_start: date) -> str:
    return f"weekly-complaints:{estate_id}:{week_start.isoformat()}"


def announcement_subject(announcement_id: int) -> str:
    """Every owner's message of one announcement carries this subject."""
    return _subject(SubjectKind.announcement, announcement_id)


def announcement_owner(announcement_id: int, owner_id: int) -> str:
    return f"announcement:{announcement_id}:owner:{owner_id}"


def announcement_progress(announcement_id: int) -> str:
    return f"announcement:{announcement_id}:progress"


def announcement_progress_edit(announcement_id: int, sent: int, failed: int, waiting: int) -> str:
    """One edit per distinct state of the counts: a repeated scan with nothing new adds none."""
    return f"announcement:{announcement_id}:progress:{sent}:{failed}:{waiting}"


def idle_note(record_id: int, updated_at: datetime) -> str:
    return f"idle:{record_id}:{updated_at.isoformat()}"


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


def call_task_subject(callback_id: int | None) -> str:
    """Staff's confirmation of a call-back task's outcome: a reply to it is a note on the task."""
    return _subject(SubjectKind.call_task, callback_id)


def survey_subject(survey_id: int | None) -> str:
    """A quarterly survey's staff messages (a post-service survey's are about its ticket)."""
    return _subject(SubjectKind.survey, survey_id)


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
