"""Last resort: anything no other router took gets the menu (private) or nothing (groups)."""

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import Catalogs, Translator
from handlers.keyboards import MENU_KEYS, main_menu
from storage.models import Owner, OwnerStatus, StaffMember

router = Router(name=__name__)


@router.message(F.chat.type == "private")
async def anything_else(
    message: Message,
    t: Translator,
    catalogs: Catalogs,
    owner: Owner | None,
    staff_member: StaffMember | None = None,
) -> None:
    """Free text that fits no step gets the menu or the owner's status, never silence.
    (Rejected applicants are answered by the onboarding router.)"""
    if owner is None and staff_member is not None:
        await message.answer(t("fallback-staff", name=staff_member.name))
    elif owner is None and catalogs.match(message.text, *MENU_KEYS):
        await message.answer(t("menu-status-unregistered"))
    elif owner is None:
        await message.answer(t("fallback-start"))
    elif owner.status == OwnerStatus.verified:
        await message.answer(t("menu-unknown"), reply_markup=main_menu(t))
    else:
        await message.answer(t("menu-status-pending"))


@router.callback_query()
async def unknown_button(query: CallbackQuery, t: Translator) -> None:
    """A button from an old message that nothing handles any more: say so, change nothing."""
    await query.answer(t("common-stale-button"), show_alert=True)
