"""Make a complaint (投诉): subject, what happened, photos, whether the owner wants a call.

The shared steps, the summary and the confirm step live in handlers/ticket_form.py; this module
starts the flow and owns the one step only a complaint has.
"""

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import TextKey
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
)
from storage.models import Estate, Owner, TicketKind

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())
router.callback_query.filter(IsVerifiedOwner())


@router.message(TextKey("menu-complaint"))
async def start_complaint(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The menu button (or /complaint, 投诉 …): start a new complaint."""
    await begin(ctx_of(message, t, session, estate, owner, state, clock), TicketKind.complaint)


@asker("call")
async def ask_call(ctx: Ctx, draft: FormDraft) -> None:
    choices = [
        button(ctx.t("complaint-btn-call-yes"), FormStep.call, "1", draft),
        button(ctx.t("complaint-btn-call-no"), FormStep.call, "0", draft),
    ]
    await ctx.say(ctx.t("complaint-ask-call"), grid(choices))


@button_step(router, TicketForm.call, FormCB.filter(F.step == FormStep.call))
async def on_call(ctx: Ctx, draft: FormDraft, value: str) -> None:
    """Yes (staff will phone) or No (a written reply is enough)."""
    if value in ("0", "1"):
        draft.wants_call = value == "1"
    await advance(ctx, draft)
