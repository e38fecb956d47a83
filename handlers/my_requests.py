"""My requests: the owner's tickets, their history, comments and photos, cancelling, "Is it
fixed?", the rating, and answering a staff reply by replying to it.

Owners only ever reach their own tickets: every lookup goes through `find_for_owner`, and a
ticket of someone else gets exactly the answer a ticket that does not exist gets.
"""

from collections.abc import Awaitable, Sequence
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.filters.state import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from handlers import cards, notifications
from handlers.filters import ButtonsOf, IsVerifiedOwner, RepliedAbout
from handlers.keyboards import Buttons, NotMenu, TextKey, close_buttons, main_menu
from handlers.ticket_form import photo_of
from storage import keys, tickets
from storage.db import saved_id
from storage.models import Estate, Owner, Ticket, TicketEvent, TicketEventType, TicketStatus
from storage.outbox import Draft
from storage.tickets import Actor, Notify, RefusalCode, TicketError, TicketView

LIST_LIMIT = 10
HISTORY_LIMIT = 10
# Long texts are cut in the history so the whole view stays within one Telegram message.
HISTORY_TEXT_MAX = 150
DESCRIPTION_SHOWN_MAX = 1500
COMMENT_MAX = tickets.TEXT_MAX

COMMENTABLE = frozenset({*tickets.OPEN_STATUSES, TicketStatus.resolved})
CANCELLABLE = frozenset({TicketStatus.new, TicketStatus.assigned})
# Events an owner may see; notes, grades and staff phone look-ups are staff business.
OWNER_EVENTS = frozenset(
    {
        TicketEventType.created,
        TicketEventType.assigned,
        TicketEventType.started,
        TicketEventType.resolved,
        TicketEventType.closed,
        TicketEventType.reopened,
        TicketEventType.cancelled,
        TicketEventType.rated,
        TicketEventType.rating_comment,
        TicketEventType.comment,
        TicketEventType.reply,
        TicketEventType.rescheduled,
    }
)

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())
router.callback_query.filter(ButtonsOf(router), IsVerifiedOwner())


class MyRequests(StatesGroup):
    comment = State()
    photo = State()
    reason = State()
    rating_comment = State()


async def replying(message: Message) -> bool:
    """A Telegram reply to some message."""
    return message.reply_to_message is not None


# What the owner was asked for, and Telegram replies, after the menu and /ticket: one check
# skips them all for other messages.
steps = Router(name=f"{__name__}.steps")
steps.message.filter(or_f(StateFilter(MyRequests), replying))
router.include_router(steps)


class ReqAction(StrEnum):
    open = "open"
    list = "list"
    comment = "comment"
    photo = "photo"
    cancel = "cancel"
    cancel_yes = "cancel_yes"
    rate_skip = "rate_skip"


class ReqCB(CallbackData, prefix="mr"):
    """A "My requests" button and the ticket it is about."""

    action: ReqAction
    ticket_id: int


def req_buttons(*buttons: tuple[str, ReqAction], ticket_id: int) -> Buttons:
    """One row of "My requests" buttons about the ticket, as (label, action) pairs."""
    builder = Buttons()
    for text, action in buttons:
        builder.button(text=text, callback_data=ReqCB(action=action, ticket_id=ticket_id))
    return builder


def tz_of(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.time_zone)


def staff_side(notify: Notify, owner_chat: int) -> Notify:
    """The owner's own action is answered directly; only messages to others are queued."""

    def others(view: TicketView, event: TicketEvent) -> Sequence[Draft]:
        return [draft for draft in notify(view, event) if draft.chat_id != owner_chat]

    return others


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the list ------------------------------------------------------------------------------------


async def send_list(
    anchor: Message, t: Translator, session: AsyncSession, estate: Estate, owner: Owner
) -> None:
    found = await tickets.list_for_owner(session, saved_id(owner), limit=LIST_LIMIT)
    if not found:
        await anchor.answer(t("myreq-empty"), reply_markup=main_menu(t))
        return
    lines = [t("myreq-list-title", count=len(found))]
    lines += [cards.owner_ticket_line(t, ticket, tz_of(estate)) for ticket in found]
    builder = Buttons()
    for ticket in found:
        label = t(
            "myreq-btn-open",
            number=str(ticket.number),
            status=cards.status_label(t, ticket.status),
        )
        builder.button(
            text=label, callback_data=ReqCB(action=ReqAction.open, ticket_id=ticket.id or 0)
        )
    builder.adjust(2)
    await anchor.answer("\n".join(lines), reply_markup=builder.as_markup())


