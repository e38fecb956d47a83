"""Ticket texts shared by the staff and owner sides: the staff card, the notifications every
ticket event causes (as outbox drafts), owner summary lines, refusal texts and the buttons."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Html, Translator
from bot.texts import local, role_name
from handlers.keyboards import Buttons
from storage import keys, outbox
from storage.db import UnsavedRowError
from storage.models import (
    Owner,
    StaffMember,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
    TicketStatus,
)
from storage.tickets import OPEN_STATUSES, Detail, RefusalCode, TicketError, TicketView


class TicketAction(StrEnum):
    """What a staff ticket button does."""

    take = "take"
    assign = "assign"
    dispatch = "dispatch"
    resolve = "resolve"
    close = "close"
    reopen = "reopen"
    call = "call"
    # Under a refused /close: resolve, which asks the owner to confirm (their yes closes).
    resolve_ask = "resolve_ask"


class TicketCB(CallbackData, prefix="tk"):
    """A staff card button: take, assign, dispatch, resolve, close, reopen, call."""

    action: TicketAction
    ticket_id: int


class AssignCB(CallbackData, prefix="tka"):
    """A pick in the card's "Assign" list, or with `dispatch` in its "Dispatch" list of
    technicians; staff_id 0 goes back to the card buttons."""

    ticket_id: int
    staff_id: int
    dispatch: bool = False


class DoneCB(CallbackData, prefix="tdn"):
    """The technician's "Done" under a work order."""

    ticket_id: int


class FixedCB(CallbackData, prefix="tfx"):
    """The owner's answer to "Is it fixed?"."""

    ticket_id: int
    fixed: bool


class RateCB(CallbackData, prefix="trt"):
    """The owner's star rating of a closed ticket."""

    ticket_id: int
    stars: int


KIND_ICONS = {TicketKind.repair: "🛠", TicketKind.complaint: "📣"}


async def remember_about(
    session: AsyncSession,
    sent: Message,
    ticket_id: int | None,
    now: datetime,
    *,
    commit: bool = True,
) -> None:
    """Note that a message the bot answered directly is about a ticket, so a Telegram reply
    to it reaches that ticket like a reply to a card does (`commit`: see outbox.remember)."""
    await outbox.remember(
        session,
        chat_id=sent.chat.id,
        message_id=sent.message_id,
        subject=keys.ticket_subject(ticket_id),
        at=now,
        commit=commit,
    )


def _code(value: str) -> str:
    return str(value).replace("_", "-")


def status_label(t: Translator, status: str) -> Html:
    return Html(t(f"status-{_code(status)}"))


def category_label(t: Translator, category: str) -> Html:
    return Html(t(f"category-{_code(category)}"))


def kind_label(t: Translator, kind: str) -> Html:
    return Html(t(f"ticket-kind-{kind}"))


# Refusals with a more helpful text of their own than their code's general one.
SPECIFIC_REFUSALS = frozenset(
    {
        (RefusalCode.invalid, Detail.date),
        (RefusalCode.bad_transition, Detail.resolve_first),
        (RefusalCode.forbidden, Detail.manager_reopens),
        (RefusalCode.forbidden, Detail.role),
        (RefusalCode.invalid, Detail.technician),
    }
)


def error_text(t: Translator, error: TicketError) -> str:
    """The user's explanation of a refused ticket operation ("#42 is closed …")."""
    status = status_label(t, error.status) if error.status else Html("")
    key = f"ticket-error-{_code(error.code)}"
    if (error.code, error.detail) in SPECIFIC_REFUSALS:
        key += f"-{_code(error.detail)}"
    if error.code == RefusalCode.taken:
        return t(key, number=str(error.number or ""), name=error.detail or "—")
    return t(key, number=str(error.number or ""), status=status)


def place(t: Translator, view: TicketView) -> Html:
    if view.unit is not None:
        return Html(t("ticket-place-unit", building=view.unit.building, unit=view.unit.number))
    return Html(t("ticket-place-common", location=view.ticket.location or "—"))


def owner_phone(view: TicketView) -> str | None:
    """The number staff should call: the one given for this ticket, else the registered one."""
    if view.ticket.contact_phone:
        return view.ticket.contact_phone
    return view.owner.phone if view.owner else None


def _event_line(t: Translator, event: TicketEvent, tz: ZoneInfo) -> str:
    if event.data.get("by"):
        by = str(event.data["by"])
    elif event.actor.startswith("owner"):
        by = t("event-by-owner")
    else:
        by = t("event-by-system")
    return t("card-last", at=local(event.at, tz), event=event_label(t, event), by=by)


