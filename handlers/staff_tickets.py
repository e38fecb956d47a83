"""The staff side of tickets: card buttons, group commands, answering owners by replying to a
card, and the technician's work orders (DM with a Done button, /done N)."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from handlers.cards import (
    KIND_ICONS,
    AssignCB,
    DoneCB,
    TicketCB,
    assign_markup,
    card,
    card_drafts,
    card_markup,
    category_label,
    error_text,
    local,
    owner_phone,
    place,
    status_label,
)
from handlers.filters import IsActiveStaff, IsStaffChat, refuse_non_staff
from storage import outbox, staff, tickets
from storage.models import Estate, StaffMember, TicketKind
from storage.tickets import Actor, Notify, TicketError, TicketView

router = Router(name=__name__)

TICKET_COMMANDS = (
    "queue",
    "ticket",
    "assign",
    "dispatch",
    "note",
    "reply",
    "resolve",
    "close",
    "reopen",
    "grade",
    "reschedule",
    "done",
)
QUEUE_MAX = 30
HISTORY_MAX = 8

Operation = Callable[[], Awaitable[TicketView]]


class By(TypedDict):
    """The keywords every staff operation on a ticket takes besides the ticket."""

    actor: Actor
    now: datetime
    notify: Notify


StaffOperation = Callable[[int, By], Awaitable[TicketView]]


class ReplyToTicket(Filter):
    """A message replying to something the bot sent about a ticket (its card, an owner's
    comment); passes the ticket id on as `reply_ticket_id`."""

    async def __call__(
        self, message: Message, bot: Bot, session: AsyncSession
    ) -> bool | dict[str, int]:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
            return False
        about = await outbox.subject_of(session, message.chat.id, replied.message_id)
        if not about or not about.startswith("ticket:"):
            return False
        return {"reply_ticket_id": int(about.split(":", 1)[1])}


async def is_staff_person(event: TelegramObject, staff_member: StaffMember | None = None) -> bool:
    """An active staff member, wherever they write from (the technician's private chat)."""
    return staff_member is not None


def _number(word: str) -> int | None:
    word = word.lstrip("#")
    return int(word) if word.isdigit() and len(word) < 10 else None


def _split(command: CommandObject) -> tuple[int | None, str]:
    """`N rest…` → (N, rest); N is None when missing or not a number."""
    parts = (command.args or "").strip().split(maxsplit=1)
    if not parts:
        return None, ""
    return _number(parts[0]), parts[1].strip() if len(parts) > 1 else ""


async def _find(
    message: Message, session: AsyncSession, estate: Estate, number: int, t: Translator
) -> TicketView | None:
    assert estate.id is not None
    view = await tickets.find(session, estate.id, number)
    if view is None:
        await message.reply(t("ticket-error-not-found", number=str(number)))
    return view


async def _apply(message: Message, t: Translator, operation: Operation) -> TicketView | None:
    """Run a ticket operation; a refusal is explained to the staff member."""
    try:
        return await operation()
    except TicketError as error:
        await message.reply(error_text(t, error))
        return None


def _tz(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.time_zone)


def _age(t: Translator, since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return t("staffcmd-age-minutes", count=minutes)
    if minutes < 48 * 60:
        return t("staffcmd-age-hours", count=minutes // 60)
    return t("staffcmd-age-days", count=minutes // (24 * 60))


def queue_line(t: Translator, view: TicketView, now: datetime) -> str:
    ticket = view.ticket
    flag = "⚠️ " if view.overdue(now) else ("🔴 " if ticket.urgency == "urgent" else "")
    return t(
        "staffcmd-queue-line",
        flag=flag,
        icon=KIND_ICONS.get(TicketKind(ticket.kind), ""),
        number=str(ticket.number),
        category=category_label(t, ticket.category),
        status=status_label(t, ticket.status),
        place=place(t, view),
        assignee=view.assignee.name if view.assignee else "—",
        age=_age(t, ticket.created_at, now),
    )


# --- group commands --------------------------------------------------------------------------


@router.message(Command("queue"), IsActiveStaff())
async def queue(
    message: Message, session: AsyncSession, estate: Estate, clock: Clock, t: Translator
) -> None:
    """Open tickets, overdue first, then oldest."""
    assert estate.id is not None
    now = clock()
    views = await tickets.queue(session, estate.id, now)
    if not views:
        await message.reply(t("staffcmd-queue-empty"))
        return
    lines = [queue_line(t, v, now) for v in views[:QUEUE_MAX]]
    overdue = sum(v.overdue(now) for v in views)
    head = t("staffcmd-queue-head", count=len(views), overdue=str(overdue))
    more = (
        [t("staffcmd-queue-more", count=len(views) - QUEUE_MAX)] if len(views) > QUEUE_MAX else []
    )
    await message.reply("\n".join([head, *lines, *more]))


@router.message(Command("ticket"), IsActiveStaff())
async def show_ticket(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
    t: Translator,
) -> None:
    """The card of one ticket, with its recent history and the buttons."""
    number, _ = _split(command)
    if number is None:
        await message.reply(t("staffcmd-usage-ticket"))
        return
    view = await _find(message, session, estate, number, t)
    if view is None:
        return
    tz = _tz(estate)
    text, markup = card(t, view, clock(), tz)
    history = [
        t(
            "staffcmd-history-line",
            at=local(event.at, tz),
            event=Html(t(f"event-{event.type}")),
            by=str(event.data.get("by") or ""),
            text=str(event.data.get("text") or event.data.get("reason") or ""),
        )
        for event in view.events[-HISTORY_MAX:]
    ]
    await message.reply(
        "\n".join([text, "", t("staffcmd-history"), *history]), reply_markup=markup
    )


async def _run_command(
    message: Message,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
    number: int,
    operation: StaffOperation,
    done: str,
) -> None:
    """Ticket N as a staff member: run the operation on it and confirm with `done`."""
    view = await _find(message, session, estate, number, t)
    if view is None:
        return
    by = By(actor=Actor.staff(staff_member), now=clock(), notify=card_drafts(catalogs, estate))
    if await _apply(message, t, lambda: operation(view.ticket.id or 0, by)):
        await message.reply(done)


@router.message(Command("assign"), IsActiveStaff())
async def assign(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/assign N @user|me."""
    number, who = _split(command)
    if number is None or not who or len(who.split()) != 1:
        await message.reply(t("staffcmd-usage-assign"))
        return
    assert estate.id is not None
    if who.casefold() in ("me", "我"):
        assignee: StaffMember | None = staff_member
    else:
        assignee = await staff.by_username(session, estate.id, who)
    if assignee is None:
        await message.reply(t("staffcmd-no-such-staff", who=who))
        return
    target = assignee
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.assign(session, tid, assignee=target, **by),
        t("staffcmd-assigned", number=str(number), name=target.name),
    )


@router.message(Command("dispatch"), IsActiveStaff())
async def dispatch(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/dispatch N: work order to the assigned technician, ticket in progress."""
    number, _ = _split(command)
    if number is None:
        await message.reply(t("staffcmd-usage-dispatch"))
        return
    view = await _find(message, session, estate, number, t)
    if view is None:
        return
    text = await _dispatch(view, session, estate, staff_member, catalogs, clock, t)
    await message.reply(text)


async def _dispatch(
    view: TicketView,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> str:
    number = str(view.ticket.number)
    if view.ticket.assignee_id is None and view.ticket.status in tickets.OPEN_STATUSES:
        return t("staffcmd-dispatch-unassigned", number=number)
    try:
        done = await tickets.start_work(
            session,
            view.ticket.id or 0,
            actor=Actor.staff(staff_member),
            now=clock(),
            notify=card_drafts(catalogs, estate),
        )
    except TicketError as error:
        return error_text(t, error)
    name = done.assignee.name if done.assignee else "—"
    return t("staffcmd-dispatched", number=number, name=name)


@router.message(Command("note"), IsActiveStaff())
async def note(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/note N text: an internal note, never shown to the owner."""
    number, text = _split(command)
    if number is None or not text:
        await message.reply(t("staffcmd-usage-note"))
        return
    await _note(message, session, estate, staff_member, catalogs, clock, t, number, text)


async def _note(
    message: Message,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
    number: int,
    text: str,
) -> None:
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.add_note(session, tid, text=text, **by),
        t("staffcmd-noted", number=str(number)),
    )


@router.message(Command("reply"), IsActiveStaff())
async def reply(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/reply N text (or a photo captioned so): a message to the owner."""
    number, text = _split(command)
    if number is None or not (text or message.photo):
        await message.reply(t("staffcmd-usage-reply"))
        return
    await _reply(message, session, estate, staff_member, catalogs, clock, t, number, text)


async def _reply(
    message: Message,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
    number: int,
    text: str | None,
) -> None:
    photo = (
        (message.photo[-1].file_id, message.photo[-1].file_unique_id) if message.photo else None
    )
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.reply(session, tid, text=text or None, photo=photo, **by),
        t("staffcmd-replied", number=str(number)),
    )


@router.message(Command("resolve"), IsActiveStaff())
@router.message(Command("done"), IsActiveStaff())
@router.message(Command("done"), F.chat.type == "private", is_staff_person)
async def resolve(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/resolve N [text], and the technician's /done N [text] (group or private chat)."""
    number, text = _split(command)
    if number is None:
        usage = "staffcmd-usage-done" if command.command == "done" else "staffcmd-usage-resolve"
        await message.reply(t(usage))
        return
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.resolve(session, tid, text=text or None, **by),
        t("staffcmd-resolved", number=str(number)),
    )


@router.message(Command("close"), IsActiveStaff())
async def close(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/close N."""
    number, _ = _split(command)
    if number is None:
        await message.reply(t("staffcmd-usage-close"))
        return
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.close(session, tid, **by),
        t("staffcmd-closed", number=str(number)),
    )


@router.message(Command("reopen"), IsActiveStaff())
async def reopen(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/reopen N [reason]."""
    number, reason = _split(command)
    if number is None:
        await message.reply(t("staffcmd-usage-reopen"))
        return
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.reopen(session, tid, reason=reason or None, **by),
        t("staffcmd-reopened", number=str(number)),
    )


@router.message(Command("grade"), IsActiveStaff())
async def grade(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/grade N A|B (complaints only)."""
    number, letter = _split(command)
    letter = letter.upper()
    if number is None or letter not in ("A", "B"):
        await message.reply(t("staffcmd-usage-grade"))
        return
    chosen: tickets.Grade = "A" if letter == "A" else "B"
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.set_grade(session, tid, grade=chosen, **by),
        t("staffcmd-graded", number=str(number), grade=letter),
    )


@router.message(Command("reschedule"), IsActiveStaff())
async def reschedule(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/reschedule N YYYY-MM-DD: the owner is told the new visit day."""
    number, text = _split(command)
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if number is None or day is None:
        await message.reply(t("staffcmd-usage-reschedule"))
        return
    new_day = day
    await _run_command(
        message,
        session,
        estate,
        staff_member,
        catalogs,
        clock,
        t,
        number,
        lambda tid, by: tickets.reschedule(session, tid, day=new_day, **by),
        t("staffcmd-rescheduled", number=str(number), day=day.isoformat()),
    )


@router.message(Command(*TICKET_COMMANDS), IsStaffChat())
async def not_staff_command(message: Message, t: Translator) -> None:
    """Someone who is not active staff used a ticket command in the staff group."""
    await refuse_non_staff(message, t)


# --- answering by replying to a card ---------------------------------------------------------


@router.message(IsActiveStaff(), F.text | F.photo, ~F.text.startswith("/"), ReplyToTicket())
async def reply_to_card(
    message: Message,
    reply_ticket_id: int,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """A Telegram reply to a ticket card or owner comment goes to the owner; `!text` is a note."""
    text = (message.text or message.caption or "").strip()
    try:
        view = await tickets.view(session, reply_ticket_id)
    except TicketError:
        return
    number = view.ticket.number
    if text.startswith("!"):
        await _note(message, session, estate, staff_member, catalogs, clock, t, number, text[1:])
        return
    await _reply(message, session, estate, staff_member, catalogs, clock, t, number, text)


# --- card buttons ----------------------------------------------------------------------------


async def _answer_op(query: CallbackQuery, t: Translator, operation: Operation, ok: str) -> bool:
    try:
        await operation()
    except TicketError as error:
        await query.answer(error_text(t, error), show_alert=True)
        return False
    await query.answer(ok)
    return True


async def _button_view(
    query: CallbackQuery, session: AsyncSession, estate: Estate, ticket_id: int, t: Translator
) -> TicketView | None:
    """The ticket a button is about; a stale or foreign one is refused with an alert."""
    try:
        view = await tickets.view(session, ticket_id)
    except TicketError:
        view = None
    if view is None or view.ticket.estate_id != estate.id:
        await query.answer(t("ticket-error-not-found", number="?"), show_alert=True)
        return None
    return view


@router.callback_query(TicketCB.filter(), IsActiveStaff())
async def card_button(
    query: CallbackQuery,
    callback_data: TicketCB,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """Take / Assign / Dispatch / Resolve / Close / Reopen / Call owner on a card."""
    view = await _button_view(query, session, estate, callback_data.ticket_id, t)
    if view is None:
        return
    tid = view.ticket.id or 0
    number = str(view.ticket.number)
    actor = Actor.staff(staff_member)
    notify = card_drafts(catalogs, estate)
    action = callback_data.action
    if action == "take":
        await _answer_op(
            query,
            t,
            lambda: tickets.assign(
                session, tid, assignee=staff_member, actor=actor, now=clock(), notify=notify
            ),
            t("staffcmd-assigned", number=number, name=staff_member.name),
        )
    elif action == "assign":
        await _show_assign(query, session, estate, view, t)
    elif action == "dispatch":
        text = await _dispatch(view, session, estate, staff_member, catalogs, clock, t)
        await query.answer(text, show_alert=True)
    elif action == "resolve":
        await _answer_op(
            query,
            t,
            lambda: tickets.resolve(
                session, tid, actor=actor, now=clock(), text=None, notify=notify
            ),
            t("staffcmd-resolved", number=number),
        )
    elif action == "close":
        await _answer_op(
            query,
            t,
            lambda: tickets.close(session, tid, actor=actor, now=clock(), notify=notify),
            t("staffcmd-closed", number=number),
        )
    elif action == "reopen":
        await _answer_op(
            query,
            t,
            lambda: tickets.reopen(
                session, tid, actor=actor, now=clock(), reason=None, notify=notify
            ),
            t("staffcmd-reopened", number=number),
        )
    elif action == "call":
        try:
            await tickets.log_call(session, tid, actor=actor, now=clock(), notify=notify)
        except TicketError as error:
            await query.answer(error_text(t, error), show_alert=True)
            return
        name = view.owner.name if view.owner else "—"
        await query.answer(
            t("staffcmd-call", number=number, name=Html(name), phone=owner_phone(view) or "—"),
            show_alert=True,
        )
    else:
        await query.answer(t("staffcmd-stale"), show_alert=True)


async def _show_assign(
    query: CallbackQuery, session: AsyncSession, estate: Estate, view: TicketView, t: Translator
) -> None:
    """Swap the card's buttons for a short list of staff to pick from."""
    if view.ticket.status not in tickets.OPEN_STATUSES:
        error = TicketError("bad_transition", view.ticket.number, str(view.ticket.status))
        await query.answer(error_text(t, error), show_alert=True)
        return
    assert estate.id is not None
    members = await staff.list_active(session, estate.id)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=assign_markup(t, view.ticket.id or 0, members)
        )
    await query.answer(t("staffcmd-pick-assignee"))


@router.callback_query(AssignCB.filter(), IsActiveStaff())
async def assign_pick(
    query: CallbackQuery,
    callback_data: AssignCB,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """A pick from the Assign list (or Back to the card's buttons)."""
    view = await _button_view(query, session, estate, callback_data.ticket_id, t)
    if view is None:
        return
    assignee = await staff.get(session, callback_data.staff_id) if callback_data.staff_id else None
    if callback_data.staff_id == 0 or assignee is None or not assignee.active:
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=card_markup(t, view.ticket))
        await query.answer(t("staffcmd-stale") if callback_data.staff_id else "")
        return
    target = assignee
    ok = await _answer_op(
        query,
        t,
        lambda: tickets.assign(
            session,
            view.ticket.id or 0,
            assignee=target,
            actor=Actor.staff(staff_member),
            now=clock(),
            notify=card_drafts(catalogs, estate),
        ),
        t("staffcmd-assigned", number=str(view.ticket.number), name=target.name),
    )
    if not ok and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=card_markup(t, view.ticket))


@router.callback_query(DoneCB.filter(), is_staff_person)
async def done_button(
    query: CallbackQuery,
    callback_data: DoneCB,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """The technician's Done under a work order: the ticket is resolved."""
    view = await _button_view(query, session, estate, callback_data.ticket_id, t)
    if view is None:
        return
    ok = await _answer_op(
        query,
        t,
        lambda: tickets.resolve(
            session,
            view.ticket.id or 0,
            actor=Actor.staff(staff_member),
            now=clock(),
            text=None,
            notify=card_drafts(catalogs, estate),
        ),
        t("staffcmd-resolved", number=str(view.ticket.number)),
    )
    if ok and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(TicketCB.filter())
@router.callback_query(AssignCB.filter())
@router.callback_query(DoneCB.filter())
async def not_staff_button(query: CallbackQuery, t: Translator) -> None:
    """A ticket button pressed by someone who is not active staff: refused, nothing changes."""
    await refuse_non_staff(query, t)