@router.message(TextKey("menu-requests"))
async def show_list(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
) -> None:
    """The menu button (or /requests): open tickets first, then recent ones."""
    await state.clear()
    await send_list(message, t, session, estate, owner)


# --- one ticket ----------------------------------------------------------------------------------


def event_line(t: Translator, event: TicketEvent, tz: ZoneInfo) -> str | None:
    """One history line as the owner sees it, or None for staff-only events."""
    if event.type not in OWNER_EVENTS:
        return None
    data = event.data
    text = cut(str(data.get("text") or ""), HISTORY_TEXT_MAX)
    at = event.at.astimezone(tz).strftime("%m-%d %H:%M")
    if event.type == TicketEventType.comment:
        what = t("myreq-ev-comment", text=text) if text else t("myreq-ev-photo")
    elif event.type == TicketEventType.reply:
        what = t("myreq-ev-reply", text=text) if text else t("myreq-ev-reply-photo")
    elif event.type == TicketEventType.resolved:
        what = t("myreq-ev-resolved-note", text=text) if text else t("myreq-ev-resolved")
    elif event.type == TicketEventType.rated:
        what = t("myreq-ev-rated", stars="★" * int(data.get("rating") or 0))
    elif event.type == TicketEventType.rating_comment:
        what = t("myreq-ev-rating-comment", text=text)
    elif event.type == TicketEventType.rescheduled:
        what = t("myreq-ev-rescheduled", day=str(data.get("day") or ""))
    elif event.type == TicketEventType.reopened:
        what = t("myreq-ev-reopened")
    elif event.type == TicketEventType.cancelled:
        what = t("myreq-ev-cancelled")
    else:
        what = t(f"myreq-ev-{event.type.replace('_', '-')}")
    return t("myreq-history-line", at=at, what=Html(what))


def detail_text(t: Translator, view: TicketView, tz: ZoneInfo) -> str:
    ticket = view.ticket
    lines = [
        t(
            "myreq-detail",
            number=str(ticket.number),
            kind=cards.kind_label(t, ticket.kind),
            category=cards.category_label(t, ticket.category),
            status=cards.status_label(t, ticket.status),
            place=cards.place(t, view),
            created=ticket.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            description=cut(ticket.description, DESCRIPTION_SHOWN_MAX),
        )
    ]
    owner_photos = [p for p in view.photos if not p.from_staff]
    if owner_photos:
        lines.append(t("myreq-photos", count=len(owner_photos)))
    if ticket.scheduled_for:
        lines.append(t("myreq-scheduled", day=ticket.scheduled_for.isoformat()))
    history = [line for e in view.events if (line := event_line(t, e, tz))]
    lines.append(t("myreq-history-title"))
    lines += history[-HISTORY_LIMIT:]
    return "\n".join(lines)


def detail_markup(t: Translator, ticket: Ticket) -> InlineKeyboardMarkup:
    tid = ticket.id or 0
    builder = Buttons()
    if ticket.status in COMMENTABLE:
        builder.attach(
            req_buttons(
                (t("myreq-btn-comment"), ReqAction.comment),
                (t("myreq-btn-photo"), ReqAction.photo),
                ticket_id=tid,
            )
        )
    if ticket.status in CANCELLABLE:
        builder.attach(req_buttons((t("myreq-btn-cancel"), ReqAction.cancel), ticket_id=tid))
    builder.attach(req_buttons((t("myreq-btn-list"), ReqAction.list), ticket_id=tid))
    return builder.as_markup()


async def send_detail(
    anchor: Message,
    t: Translator,
    session: AsyncSession,
    view: TicketView,
    estate: Estate,
    now: datetime,
) -> None:
    sent = await anchor.answer(
        detail_text(t, view, tz_of(estate)), reply_markup=detail_markup(t, view.ticket)
    )
    # A Telegram reply to the details becomes a comment on the ticket.
    await cards.remember_about(session, sent, view.ticket.id, now)