def event_label(t: Translator, event: TicketEvent) -> Html:
    """What happened, for staff: "assigned", "owner comment" …"""
    return Html(t(f"event-{_code(event.type)}"))


def card_text(t: Translator, view: TicketView, now: datetime, tz: ZoneInfo) -> str:
    """The staff card: everything staff need, owner contact included (never sent to owners)."""
    ticket = view.ticket
    lines = [
        t(
            "card-head",
            icon=KIND_ICONS.get(TicketKind(ticket.kind), ""),
            number=str(ticket.number),
            kind=kind_label(t, ticket.kind),
        )
    ]
    if ticket.urgency == "urgent":
        lines.append(t("card-urgent"))
    if view.overdue(now):
        lines.append(t("card-overdue"))
    assignee = view.assignee.name if view.assignee else t("card-nobody")
    lines.append(t("card-status", status=status_label(t, ticket.status), assignee=assignee))
    lines.append(t("card-place", place=place(t, view)))
    lines.append(t("card-category", category=category_label(t, ticket.category)))
    if ticket.grade:
        lines.append(t("card-grade", grade=Html(t(f"grade-{ticket.grade.lower()}"))))
    lines.append(t("card-description", text=ticket.description))
    owner_photos = [p for p in view.photos if not p.from_staff]
    if owner_photos:
        lines.append(t("card-photos", count=len(owner_photos)))
    if ticket.preferred_time:
        lines.append(t("card-preferred", time=ticket.preferred_time))
    if ticket.scheduled_for:
        lines.append(t("card-scheduled", day=ticket.scheduled_for.isoformat()))
    name = view.owner.name if view.owner else "—"
    lines.append(t("card-owner", name=name, phone=owner_phone(view) or "—"))
    if ticket.wants_call:
        lines.append(t("card-wants-call"))
    if ticket.first_response_at is not None:
        lines.append(t("card-responded", at=local(ticket.first_response_at, tz)))
    elif ticket.sla_due_at is not None and ticket.status in OPEN_STATUSES:
        lines.append(t("card-sla", at=local(ticket.sla_due_at, tz)))
    if ticket.rating is not None:
        lines.append(
            t("card-rating", stars="★" * ticket.rating, comment=ticket.rating_comment or "")
        )
    if view.events:
        lines.append(_event_line(t, view.events[-1], tz))
    return "\n".join(lines)


def card_actions(ticket: Ticket) -> list[TicketAction]:
    """The buttons that make sense in the ticket's current state."""
    status = ticket.status
    actions: list[TicketAction] = []
    if status in (TicketStatus.new, TicketStatus.reopened) or (
        status == TicketStatus.assigned and ticket.assignee_id is None
    ):
        actions.append(TicketAction.take)
    if status in (
        TicketStatus.new,
        TicketStatus.assigned,
        TicketStatus.in_progress,
        TicketStatus.reopened,
    ):
        actions.append(TicketAction.assign)
    # A reopened ticket still held by someone goes on as if assigned to them.
    held = status == TicketStatus.assigned or (
        status == TicketStatus.reopened and ticket.assignee_id is not None
    )
    if held and ticket.kind == TicketKind.repair:
        actions.append(TicketAction.dispatch)
    if (
        held
        or status == TicketStatus.in_progress
        or (
            ticket.kind == TicketKind.complaint
            and status in (TicketStatus.new, TicketStatus.reopened)
        )
    ):
        actions.append(TicketAction.resolve)
    if status == TicketStatus.resolved:
        actions += [TicketAction.close, TicketAction.reopen]
    if status == TicketStatus.closed:
        actions.append(TicketAction.reopen)
    if status not in (TicketStatus.closed, TicketStatus.cancelled):
        actions.append(TicketAction.call)
    return actions


def _actions_markup(
    t: Translator, ticket_id: int, actions: Sequence[TicketAction]
) -> InlineKeyboardMarkup:
    builder = Buttons()
    for action in actions:
        builder.button(
            text=t(f"card-btn-{_code(action)}"),
            callback_data=TicketCB(action=action, ticket_id=ticket_id),
        )
    builder.adjust(3)
    return builder.as_markup()


def card_markup(t: Translator, ticket: Ticket) -> InlineKeyboardMarkup:
    if ticket.id is None:
        raise UnsavedRowError("ticket.id: not saved yet")
    return _actions_markup(t, ticket.id, card_actions(ticket))


