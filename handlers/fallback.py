"""Last resort: anything no other router took gets the menu (private) or nothing (groups)."""

from aiogram import F, Router
from aiogram.types import Message

from bot.i18n import Translator

router = Router(name=__name__)


@router.message(F.chat.type == "private")
async def anything_else(message: Message, t: Translator) -> None:
    """Free text that fits no step gets a pointer to /start, never silence."""
    await message.answer(t("fallback-start"))
