"""Commands that work everywhere and in every state: /cancel and /help."""

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.i18n import Translator
from handlers.filters import IsStaffChat, IsStaffInPrivate
from handlers.keyboards import TextKey, main_menu, remove_keyboard
from storage.models import Owner, OwnerStatus

router = Router(name=__name__)


@router.message(Command("cancel"))
@router.message(TextKey("common-cancel"), StateFilter("*"))
async def cancel(message: Message, state: FSMContext, t: Translator, owner: Owner | None) -> None:
    """Leave whatever flow the user is in; verified owners get their menu back."""
    had_flow = await state.get_state() is not None
    await state.clear()
    text = t("common-cancelled") if had_flow else t("common-nothing-to-cancel")
    if message.chat.type != "private":
        await message.reply(text)
    elif owner is not None and owner.status == OwnerStatus.verified:
        await message.answer(text, reply_markup=main_menu(t))
    else:
        await message.answer(f"{text}\n{t('fallback-start')}", reply_markup=remove_keyboard())


@router.message(Command("help"), F.chat.type == "private", ~IsStaffInPrivate())
async def help_private(message: Message, t: Translator, owner: Owner | None) -> None:
    """What the bot does for owners."""
    if owner is not None and owner.status == OwnerStatus.verified:
        await message.answer(t("help-owner"), reply_markup=main_menu(t))
    else:
        await message.answer(t("help-unregistered"))


@router.message(Command("help"), IsStaffChat())
async def help_staff(message: Message, t: Translator) -> None:
    """The staff command list, in the staff group."""
    keys = (
        "help-staff",
        "staffcmd-help",
        "jobs-help",
        "pay-help",
        "reports-help",
        "settings-help",
    )
    await message.answer("\n\n".join(t(key) for key in keys))
