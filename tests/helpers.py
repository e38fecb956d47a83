"""Build real aiogram Updates and feed them to a real Dispatcher, as Telegram would."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from tests.mocked_bot import BOT_ID, MockedBot

ADMIN_ID = 9001
STAFF_CHAT_ID = -1001234567890

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def bot_message(message_id: int, chat_id: int = STAFF_CHAT_ID) -> Message:
    """A message the bot sent to the staff group, for a staff member's Telegram reply to it."""
    return Message(
        message_id=message_id,
        date=datetime.now(UTC),
        chat={"id": chat_id, "type": "supergroup", "title": "Staff"},
        from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
        text="…",
    )


@dataclass
class Person:
    id: int
    first_name: str = "Test"
    language_code: str | None = "en"
    username: str | None = None

    @property
    def user(self) -> User:
        return User(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            language_code=self.language_code,
            username=self.username,
        )


@dataclass
class Telegram:
    """Act as people in private chats and in the staff group."""

    dp: Dispatcher
    bot: MockedBot
    staff_chat_id: int = STAFF_CHAT_ID
    results: list[Any] = field(default_factory=list)

    def _chat(self, person: Person, chat_id: int | None) -> Chat:
        if chat_id is None or chat_id == person.id:
            return Chat(id=person.id, type="private", first_name=person.first_name)
        return Chat(id=chat_id, type="supergroup", title="Staff")

    async def feed(self, **update: Any) -> Any:
        result = await self.dp.feed_update(self.bot, Update(update_id=next(_update_ids), **update))
        self.results.append(result)
        return result

    def message(
        self,
        person: Person,
        text: str | None = None,
        chat_id: int | None = None,
        **extra: Any,
    ) -> Message:
        entities = None
        if text and text.startswith("/"):
            entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        return Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self._chat(person, chat_id),
            from_user=person.user,
            text=text,
            entities=entities,
            **extra,
        )

    async def send(
        self, person: Person, text: str, chat_id: int | None = None, **extra: Any
    ) -> Any:
        return await self.feed(message=self.message(person, text, chat_id, **extra))

    async def group(self, person: Person, text: str, **extra: Any) -> Any:
        return await self.send(person, text, chat_id=self.staff_chat_id, **extra)

    async def contact(self, person: Person, phone: str, user_id: int | None = -1) -> Any:
        """Share a contact; by default the sender's own (user_id=-1 means 'own')."""
        owner_id = person.id if user_id == -1 else user_id
        contact = Contact(phone_number=phone, first_name=person.first_name, user_id=owner_id)
        return await self.feed(message=self.message(person, None, contact=contact))

    async def photo(
        self,
        person: Person,
        file_id: str = "photo1",
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> Any:
        photo = [PhotoSize(file_id=file_id, file_unique_id=f"u-{file_id}", width=640, height=480)]
        return await self.feed(
            message=self.message(person, None, chat_id, photo=photo, caption=caption)
        )

    async def document(
        self,
        person: Person,
        file_id: str = "doc1",
        mime_type: str = "image/png",
        file_name: str = "leak.png",
        chat_id: int | None = None,
    ) -> Any:
        """Send a file (📎), as Telegram delivers it: a document with its mime type."""
        document = Document(
            file_id=file_id,
            file_unique_id=f"u-{file_id}",
            mime_type=mime_type,
            file_name=file_name,
        )
        return await self.feed(message=self.message(person, None, chat_id, document=document))

    async def press(
        self,
        person: Person,
        data: str,
        chat_id: int | None = None,
        message_id: int = 1,
        text: str = "…",
    ) -> Any:
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self._chat(person, chat_id),
            from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
            text=text,
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=person.user,
            chat_instance="ci",
            message=message,
            data=data,
        )
        return await self.feed(callback_query=query)

    async def press_label(self, person: Person, label: str, chat_id: int | None = None) -> Any:
        """Press the inline button whose visible text contains `label` on the newest message."""
        for request in reversed(self.bot.sent(chat_id or person.id)):
            markup = getattr(request, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        if label.casefold() in button.text.casefold() and button.callback_data:
                            return await self.press(
                                person,
                                button.callback_data,
                                chat_id,
                                text=getattr(request, "text", "") or "",
                            )
        raise AssertionError(f"no inline button labelled {label!r}")


def answers(bot: MockedBot) -> list[TelegramMethod[Any]]:
    return [r for r in bot.requests if type(r).__name__ == "AnswerCallbackQuery"]