@router.message(Command("ticket"))
@router.message(StateFilter(None), F.text.regexp(r"^\s*#\s*(\d{1,9})\s*$").as_("typed"))
async def open_by_number(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
    command: CommandObject | None = None,
    typed: Any = None,
) -> None:
    """/ticket 12 or "#12": the owner's own ticket by number; anyone else's is "not found"."""
    raw = (command.args or "") if command else (typed.group(1) if typed else "")
    number = raw.strip().lstrip("#")
    if not number.isdigit() or len(number) > 9:
        await message.answer(t("myreq-ticket-usage"))
        return
    view = await tickets.find_for_owner(session, saved_id(owner), int(number))
    if view is None:
        await message.answer(t("myreq-not-found"))
        return
    await send_detail(message, t, session, view, estate, clock())


async def own_ticket(
    query: CallbackQuery,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    ticket_id: int,
    statuses: frozenset[TicketStatus] | None = None,
) -> TicketView | None:
    """The pressing owner's ticket, or None after saying why not: "not found" for forged or
    foreign ids, or what the ticket's state does not allow when it is not in `statuses`."""
    view = await tickets.find_for_owner(session, saved_id(owner), ticket_id, by_id=True)
    if view is None:
        await refuse(query, t, TicketError(RefusalCode.not_found))
    elif statuses is not None and view.ticket.status not in statuses:
        await refuse(query, t, tickets.refusal(view.ticket))
        return None
    return view


async def refuse(query: CallbackQuery, t: Translator, error: TicketError) -> None:
    """A pressed button refused: why, in an alert."""
    await query.answer(refusal_text(t, error), show_alert=True)


async def pressed_op(
    query: CallbackQuery, t: Translator, operation: Awaitable[TicketView]
) -> TicketView | None:
    """The ticket operation a button asks for: done (the button answered and its buttons
    gone), or None once the refusal is explained."""
    try:
        view = await operation
    except TicketError as error:
        await refuse(query, t, error)
        return None
    await query.answer()
    await close_buttons(query)
    return view


def anchor_of(query: CallbackQuery) -> Message:
    if not isinstance(query.message, Message):
        raise RuntimeError("owner buttons live on messages the bot can see")
    return query.message


@router.callback_query(ReqCB.filter(F.action == ReqAction.list))
async def on_list(
    query: CallbackQuery,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
) -> None:
    """Back to the list."""
    await query.answer()
    await state.clear()
    await send_list(anchor_of(query), t, session, estate, owner)


@router.callback_query(ReqCB.filter(F.action == ReqAction.open))
async def on_open(
    query: CallbackQuery,
    callback_data: ReqCB,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
) -> None:
    """One ticket: details, the owner-visible history and what can be done with it."""
    view = await own_ticket(query, t, session, owner, callback_data.ticket_id)
    if view is None:
        return
    await query.answer()
    await send_detail(anchor_of(query), t, session, view, estate, clock())


@router.callback_query(ReqCB.filter(F.action.in_({ReqAction.comment, ReqAction.photo})))
async def on_add(
    query: CallbackQuery,
    callback_data: ReqCB,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    state: FSMContext,
) -> None:
    """Add comment / Add photo: the next message goes to the ticket."""
    view = await own_ticket(query, t, session, owner, callback_data.ticket_id, COMMENTABLE)
    if view is None:
        return
    ticket = view.ticket
    await query.answer()
    await state.clear()
    number = str(ticket.number)
    if callback_data.action == ReqAction.comment:
        await state.set_state(MyRequests.comment)
        await anchor_of(query).answer(t("myreq-ask-comment", number=number))
    else:
        await state.set_state(MyRequests.photo)
        await anchor_of(query).answer(t("myreq-ask-photo", number=number))
    await state.update_data(ticket_id=ticket.id, number=ticket.number)


@router.callback_query(ReqCB.filter(F.action == ReqAction.cancel))
async def on_cancel_ask(
    query: CallbackQuery, callback_data: ReqCB, t: Translator, session: AsyncSession, owner: Owner
) -> None:
    """Cancel: only while nobody has started; asks to confirm first."""
    view = await own_ticket(query, t, session, owner, callback_data.ticket_id, CANCELLABLE)
    if view is None:
        return
    ticket = view.ticket
    await query.answer()
    markup = req_buttons(
        (t("myreq-btn-cancel-yes"), ReqAction.cancel_yes),
        (t("myreq-btn-cancel-no"), ReqAction.open),
        ticket_id=ticket.id or 0,
    ).as_markup()
    await anchor_of(query).answer(
        t("myreq-cancel-confirm", number=str(ticket.number)), reply_markup=markup
    )


