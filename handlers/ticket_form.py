"""What repairs and complaints share: the draft, step order, photos, phone, summary, Edit, Confirm.

The draft lives in the FSM data. Each answer fills one field and `advance` asks for the first
field still missing, so Edit only has to forget a field to come back to the summary afterwards.
Kind-specific steps (where, urgency, visit time, call wish) register their question with `asker`.
"""

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters.callback_data import CallbackData
from aiogram.filters.state import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
)
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers import cards, notifications
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import Buttons, NotMenu, close_buttons, main_menu
from storage import owners, tickets, units
from storage.db import UnsavedRowError
from storage.models import Estate, Owner, TicketKind, Unit, Urgency

MAX_PHOTOS = tickets.MAX_PHOTOS
DESCRIPTION_MIN = tickets.DESCRIPTION_MIN
DESCRIPTION_MAX = tickets.DESCRIPTION_MAX
PHONE_MAX = 40

router = Router(name=__name__)


class TicketForm(StatesGroup):
    where = State()
    building = State()
    place = State()
    category = State()
    description = State()
    photos = State()
    urgency = State()
    visit = State()
    phone = State()
    call = State()
    summary = State()
    edit = State()


# Every message handler here is a step of the form: one check skips them all outside it.
router.message.filter(StateFilter(TicketForm), IsVerifiedOwner())
router.callback_query.filter(IsVerifiedOwner())


# Steps answered by typing; every other step is answered with buttons.
TEXT_STEPS = frozenset({"building", "place", "description", "phone"})


class FormStep(StrEnum):
    """The form step a button answers; short values keep the button data within 64 bytes."""

    where = "where"
    category = "cat"
    urgency = "urgency"
    visit = "visit"
    photos = "photos"
    phone = "phone"
    call = "call"
    summary = "sum"
    edit = "edit"


class FormCB(CallbackData, prefix="tf"):
    """A button of the repair/complaint form: the step it answers, the answer, the draft."""

    step: FormStep
    value: str = ""
    ref: str = ""


class FormDraft(BaseModel):
    """The request being written; `None` means "not answered yet"."""

    kind: TicketKind
    token: str
    unit_id: int | None = None
    unit_label: str | None = None
    building: str | None = None
    location: str | None = None
    category: str | None = None
    description: str | None = None
    photos: list[tuple[str, str]] = []
    # The file_unique_ids of photos sent as files (📎), which go back out as documents.
    documents: list[str] = []
    photos_done: bool = False
    urgency: Urgency | None = None
    visit: str | None = None
    preferred_time: str | None = None
    contact_phone: str | None = None
    wants_call: bool | None = None


@dataclass
class Ctx:
    """What a step needs to ask its question: who, where, when, in which language."""

    t: Translator
    session: AsyncSession
    estate: Estate
    owner: Owner
    state: FSMContext
    now: datetime
    anchor: Message | InaccessibleMessage
    _homes: list[Unit] | None = None

    async def homes(self) -> list[Unit]:
        """The owner's units, read once per update however many steps ask (start and "where")."""
        if self._homes is None:
            if self.owner.id is None:
                raise UnsavedRowError("ctx.owner.id: not saved yet")
            self._homes = await units.of_owner(self.session, self.owner.id)
        return self._homes

    async def say(
        self, text: str, markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
    ) -> Message:
        return await self.anchor.answer(text, reply_markup=markup)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.estate.time_zone)


