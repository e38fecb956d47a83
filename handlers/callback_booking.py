"""Book a call-back: the owner picks a topic, adds a note and a slot; staff get a card with Done /
Missed, and `/callbacks [today|week]` lists what is booked, beside the call-back tasks (回访) due
with Reached / Not reached / Reschedule."""

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from bot.texts import owner_t, slot_text, topic_text
from handlers import cards
from handlers.edits import unchanged_is_done
from handlers.filters import (
    ButtonsOf,
    IsActiveStaff,
    IsStaffChat,
    IsVerifiedOwner,
    RepliedAbout,
    refuse_non_staff,
)
from handlers.keyboards import Buttons, NotMenu, TextKey, close_buttons, main_menu
from storage import call_backs, keys, outbox, owners, tickets
from storage.call_backs import CallbackView, Outcome, Slot, TaskAction
from storage.db import UnsavedRowError, saved_id
from storage.models import (
    Callback,
    CallbackStatus,
    CallbackTopic,
    Estate,
    Owner,
    StaffMember,
    Ticket,
)
from storage.outbox import Draft

TICKETS_OFFERED = 5
LIST_LIMIT = 30
# Each listed task brings a row of buttons; Telegram allows 100 buttons on a message.
TASKS_LISTED = 20
REFUSALS = {
    Outcome.limit: "cb-refused-limit",
    Outcome.duplicate: "cb-refused-duplicate",
    Outcome.ticket_gone: "cb-ticket-gone",
    Outcome.not_found: "cb-stale",
}

router = Router(name=__name__)
router.callback_query.filter(ButtonsOf(router))


class CallbackFlow(StatesGroup):
    topic = State()
    note = State()
    slot = State()
    confirm = State()


# The owner's booking steps, tried after the staff group's handlers (never the same update):
# one check skips them all outside a booking.
steps = Router(name=f"{__name__}.steps")
steps.message.filter(StateFilter(CallbackFlow))
router.include_router(steps)


class Booking(BaseModel):
    """What the owner has chosen so far (kept in the FSM data under "cb")."""

    topic: CallbackTopic | None = None
    ticket_id: int | None = None
    ticket_number: int | None = None
    note: str | None = None
    slot_start: int | None = None
    slot_end: int | None = None


class MenuAction(StrEnum):
    new = "new"
    cancel = "cancel"


class CbMenu(CallbackData, prefix="cbm"):
    """The owner's overview: "new" books another, "cancel" cancels call-back `callback_id`."""

    action: MenuAction
    callback_id: int


class CbTopic(CallbackData, prefix="cbt"):
    """A topic: "ticket" (with its id), "fees" or "other"."""

    topic: CallbackTopic
    ticket_id: int


class StepAction(StrEnum):
    skip = "skip"
    yes = "yes"
    quit = "quit"


class CbStep(CallbackData, prefix="cbk"):
    """Flow buttons: "skip" the note, "yes" to book, "quit" the flow."""

    action: StepAction


class CbSlot(CallbackData, prefix="cbs"):
    """A slot, by its start as a Unix timestamp (checked against the slots offered now)."""

    start: int


class TaskCB(CallbackData, prefix="cbx"):
    """A call-back task button: Reached, Not reached or Reschedule."""

    action: TaskAction
    callback_id: int


class StaffAction(StrEnum):
    done = "done"
    missed = "missed"


class CbStaff(CallbackData, prefix="cbd"):
    """A staff card button: "done" or "missed"."""

    action: StaffAction
    callback_id: int


# --- texts -----------------------------------------------------------------------------------


def card_text(t: Translator, view: CallbackView, tz: ZoneInfo) -> str:
    """The staff card: who to call, on which number, about what, and when."""
    callback = view.callback
    return t(
        "cb-card",
        id=str(callback.id),
        name=view.owner.name,
        units=", ".join(f"{u.building}-{u.number}" for u in view.units) or "—",
        phone=view.owner.phone or "—",
        topic=Html(topic_text(t, callback.topic, view.ticket_number)),
        note=view.note or "—",
        slot=Html(slot_text(t, callback.slot_start, callback.slot_end, tz)),
    )


