"""The staff side of tickets: card buttons, group commands, answering owners by replying to a
card, and the technician's work orders (DM with a Done button, /done N)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TypedDict
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message, TelegramObject
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from handlers import surveys
from handlers.cards import (
    KIND_ICONS,
    AssignCB,
    DoneCB,
    TicketAction,
    TicketCB,
    assign_markup,
    card_actions,
    card_markup,
    card_text,
    category_label,
    error_text,
    event_label,
    local,
    owner_phone,
    place,
    remember_about,
    resolve_ask_markup,
    status_label,
)
from handlers.filters import (
    IsActiveStaff,
    IsStaffChat,
    IsStaffInPrivate,
    RepliedAbout,
    refuse_non_staff,
)
from handlers.keyboards import Buttons, set_buttons
from handlers.notifications import card_drafts
from storage import keys, staff, tickets
from storage.db import UnsavedRowError, saved_id
from storage.models import (
    Estate,
    StaffMember,
    StaffRole,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketKind,
)
from storage.tickets import Actor, Detail, Notify, TicketError, TicketView

router = Router(name=__name__)
# Its handlers for private chats: the staff group's router is gated on group chats
# (handlers/__init__.py).
private = Router(name=f"{__name__}.private")

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
    view = await tickets.find(session, saved_id(estate), number)
    if view is None:
        await message.reply(t("ticket-error-not-found", number=str(number)))
    return view


async def _apply(
    message: Message, t: Translator, ticket: Ticket, operation: Operation
) -> TicketView | None:
    """Run a ticket operation; a refusal is explained to the staff member. `/close` on a ticket
    not yet resolved offers the step it misses: resolve and ask the owner, in one press."""
    try:
        return await operation()
    except TicketError as error:
        offer = None
        if error.detail == Detail.resolve_first and TicketAction.resolve in card_actions(ticket):
            offer = resolve_ask_markup(t, ticket.id or 0)
        await message.reply(error_text(t, error), reply_markup=offer)
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
    now = clock()
    views = await tickets.queue(session, saved_id(estate), now)
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


def _history_detail(t: Translator, event: TicketEvent) -> str:
    """What an event of /ticket's history was about: the text, or who / which day / grade."""
    data = event.data
    if event.type in (TicketEventType.assigned, TicketEventType.started):
        return t("staffcmd-history-to", name=str(data.get("assignee") or "—"))
    if event.type == TicketEventType.rated:
        return "★" * int(data.get("rating") or 0)
    detail = data.get("text") or data.get("reason") or data.get("day") or data.get("grade")
    return str(detail or "")


@router.message(Command("ticket"), IsActiveStaff())
async def show_ticket(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
    t: Translator,
) -> None:
    """The card of one ticket (with the close-time stars), its survey and call-back tasks, its
    recent history and the buttons."""
    number, _ = _split(command)
    if number is None:
        await message.reply(t("staffcmd-usage-ticket"))
        return
    view = await _find(message, session, estate, number, t)
    if view is None:
        return
    tz = _tz(estate)
    now = clock()
    text = card_text(t, view, now, tz)
    follow_up = await surveys.ticket_lines(t, session, estate, view.ticket.id or 0, now)
    history = [
        t(
            "staffcmd-history-line",
            at=local(event.at, tz),
            event=event_label(t, event),
            by=str(event.data.get("by") or ""),
            text=_history_detail(t, event),
        )
        for event in view.events[-HISTORY_MAX:]
    ]
    # Without buttons: this copy is never updated, so its buttons would go stale.
    sent = await message.reply(
        "\n".join(
            [
                text,
                *follow_up,
                "",
                t("staffcmd-history"),
                *history,
                "",
                t("staffcmd-copy-buttons-on-card"),
            ]
        )
    )
    # Replying to this copy of the card answers the owner, as on the card itself.
    await remember_about(session, sent, view.ticket.id, now)


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
    if await _apply(message, t, view.ticket, lambda: operation(view.ticket.id or 0, by)):
        sent = await message.reply(done)
        if message.chat.id == estate.staff_chat_id:
            # Replying to the confirmation ("Sent to the owner of #2") goes on with that ticket.
            await remember_about(session, sent, view.ticket.id, by["now"])


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
    target = await _named(message, session, estate, staff_member, who, t)
    if target is None:
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
    """/dispatch N [@user|me]: the work order to the technician, ticket in progress: the
    assigned one, or the one named, who then holds the ticket."""
    number, who = _split(command)
    if number is None or len(who.split()) > 1:
        await message.reply(t("staffcmd-usage-dispatch"))
        return
    technician = None
    if who:
        technician = await _named(message, session, estate, staff_member, who, t)
        if technician is None:
            return
    view = await _find(message, session, estate, number, t)
    if view is None:
        return
    text = await _dispatch(view, session, estate, staff_member, catalogs, clock, t, technician)
    await message.reply(text)