def ctx_of(
    event: Message | CallbackQuery,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> Ctx:
    anchor = event if isinstance(event, Message) else event.message
    if anchor is None:
        raise RuntimeError("form buttons are only sent in private chats")
    return Ctx(t, session, estate, owner, state, clock(), anchor)


Asker = Callable[[Ctx, FormDraft], Awaitable[None]]
_ASKERS: dict[str, Asker] = {}


def asker(step: str) -> Callable[[Asker], Asker]:
    """Register the question of a step (repairs and complaints add their own steps)."""

    def register(ask: Asker) -> Asker:
        _ASKERS[step] = ask
        return ask

    return register


def categories(kind: TicketKind) -> Sequence[str]:
    return tickets.REPAIR_CATEGORIES if kind is TicketKind.repair else tickets.COMPLAINT_CATEGORIES


def next_step(draft: FormDraft) -> str:
    """The first step whose answer is still missing, or "summary"."""
    repair = draft.kind is TicketKind.repair
    if repair and draft.unit_id is None and draft.location is None:
        return "place" if draft.building else "where"
    if draft.category is None:
        return "category"
    if draft.description is None:
        return "description"
    if not draft.photos_done:
        return "photos"
    if repair:
        if draft.urgency is None:
            return "urgency"
        if draft.urgency is Urgency.normal and draft.visit is None:
            return "visit"
        if draft.contact_phone is None:
            return "phone"
    else:
        if draft.wants_call is None:
            return "call"
        if draft.wants_call and draft.contact_phone is None:
            return "phone"
    return "summary"


async def load(state: FSMContext) -> FormDraft | None:
    raw = (await state.get_data()).get("draft")
    return FormDraft.model_validate(raw) if raw else None


async def save(state: FSMContext, draft: FormDraft) -> None:
    await state.update_data(draft=draft.model_dump(mode="json"))


async def advance(ctx: Ctx, draft: FormDraft) -> None:
    """Save the draft and ask for whatever is missing next (the summary when nothing is)."""
    step = next_step(draft)
    await save(ctx.state, draft)
    await ctx.state.set_state(getattr(TicketForm, step))
    await _ASKERS[step](ctx, draft)


async def begin(ctx: Ctx, kind: TicketKind, description: str | None = None) -> None:
    """Start a new draft, dropping any other conversation in progress; a `description` the
    owner already wrote (outside the flow) fills that step, so it is not asked."""
    homes = await ctx.homes()
    draft = FormDraft(
        kind=kind,
        token=secrets.token_hex(4),
        contact_phone=ctx.owner.phone,
        description=description,
    )
    if len(homes) == 1 or (homes and kind is TicketKind.complaint):
        # One home: no question ("common area" is offered beside the categories instead).
        # A complaint comes from the household: its primary unit, never asked.
        draft.unit_id = homes[0].id
        draft.unit_label = unit_label(ctx.t, homes[0].building, homes[0].number)
    await ctx.state.set_data({})
    await advance(ctx, draft)


def unit_label(t: Translator, building: str, number: str) -> str:
    return t("form-unit", building=building, number=number)


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


def button(text: str, step: FormStep, value: str, draft: FormDraft) -> InlineKeyboardButton:
    """A form button tied to this draft, so a button of an older draft is recognised as stale."""
    return InlineKeyboardButton(
        text=text, callback_data=FormCB(step=step, value=value, ref=draft.token).pack()
    )


def grid(
    buttons: Sequence[InlineKeyboardButton],
    width: int = 2,
    *,
    last: InlineKeyboardButton | None = None,
) -> InlineKeyboardMarkup:
    """The choices `width` a row, and `last` (Back, "somewhere else") in a row of its own."""
    builder = Buttons()
    builder.add(*buttons)
    builder.adjust(width)
    if last is not None:
        builder.row(last)
    return builder.as_markup()


async def pressed(
    query: CallbackQuery, callback_data: FormCB, state: FSMContext, t: Translator
) -> FormDraft | None:
    """The draft a form button belongs to, with the query answered; None (and an explanation)
    for a button of an older draft."""
    draft = await load(state)
    if draft is None or callback_data.ref != draft.token:
        await query.answer(t("form-stale"), show_alert=True)
        return None
    await query.answer()
    await close_buttons(query)
    return draft


ButtonAnswer = Callable[[Ctx, FormDraft, str], Awaitable[None]]
TextAnswer = Callable[[Ctx, FormDraft, Message], Awaitable[None]]


def button_step(router: Router, *filters: CallbackType) -> Callable[[ButtonAnswer], ButtonAnswer]:
    """Register what a form button does with its value; buttons of an older draft never get
    that far (see `pressed`)."""

    def register(answer: ButtonAnswer) -> ButtonAnswer:
        async def handler(
            query: CallbackQuery,
            callback_data: FormCB,
            t: Translator,
            session: AsyncSession,
            estate: Estate,
            owner: Owner,
            state: FSMContext,
            clock: Clock,
        ) -> None:
            draft = await pressed(query, callback_data, state, t)
            if draft is None:
                return
            ctx = ctx_of(query, t, session, estate, owner, state, clock)
            await answer(ctx, draft, callback_data.value)

        router.callback_query(*filters)(handler)
        return answer

    return register


def message_step(router: Router, *filters: CallbackType) -> Callable[[TextAnswer], TextAnswer]:
    """Register what a message sent at a step does; without a draft it is ignored."""

    def register(answer: TextAnswer) -> TextAnswer:
        async def handler(
            message: Message,
            t: Translator,
            session: AsyncSession,
            estate: Estate,
            owner: Owner,
            state: FSMContext,
            clock: Clock,
        ) -> None:
            draft = await load(state)
            if draft is None:
                return
            await answer(ctx_of(message, t, session, estate, owner, state, clock), draft, message)

        router.message(*filters)(handler)
        return answer

    return register


# --- category ------------------------------------------------------------------------------------


@asker("category")
async def ask_category(ctx: Ctx, draft: FormDraft) -> None:
    t = ctx.t
    choices = [
        button(cards.category_label(t, code), FormStep.category, code, draft)
        for code in categories(draft.kind)
    ]
    if draft.kind is TicketKind.complaint:
        await ctx.say(t("complaint-ask-category"), grid(choices))
        return
    elsewhere = None
    if draft.unit_id is not None:
        elsewhere = button(t("repair-btn-common-instead"), FormStep.where, "0", draft)
    markup = grid(choices, last=elsewhere)
    await ctx.say(t("repair-ask-category", place=draft.unit_label or draft.location or ""), markup)


@button_step(router, TicketForm.category, FormCB.filter(F.step == FormStep.category))
async def on_category(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """A category button; only this kind's categories count."""
    if value in categories(draft.kind):
        draft.category = value
    await advance(ctx, draft)


# --- description ---------------------------------------------------------------------------------


@asker("description")
async def ask_description(ctx: Ctx, draft: FormDraft) -> None:
    if draft.kind is TicketKind.repair:
        await ctx.say(ctx.t("repair-ask-description", limit=MAX_PHOTOS))
    else:
        await ctx.say(ctx.t("complaint-ask-description", limit=MAX_PHOTOS))


def description_problem(t: Translator, text: str) -> str | None:
    """Why a description is refused, or None if it is fine."""
    length = len(text.strip())
    if tickets.meaningful_length(text) < DESCRIPTION_MIN:
        return t("form-description-too-short", count=DESCRIPTION_MIN)
    if length > DESCRIPTION_MAX:
        return t("form-description-too-long", limit=str(DESCRIPTION_MAX), length=str(length))
    return None


def image_document(message: Message) -> bool:
    """A picture sent as a file (📎): a document whose type is an image."""
    document = message.document
    return document is not None and (document.mime_type or "").startswith("image/")


# A photo, or a picture sent as a file: both are the owner's photos.
IMAGE = F.photo | F.func(image_document)


def photo_of(message: Message) -> tuple[str, str]:
    if not message.photo:
        raise RuntimeError("the photo filter let through a message without a photo")
    largest = message.photo[-1]
    return largest.file_id, largest.file_unique_id


def add_photo(draft: FormDraft, message: Message) -> None:
    if message.photo:
        draft.photos.append(photo_of(message))
    elif message.document is not None and image_document(message):
        document = message.document
        draft.photos.append((document.file_id, document.file_unique_id))
        draft.documents.append(document.file_unique_id)
    else:
        raise RuntimeError("the image filter let through a message without an image")


@message_step(router, TicketForm.description, IMAGE)
async def on_description_photo(ctx: Ctx, draft: FormDraft, message: Message) -> None:
    """A photo while asked to describe: kept; its caption, if long enough, is the description."""
    t = ctx.t
    if len(draft.photos) < MAX_PHOTOS:
        add_photo(draft, message)
    caption = (message.caption or "").strip()
    problem = description_problem(t, caption) if caption else t("form-description-photo-kept")
    if problem:
        await save(ctx.state, draft)
        await message.answer(problem)
        return
    draft.description = caption
    await advance(ctx, draft)


@message_step(router, TicketForm.description, F.text, NotMenu())
async def on_description(ctx: Ctx, draft: FormDraft, message: Message) -> None:
    """The description, 5–2000 characters."""
    if message.text is None:
        return
    problem = description_problem(ctx.t, message.text)
    if problem:
        await message.answer(problem)
        return
    draft.description = message.text.strip()
    await advance(ctx, draft)


# --- photos --------------------------------------------------------------------------------------


def done_button(t: Translator, draft: FormDraft) -> InlineKeyboardMarkup:
    label = t("form-btn-done") if draft.photos else t("form-btn-skip")
    return grid([button(label, FormStep.photos, "done", draft)])


@asker("photos")
async def ask_photos(ctx: Ctx, draft: FormDraft) -> None:
    if draft.photos:
        text = ctx.t("form-ask-more-photos", count=len(draft.photos), limit=MAX_PHOTOS)
    else:
        text = ctx.t("form-ask-photos", limit=MAX_PHOTOS)
    await ctx.say(text, done_button(ctx.t, draft))


@router.message(TicketForm.photos, IMAGE)
async def on_photo(message: Message, t: Translator, state: FSMContext) -> None:
    """One more photo, up to five; a sixth is politely refused. A caption is part of what the
    owner tells us, so it joins the description (while that stays within its limit)."""
    draft = await load(state)
    if draft is None:
        return
    if len(draft.photos) >= MAX_PHOTOS:
        await message.answer(
            t("form-photos-full", limit=MAX_PHOTOS), reply_markup=done_button(t, draft)
        )
        return
    add_photo(draft, message)
    caption = (message.caption or "").strip()
    described = draft.description or ""
    if caption and len(described) + 1 + len(caption) <= DESCRIPTION_MAX:
        draft.description = f"{described}\n{caption}" if described else caption
    await save(state, draft)
    key = "form-photo-added-last" if len(draft.photos) == MAX_PHOTOS else "form-photo-added"
    await message.answer(
        t(key, count=len(draft.photos), limit=MAX_PHOTOS), reply_markup=done_button(t, draft)
    )


@router.message(TicketForm.photos, F.document)
async def on_other_file(message: Message, t: Translator, state: FSMContext) -> None:
    """A file that is not a picture (a PDF, a video as a file): politely refused."""
    draft = await load(state)
    if draft is None:
        return
    await message.answer(t("form-photo-not-image"), reply_markup=done_button(t, draft))


@button_step(router, TicketForm.photos, FormCB.filter(F.step == FormStep.photos))
async def on_photos_done(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Done (or Skip): on to the next step."""
    draft.photos_done = True
    await advance(ctx, draft)


# --- contact phone -------------------------------------------------------------------------------


@asker("phone")
async def ask_phone(ctx: Ctx, draft: FormDraft) -> None:
    markup = None
    if ctx.owner.phone:
        mine = ctx.t("form-btn-my-phone", phone=ctx.owner.phone)
        markup = grid([button(mine, FormStep.phone, "mine", draft)])
    await ctx.say(ctx.t("form-ask-phone"), markup)


@button_step(router, TicketForm.phone, FormCB.filter(F.step == FormStep.phone))
async def on_my_phone(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Use the registered number."""
    draft.contact_phone = ctx.owner.phone
    await advance(ctx, draft)


@message_step(router, TicketForm.phone, F.text, NotMenu())
async def on_phone_typed(ctx: Ctx, draft: FormDraft, message: Message) -> None:
    """Another number, normalised to E.164 in the estate's region."""
    if message.text is None:
        return
    phone = owners.normalize_phone(message.text[:PHONE_MAX], ctx.estate.phone_region)
    if phone is None:
        await message.answer(ctx.t("form-phone-invalid"))
        return
    draft.contact_phone = phone
    await advance(ctx, draft)


# --- summary, Edit, Confirm, Cancel --------------------------------------------------------------


def visit_text(t: Translator, draft: FormDraft) -> str:
    if draft.urgency is Urgency.urgent:
        return t("form-visit-asap")
    if draft.visit is None or draft.preferred_time is None:
        return t("form-visit-any")
    return t("form-visit-at", label=t(f"repair-visit-{draft.visit}"), window=draft.preferred_time)


def summary_text(t: Translator, draft: FormDraft) -> str:
    repair = draft.kind is TicketKind.repair
    lines = [t("repair-summary-title") if repair else t("complaint-summary-title")]
    if repair:
        lines.append(t("form-sum-place", place=draft.unit_label or draft.location or ""))
    category = cards.category_label(t, draft.category or "other")
    lines.append(t("form-sum-category", category=category))
    lines.append(t("form-sum-description", description=draft.description or ""))
    lines.append(t("form-sum-photos", count=len(draft.photos)))
    if repair:
        lines.append(t("form-sum-urgency", urgency=t(f"urgency-{draft.urgency}")))
        lines.append(t("form-sum-visit", visit=visit_text(t, draft)))
        lines.append(t("form-sum-phone", phone=draft.contact_phone or ""))
    else:
        lines.append(t("form-sum-call-yes") if draft.wants_call else t("form-sum-call-no"))
        if draft.wants_call:
            lines.append(t("form-sum-phone", phone=draft.contact_phone or ""))
    lines.append(t("form-sum-check"))
    return "\n".join(lines)


@asker("summary")
async def ask_summary(ctx: Ctx, draft: FormDraft) -> None:
    t = ctx.t
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t("form-btn-confirm"), FormStep.summary, "ok", draft)],
            [
                button(t("form-btn-edit"), FormStep.summary, "edit", draft),
                button(t("form-btn-cancel"), FormStep.summary, "cancel", draft),
            ],
        ]
    )
    await ctx.say(summary_text(t, draft), markup)