@router.callback_query(ReqCB.filter(F.action == ReqAction.cancel_yes))
async def on_cancel(
    query: CallbackQuery,
    callback_data: ReqCB,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
) -> None:
    """Yes, cancel it (the storage re-checks that it is still new or assigned)."""
    view = await pressed_op(
        query,
        t,
        tickets.cancel(
            session,
            callback_data.ticket_id,
            actor=Actor.owner(saved_id(owner)),
            now=clock(),
            reason=None,
            notify=notifications.card_drafts(catalogs, estate),
        ),
    )
    if view is None:
        return
    await anchor_of(query).answer(
        t("myreq-cancelled", number=str(view.ticket.number)), reply_markup=main_menu(t)
    )


def refusal_text(t: Translator, error: TicketError) -> str:
    """Why it was refused; a ticket that is not the owner's is simply not found."""
    return (
        t("myreq-not-found") if error.code == RefusalCode.not_found else cards.error_text(t, error)
    )


def stale_fixed_text(t: Translator, error: TicketError) -> str:
    """An "Is it fixed?" answered after things moved on: where the ticket stands, kindly."""
    number = str(error.number or "")
    if error.code == RefusalCode.bad_transition and error.status in tickets.OPEN_STATUSES:
        return t("myreq-fixed-stale-open", number=number)
    if error.code == RefusalCode.bad_transition and error.status in tickets.FINAL_STATUSES:
        return t("myreq-fixed-stale-closed", number=number)
    return refusal_text(t, error)


# --- comments and photos (from "Add comment", "not fixed" or a reply to a staff message) ---------


async def add_from_message(
    message: Message,
    ticket_id: int,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
) -> bool:
    """Add the message's text or photo (with caption) to the ticket; False if it was refused."""
    text = message.text if message.photo is None else message.caption
    photos = [photo_of(message)] if message.photo else []
    if not photos and not (text or "").strip():
        await message.answer(t("myreq-comment-expected"))
        return False
    if text and len(text) > COMMENT_MAX:
        await message.answer(t("myreq-comment-too-long", limit=str(COMMENT_MAX)))
        return False
    try:
        view = await tickets.add_comment(
            session,
            ticket_id,
            actor=Actor.owner(saved_id(owner)),
            text=text,
            photos=photos,
            now=clock(),
            notify=notifications.card_drafts(catalogs, estate),
        )
    except TicketError as error:
        await message.answer(refusal_text(t, error), reply_markup=main_menu(t))
        return True
    await message.answer(
        t("myreq-comment-added", number=str(view.ticket.number)), reply_markup=main_menu(t)
    )
    return True


