"""Who is told what when a ticket changes: the notification policy behind every ticket event.

`card_drafts` is the `Notify` that storage operations call with each new event; it returns the
outbox drafts the event calls for — the staff card (posted, then edited in place), the group's
threaded notes, the technician's work order, and the owner's messages in the owner's language
(never staff data). Texts and keyboards come from handlers/cards.py.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Catalogs, Translator
from handlers.cards import (
    card,
    done_markup,
    fixed_markup,
    markup_params,
    owner_chat,
    rate_markup,
    work_order_text,
)
from storage import keys, staff
from storage.models import Estate, TicketEvent, TicketEventType, TicketKind, TicketPhoto
from storage.outbox import Draft
from storage.tickets import Notify, TicketView

# Card edits are skipped for events that change nothing a card shows.
SILENT_EVENTS = frozenset({TicketEventType.called})


def photo_method(photo: TicketPhoto) -> str:
    """A picture the owner sent as a file can only be sent on as a document."""
    return "sendDocument" if photo.as_document else "sendPhoto"


def photo_param(photo: TicketPhoto) -> dict[str, str]:
    return {"document" if photo.as_document else "photo": photo.file_id}


def first_card(
    t: Translator, view: TicketView, now: datetime, tz: ZoneInfo, group: int
) -> list[Draft]:
    """A ticket's card in the staff group, with the owner's photos threaded under it; later
    events edit this card in place."""
    tid = view.ticket.id
    text, markup = card(t, view, now, tz)
    drafts = [
        Draft(
            keys.ticket_card(tid),
            group,
            text,
            subject=keys.ticket_subject(tid),
            params=markup_params(markup),
        )
    ]
    for photo in view.photos:
        if photo.from_staff:
            continue
        drafts.append(
            Draft(
                keys.ticket_photo(tid, photo.id),
                group,
                method=photo_method(photo),
                subject=keys.ticket_subject(tid),
                params={
                    **photo_param(photo),
                    "caption": f"#{view.ticket.number}",
                    "reply_to_message_id": {"$reply_to_of": keys.ticket_card(tid)},
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
        drafts: list[Draft] = []
        if group is not None and event.type == TicketEventType.created:
            drafts.extend(first_card(staff_t, view, event.at, tz, group))
        elif group is not None and event.type not in SILENT_EVENTS:
            text, markup = card(staff_t, view, event.at, tz)
            drafts.append(
                Draft(
                    keys.ticket_event(tid, event.id, "card"),
                    group,
                    text,
                    method="editMessageText",
                    subject=keys.ticket_subject(tid),
                    params={
                        "message_id": {"$message_id_of": keys.ticket_card(tid)},
                        **markup_params(markup),
                    },
                )
            )
        threaded = {"reply_to_message_id": {"$reply_to_of": keys.ticket_card(tid)}}
        if group is not None and event.type == TicketEventType.comment:
            comment = event.data.get("text")
            if comment:
                drafts.append(
                    Draft(
                        keys.ticket_event(tid, event.id, "group"),
                        group,
                        staff_t("notify-owner-comment", number=number, text=comment),
                        subject=keys.ticket_subject(tid),
                        params=threaded,
                    )
                )
            for index, file_id in enumerate(event.data.get("photos") or []):
                drafts.append(
                    Draft(
                        keys.ticket_event(tid, event.id, "group", "photo", index),
                        group,
                        method="sendPhoto",
                        subject=keys.ticket_subject(tid),
                        params={
                            "photo": file_id,
                            "caption": staff_t("notify-owner-photo", number=number),
                            "parse_mode": "HTML",
                            **threaded,
                        },
                    )
                )
        if group is not None and event.type == TicketEventType.reopened:
            reason = event.data.get("reason")
            key = "notify-reopened-owner" if event.data.get("by_owner") else "notify-reopened"
            if not reason:
                # The owner is asked what is still wrong right after; the answer is threaded here.
                key += "-no-reason"
            drafts.append(
                Draft(
                    keys.ticket_event(tid, event.id, "alert"),
                    group,
                    staff_t(key, number=number, reason=reason or ""),
                    subject=keys.ticket_subject(tid),
                    params=threaded,
                )
            )
        # What goes to the technician alone is in their own language.
        tech_t = (
            catalogs.translator(staff.language_of(view.assignee, estate))
            if view.assignee is not None
            else staff_t
        )
        if event.type == TicketEventType.started and view.assignee is not None:
            tech = view.assignee.telegram_user_id
            drafts.append(
                Draft(
                    keys.work_order(tid, event.id),
                    tech,
                    work_order_text(tech_t, view, tz),
                    subject=keys.ticket_subject(tid),
                    params=markup_params(done_markup(tech_t, tid or 0)),
                )
            )
            for photo in view.photos:
                if not photo.from_staff:
                    drafts.append(
                        Draft(
                            keys.ticket_event(tid, event.id, "order", "photo", photo.id),
                            tech,
                            method=photo_method(photo),
                            subject=keys.ticket_subject(tid),
                            params={**photo_param(photo), "caption": f"#{number}"},
                        )
                    )
        if event.type in (TicketEventType.resolved, TicketEventType.cancelled):
            drafts.extend(_retire_work_orders(view, event))
        if event.type == TicketEventType.rescheduled and view.assignee is not None:
            # The technician plans the visit too.
            drafts.append(
                Draft(
                    keys.ticket_event(tid, event.id, "tech"),
                    view.assignee.telegram_user_id,
                    tech_t(
                        "notify-rescheduled-tech", number=number, day=event.data.get("day", "")
                    ),
                    subject=keys.ticket_subject(tid),
                )
            )
        drafts.extend(_owner_drafts(catalogs, estate, view, event))
        return drafts

    return notify


def _retire_work_orders(view: TicketView, event: TicketEvent) -> list[Draft]:
    """Take the Done button off the technician's work orders once the job is over."""
    tech = view.assignee
    if tech is None:
        return []
    tid = view.ticket.id
    return [
        Draft(
            keys.ticket_event(tid, event.id, "retire", started.id),
            tech.telegram_user_id,
            method="editMessageReplyMarkup",
            subject=keys.ticket_subject(tid),
            params={"message_id": {"$message_id_of": keys.work_order(tid, started.id)}},
        )
        for started in view.events
        if started.type == TicketEventType.started and started.data.get("assignee_id") == tech.id
    ]