def editable(draft: FormDraft) -> list[str]:
    """The answers the owner may change from the summary, in the order they were asked."""
    if draft.kind is TicketKind.complaint:
        return ["category", "description", "photos", "call"] + (
            ["phone"] if draft.wants_call else []
        )
    fields = ["where", "category", "description", "photos", "urgency"]
    if draft.urgency is Urgency.normal:
        fields.append("visit")
    return [*fields, "phone"]


@asker("edit")
async def ask_edit(ctx: Ctx, draft: FormDraft) -> None:
    t = ctx.t
    markup = grid(
        [button(t(f"form-field-{name}"), FormStep.edit, name, draft) for name in editable(draft)],
        last=button(t("form-btn-back"), FormStep.edit, "back", draft),
    )
    await ctx.say(t("form-ask-edit"), markup)


def forget(draft: FormDraft, name: str) -> None:
    """Forget one answer, so `advance` asks it again and then returns to the summary."""
    cleared: dict[str, dict[str, Any]] = {
        "where": {"unit_id": None, "unit_label": None, "building": None, "location": None},
        "category": {"category": None},
        "description": {"description": None},
        "photos": {"photos": [], "documents": [], "photos_done": False},
        "urgency": {"urgency": None, "visit": None, "preferred_time": None},
        "visit": {"visit": None, "preferred_time": None},
        "phone": {"contact_phone": None},
        "call": {"wants_call": None},
    }
    for field, value in cleared.get(name, {}).items():
        setattr(draft, field, value)


