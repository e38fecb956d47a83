"""A staff member's own language (/language): their private chat, their work orders and the
popups only they see on buttons. The staff group keeps the estate's language."""

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.settings import LOCALES
from handlers.edits import unchanged_is_done
from handlers.filters import IsActiveStaff, IsStaffInPrivate
from handlers.onboarding import LanguageCb, language_keyboard
from storage import staff
from storage.models import Estate, StaffMember

router = Router(name=__name__)
# Its handlers for private chats: the staff group's router is gated on group chats
# (handlers/__init__.py).
private = Router(name=f"{__name__}.private")


class StaffLanguageCb(LanguageCb, prefix="slang"):
    """A staff member's choice (an owner's is LanguageCb)."""


def group_language(t: Translator, estate: Estate) -> str:
    return t("lang-chinese" if estate.locale == "zh" else "lang-english")


@router.message(Command("language"), IsActiveStaff())
@private.message(Command("language"), IsStaffInPrivate())
async def staff_language(message: Message, estate: Estate, own_t: Translator) -> None:
    """Offer English / 中文 for what a staff member alone reads; the group keeps its language."""
    await message.reply(
        own_t("staff-lang-choose", group=group_language(own_t, estate)),
        reply_markup=language_keyboard(own_t, own_t.locale, StaffLanguageCb),
    )


@router.callback_query(StaffLanguageCb.filter(), IsActiveStaff())
@router.callback_query(StaffLanguageCb.filter(), IsStaffInPrivate())
async def staff_language_chosen(
    query: CallbackQuery,
    callback_data: StaffLanguageCb,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    own_t: Translator,
) -> None:
    """Remember the choice; the answer is in the new language."""
    if callback_data.code not in LOCALES:
        await query.answer(own_t("common-stale-button"), show_alert=True)
        return
    await staff.set_language(session, staff_member, callback_data.code, source="chosen")
    new_t = catalogs.translator(callback_data.code)
    done = new_t("staff-lang-changed", group=group_language(new_t, estate))
    await query.answer(done)
    if isinstance(query.message, Message):
        with unchanged_is_done():
            await query.message.edit_text(done)