@steps.message(MyRequests.comment, F.text | F.photo, NotMenu())
@steps.message(MyRequests.photo, F.photo)
@steps.message(MyRequests.reason, F.text | F.photo, NotMenu())
async def on_comment(
    message: Message,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The comment, photo or "what is still wrong" the owner was asked for."""
    ticket_id = (await state.get_data()).get("ticket_id")
    if not isinstance(ticket_id, int):
        await state.clear()
        return
    if await add_from_message(message, ticket_id, t, catalogs, session, estate, owner, clock):
        await state.clear()


@steps.message(StateFilter(MyRequests.comment, MyRequests.photo, MyRequests.reason), NotMenu())
async def on_comment_unexpected(message: Message, t: Translator, state: FSMContext) -> None:
    """A sticker, voice note or (for "Add photo") text: say what is expected."""
    number = str((await state.get_data()).get("number", ""))
    if await state.get_state() == MyRequests.photo.state:
        await message.answer(t("myreq-ask-photo", number=number))
    else:
        await message.answer(t("myreq-ask-comment", number=number))


@steps.message(
    RepliedAbout("replied_ticket_id", partial(keys.subject_id, kind=keys.SubjectKind.ticket)),
    F.text | F.photo,
    NotMenu(),
)
async def on_reply_to_staff(
    message: Message,
    replied_ticket_id: int,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
) -> None:
    """The owner answers a staff message with Telegram's Reply: it goes to that ticket."""
    await add_from_message(message, replied_ticket_id, t, catalogs, session, estate, owner, clock)


# --- "Is it fixed?" and the rating ---------------------------------------------------------------


@router.callback_query(cards.FixedCB.filter())
async def on_fixed(
    query: CallbackQuery,
    callback_data: cards.FixedCB,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Yes closes the ticket and asks for stars; No reopens it and asks what is still wrong."""
    anchor = anchor_of(query)
    try:
        view = await tickets.confirm_fixed(
            session,
            callback_data.ticket_id,
            owner_id=saved_id(owner),
            fixed=callback_data.fixed,
            reason=None,
            now=clock(),
            notify=staff_side(notifications.card_drafts(catalogs, estate), anchor.chat.id),
        )
    except TicketError as error:
        await query.answer(stale_fixed_text(t, error), show_alert=True)
        await close_buttons(query)
        return
    await query.answer()
    await close_buttons(query)
    ticket = view.ticket
    number = str(ticket.number)
    if callback_data.fixed:
        await anchor.answer(
            t("myreq-fixed-rate", number=number), reply_markup=cards.rate_markup(ticket.id or 0)
        )
        return
    await state.clear()
    await state.set_state(MyRequests.reason)
    await state.update_data(ticket_id=ticket.id, number=ticket.number)
    await anchor.answer(t("myreq-not-fixed", number=number))


@router.callback_query(cards.RateCB.filter())
async def on_stars(
    query: CallbackQuery,
    callback_data: cards.RateCB,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Stars picked: stored at once (an owner may walk away), then an optional comment."""
    view = await pressed_op(
        query,
        t,
        tickets.rate(
            session,
            callback_data.ticket_id,
            owner_id=saved_id(owner),
            rating=callback_data.stars,
            comment=None,
            now=clock(),
            notify=notifications.card_drafts(catalogs, estate),
        ),
    )
    if view is None:
        return
    ticket = view.ticket
    await state.clear()
    await state.set_state(MyRequests.rating_comment)
    await state.update_data(ticket_id=ticket.id, number=ticket.number)
    skip = req_buttons((t("myreq-btn-skip"), ReqAction.rate_skip), ticket_id=ticket.id or 0)
    await anchor_of(query).answer(
        t("myreq-ask-rating-comment", stars="★" * callback_data.stars),
        reply_markup=skip.as_markup(),
    )


@steps.message(MyRequests.rating_comment, F.text, NotMenu())
async def on_rating_comment(
    message: Message,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The optional comment on the stars already stored."""
    text = (message.text or "").strip()
    if not text:
        await message.answer(t("myreq-rating-comment-expected"))
        return
    if len(text) > COMMENT_MAX:
        await message.answer(t("myreq-comment-too-long", limit=str(COMMENT_MAX)))
        return
    ticket_id = (await state.get_data()).get("ticket_id")
    await state.clear()
    if not isinstance(ticket_id, int):
        await message.answer(t("myreq-not-found"), reply_markup=main_menu(t))
        return
    try:
        await tickets.add_rating_comment(
            session,
            ticket_id,
            owner_id=saved_id(owner),
            comment=text,
            now=clock(),
            notify=notifications.card_drafts(catalogs, estate),
        )
    except TicketError as error:
        await message.answer(refusal_text(t, error), reply_markup=main_menu(t))
        return
    await message.answer(t("myreq-rated"), reply_markup=main_menu(t))


@router.callback_query(ReqCB.filter(F.action == ReqAction.rate_skip))
async def on_rating_skip(
    query: CallbackQuery,
    callback_data: ReqCB,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    state: FSMContext,
) -> None:
    """Skip the comment: the stars are already stored, so this only ends the question."""
    view = await own_ticket(query, t, session, owner, callback_data.ticket_id)
    if view is None:
        return
    if view.ticket.rating is None:
        await refuse(query, t, tickets.refusal(view.ticket, RefusalCode.not_rated))
        return
    await close_buttons(query)
    # Only the rating question is ended; a flow started since then stays as it is.
    data = await state.get_data()
    if (
        await state.get_state() != MyRequests.rating_comment.state
        or data.get("ticket_id") != view.ticket.id
    ):
        # An old Skip, pressed again: thanked already, so only a short notice.
        await query.answer(t("myreq-rated"))
        return
    await query.answer()
    await state.clear()
    await anchor_of(query).answer(t("myreq-rated"), reply_markup=main_menu(t))


@steps.message(MyRequests.rating_comment, NotMenu())
async def on_rating_unexpected(message: Message, t: Translator) -> None:
    """Not text: a comment is typed, or skipped with the button."""
    await message.answer(t("myreq-rating-comment-expected"))


@router.callback_query(ReqCB.filter())
async def on_stale(query: CallbackQuery, t: Translator) -> None:
    """A "My requests" button that no longer applies (e.g. Skip after the rating was stored)."""
    await query.answer(t("form-stale"), show_alert=True)