@button_step(router, TicketForm.summary, FormCB.filter(F.step == FormStep.summary))
async def on_summary(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Confirm, Edit or Cancel, on the summary of this very draft."""
    t, state = ctx.t, ctx.state
    if value == "edit":
        # A new token: the buttons of this summary must not confirm the edited draft later.
        draft.token = secrets.token_hex(4)
        await save(state, draft)
        await state.set_state(TicketForm.edit)
        await ask_edit(ctx, draft)
        return
    # Cleared before the insert: a second press of Confirm finds no draft and creates nothing.
    await state.clear()
    if value == "cancel":
        await ctx.say(t("form-cancelled"), main_menu(t))
        return
    try:
        await submit(ctx, draft)
    except tickets.TicketError:
        # Refused (the owner lost their verification meanwhile, or a unit vanished): say so and
        # leave the draft where it was, so nothing typed is lost.
        await state.set_state(TicketForm.summary)
        await save(state, draft)
        await ctx.say(t("form-refused"))


async def submit(ctx: Ctx, draft: FormDraft) -> None:
    """Create the ticket (its staff card goes out through the outbox, in the staff group's
    language from the same catalogs) and tell the owner."""
    t, estate = ctx.t, ctx.estate
    view = await tickets.create(
        ctx.session,
        estate=estate,
        owner=ctx.owner,
        kind=draft.kind,
        category=draft.category or "",
        description=draft.description or "",
        unit_id=draft.unit_id,
        location=draft.location,
        urgency=draft.urgency or Urgency.normal,
        preferred_time=draft.preferred_time,
        contact_phone=draft.contact_phone,
        wants_call=bool(draft.wants_call),
        photos=draft.photos,
        documents=draft.documents,
        now=ctx.now,
        notify=notifications.card_drafts(t.catalogs, estate),
    )
    ticket = view.ticket
    due = local_time(ticket.sla_due_at, ctx.tz)
    if draft.kind is TicketKind.complaint:
        text = t(
            "complaint-created",
            number=str(ticket.number),
            deadline=due,
            count=estate.sla_complaint_hours,
        )
    elif ticket.urgency == Urgency.urgent and estate.emergency_phone:
        text = t(
            "repair-created-urgent",
            number=str(ticket.number),
            deadline=due,
            phone=estate.emergency_phone,
        )
    else:
        text = t("repair-created", number=str(ticket.number), deadline=due)
    # Replying to the confirmation adds to the request, like replying to any message about it.
    # No commit of its own: the draft cleared above is written after this handler, and the
    # row goes with it in that one commit (bot.middlewares.ConversationMiddleware).
    sent = await ctx.say(text, main_menu(t))
    await cards.remember_about(ctx.session, sent, ticket.id, ctx.now, commit=False)


@button_step(router, TicketForm.edit, FormCB.filter(F.step == FormStep.edit))
async def on_edit_field(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Which answer to change; Back returns to the summary with nothing changed."""
    if value in editable(draft):
        forget(draft, value)
    await advance(ctx, draft)


@router.callback_query(FormCB.filter())
async def on_stale_button(query: CallbackQuery, t: Translator) -> None:
    """A form button of an earlier step or an old draft: explain, change nothing."""
    await query.answer(t("form-stale"), show_alert=True)


async def ask_again(ctx: Ctx) -> None:
    """The current step's question once more (the owner chose to keep the report)."""
    draft = await load(ctx.state)
    current = await ctx.state.get_state()
    if draft is not None and current is not None:
        await _ASKERS[current.rsplit(":", 1)[-1]](ctx, draft)


@router.message(StateFilter(TicketForm), NotMenu())
async def on_unexpected(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Input that does not fit the step (text for a button, a sticker for text): say what is
    expected and ask the same question again."""
    draft = await load(state)
    current = await state.get_state()
    if draft is None or current is None:
        await state.clear()
        await message.answer(t("form-cancelled"), reply_markup=main_menu(t))
        return
    step = current.rsplit(":", 1)[-1]
    if step == "photos":
        await message.answer(t("form-photos-expected"))
    elif step in TEXT_STEPS:
        await message.answer(t("form-text-expected"))
    else:
        await message.answer(t("form-use-buttons"))
    await _ASKERS[step](ctx_of(message, t, session, estate, owner, state, clock), draft)