def _owner_drafts(
    catalogs: Catalogs, estate: Estate, view: TicketView, event: TicketEvent
) -> list[Draft]:
    """What the owner is told about a staff action, in the owner's language; never staff data."""
    chat = owner_chat(view.owner)
    if chat is None or view.owner is None:
        return []
    t = catalogs.translator(view.owner.language or estate.locale)
    ticket = view.ticket
    tid = ticket.id or 0
    number = str(ticket.number)
    data = event.data

    def tell(text: str | None, **extra: Any) -> list[Draft]:
        # One message per event, under the ticket's subject: the owner's reply to it goes on
        # the ticket.
        key = keys.ticket_event(tid, event.id, "owner")
        return [Draft(key, chat, text, subject=keys.ticket_subject(tid), **extra)]

    if event.type == TicketEventType.reply:
        text = data.get("text")
        if data.get("photo"):
            caption = (
                t("notify-reply", number=number, text=text)
                if text
                else t("notify-reply-photo", number=number)
            )
            photo = {"photo": data["photo"], "caption": caption, "parse_mode": "HTML"}
            return tell(None, method="sendPhoto", params=photo)
        return tell(t("notify-reply", number=number, text=text))
    if event.type == TicketEventType.resolved:
        # A complaint is "dealt with", not "fixed": the question and its buttons say so.
        asked = "notify-resolved" if ticket.kind == TicketKind.repair else "notify-handled"
        text = (
            t(f"{asked}-note", number=number, text=data["text"])
            if data.get("text")
            else t(asked, number=number)
        )
        markup = fixed_markup(t, tid, TicketKind(ticket.kind))
        return tell(text, params=markup_params(markup))
    if event.type == TicketEventType.rescheduled:
        return tell(t("notify-rescheduled", number=number, day=data.get("day", "")))
    progress = _progress_text(t, view, event)
    if progress is not None:
        return tell(progress)
    if event.type == TicketEventType.closed and ticket.rating is None:
        return tell(t("notify-rate", number=number), params=markup_params(rate_markup(tid)))
    if event.type == TicketEventType.cancelled and not event.actor.startswith("owner"):
        return tell(t("notify-cancelled", number=number, reason=data.get("reason") or "—"))
    return []


def _progress_text(t: Translator, view: TicketView, event: TicketEvent) -> str | None:
    """One short note each when the ticket is first taken, when a technician is first sent and
    when staff reopen it; hand-overs and repeated work orders are staff business."""
    number = str(view.ticket.number)
    earlier = [e for e in view.events if e.id != event.id and e.type == event.type]
    if event.type == TicketEventType.assigned and not earlier:
        return t("notify-taken", number=number)
    if (
        event.type == TicketEventType.started
        and not earlier
        and view.ticket.kind == TicketKind.repair
    ):
        return t("notify-dispatched", number=number)
    if event.type == TicketEventType.reopened and not event.data.get("by_owner"):
        reason = event.data.get("reason")
        if reason:
            return t("notify-reopened-by-staff", number=number, reason=reason)
        return t("notify-reopened-by-staff-no-reason", number=number)
    return None
