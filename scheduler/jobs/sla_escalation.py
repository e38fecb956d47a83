"""SLA escalation, every minute: a ticket past its first-response deadline (complaints: 24 h) or
its resolution deadline gets one alert in the staff group naming it and its assignee and
mentioning the managers, then a second at twice the deadline; each alert re-renders the card so
⚠️ shows without anyone touching it."""

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Html, default_catalogs
from bot.texts import local
from scheduler.jobs.base import Job, JobName, JobResult, enqueue_new
from storage import calendar, keys, staff, tickets
from storage.models import Estate, StaffMember, StaffRole, TicketKind, Urgency
from storage.outbox import TICKET_CARD, Draft
from storage.tickets import TicketView

NAME = JobName.sla_escalation
RESPONSE = "response"
RESOLUTION = "resolution"
# How long a ticket may stay unresolved (from its creation) before it escalates.
RESOLUTION_TIME = {
    (TicketKind.repair, Urgency.urgent): timedelta(hours=24),
    (TicketKind.repair, Urgency.normal): timedelta(days=3),
    (TicketKind.complaint, Urgency.urgent): timedelta(days=3),
    (TicketKind.complaint, Urgency.normal): timedelta(days=3),
}


def deadlines(view: TicketView) -> list[tuple[str, datetime, datetime]]:
    """(which, first alert at, second alert at) for the deadlines that still apply."""
    ticket = view.ticket
    found = []
    if ticket.first_response_at is None and ticket.sla_due_at is not None:
        span = ticket.sla_due_at - ticket.created_at
        found.append((RESPONSE, ticket.sla_due_at, ticket.sla_due_at + span))
    allowed = RESOLUTION_TIME[(TicketKind(ticket.kind), Urgency(ticket.urgency))]
    found.append((RESOLUTION, ticket.created_at + allowed, ticket.created_at + 2 * allowed))
    return found


def mention(member: StaffMember) -> str:
    return f'<a href="tg://user?id={member.telegram_user_id}">{html.escape(member.name)}</a>'


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None or estate.staff_chat_id is None:
        return JobResult()
    group = estate.staff_chat_id
    t = default_catalogs().translator(estate.locale)
    tz = calendar.zone(estate)
    managers: Sequence[StaffMember] = [
        m for m in await staff.list_active(session, estate.id) if m.role == StaffRole.manager
    ]
    mentions = Html(", ".join(mention(m) for m in managers) or t("sla-no-managers"))
    drafts: list[Draft] = []
    alerts = 0
    for view in await tickets.queue(session, estate.id, now):
        tid = view.ticket.id
        if tid is None:
            continue
        for which, first, second in deadlines(view):
            if now < first:
                continue
            # Only the highest level reached: after downtime the second alert comes alone.
            level = 2 if now >= second else 1
            assignee = view.assignee.name if view.assignee else t("card-nobody")
            threaded = {"reply_to_message_id": {"$reply_to_of": keys.ticket_card(tid)}}
            drafts += [
                Draft(
                    keys.sla_alert(tid, which, level),
                    group,
                    t(
                        f"sla-alert-{which}-{level}",
                        number=str(view.ticket.number),
                        kind=Html(t(f"ticket-kind-{view.ticket.kind}")),
                        assignee=assignee,
                        due=local(first, tz),
                        managers=mentions,
                    ),
                    subject=keys.ticket_subject(tid),
                    not_before=now,
                    params=threaded,
                ),
                # The card shows ⚠️ once re-rendered (by the sender, as it is then).
                Draft(
                    keys.sla_card(tid, which, level),
                    group,
                    method="editMessageText",
                    subject=keys.ticket_subject(tid),
                    not_before=now,
                    params={
                        "message_id": {"$message_id_of": keys.ticket_card(tid)},
                        TICKET_CARD: tid,
                    },
                ),
            ]
            alerts += 1
    enqueued = await enqueue_new(session, drafts, now)
    return JobResult(enqueued, {"overdue": alerts})


JOB = Job(NAME, {"minute": "*"}, run)
