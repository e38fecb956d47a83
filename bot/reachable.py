"""An owner marked unreachable (they had blocked the bot) who writes, presses a button or
unblocks the bot is reachable again, before any handler looks at their status."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject

from storage import owners
from storage.models import Owner, OwnerStatus

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ReachableAgainMiddleware(BaseMiddleware):
    """Runs after ContextMiddleware, which found the owner."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        owner: Owner | None = data.get("owner")
        chat: Chat | None = data.get("event_chat")
        if (
            owner is not None
            and owner.id is not None
            and owner.status == OwnerStatus.unreachable
            and chat is not None
            and chat.type == "private"
        ):
            data["owner"] = await owners.mark_reachable(data["session"], owner.id, chat.id)
        return await handler(event, data)