def resolve_ask_markup(t: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    """One button: resolve the ticket, which asks its owner to confirm the fix."""
    return _actions_markup(t, ticket_id, [TicketAction.resolve_ask])


def card(
    t: Translator, view: TicketView, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """Staff card text and the buttons valid in the ticket's current state."""
    return card_text(t, view, now, tz), card_markup(t, view.ticket)


def assign_markup(
    t: Translator, ticket_id: int, members: Sequence[StaffMember], *, dispatch: bool = False
) -> InlineKeyboardMarkup:
    """A short list of active staff to pick from, technicians first, then a Back button; with
    `dispatch`, a pick sends that one the work order."""
    ordered = sorted(members, key=lambda m: (m.role != "technician", m.name.casefold()))[:12]
    builder = Buttons()
    for m in ordered:
        builder.button(
            text=t("card-assign-to", name=Html(m.name), role=Html(role_name(t, m.role))),
            callback_data=AssignCB(ticket_id=ticket_id, staff_id=m.id or 0, dispatch=dispatch),
        )
    builder.button(
        text=t("card-btn-back"), callback_data=AssignCB(ticket_id=ticket_id, staff_id=0)
    )
    builder.adjust(1)
    return builder.as_markup()


def fixed_markup(t: Translator, ticket_id: int, kind: TicketKind) -> InlineKeyboardMarkup:
    yes, no = (
        ("notify-btn-fixed", "notify-btn-not-fixed")
        if kind == TicketKind.repair
        else ("notify-btn-handled", "notify-btn-not-handled")
    )
    builder = Buttons()
    builder.button(text=t(yes), callback_data=FixedCB(ticket_id=ticket_id, fixed=True))
    builder.button(text=t(no), callback_data=FixedCB(ticket_id=ticket_id, fixed=False))
    builder.adjust(2)
    return builder.as_markup()


def rate_markup(ticket_id: int) -> InlineKeyboardMarkup:
    builder = Buttons()
    for stars in range(1, 6):
        builder.button(text="⭐" * stars, callback_data=RateCB(ticket_id=ticket_id, stars=stars))
    builder.adjust(5)
    return builder.as_markup()


def done_markup(t: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    builder = Buttons()
    builder.button(text=t("card-btn-done"), callback_data=DoneCB(ticket_id=ticket_id))
    return builder.as_markup()


def markup_params(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    """A keyboard as the outbox payload's `reply_markup`."""
    return {"reply_markup": markup.model_dump(exclude_none=True)}


def owner_chat(owner: Owner | None) -> int | None:
    if owner is None:
        return None
    return owner.chat_id or owner.telegram_user_id


ORDER_HISTORY_MAX = 5


def _order_line(t: Translator, event: TicketEvent) -> str | None:
    reason, text = event.data.get("reason"), event.data.get("text")
    if event.type == TicketEventType.reopened:
        if not reason and event.data.get("by_owner"):
            return t("card-order-not-fixed")
        return t("card-order-reopened", reason=str(reason or "—"))
    return t("card-order-comment", text=str(text)) if text else None


def work_order_text(t: Translator, view: TicketView, tz: ZoneInfo) -> str:
    """The technician's DM: everything needed to go and do the job."""
    ticket = view.ticket
    lines = [
        t("card-order-head", number=str(ticket.number), kind=kind_label(t, ticket.kind)),
        t("card-place", place=place(t, view)),
        t("card-category", category=category_label(t, ticket.category)),
        t("card-urgency", urgency=Html(t(f"urgency-{ticket.urgency}"))),
        t("card-description", text=ticket.description),
    ]
    if ticket.preferred_time:
        lines.append(t("card-preferred", time=ticket.preferred_time))
    if ticket.scheduled_for:
        lines.append(t("card-scheduled", day=ticket.scheduled_for.isoformat()))
    # What happened since the report: why it came back, and what the owner added.
    later = [
        _order_line(t, e)
        for e in view.events
        if e.type in (TicketEventType.reopened, TicketEventType.comment)
    ]
    lines += [line for line in later if line][-ORDER_HISTORY_MAX:]
    name = view.owner.name if view.owner else "—"
    lines.append(t("card-owner", name=name, phone=owner_phone(view) or "—"))
    lines.append(t("card-order-done", number=str(ticket.number)))
    return "\n".join(lines)


def owner_ticket_line(t: Translator, ticket: Ticket, tz: ZoneInfo) -> str:
    """One line of "My requests": number, kind, category, status and last update."""
    return t(
        "ticket-owner-line",
        icon=KIND_ICONS.get(TicketKind(ticket.kind), ""),
        number=str(ticket.number),
        category=category_label(t, ticket.category),
        status=status_label(t, ticket.status),
        updated=local(ticket.updated_at or ticket.created_at, tz),
    )
