"""Ticket texts shared by the staff and owner sides: the staff card, the notifications every
ticket event causes (as outbox drafts), owner summary lines, refusal texts and the buttons."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Html, Translator
from storage import outbox
from storage.db import UnsavedRowError
from storage.models import (
    Estate,
    Owner,
    StaffMember,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from storage.outbox import Draft
from storage.tickets import OPEN_STATUSES, Notify, TicketError, TicketView


class TicketCB(CallbackData, prefix="tk"):
    """A staff card button: take, assign, dispatch, resolve, close, reopen, call."""

    action: str
    ticket_id: int


class AssignCB(CallbackData, prefix="tka"):
    """A pick in the card's "Assign" list; staff_id 0 goes back to the card buttons."""

    ticket_id: int
    staff_id: int


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
# Card edits are skipped for events that change nothing a card shows.
SILENT_EVENTS = frozenset({"called"})


def card_key(ticket_id: int | None) -> str:
    return f"ticket:{ticket_id}:card"


def subject(ticket_id: int | None) -> str:
    return f"ticket:{ticket_id}"


async def remember_about(
    session: AsyncSession, sent: Message, ticket_id: int | None, now: datetime
) -> None:
    """Note that a message the bot answered directly is about a ticket, so a Telegram reply
    to it reaches that ticket like a reply to a card does."""
    await outbox.remember(
        session,
        chat_id=sent.chat.id,
        message_id=sent.message_id,
        subject=subject(ticket_id),
        at=now,
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
SPECIFIC_REFUSALS = frozenset({("invalid", "date"), ("bad_transition", "resolve_first")})


def error_text(t: Translator, error: TicketError) -> str:
    """The user's explanation of a refused ticket operation ("#42 is closed …")."""
    status = status_label(t, error.status) if error.status else Html("")
    key = f"ticket-error-{_code(error.code)}"
    if (error.code, error.detail) in SPECIFIC_REFUSALS:
        key += f"-{_code(error.detail)}"
    return t(key, number=str(error.number or ""), status=status)


def local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


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


def _button(t: Translator, action: str, ticket_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t(f"card-btn-{action}"),
        callback_data=TicketCB(action=action, ticket_id=ticket_id).pack(),
    )


def card_actions(ticket: Ticket) -> list[str]:
    """The buttons that make sense in the ticket's current state."""
    status = ticket.status
    actions: list[str] = []
    if status in (TicketStatus.new, TicketStatus.reopened) or (
        status == TicketStatus.assigned and ticket.assignee_id is None
    ):
        actions.append("take")
    if status in (
        TicketStatus.new,
        TicketStatus.assigned,
        TicketStatus.in_progress,
        TicketStatus.reopened,
    ):
        actions.append("assign")
    if status == TicketStatus.assigned and ticket.kind == TicketKind.repair:
        actions.append("dispatch")
    if status in (TicketStatus.assigned, TicketStatus.in_progress) or (
        ticket.kind == TicketKind.complaint and status in (TicketStatus.new, TicketStatus.reopened)
    ):
        actions.append("resolve")
    if status == TicketStatus.resolved:
        actions += ["close", "reopen"]
    if status not in (TicketStatus.closed, TicketStatus.cancelled):
        actions.append("call")
    return actions


def card_markup(t: Translator, ticket: Ticket) -> InlineKeyboardMarkup:
    if ticket.id is None:
        raise UnsavedRowError("ticket.id: not saved yet")
    buttons = [_button(t, action, ticket.id) for action in card_actions(ticket)]
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    )


def card(
    t: Translator, view: TicketView, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """Staff card text and the buttons valid in the ticket's current state."""
    return card_text(t, view, now, tz), card_markup(t, view.ticket)


def assign_markup(
    t: Translator, ticket_id: int, members: Sequence[StaffMember]
) -> InlineKeyboardMarkup:
    """A short list of active staff to pick from, technicians first, then a Back button."""
    ordered = sorted(members, key=lambda m: (m.role != "technician", m.name.casefold()))[:12]
    rows = [
        [
            InlineKeyboardButton(
                text=t("card-assign-to", name=Html(m.name), role=Html(t(f"card-role-{m.role}"))),
                callback_data=AssignCB(ticket_id=ticket_id, staff_id=m.id or 0).pack(),
            )
        ]
        for m in ordered
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=t("card-btn-back"),
                callback_data=AssignCB(ticket_id=ticket_id, staff_id=0).pack(),
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def fixed_markup(t: Translator, ticket_id: int, kind: TicketKind) -> InlineKeyboardMarkup:
    yes, no = (
        ("notify-btn-fixed", "notify-btn-not-fixed")
        if kind == TicketKind.repair
        else ("notify-btn-handled", "notify-btn-not-handled")
    )
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(yes),
                    callback_data=FixedCB(ticket_id=ticket_id, fixed=True).pack(),
                ),
                InlineKeyboardButton(
                    text=t(no),
                    callback_data=FixedCB(ticket_id=ticket_id, fixed=False).pack(),
                ),
            ]
        ]
    )


