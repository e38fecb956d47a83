"""Report a repair (报修): where, category, description, photos, urgency, visit time, phone.

The shared steps, the summary and the confirm step live in handlers/ticket_form.py; this module
starts the flow and owns the steps only a repair has.
"""

from datetime import datetime, time, timedelta

from aiogram import F, Router
from aiogram.filters.state import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import NotMenu, TextKey
from handlers.ticket_form import (
    Ctx,
    FormCB,
    FormDraft,
    FormStep,
    TicketForm,
    advance,
    asker,
    begin,
    button,
    button_step,
    ctx_of,
    grid,
    message_step,
    save,
    unit_label,
)
from storage import calendar
from storage.models import Estate, Owner, TicketKind, Urgency

BUILDING_MAX = 30
PLACE_MIN = 2
PLACE_MAX = 200
VISIT_CHOICES = ("today-am", "today-pm", "tomorrow-am", "tomorrow-pm", "any")

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())
router.callback_query.filter(IsVerifiedOwner())


@router.message(TextKey("menu-repair"))
async def start_repair(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The menu button (or /repair, 报修 …): start a new repair request."""
    await begin(ctx_of(message, t, session, estate, owner, state, clock), TicketKind.repair)


# --- where: one of the owner's units, or a common area (building + place) ------------------------


@asker("where")
async def ask_where(ctx: Ctx, draft: FormDraft) -> None:
    homes = await ctx.homes()
    if not homes:
        await ctx.state.set_state(TicketForm.building)
        await ask_building(ctx, draft)
        return
    choices = [
        button(unit_label(ctx.t, u.building, u.number), FormStep.where, str(u.id), draft)
        for u in homes
    ]
    choices.append(button(ctx.t("repair-btn-common"), FormStep.where, "0", draft))
    await ctx.say(ctx.t("repair-ask-where"), grid(choices))


@button_step(
    router,
    StateFilter(TicketForm.where, TicketForm.category),
    FormCB.filter(F.step == FormStep.where),
)
async def on_where(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """A unit of the owner's, or "common area" (also offered beside the categories)."""
    draft.unit_id = draft.unit_label = draft.location = draft.building = None
    if value == "0":
        await save(ctx.state, draft)
        await ctx.state.set_state(TicketForm.building)
        await ask_building(ctx, draft)
        return
    homes = {str(u.id): u for u in await ctx.homes()}
    home = homes.get(value)
    if home is not None:
        draft.unit_id = home.id
        draft.unit_label = unit_label(ctx.t, home.building, home.number)
    await advance(ctx, draft)


@asker("building")
async def ask_building(ctx: Ctx, draft: FormDraft) -> None:
    await ctx.say(ctx.t("repair-ask-building"))


@message_step(router, TicketForm.building, F.text, NotMenu())
async def on_building(ctx: Ctx, draft: FormDraft, message: Message) -> None:
    """Which building the common area is in (or "estate" for grounds, gates, car park)."""
    text = " ".join((message.text or "").split())
    if not text or len(text) > BUILDING_MAX:
        await message.answer(ctx.t("repair-building-invalid", limit=str(BUILDING_MAX)))
        return
    draft.building = text
    await advance(ctx, draft)


@asker("place")
async def ask_place(ctx: Ctx, draft: FormDraft) -> None:
    await ctx.say(ctx.t("repair-ask-place", building=draft.building or ""))


@message_step(router, TicketForm.place, F.text, NotMenu())
async def on_place(ctx: Ctx, draft: FormDraft, message: Message) -> None:
    """Where exactly in that building."""
    t = ctx.t
    text = " ".join((message.text or "").split())
    if not PLACE_MIN <= len(text) <= PLACE_MAX:
        await message.answer(t("repair-place-invalid", min=str(PLACE_MIN), max=str(PLACE_MAX)))
        return
    draft.location = t("repair-location", building=draft.building or "", place=text)
    draft.building = None
    await advance(ctx, draft)


# --- urgency -------------------------------------------------------------------------------------


@asker("urgency")
async def ask_urgency(ctx: Ctx, draft: FormDraft) -> None:
    choices = [
        button(ctx.t("repair-btn-normal"), FormStep.urgency, Urgency.normal.value, draft),
        button(ctx.t("repair-btn-urgent"), FormStep.urgency, Urgency.urgent.value, draft),
    ]
    await ctx.say(ctx.t("repair-ask-urgency"), grid(choices, width=1))


@button_step(router, TicketForm.urgency, FormCB.filter(F.step == FormStep.urgency))
async def on_urgency(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Normal or urgent; urgent gets the emergency phone at once and skips the visit time."""
    if value in (Urgency.normal.value, Urgency.urgent.value):
        draft.urgency = Urgency(value)
    if draft.urgency is Urgency.urgent:
        # Someone with water through the ceiling is not asked for an appointment.
        draft.visit = draft.preferred_time = None
        if ctx.estate.emergency_phone:
            await ctx.say(ctx.t("repair-emergency-phone", phone=ctx.estate.emergency_phone))
    await advance(ctx, draft)


# --- preferred visit time ------------------------------------------------------------------------


def _half(estate: Estate, choice: str) -> tuple[time, time] | None:
    """The half-day a choice names in the estate's working hours; None if they leave it out."""
    morning, afternoon = calendar.day_halves(estate)
    return morning if choice.endswith("am") else afternoon


def visit_window(choice: str, now: datetime, estate: Estate) -> str | None:
    """The stored preferred time: a date and half-day window in the estate's working hours
    ("2026-11-23 09:00-12:00"), readable as is by staff of any language; None for "any"."""
    half = _half(estate, choice)
    if choice == "any" or half is None:
        return None
    day = calendar.local(estate, now).date()
    if choice.startswith("tomorrow"):
        day += timedelta(days=1)
    start, end = half
    return f"{day.isoformat()} {start:%H:%M}-{end:%H:%M}"


def visit_choices(now: datetime, estate: Estate) -> list[str]:
    """Half-days inside the working hours; today's only while they are still ahead."""
    local = calendar.local(estate, now).time()
    offered = []
    for choice in VISIT_CHOICES:
        half = None if choice == "any" else _half(estate, choice)
        if choice != "any" and (half is None or (choice.startswith("today") and local >= half[1])):
            continue
        offered.append(choice)
    return offered


@asker("visit")
async def ask_visit(ctx: Ctx, draft: FormDraft) -> None:
    t = ctx.t
    choices = [
        button(t(f"repair-visit-{choice}"), FormStep.visit, choice, draft)
        for choice in visit_choices(ctx.now, ctx.estate)
    ]
    await ctx.say(t("repair-ask-visit"), grid(choices))


@button_step(router, TicketForm.visit, FormCB.filter(F.step == FormStep.visit))
async def on_visit(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Today/tomorrow × morning/afternoon, or any time."""
    if value in VISIT_CHOICES:
        draft.visit = value
        draft.preferred_time = visit_window(value, ctx.now, ctx.estate)
    await advance(ctx, draft)