async def _named(
    message: Message,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    who: str,
    t: Translator,
) -> StaffMember | None:
    """The active staff member `who` names ("@tom", or "me"); None, and the reply that says
    so, when nobody active has that username."""
    if who.casefold() in ("me", "我"):
        return staff_member
    found = await staff.by_username(session, saved_id(estate), who)
    if found is None:
        await message.reply(t("staffcmd-no-such-staff", who=who))
    return found


async def _dispatch(
    view: TicketView,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
    technician: StaffMember | None = None,
) -> str:
    """Send the work order (to `technician`, who then holds the ticket, else to the
    assignee) and say to whom, or why not."""
    number = str(view.ticket.number)
    if (
        technician is None
        and view.ticket.assignee_id is None
        and view.ticket.status in tickets.OPEN_STATUSES
    ):
        return t("staffcmd-dispatch-unassigned", number=number)
    try:
        done = await tickets.start_work(
            session,
            view.ticket.id or 0,
            actor=Actor.staff(staff_member),
            now=clock(),
            notify=card_drafts(catalogs, estate),
            technician=technician,
        )
    except TicketError as error:
        return error_text(t, error)
    name = done.assignee.name if done.assignee else "—"
    return t("staffcmd-dispatched", number=number, name=name)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _verb(
    name: str, rest: str, number: int, message: Message, session: AsyncSession, t: Translator
) -> tuple[StaffOperation, str] | None:
    """What `/name N rest` asks of ticket N and how to confirm it; None when `rest` does not
    fit (the caller shows the command's usage)."""
    n = str(number)
    text = rest or None
    if name in ("resolve", "done"):
        return lambda tid, by: tickets.resolve(session, tid, text=text, **by), t(
            "staffcmd-resolved", number=n
        )
    if name == "close":
        return lambda tid, by: tickets.close(session, tid, **by), t("staffcmd-closed", number=n)
    if name == "reopen":
        return lambda tid, by: tickets.reopen(session, tid, reason=text, **by), t(
            "staffcmd-reopened", number=n
        )
    if name == "note" and rest:
        return lambda tid, by: tickets.add_note(session, tid, text=rest, **by), t(
            "staffcmd-noted", number=n
        )
    if name == "reply" and (rest or message.photo):
        largest = message.photo[-1] if message.photo else None
        photo = (largest.file_id, largest.file_unique_id) if largest else None
        return lambda tid, by: tickets.reply(session, tid, text=text, photo=photo, **by), t(
            "staffcmd-replied", number=n
        )
    if name == "grade" and rest.upper() in ("A", "B"):
        grade: tickets.Grade = "A" if rest.upper() == "A" else "B"
        return lambda tid, by: tickets.set_grade(session, tid, grade=grade, **by), t(
            "staffcmd-graded", number=n, grade=grade
        )
    day = _day(rest) if name == "reschedule" else None
    if day is not None:
        return lambda tid, by: tickets.reschedule(session, tid, day=day, **by), t(
            "staffcmd-rescheduled", number=n, day=day.isoformat()
        )
    return None