def card_markup(t: Translator, callback_id: int) -> InlineKeyboardMarkup:
    builder = Buttons()
    for action, label in (
        (StaffAction.done, "cb-btn-done"),
        (StaffAction.missed, "cb-btn-missed"),
    ):
        builder.button(
            text=t(label), callback_data=CbStaff(action=action, callback_id=callback_id)
        )
    return builder.as_markup()


def tz_of(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.time_zone)


def staff_t(catalogs: Catalogs, estate: Estate) -> Translator:
    return catalogs.translator(estate.locale)


# --- the owner's side ------------------------------------------------------------------------


def anchor_of(query: CallbackQuery) -> Message:
    if not isinstance(query.message, Message):
        raise RuntimeError("owner buttons live on messages the bot can see")
    return query.message


STEP_LABELS = {StepAction.skip: "cb-btn-skip", StepAction.yes: "cb-btn-confirm"}


def step_buttons(t: Translator, *actions: StepAction) -> Buttons:
    """The flow's own buttons (Skip, Confirm, Quit), in one row unless adjusted."""
    builder = Buttons()
    for action in actions:
        label = STEP_LABELS.get(action, "cb-btn-quit")
        builder.button(text=t(label), callback_data=CbStep(action=action))
    return builder


async def load_booking(state: FSMContext) -> Booking:
    try:
        return Booking.model_validate((await state.get_data()).get("cb") or {})
    except ValidationError:
        return Booking()


async def save_booking(state: FSMContext, booking: Booking) -> None:
    await state.update_data(cb=booking.model_dump())


async def show_overview(
    anchor: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    now: datetime,
) -> None:
    """The owner's booked call-backs with Cancel buttons, or straight to booking if none."""
    upcoming = await call_backs.upcoming_for_owner(session, saved_id(owner), now)
    if not upcoming:
        await ask_topic(anchor, t, session, owner, state)
        return
    tz = tz_of(estate)
    lines = [t("cb-overview-title", count=len(upcoming))]
    builder = Buttons()
    for view in await call_backs.views(session, upcoming):
        callback = view.callback
        slot = slot_text(t, callback.slot_start, callback.slot_end, tz)
        topic = topic_text(t, callback.topic, view.ticket_number)
        lines.append(t("cb-overview-line", slot=Html(slot), topic=Html(topic)))
        builder.button(
            text=t("cb-btn-cancel-one", slot=Html(slot)),
            callback_data=CbMenu(action=MenuAction.cancel, callback_id=callback.id or 0),
        )
    if len(upcoming) < call_backs.MAX_BOOKED:
        builder.button(
            text=t("cb-btn-book-another"),
            callback_data=CbMenu(action=MenuAction.new, callback_id=0),
        )
    else:
        lines.append(t("cb-limit", count=call_backs.MAX_BOOKED))
    builder.adjust(1)
    await anchor.answer("\n".join(lines), reply_markup=builder.as_markup())


async def open_tickets(session: AsyncSession, owner_id: int) -> list[Ticket]:
    found = await tickets.list_for_owner(session, owner_id, limit=TICKETS_OFFERED * 2)
    return [tk for tk in found if tk.status in tickets.OPEN_STATUSES][:TICKETS_OFFERED]


async def ask_topic(
    anchor: Message, t: Translator, session: AsyncSession, owner: Owner, state: FSMContext
) -> None:
    builder = Buttons()
    offered = await open_tickets(session, saved_id(owner))
    for ticket in offered:
        builder.button(
            text=t(
                "cb-btn-ticket",
                number=str(ticket.number),
                category=cards.category_label(t, ticket.category),
            ),
            callback_data=CbTopic(topic=CallbackTopic.ticket, ticket_id=ticket.id or 0),
        )
    for topic, label in (
        (CallbackTopic.fees, "cb-btn-fees"),
        (CallbackTopic.other, "cb-btn-other"),
    ):
        builder.button(text=t(label), callback_data=CbTopic(topic=topic, ticket_id=0))
    builder.adjust(*[1] * len(offered), 2)
    builder.attach(step_buttons(t, StepAction.quit))
    await state.clear()
    await state.set_state(CallbackFlow.topic)
    await anchor.answer(t("cb-ask-topic"), reply_markup=builder.as_markup())