def rate_markup(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="⭐" * stars,
                    callback_data=RateCB(ticket_id=ticket_id, stars=stars).pack(),
                )
                for stars in range(1, 6)
            ]
        ]
    )


def done_markup(t: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("card-btn-done"), callback_data=DoneCB(ticket_id=ticket_id).pack()
                )
            ]
        ]
    )


def _markup(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    return {"reply_markup": markup.model_dump(exclude_none=True)}


def owner_chat(owner: Owner | None) -> int | None:
    if owner is None:
        return None
    return owner.chat_id or owner.telegram_user_id


ORDER_HISTORY_MAX = 5


def _order_line(t: Translator, event: TicketEvent) -> str | None:
    reason, text = event.data.get("reason"), event.data.get("text")
    if event.type == "reopened":
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
    later = [_order_line(t, e) for e in view.events if e.type in ("reopened", "comment")]
    lines += [line for line in later if line][-ORDER_HISTORY_MAX:]
    name = view.owner.name if view.owner else "—"
    lines.append(t("card-owner", name=name, phone=owner_phone(view) or "—"))
    lines.append(t("card-order-done", number=str(ticket.number)))
    return "\n".join(lines)


def first_card(
    t: Translator, view: TicketView, now: datetime, tz: ZoneInfo, group: int
) -> list[Draft]:
    """A ticket's card in the staff group, with the owner's photos threaded under it; later
    events edit this card in place."""
    tid = view.ticket.id
    text, markup = card(t, view, now, tz)
    drafts = [Draft(card_key(tid), group, text, subject=subject(tid), params=_markup(markup))]
    for photo in view.photos:
        if photo.from_staff:
            continue
        drafts.append(
            Draft(
                f"ticket:{tid}:photo:{photo.id}",
                group,
                method="sendPhoto",
                subject=subject(tid),
                params={
                    "photo": photo.file_id,
                    "caption": f"#{view.ticket.number}",
                    "reply_to_message_id": {"$reply_to_of": card_key(tid)},
                },
            )
        )
    return drafts


def card_drafts(catalogs: Catalogs, estate: Estate) -> Notify:
    """The Notify for staff handlers and owner flows: card in the staff group, kept current,
    plus the owner's, technician's and group's messages each event calls for."""
    staff_t = catalogs.translator(estate.locale)
    tz = ZoneInfo(estate.time_zone)
    group = estate.staff_chat_id

    def notify(view: TicketView, event: TicketEvent) -> Sequence[Draft]:
        ticket = view.ticket
        tid = ticket.id
        number = str(ticket.number)
        prefix = f"ticket:{tid}:event:{event.id}"
        drafts: list[Draft] = []
        text, markup = card(staff_t, view, event.at, tz)
        if group is not None and event.type == "created":
            drafts.extend(first_card(staff_t, view, event.at, tz, group))
        elif group is not None and event.type not in SILENT_EVENTS:
            drafts.append(
                Draft(
                    f"{prefix}:card",
                    group,
                    text,
                    method="editMessageText",
                    subject=subject(tid),
                    params={"message_id": {"$message_id_of": card_key(tid)}, **_markup(markup)},
                )
            )
        threaded = {"reply_to_message_id": {"$reply_to_of": card_key(tid)}}
        if group is not None and event.type == "comment":
            comment = event.data.get("text")
            if comment:
                drafts.append(
                    Draft(
                        f"{prefix}:group",
                        group,
                        staff_t("notify-owner-comment", number=number, text=comment),
                        subject=subject(tid),
                        params=threaded,
                    )
                )
            for index, file_id in enumerate(event.data.get("photos") or []):
                drafts.append(
                    Draft(
                        f"{prefix}:group:photo:{index}",
                        group,
                        method="sendPhoto",
                        subject=subject(tid),
                        params={
                            "photo": file_id,
                            "caption": staff_t("notify-owner-photo", number=number),
                            "parse_mode": "HTML",
                            **threaded,
                        },
                    )
                )
        if group is not None and event.type == "reopened":
            reason = event.data.get("reason")
            key = "notify-reopened-owner" if event.data.get("by_owner") else "notify-reopened"
            if not reason:
                # The owner is asked what is still wrong right after; the answer is threaded here.
                key += "-no-reason"
            drafts.append(
                Draft(
                    f"{prefix}:alert",
                    group,
                    staff_t(key, number=number, reason=reason or ""),
                    subject=subject(tid),
                    params=threaded,
                )
            )
        if event.type == "started" and view.assignee is not None:
            tech = view.assignee.telegram_user_id
            drafts.append(
                Draft(
                    f"{prefix}:order",
                    tech,
                    work_order_text(staff_t, view, tz),
                    subject=subject(tid),
                    params=_markup(done_markup(staff_t, tid or 0)),
                )
            )
            for photo in view.photos:
                if not photo.from_staff:
                    drafts.append(
                        Draft(
                            f"{prefix}:order:photo:{photo.id}",
                            tech,
                            method="sendPhoto",
                            subject=subject(tid),
                            params={"photo": photo.file_id, "caption": f"#{number}"},
                        )
                    )
        if event.type in ("resolved", "cancelled"):
            drafts.extend(_retire_work_orders(view, prefix))
        if event.type == "rescheduled" and view.assignee is not None:
            # The technician plans the visit too.
            drafts.append(
                Draft(
                    f"{prefix}:tech",
                    view.assignee.telegram_user_id,
                    staff_t(
                        "notify-rescheduled-tech", number=number, day=event.data.get("day", "")
                    ),
                    subject=subject(tid),
                )
            )
        drafts.extend(_owner_drafts(catalogs, estate, view, event, prefix))
        return drafts

    return notify


def _retire_work_orders(view: TicketView, prefix: str) -> list[Draft]:
    """Take the Done button off the technician's work orders once the job is over."""
    tech = view.assignee
    if tech is None:
        return []
    tid = view.ticket.id
    return [
        Draft(
            f"{prefix}:retire:{started.id}",
            tech.telegram_user_id,
            method="editMessageReplyMarkup",
            subject=subject(tid),
            params={"message_id": {"$message_id_of": f"ticket:{tid}:event:{started.id}:order"}},
        )
        for started in view.events
        if started.type == "started" and started.data.get("assignee_id") == tech.id
    ]


def _owner_drafts(
    catalogs: Catalogs, estate: Estate, view: TicketView, event: TicketEvent, prefix: str
) -> list[Draft]:
    """What the owner is told about a staff action, in the owner's language; never staff data."""
    chat = owner_chat(view.owner)
    if chat is None or view.owner is None:
        return []
    t = catalogs.translator(view.owner.language or estate.locale)
    ticket = view.ticket
    tid = ticket.id or 0
    number = str(ticket.number)
    key = f"{prefix}:owner"
    data = event.data
    if event.type == "reply":
        text = data.get("text")
        if data.get("photo"):
            caption = (
                t("notify-reply", number=number, text=text)
                if text
                else t("notify-reply-photo", number=number)
            )
            return [
                Draft(
                    key,
                    chat,
                    method="sendPhoto",
                    subject=subject(tid),
                    params={"photo": data["photo"], "caption": caption, "parse_mode": "HTML"},
                )
            ]
        return [
            Draft(key, chat, t("notify-reply", number=number, text=text), subject=subject(tid))
        ]
    if event.type == "resolved":
        # A complaint is "dealt with", not "fixed": the question and its buttons say so.
        asked = "notify-resolved" if ticket.kind == TicketKind.repair else "notify-handled"
        text = (
            t(f"{asked}-note", number=number, text=data["text"])
            if data.get("text")
            else t(asked, number=number)
        )
        markup = fixed_markup(t, tid, TicketKind(ticket.kind))
        return [Draft(key, chat, text, subject=subject(tid), params=_markup(markup))]
    if event.type == "rescheduled":
        return [
            Draft(
                key,
                chat,
                t("notify-rescheduled", number=number, day=data.get("day", "")),
                subject=subject(tid),
            )
        ]
    if event.type == "closed" and ticket.rating is None:
        return [
            Draft(
                key,
                chat,
                t("notify-rate", number=number),
                subject=subject(tid),
                params=_markup(rate_markup(tid)),
            )
        ]
    if event.type == "cancelled" and not event.actor.startswith("owner"):
        reason = data.get("reason") or "—"
        return [
            Draft(
                key,
                chat,
                t("notify-cancelled", number=number, reason=reason),
                subject=subject(tid),
            )
        ]
    return []


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
