"""Per-update dependencies: a DB session, the conversation state, the estate, the current
owner/staff member and texts; and the retry of a direct answer that hit a passing Telegram
error."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.fsm.context import FSMContext
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Chat, TelegramObject, Update, User
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.fsm_storage import Conversation, SqlStorage, record_key
from bot.i18n import Catalogs, locale_for, plain_text
from storage import staff, updates
from storage.db import Opened, SessionPool

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

IDLE_TIMEOUT = timedelta(minutes=30)
# answerCallbackQuery's text: 0-200 characters, no markup.
ANSWER_LIMIT = 200
log = logging.getLogger("frontdoor.updates")
# For the middlewares after them: aiogram's FSM context of the update's chat and user (None
# when it has neither), resolved once by bot.front.FrontMiddleware, and the
# storage.updates.Context of the update, read by LoadContext.
FSM_CONTEXT = "fsm_context"
LOADED = "loaded"


class DbSessionMiddleware(BaseMiddleware):
    """Open one session per update; storage operations commit their own transactions."""

    def __init__(self, session_pool: SessionPool) -> None:
        self.session_pool = session_pool

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with Opened(self.session_pool) as session:
            data["session"] = session
            return await handler(event, data)


class LoadContext(BaseMiddleware):
    """Read what the middlewares after this one need in one query through the update's
    session: whether the update was handled before (HandleOnce), its conversation
    (ConversationMiddleware), the estate, staff member and owner (ContextMiddleware).

    The estate is the staff group's when the update comes from a group, else the default one.
    A person is looked up only for a user who is not a bot, and as an owner only in private.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        context: FSMContext | None = data[FSM_CONTEXT]
        person = user.id if user is not None and not user.is_bot else None
        group = chat.id if chat is not None and chat.type != "private" else None
        data[LOADED] = await updates.context(
            data["session"],
            bot_id=bot.id,
            # Registered on dp.update, whose events are the updates themselves.
            update_id=cast(Update, event).update_id,
            conversation_key=record_key(context.key) if context is not None else None,
            group_chat_id=group,
            staff_user_id=person,
            owner_user_id=person if group is None else None,
        )
        return await handler(event, data)


class ConversationMiddleware(BaseMiddleware):
    """aiogram's FSM context, read once and written once per update through its session.

    Takes the place of aiogram's own FSMContextMiddleware (the dispatcher is built with
    `disable_fsm=True`) so that the state is read after this update's session exists and is
    committed before the per-person lock is released: the next update of the same person
    always sees it. A conversation idle for 30 minutes is cleared here and the update is
    handled as a fresh one; the note that it was dropped is the scheduler's job.
    """

    def __init__(self, storage: SqlStorage) -> None:
        self.storage = storage

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["fsm_storage"] = self.storage
        context: FSMContext | None = data[FSM_CONTEXT]
        if context is None:
            return await handler(event, data)
        session: AsyncSession = data["session"]
        clock: Clock = data["clock"]
        loaded: updates.Context = data[LOADED]
        known = {context.key: loaded.conversation}
        async with self.storage.unit(session, clock(), known) as unit:
            conversation = await self.storage.conversation(context.key)
            if conversation is not None and _expired(conversation, unit.now):
                await context.clear()
            data["state"] = context
            data["raw_state"] = await context.get_state()
            result = await handler(event, data)
            await self.storage.save(unit)
            return result


def _expired(conversation: Conversation, now: datetime) -> bool:
    return (
        conversation.state is not None
        and conversation.written_at is not None
        and now - conversation.written_at > IDLE_TIMEOUT
    )


class ContextMiddleware(BaseMiddleware):
    """Who is talking, in which estate, in which language (the rows LoadContext read)."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        loaded: updates.Context = data[LOADED]
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        estate = data["estate"] = loaded.estate
        owner = data["owner"] = loaded.owner
        member = data["staff_member"] = loaded.staff_member
        locale = estate.locale if estate else "zh"
        own_locale = None
        if user is not None and not user.is_bot and estate is not None:
            if member is not None:
                own_locale = staff.language_of(member, estate)
            if chat is None or chat.type == "private":
                locale = (
                    (owner.language if owner and owner.language else None)
                    or (member.language if member else None)
                    or locale_for(user.language_code, estate.locale)
                )
                own_locale = locale
        elif user is not None:
            locale = locale_for(user.language_code, locale)
        data["t"] = self.catalogs.translator(locale)
        # What only this person reads (a button's popup in the staff group): a staff member's
        # own language; the group's messages stay in `t`, the estate's language.
        data["own_t"] = self.catalogs.translator(own_locale) if own_locale else data["t"]
        return await handler(event, data)


class PlainCallbackAnswers(BaseRequestMiddleware):
    """A button's answer (the toast or alert) is plain text of at most 200 characters: the
    catalogs' messages carry HTML for chats, which a toast would show as "<b>…</b>"."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, AnswerCallbackQuery) and method.text:
            plain = plain_text(method.text)
            if len(plain) > ANSWER_LIMIT:
                plain = plain[: ANSWER_LIMIT - 1] + "…"
            copy = method.model_copy(update={"text": plain})
            return await make_request(bot, cast(TelegramMethod[TelegramType], copy))
        return await make_request(bot, method)


EXPIRED_QUERY = "query is too old"


class ExpiredCallbackAnswers(BaseRequestMiddleware):
    """An answer to a button press that Telegram no longer takes counts as given.

    Telegram refuses a second answer, and any answer after about 15 seconds, with "query is too
    old ... or query ID is invalid". That is what a redelivered press meets: the process that
    first handled it answered it (the owner's spinner stopped) and then died before storing
    the result, so the press is handled again after the restart. Only the answer is lost; the
    press must still take effect instead of failing at its first line.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as exc:
            if not (isinstance(method, AnswerCallbackQuery) and EXPIRED_QUERY in exc.message):
                raise
            log.info("callback answer dropped: the query expired or was answered before")
            # Session middlewares pass the method's result on (aiogram's annotation says
            # Response); answerCallbackQuery returns True.
            return True  # type: ignore[return-value]


class RetryHiccups(BaseRequestMiddleware):
    """Retry a Bot API call that failed with a 5xx, a network error or a short 429.

    A handler that loses its reply (or its "remove the old buttons") to a passing error would
    stop half-way and leave the owner's answer unrecorded. getUpdates has its own backoff in
    aiogram's polling, and the outbox sender does its own retrying below this middleware.
    """

    def __init__(
        self,
        attempts: int = 3,
        max_wait: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempts = 1 if isinstance(method, GetUpdates) else self.attempts
        for attempt in range(1, attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == attempts or exc.retry_after > self.max_wait:
                    raise
                delay: float = exc.retry_after
            except (TelegramServerError, TelegramNetworkError):
                if attempt == attempts:
                    raise
                delay = 0.3 * 2 ** (attempt - 1)
            log.info(
                "retrying method=%s attempt=%d in_s=%.1f",
                type(method).__name__,
                attempt + 1,
                delay,
            )
            await self.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")