async def ask_slot(
    anchor: Message, t: Translator, estate: Estate, state: FSMContext, now: datetime
) -> None:
    tz = tz_of(estate)
    builder = Buttons()
    for slot in call_backs.offered_slots(estate, now):
        builder.button(
            text=slot_text(t, slot.start, slot.end, tz),
            callback_data=CbSlot(start=int(slot.start.timestamp())),
        )
    builder.button(text=t("cb-btn-quit"), callback_data=CbStep(action=StepAction.quit))
    builder.adjust(1)
    await state.set_state(CallbackFlow.slot)
    await anchor.answer(t("cb-ask-slot"), reply_markup=builder.as_markup())


async def in_state(query: CallbackQuery, state: FSMContext, t: Translator, step: State) -> bool:
    """Whether the flow is at `step`; a button of an older question explains and does nothing."""
    if await state.get_state() != step.state:
        await query.answer(t("cb-stale"), show_alert=True)
        return False
    return True


async def book_about(
    anchor: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    now: datetime,
    note: str,
) -> None:
    """A call-back about what the owner wrote outside any flow: topic "other" with their text as
    the note, straight to the slots (the overview first when they already booked the most)."""
    await state.clear()
    upcoming = await call_backs.upcoming_for_owner(session, saved_id(owner), now)
    if len(upcoming) >= call_backs.MAX_BOOKED:
        await show_overview(anchor, t, session, estate, owner, state, now)
        return
    text = note.strip()
    await save_booking(
        state, Booking(topic=CallbackTopic.other, note=text[: call_backs.NOTE_MAX] or None)
    )
    await ask_slot(anchor, t, estate, state, now)