async def _run_verb(
    message: Message,
    name: str,
    number: int | None,
    rest: str,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    verb = _verb(name, rest, number, message, session, t) if number is not None else None
    if number is None or verb is None:
        await message.reply(t(f"staffcmd-usage-{name}"))
        return
    operation, confirmation = verb
    await _run_command(
        message, session, estate, staff_member, catalogs, clock, t, number, operation, confirmation
    )


# /note N text (internal), /reply N text or a captioned photo (to the owner), /resolve N [text],
# /close N, /reopen N [reason], /grade N A|B, /reschedule N YYYY-MM-DD (the owner is told), and
# the technician's /done N [text], which also works in the technician's private chat.
@router.message(
    Command("note", "reply", "resolve", "done", "close", "reopen", "grade", "reschedule"),
    IsActiveStaff(),
)
@private.message(Command("done"), F.chat.type == "private", is_staff_person)
async def ticket_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """A ticket command of the form `/verb N [rest]`."""
    number, rest = _split(command)
    await _run_verb(
        message, command.command, number, rest, session, estate, staff_member, catalogs, clock, t
    )


ORDERS_MAX = 20


@private.message(Command("start", "help", "queue", "orders"), IsStaffInPrivate())
async def staff_private(
    message: Message, session: AsyncSession, staff_member: StaffMember, t: Translator
) -> None:
    """Staff in private: staff help and their own work orders, each with its Done button."""
    if staff_member.id is None:
        raise UnsavedRowError("staff_member.id: not saved yet")
    orders = (await tickets.assigned_to(session, staff_member.id))[:ORDERS_MAX]
    lines = [t("staff-private-head", name=staff_member.name)]
    buttons = Buttons()
    for view in orders:
        lines.append(
            t(
                "staff-private-order",
                number=str(view.ticket.number),
                category=category_label(t, view.ticket.category),
                status=status_label(t, view.ticket.status),
                place=place(t, view),
            )
        )
        buttons.button(
            text=t("staff-private-done", number=str(view.ticket.number)),
            callback_data=DoneCB(ticket_id=view.ticket.id or 0),
        )
    lines.append(t("staff-private-help") if orders else t("staff-private-none"))
    await message.answer(
        "\n".join(lines), reply_markup=buttons.adjust(1).as_markup() if orders else None
    )


@router.message(Command(*TICKET_COMMANDS), IsStaffChat())
async def not_staff_command(message: Message, t: Translator) -> None:
    """Someone who is not active staff used a ticket command in the staff group."""
    await refuse_non_staff(message, t)


# --- answering by replying to a card ---------------------------------------------------------


# A leading "!" marks an internal note, and so does the full-width "！" Chinese keyboards type:
# taking one for a reply would send the staff's private remark to the owner.
NOTE_MARKS = ("!", "！")


def reply_or_note(text: str) -> tuple[str, str]:
    """("note", remark) for a reply to a card marked as a note, else ("reply", text)."""
    text = text.strip()
    if text.startswith(NOTE_MARKS):
        return "note", text[1:].strip()
    return "reply", text


@router.message(
    IsActiveStaff(),
    F.text | F.photo,
    ~F.text.startswith("/"),
    RepliedAbout("reply_ticket_id", partial(keys.subject_id, kind=keys.SubjectKind.ticket)),
)
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
    name, rest = reply_or_note(text)
    await _run_verb(
        message, name, view.ticket.number, rest, session, estate, staff_member, catalogs, clock, t
    )


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


@dataclass(frozen=True)
class Press:
    """A staff member's press of a button about a ticket, with what it needs to act on it."""

    query: CallbackQuery
    data: TicketCB | AssignCB | DoneCB
    session: AsyncSession
    estate: Estate
    staff_member: StaffMember
    catalogs: Catalogs
    clock: Clock
    # The group's language (the card and its buttons), and the presser's (their popups).
    t: Translator
    own_t: Translator
    view: TicketView

    @property
    def ticket_id(self) -> int:
        return self.view.ticket.id or 0

    @property
    def number(self) -> str:
        return str(self.view.ticket.number)

    def by(self) -> By:
        """Who acts, now, and the notifications the change calls for."""
        return By(
            actor=Actor.staff(self.staff_member),
            now=self.clock(),
            notify=card_drafts(self.catalogs, self.estate),
        )

    async def run(self, operation: StaffOperation, ok: str) -> bool:
        """Run a ticket operation as the presser; the answer confirms or explains a refusal."""
        return await _answer_op(
            self.query, self.own_t, lambda: operation(self.ticket_id, self.by()), ok
        )


PressAnswer = Callable[[Press], Awaitable[None]]


def ticket_button(*filters: CallbackType) -> Callable[[PressAnswer], PressAnswer]:
    """Register what a button about a ticket does; a stale or foreign ticket is refused
    before it gets that far (see `_button_view`)."""

    def register(answer: PressAnswer) -> PressAnswer:
        async def handler(
            query: CallbackQuery,
            callback_data: TicketCB | AssignCB | DoneCB,
            session: AsyncSession,
            estate: Estate,
            staff_member: StaffMember,
            catalogs: Catalogs,
            clock: Clock,
            t: Translator,
            own_t: Translator,
        ) -> None:
            view = await _button_view(query, session, estate, callback_data.ticket_id, own_t)
            if view is None:
                return
            press = Press(
                query,
                callback_data,
                session,
                estate,
                staff_member,
                catalogs,
                clock,
                t,
                own_t,
                view,
            )
            await answer(press)

        router.callback_query(*filters)(handler)
        return answer

    return register


@ticket_button(TicketCB.filter(F.action == TicketAction.take), IsActiveStaff())
async def take_button(press: Press) -> None:
    """Take: the presser gets the ticket, unless a colleague pressed first."""
    me = press.staff_member
    await press.run(
        lambda tid, by: tickets.assign(press.session, tid, assignee=me, take=True, **by),
        press.own_t("staffcmd-assigned", number=press.number, name=me.name),
    )


@ticket_button(TicketCB.filter(F.action == TicketAction.assign), IsActiveStaff())
async def assign_button(press: Press) -> None:
    """Assign: the card's buttons become a list of staff to pick from."""
    await _show_assign(press)


@ticket_button(TicketCB.filter(F.action == TicketAction.dispatch), IsActiveStaff())
async def dispatch_button(press: Press) -> None:
    """Dispatch: the work order goes to the technician doing the work, the assignee when she
    is one (also when she dispatches it herself: it is her order, with its Done button).
    A ticket held by an agent or a manager is not theirs to go to: the presser picks the
    technician, so nobody is sent a private copy of what they just did."""
    assignee = press.view.assignee
    if assignee is None or assignee.role != StaffRole.technician:
        await _show_assign(press, dispatch=True)
        return
    text = await _dispatch(
        press.view,
        press.session,
        press.estate,
        press.staff_member,
        press.catalogs,
        press.clock,
        press.own_t,
    )
    await press.query.answer(text, show_alert=True)


# Buttons that run one ticket operation: what it does, and how it is confirmed.
SIMPLE_BUTTONS: dict[TicketAction, tuple[Callable[..., Awaitable[TicketView]], str]] = {
    TicketAction.resolve: (tickets.resolve, "staffcmd-resolved"),
    TicketAction.resolve_ask: (tickets.resolve, "staffcmd-resolved"),
    TicketAction.close: (tickets.close, "staffcmd-closed"),
    TicketAction.reopen: (tickets.reopen, "staffcmd-reopened"),
}
# Keywords the operations above take besides the ticket and `By`.
SIMPLE_EXTRAS: dict[TicketAction, dict[str, None]] = {
    TicketAction.resolve: {"text": None},
    TicketAction.resolve_ask: {"text": None},
    TicketAction.reopen: {"reason": None},
}


@ticket_button(TicketCB.filter(F.action.in_(set(SIMPLE_BUTTONS))), IsActiveStaff())
async def operation_button(press: Press) -> None:
    """Resolve / Close / Reopen on a card, and "Resolve and ask the owner" under a refused
    /close (its button goes once used)."""
    if not isinstance(press.data, TicketCB):
        raise TypeError(f"a card button carries TicketCB, not {type(press.data).__name__}")
    action = press.data.action
    operation, confirmation = SIMPLE_BUTTONS[action]
    extras = SIMPLE_EXTRAS.get(action, {})
    done = await press.run(
        lambda tid, by: operation(press.session, tid, **extras, **by),
        press.own_t(confirmation, number=press.number),
    )
    if done and action == TicketAction.resolve_ask:
        await set_buttons(press.query, None)


@ticket_button(TicketCB.filter(F.action == TicketAction.call), IsActiveStaff())
async def call_button(press: Press) -> None:
    """Call owner: the number to call, and a note on the card that someone is calling."""
    view, t = press.view, press.own_t
    try:
        await tickets.log_call(press.session, press.ticket_id, **press.by())
    except TicketError as error:
        await press.query.answer(error_text(t, error), show_alert=True)
        return
    name = view.owner.name if view.owner else "—"
    await press.query.answer(
        t(
            "staffcmd-call",
            number=press.number,
            name=Html(name),
            phone=owner_phone(view) or "—",
        ),
        show_alert=True,
    )


async def _show_assign(press: Press, *, dispatch: bool = False) -> None:
    """Swap the card's buttons (in the group's language) for a short list of staff to pick
    from, with `dispatch` of the technicians to send; the presser's popup is in their own."""
    query, own_t, ticket = press.query, press.own_t, press.view.ticket
    if ticket.status not in tickets.OPEN_STATUSES:
        await query.answer(error_text(own_t, tickets.refusal(ticket)), show_alert=True)
        return
    members = await staff.list_active(press.session, saved_id(press.estate))
    if dispatch:
        members = [m for m in members if m.role == StaffRole.technician]
        if not members:
            await query.answer(own_t("staffcmd-dispatch-no-technician"), show_alert=True)
            return
    await set_buttons(query, assign_markup(press.t, ticket.id or 0, members, dispatch=dispatch))
    await query.answer(own_t("staffcmd-pick-technician" if dispatch else "staffcmd-pick-assignee"))


@ticket_button(AssignCB.filter(), IsActiveStaff())
async def assign_pick(press: Press) -> None:
    """A pick from the Assign list, or the Dispatch list of technicians (or Back to the card's
    buttons)."""
    if not isinstance(press.data, AssignCB):
        raise TypeError(f"an assign pick carries AssignCB, not {type(press.data).__name__}")
    picked, t = press.data.staff_id, press.t
    assignee = await staff.get(press.session, picked) if picked else None
    if picked == 0 or assignee is None or not assignee.active:
        await set_buttons(press.query, card_markup(t, press.view.ticket))
        await press.query.answer(press.own_t("staffcmd-stale") if picked else "")
        return
    target = assignee
    if press.data.dispatch:
        ok = await press.run(
            lambda tid, by: tickets.start_work(press.session, tid, technician=target, **by),
            press.own_t("staffcmd-dispatched", number=press.number, name=target.name),
        )
    else:
        ok = await press.run(
            lambda tid, by: tickets.assign(press.session, tid, assignee=target, **by),
            press.own_t("staffcmd-assigned", number=press.number, name=target.name),
        )
    if not ok:
        await set_buttons(press.query, card_markup(t, press.view.ticket))


@ticket_button(DoneCB.filter(), is_staff_person)
async def done_button(press: Press) -> None:
    """The technician's Done under a work order: the ticket is resolved."""
    # The outbox takes the Done button off the work order once the ticket is resolved.
    await press.run(
        lambda tid, by: tickets.resolve(press.session, tid, text=None, **by),
        press.own_t("staffcmd-resolved", number=press.number),
    )


@router.callback_query(TicketCB.filter())
@router.callback_query(AssignCB.filter())
@router.callback_query(DoneCB.filter())
async def not_staff_button(query: CallbackQuery, own_t: Translator) -> None:
    """A ticket button pressed by someone who is not active staff: refused, nothing changes."""
    await refuse_non_staff(query, own_t)
