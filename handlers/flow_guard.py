"""A command or a menu button in the middle of a repair or complaint report: ask whether to
leave the unfinished report (keep / leave) instead of dropping it, or of taking "/ticket 1" as
the description. Leave goes on with what was asked for.

Placed right after handlers.common (so /cancel still cancels) and before every feature that
would start afresh on a menu button.
"""

from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from handlers import ticket_form
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import MENU_KEYS, Buttons, set_buttons
from handlers.ticket_form import TicketForm, ctx_of
from storage.models import Estate, Owner

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())
router.callback_query.filter(IsVerifiedOwner())

# The interrupting message, kept in the flow's data until the owner decides.
PENDING = "interrupted_by"


class LeaveCB(CallbackData, prefix="lv"):
    """Keep the unfinished report, or leave it and go on with the interrupting message."""

    leave: bool
    ref: str


async def interrupts(message: Message, catalogs: Catalogs) -> bool:
    """A command, or one of the main menu's buttons (their own text, not a word like "leak")."""
    text = (message.text or "").strip()
    return text.startswith("/") or (catalogs.match(text, *MENU_KEYS, strict=MENU_KEYS) is not None)


@router.message(StateFilter(TicketForm), F.text, interrupts)
async def ask_leave(message: Message, state: FSMContext, t: Translator) -> None:
    """Never an answer to the step: ask first."""
    draft = await ticket_form.load(state)
    if draft is None:
        return
    await state.update_data({PENDING: message.model_dump(mode="json", exclude_none=True)})
    buttons = Buttons()
    buttons.button(text=t("flow-btn-keep"), callback_data=LeaveCB(leave=False, ref=draft.token))
    buttons.button(text=t("flow-btn-leave"), callback_data=LeaveCB(leave=True, ref=draft.token))
    await message.answer(t("flow-leave-ask"), reply_markup=buttons.adjust(2).as_markup())


@router.callback_query(LeaveCB.filter())
async def decided(
    query: CallbackQuery,
    callback_data: LeaveCB,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    clock: Clock,
    bot: Bot,
    dispatcher: Dispatcher,
    **data: Any,
) -> None:
    """Keep: the step's question again. Leave: the report is dropped and the interrupting
    command or button is handled as if sent now."""
    draft = await ticket_form.load(state)
    pending = (await state.get_data()).get(PENDING)
    if draft is None or draft.token != callback_data.ref or not isinstance(pending, dict):
        await query.answer(t("form-stale"), show_alert=True)
        return
    await query.answer()
    await set_buttons(query, None)
    if not callback_data.leave:
        await state.update_data({PENDING: None})
        await ticket_form.ask_again(ctx_of(query, t, session, estate, owner, state, clock))
        return
    await state.clear()
    message = Message.model_validate(pending, context={"bot": bot})
    data.pop("callback_data", None)
    data.update(
        state=state,
        raw_state=None,
        t=t,
        session=session,
        estate=estate,
        owner=owner,
        clock=clock,
        bot=bot,
        dispatcher=dispatcher,
    )
    await dispatcher.propagate_event(update_type="message", event=message, **data)