@router.message(TextKey("menu-callback"), IsVerifiedOwner())
async def on_menu(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The menu button (or "call me", "回电" …): booked call-backs first, else start booking."""
    await state.clear()
    await show_overview(message, t, session, estate, owner, state, clock())


@router.callback_query(CbMenu.filter(F.action == MenuAction.new), IsVerifiedOwner())
async def on_book_another(
    query: CallbackQuery,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Book another: refused at the limit, else the topic question."""
    upcoming = await call_backs.upcoming_for_owner(session, saved_id(owner), clock())
    if len(upcoming) >= call_backs.MAX_BOOKED:
        await query.answer(t("cb-limit", count=call_backs.MAX_BOOKED), show_alert=True)
        return
    await query.answer()
    await close_buttons(query)
    await ask_topic(anchor_of(query), t, session, owner, state)


@router.callback_query(CbMenu.filter(F.action == MenuAction.cancel), IsVerifiedOwner())
async def on_cancel_booking(
    query: CallbackQuery,
    callback_data: CbMenu,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
) -> None:
    """Cancel one of the owner's own call-backs; the staff card says so (via the outbox)."""
    st = staff_t(catalogs, estate)
    tz = tz_of(estate)
    staff_chat = estate.staff_chat_id

    def drafts(callback: Callback) -> list[Draft]:
        if staff_chat is None:
            return []
        return [
            Draft(
                dedupe_key=keys.callback_event(callback.id, "cancelled"),
                chat_id=staff_chat,
                method="editMessageText",
                text=st(
                    "cb-card-cancelled",
                    slot=Html(slot_text(st, callback.slot_start, callback.slot_end, tz)),
                    id=str(callback.id),
                    name=owner.name,
                ),
                subject=keys.callback_subject(callback.id),
                params={"$message_id_of": keys.callback_card(callback.id)},
            )
        ]

    result = await call_backs.cancel(
        session,
        owner_id=saved_id(owner),
        callback_id=callback_data.callback_id,
        now=clock(),
        drafts=drafts,
    )
    if result.outcome == Outcome.not_found:
        await query.answer(t("cb-not-found"), show_alert=True)
        return
    if result.outcome != Outcome.cancelled or result.callback is None:
        await query.answer(t("cb-not-booked"), show_alert=True)
        return
    await query.answer()
    await close_buttons(query)
    callback = result.callback
    await anchor_of(query).answer(
        t("cb-cancelled", slot=Html(slot_text(t, callback.slot_start, callback.slot_end, tz))),
        reply_markup=main_menu(t),
    )


@router.callback_query(CbStep.filter(F.action == StepAction.quit), IsVerifiedOwner())
async def on_quit(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    """Leave the booking; nothing was stored."""
    await query.answer()
    await close_buttons(query)
    await state.clear()
    await anchor_of(query).answer(t("common-cancelled"), reply_markup=main_menu(t))


@router.callback_query(CbTopic.filter(), IsVerifiedOwner())
async def on_topic(
    query: CallbackQuery,
    callback_data: CbTopic,
    t: Translator,
    session: AsyncSession,
    owner: Owner,
    state: FSMContext,
) -> None:
    """A topic picked (a ticket must be the owner's own and still open); ask for a note."""
    if not await in_state(query, state, t, CallbackFlow.topic):
        return
    booking = Booking(topic=callback_data.topic)
    if callback_data.topic == CallbackTopic.ticket:
        if owner.id is None:
            raise UnsavedRowError("owner.id: not saved yet")
        view = await tickets.find_for_owner(session, owner.id, callback_data.ticket_id, by_id=True)
        if view is None or view.ticket.status not in tickets.OPEN_STATUSES:
            await query.answer(t("cb-ticket-gone"), show_alert=True)
            return
        booking.ticket_id = view.ticket.id
        booking.ticket_number = view.ticket.number
    elif callback_data.topic not in call_backs.BOOKABLE:
        await query.answer(t("cb-stale"), show_alert=True)
        return
    await query.answer()
    await close_buttons(query)
    await save_booking(state, booking)
    await state.set_state(CallbackFlow.note)
    await anchor_of(query).answer(
        t("cb-ask-note", limit=str(call_backs.NOTE_MAX)),
        reply_markup=step_buttons(t, StepAction.skip, StepAction.quit).adjust(1).as_markup(),
    )


@steps.message(CallbackFlow.note, F.text, NotMenu(), IsVerifiedOwner())
async def on_note(
    message: Message, t: Translator, estate: Estate, state: FSMContext, clock: Clock
) -> None:
    """The optional note (checked for length); then the slots."""
    note = (message.text or "").strip()
    if not note or len(note) > call_backs.NOTE_MAX:
        await message.answer(t("cb-note-too-long", limit=str(call_backs.NOTE_MAX)))
        return
    booking = await load_booking(state)
    booking.note = note
    await save_booking(state, booking)
    await ask_slot(message, t, estate, state, clock())


@steps.message(CallbackFlow.note, NotMenu(), IsVerifiedOwner())
async def on_note_unexpected(message: Message, t: Translator) -> None:
    """A photo or sticker instead of the note: say what is expected."""
    await message.answer(t("cb-note-expected", limit=str(call_backs.NOTE_MAX)))


@router.callback_query(CbStep.filter(F.action == StepAction.skip), IsVerifiedOwner())
async def on_skip(
    query: CallbackQuery, t: Translator, estate: Estate, state: FSMContext, clock: Clock
) -> None:
    """No note; on to the slots."""
    if not await in_state(query, state, t, CallbackFlow.note):
        return
    await query.answer()
    await close_buttons(query)
    await ask_slot(anchor_of(query), t, estate, state, clock())


@steps.message(CallbackFlow.topic, NotMenu(), IsVerifiedOwner())
@steps.message(CallbackFlow.slot, NotMenu(), IsVerifiedOwner())
@steps.message(CallbackFlow.confirm, NotMenu(), IsVerifiedOwner())
async def on_buttons_expected(message: Message, t: Translator) -> None:
    """Typing where a button is expected."""
    await message.answer(t("cb-use-buttons"))


@router.callback_query(CbSlot.filter(), IsVerifiedOwner())
async def on_slot(
    query: CallbackQuery,
    callback_data: CbSlot,
    t: Translator,
    estate: Estate,
    state: FSMContext,
    clock: Clock,
) -> None:
    """A slot picked (it must still be on offer); show the summary to confirm."""
    if not await in_state(query, state, t, CallbackFlow.slot):
        return
    now = clock()
    start = datetime.fromtimestamp(callback_data.start, UTC)
    slot = next((s for s in call_backs.offered_slots(estate, now) if s.start == start), None)
    if slot is None:
        await query.answer(t("cb-slot-gone"), show_alert=True)
        await close_buttons(query)
        await ask_slot(anchor_of(query), t, estate, state, now)
        return
    await query.answer()
    await close_buttons(query)
    booking = await load_booking(state)
    booking.slot_start = int(slot.start.timestamp())
    booking.slot_end = int(slot.end.timestamp())
    await save_booking(state, booking)
    await state.set_state(CallbackFlow.confirm)
    markup = step_buttons(t, StepAction.yes, StepAction.quit).as_markup()
    await anchor_of(query).answer(
        t(
            "cb-confirm",
            topic=Html(topic_text(t, booking.topic, booking.ticket_number)),
            note=booking.note or "—",
            slot=Html(slot_text(t, slot.start, slot.end, tz_of(estate))),
        ),
        reply_markup=markup,
    )


@router.callback_query(CbStep.filter(F.action == StepAction.yes), IsVerifiedOwner())
async def on_confirm(
    query: CallbackQuery,
    t: Translator,
    catalogs: Catalogs,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Book it: the Callback row and the staff card in one transaction."""
    if not await in_state(query, state, t, CallbackFlow.confirm):
        return
    booking = await load_booking(state)
    if booking.topic is None or booking.slot_start is None or booking.slot_end is None:
        await state.clear()
        await query.answer(t("cb-stale"), show_alert=True)
        return
    slot = Slot(
        datetime.fromtimestamp(booking.slot_start, UTC),
        datetime.fromtimestamp(booking.slot_end, UTC),
    )
    st = staff_t(catalogs, estate)
    tz = tz_of(estate)
    staff_chat = estate.staff_chat_id
    held = await owners.units_of(session, saved_id(owner))

    def drafts(callback: Callback) -> list[Draft]:
        if staff_chat is None:
            return []
        view = CallbackView(callback, owner, held, booking.ticket_number, booking.note)
        return [
            Draft(
                dedupe_key=keys.callback_card(callback.id),
                chat_id=staff_chat,
                text=card_text(st, view, tz),
                subject=keys.callback_subject(callback.id),
                params={
                    "reply_markup": card_markup(st, callback.id or 0).model_dump(exclude_none=True)
                },
            )
        ]

    result = await call_backs.book(
        session,
        estate=estate,
        owner_id=saved_id(owner),
        topic=booking.topic,
        ticket_id=booking.ticket_id,
        note=booking.note,
        slot=slot,
        now=clock(),
        drafts=drafts,
    )
    await close_buttons(query)
    if result.outcome == Outcome.slot_gone:
        await query.answer(t("cb-slot-gone"), show_alert=True)
        await ask_slot(anchor_of(query), t, estate, state, clock())
        return
    await state.clear()
    if result.outcome != Outcome.booked:
        await query.answer()
        await anchor_of(query).answer(
            t(REFUSALS.get(result.outcome, "cb-stale"), count=call_backs.MAX_BOOKED),
            reply_markup=main_menu(t),
        )
        return
    await query.answer()
    await anchor_of(query).answer(
        t("cb-booked", slot=Html(slot_text(t, slot.start, slot.end, tz))),
        reply_markup=main_menu(t),
    )


# --- the staff side --------------------------------------------------------------------------


@router.message(Command("callbacks"), IsActiveStaff())
async def list_booked(
    message: Message,
    command: CommandObject,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
) -> None:
    """/callbacks [today|week]: booked call-backs by slot, from the start of today."""
    period = (command.args or "today").strip().casefold()
    if period not in ("today", "week"):
        await message.reply(t("cb-staff-usage"))
        return
    tz = tz_of(estate)
    today = clock().astimezone(tz).date()
    start = datetime.combine(today, time(0), tz)
    end = datetime.combine(today + timedelta(days=1 if period == "today" else 7), time(0), tz)
    found = await call_backs.booked_between(session, saved_id(estate), start, end)
    tasks = await call_backs.open_tasks(session, saved_id(estate), end)
    lines: list[str] = []
    if found:
        title = "cb-staff-title-today" if period == "today" else "cb-staff-title-week"
        lines.append(t(title, count=len(found)))
    elif not tasks:
        lines.append(t("cb-staff-none-today" if period == "today" else "cb-staff-none-week"))
    for view in found[:LIST_LIMIT]:
        lines.append(
            t(
                "cb-staff-line",
                id=str(view.callback.id),
                slot=Html(slot_text(t, view.callback.slot_start, view.callback.slot_end, tz)),
                name=view.owner.name,
                phone=view.owner.phone or "—",
                units=units_text(view),
                topic=Html(topic_text(t, view.callback.topic, view.ticket_number)),
            )
        )
    if len(found) > LIST_LIMIT:
        lines.append(t("cb-staff-more", count=len(found) - LIST_LIMIT))
    markup = None
    if tasks:
        if lines:
            lines.append("")
        lines += task_lines(t, tasks[:TASKS_LISTED], tz, clock())
        if len(tasks) > TASKS_LISTED:
            lines.append(t("cb-staff-more", count=len(tasks) - TASKS_LISTED))
        markup = task_markup(t, tasks[:TASKS_LISTED])
    await message.reply("\n".join(lines), reply_markup=markup)


def units_text(view: CallbackView) -> str:
    return ", ".join(f"{u.building}-{u.number}" for u in view.units) or "—"


# --- call-back tasks (回访) -------------------------------------------------------------------


def task_label(t: Translator, view: CallbackView) -> str:
    if view.ticket_number is not None:
        return t("task-label-ticket", number=str(view.ticket_number))
    return t("task-label-survey", id=str(view.callback.id))


def task_lines(t: Translator, tasks: list[CallbackView], tz: ZoneInfo, now: datetime) -> list[str]:
    """The open tasks, soonest deadline first, overdue ones flagged."""
    lines = [t("task-title", count=len(tasks))]
    for view in tasks:
        task = view.callback
        due = task.due_at or task.slot_end
        lines.append(
            t(
                "task-line",
                flag=Html(t("task-overdue") + " ") if call_backs.is_overdue(task, now) else "",
                label=Html(task_label(t, view)),
                origin=Html(t(f"task-origin-{task.origin.replace('_', '-')}")),
                name=view.owner.name,
                units=units_text(view),
                phone=view.owner.phone or "—",
                due=due.astimezone(tz).strftime("%m-%d %H:%M"),
            )
        )
    lines.append(t("task-legend"))
    return lines


def task_markup(t: Translator, tasks: list[CallbackView]) -> InlineKeyboardMarkup:
    """Per task one row: Reached, Not reached, Reschedule."""
    builder = Buttons()
    for view in tasks:
        label = task_label(t, view)
        for action in TaskAction:
            builder.button(
                text=t(f"task-btn-{action.replace('_', '-')}", label=Html(label)),
                callback_data=TaskCB(action=action, callback_id=view.callback.id or 0),
            )
    builder.adjust(len(TaskAction))
    return builder.as_markup()


@router.callback_query(TaskCB.filter(), IsActiveStaff())
async def on_task(
    query: CallbackQuery,
    callback_data: TaskCB,
    t: Translator,
    own_t: Translator,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
) -> None:
    """Reached / Not reached / Reschedule on a task: recorded in the ticket's history; the
    confirmation takes a note as a reply."""
    now = clock()
    result = await call_backs.record_task(
        session,
        estate_id=saved_id(estate),
        callback_id=callback_data.callback_id,
        member=staff_member,
        action=callback_data.action,
        now=now,
    )
    if result.outcome in (Outcome.not_found, Outcome.not_task) or result.callback is None:
        await query.answer(own_t("task-not-found"), show_alert=True)
        return
    if result.outcome != Outcome.recorded:
        status = own_t(f"task-status-{result.callback.status}")
        await query.answer(own_t("task-already", status=Html(status)), show_alert=True)
        return
    view = await call_backs.view(session, result.callback)
    label = Html(task_label(t, view))
    action = callback_data.action
    if action == TaskAction.reschedule:
        due = result.callback.due_at or now
        day = due.astimezone(tz_of(estate)).strftime("%m-%d")
        note = t("task-recorded-reschedule", label=label, day=day, staff=staff_member.name)
    else:
        key = f"task-recorded-{action.replace('_', '-')}"
        note = t(key, label=label, staff=staff_member.name)
    await query.answer()
    if isinstance(query.message, Message):
        sent = await query.message.answer(note)
        if action != TaskAction.reschedule:
            await outbox.remember(
                session,
                chat_id=sent.chat.id,
                message_id=sent.message_id,
                subject=keys.call_task_subject(result.callback.id),
                at=now,
            )


@router.callback_query(TaskCB.filter())
async def on_task_refused(query: CallbackQuery, own_t: Translator) -> None:
    """A task button pressed by anyone but active staff in the staff group: nothing changes."""
    await refuse_non_staff(query, own_t)


@router.message(
    RepliedAbout("task_id", partial(keys.subject_id, kind=keys.SubjectKind.call_task)),
    F.text,
    IsActiveStaff(),
)
async def task_note(
    message: Message,
    task_id: int,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
) -> None:
    """A reply to a task's confirmation: a note in the ticket's history."""
    result = await call_backs.add_task_note(
        session,
        estate_id=saved_id(estate),
        callback_id=task_id,
        member=staff_member,
        text=message.text or "",
        now=clock(),
    )
    if result.outcome == Outcome.invalid:
        await message.reply(t("task-note-invalid", limit=str(call_backs.TASK_NOTE_MAX)))
        return
    if result.outcome != Outcome.recorded or result.callback is None:
        await message.reply(t("task-not-found"))
        return
    view = await call_backs.view(session, result.callback)
    await message.reply(t("task-note-added", label=Html(task_label(t, view))))


@router.message(Command("callbacks"), IsStaffChat())
async def list_refused(message: Message, t: Translator) -> None:
    """/callbacks from someone who is not active staff: refused."""
    await refuse_non_staff(message, t)


def missed_notice(
    catalogs: Catalogs, estate: Estate, callback: Callback, owner: Owner
) -> list[Draft]:
    chat = cards.owner_chat(owner)
    if chat is None:
        return []
    t = owner_t(catalogs, estate, owner)
    slot = slot_text(t, callback.slot_start, callback.slot_end, tz_of(estate))
    return [
        Draft(keys.callback_event(callback.id, "missed"), chat, t("cb-owner-missed", slot=slot))
    ]


@router.callback_query(CbStaff.filter(), IsActiveStaff())
async def on_outcome(
    query: CallbackQuery,
    callback_data: CbStaff,
    t: Translator,
    own_t: Translator,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    bot: Bot,
) -> None:
    """Done / Missed on a card: record it (only while booked) and edit the card in place;
    after a missed call the owner is told, so they can book another time."""
    if estate.id is None or staff_member.id is None:
        raise UnsavedRowError("estate.id, staff_member.id: not saved yet")
    done = callback_data.action == StaffAction.done
    result = await call_backs.record_outcome(
        session,
        estate_id=estate.id,
        callback_id=callback_data.callback_id,
        staff_id=staff_member.id,
        status=CallbackStatus.done if done else CallbackStatus.missed,
        outcome="reached" if done else "no_answer",
        now=clock(),
        drafts=lambda callback, owner: (
            () if done else missed_notice(catalogs, estate, callback, owner)
        ),
    )
    if result.outcome == Outcome.not_found or result.callback is None:
        await query.answer(own_t("cb-not-found"), show_alert=True)
        return
    if result.outcome == Outcome.too_early:
        callback = result.callback
        slot = slot_text(own_t, callback.slot_start, callback.slot_end, tz_of(estate))
        await query.answer(own_t("cb-staff-too-early", slot=slot), show_alert=True)
        return
    if result.outcome != Outcome.recorded:
        status = own_t(f"cb-status-{result.callback.status}")
        await query.answer(own_t("cb-staff-already", status=Html(status)), show_alert=True)
        return
    key = "cb-staff-done" if done else "cb-staff-missed"
    # The presser's popup in their language; the note on the card in the group's.
    await query.answer(own_t(key, staff=staff_member.name))
    note = t(key, staff=staff_member.name)
    if query.message is not None and query.message.chat.id == estate.staff_chat_id:
        view = await call_backs.view(session, result.callback)
        with unchanged_is_done():
            await bot.edit_message_text(
                text=f"{card_text(t, view, tz_of(estate))}\n\n{note}",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )


@router.callback_query(CbStaff.filter())
async def on_outcome_refused(query: CallbackQuery, own_t: Translator) -> None:
    """Done / Missed pressed by anyone but active staff in the staff group: nothing changes."""
    await refuse_non_staff(query, own_t)
