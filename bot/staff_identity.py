"""Staff are known by Telegram user id; their @username is refreshed from each of their updates,
and their language is learnt when they first write in private."""

from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.middlewares import Handler
from storage import staff
from storage.models import StaffMember


class StaffUsernameMiddleware(BaseMiddleware):
    """After the context is loaded: a staff member whose @username changed (or was never known,
    as for staff added on the command line) gets it stored. A comparison, no query, otherwise."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        member: StaffMember | None = data.get("staff_member")
        user: User | None = data.get("event_from_user")
        if member is not None and user is not None and member.username != (user.username or None):
            member = data["staff_member"] = await staff.refresh_username(
                data["session"], member, user.username
            )
        chat: Chat | None = data.get("event_chat")
        private = chat is not None and chat.type == "private"
        if member is not None and user is not None and private and member.language is None:
            # Writing to the bot in private, they read it in their app's language (what the
            # private chat answers in): their work orders and popups follow, until /lang.
            language = data["t"].locale
            data["staff_member"] = await staff.set_language(
                data["session"], member, language, source="telegram"
            )
        return await handler(event, data)
