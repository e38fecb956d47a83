"""A Bot whose HTTP session records every request and answers like the Bot API would.

Modelled on aiogram's tests/mocked_bot.py, but answers are generated from the request (a sent
message comes back as a Message with a fresh id), so handler tests need not queue responses.
"""

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, File, InlineKeyboardMarkup, Message, PhotoSize, User

BOT_ID = 42


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.blocked_chats: set[int] = set()
        # Answer every edit as Telegram answers one that changes nothing (a double press).
        self.edits_unchanged = False
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        return None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        chat_id = getattr(method, "chat_id", None)
        if chat_id in self.blocked_chats:
            raise TelegramForbiddenError(
                method=method, message="Forbidden: bot was blocked by the user"
            )
        if self.edits_unchanged and type(method).__name__.startswith("Edit"):
            raise TelegramBadRequest(
                method=method,
                message="Bad Request: message is not modified: specified new message content "
                "and reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        return self._answer(method)

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        name = type(method).__name__
        if name == "GetMe":
            return User(id=BOT_ID, is_bot=True, first_name="Frontdoor", username="frontdoor_bot")
        if name == "GetFile":
            return File(
                file_id=getattr(method, "file_id", "f"),
                file_unique_id="u",
                file_path="photos/x.jpg",
            )
        if name.startswith(("Send", "Edit")) and name != "SendChatAction":
            chat_id = getattr(method, "chat_id", None) or 0
            chat_type = "private" if int(chat_id) > 0 else "supergroup"
            message_id = getattr(method, "message_id", None) or next(self._ids)
            extra: dict[str, Any] = {}
            markup = getattr(method, "reply_markup", None)
            if name == "SendPhoto":
                extra["photo"] = [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)]
                extra["caption"] = getattr(method, "caption", None)
            return Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=int(chat_id), type=chat_type),
                from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
                text=getattr(method, "text", None),
                # A sent Message carries only inline keyboards; reply keyboards stay client-side.
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                **extra,
            )
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""


class MockedBot(Bot):
    session: RecordingSession

    def __init__(self) -> None:
        super().__init__(
            "42:TEST_TOKEN_abcdefghij",
            session=RecordingSession(),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )

    @property
    def requests(self) -> list[TelegramMethod[Any]]:
        return self.session.requests

    def sent(self, chat_id: int | None = None) -> list[TelegramMethod[Any]]:
        """Messages (and edits) sent, optionally to one chat, oldest first."""
        return [
            r
            for r in self.session.requests
            if type(r).__name__.startswith(("Send", "Edit"))
            and (chat_id is None or getattr(r, "chat_id", None) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            getattr(r, "text", None) or getattr(r, "caption", None) or ""
            for r in self.sent(chat_id)
        ]

    def last_text(self, chat_id: int | None = None) -> str:
        texts = self.texts(chat_id)
        assert texts, "the bot sent nothing"
        return texts[-1]

    def clear(self) -> None:
        self.session.requests.clear()
