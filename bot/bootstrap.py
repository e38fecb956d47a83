"""What every command needs before it works: the default estate. No aiogram here (bot/cli.py)."""

from bot.settings import Settings
from storage import estates
from storage.db import SessionPool
from storage.models import Estate

DEFAULT_ESTATE_NAME = "Frontdoor"


async def ensure_estate(session_pool: SessionPool, settings: Settings) -> Estate:
    """The default estate from the settings (created on first start)."""
    async with session_pool() as session:
        return await estates.ensure_default(
            session,
            name=DEFAULT_ESTATE_NAME,
            time_zone=settings.time_zone,
            locale=settings.locale,
            currency=settings.currency,
            staff_chat_id=settings.staff_chat_id,
        )
