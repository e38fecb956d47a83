"""Every outbox `dedupe_key` and `subject` is built here, never spelled by hand elsewhere.

A dedupe key names one message that must be sent at most once ("fee reminder for owner 7 on
2026-12-02"); a subject names what a message is about ("ticket:42"), so a reply to it finds its
ticket. Each feature keeps its builders in its own section below.
"""

from enum import StrEnum


class SubjectKind(StrEnum):
    """What an outbox message can be about."""

    ticket = "ticket"
    owner = "owner"
    callback = "callback"


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


# --- payments and receipts ----------------------------------------------------------------------


# --- surveys and call-back tasks ----------------------------------------------------------------


# --- reports ------------------------------------------------------------------------------------


def monthly_report(estate_id: int, month: str, part: str) -> str:
    """One part (dashboard, workbook) of an estate's scheduled report for one month."""
    return f"report:{estate_id}:{month}:{part}"


# --- reliability and operations -----------------------------------------------------------------
