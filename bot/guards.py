"""Guards in front of the handlers: each update handled once, floods cut short, storage faults
left unacknowledged so Telegram delivers the update again."""

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ErrorEvent, Message, TelegramObject, Update, User
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.clock import Clock
from bot.i18n import Catalogs, locale_for
from bot.middlewares import LOADED
from bot.settings import Settings
from storage import updates
from storage.db import SessionPool

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

log = logging.getLogger("frontdoor.guards")

# Telegram keeps an unconfirmed update for 24 hours; twice that covers any redelivery.
REMEMBER_UPDATES = timedelta(hours=48)
PRUNE_EVERY = timedelta(hours=1)
FLOOD_LIMIT = 20
FLOOD_WINDOW = timedelta(seconds=10)
FLOOD_PAUSE = timedelta(minutes=1)
# Set on the update's data when a guard answered it itself; bot/metrics.py counts it.
OUTCOME_KEY = "guard_outcome"


class StorageUnavailable(Exception):
    """The database could not be reached or was locked: the update was not handled."""


def is_storage_fault(exc: BaseException) -> bool:
    """A database that is down, unreachable, locked or out of connections, not a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TelegramAPIError):
            return False
        if isinstance(current, StorageUnavailable | OperationalError | InterfaceError):
            return True
        if isinstance(current, PoolTimeout):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        # A refused or dropped connection to the database server surfaces as a bare OSError.
        if isinstance(current, OSError):
            return True
        current = current.__cause__ or current.__context__
    return False


async def storage_fault(event: ErrorEvent) -> None:
    """Let a storage fault escape the error handlers, so the update is not acknowledged."""
    log.warning(
        "update id=%s not handled: storage unavailable error=%s",
        event.update.update_id,
        type(event.exception).__name__,
    )
    raise StorageUnavailable(str(event.exception)[:200]) from event.exception


def install_storage_fault_handler(dp: Dispatcher) -> None:
    """Registered before any other error handler: a storage fault is never answered as handled
    (the webhook gets a 5xx, polling keeps the offset), so the update comes again."""
    dp.errors.register(storage_fault, lambda event: is_storage_fault(event.exception))


class HandleOnce(BaseMiddleware):
    """Skip an update already handled; mark this one handled in its first committing transaction.

    The mark joins the first commit of the update's session (a `before_commit` hook), so it is
    stored if and only if the update's first change is; an update that changes nothing is marked
    after its handler returns. A handler that fails before any commit leaves no mark, and
    Telegram's redelivery is handled afresh.
    """

    def __init__(self, session_pool: SessionPool) -> None:
        self.session_pool = session_pool
        self.pruned_at: datetime | None = None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        session = data["session"]
        now = clock()
        loaded: updates.Context = data[LOADED]
        if loaded.seen:
            log.info("update id=%s duplicate: skipped", event.update_id)
            data[OUTCOME_KEY] = "duplicate"
            return None
        updates.mark_on_first_commit(session, bot.id, event.update_id, now)
        try:
            result = await handler(event, data)
        finally:
            unmarked = updates.withdraw_mark(session)
        if unmarked:
            await updates.mark(session, bot.id, event.update_id, now)
        await self._prune(now)
        return result

    async def _prune(self, now: datetime) -> None:
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = now
        async with self.session_pool() as session:
            removed = await updates.forget_before(session, now - REMEMBER_UPDATES)
        if removed:
            log.info("processed updates pruned count=%d", removed)


class FloodGuard:
    """More than FLOOD_LIMIT updates from one user within FLOOD_WINDOW: one polite note, then
    that user's updates are dropped for FLOOD_PAUSE, before any database work is done.
    Asked by bot.front.FrontMiddleware."""

    def __init__(
        self,
        limit: int = FLOOD_LIMIT,
        window: timedelta = FLOOD_WINDOW,
        pause: timedelta = FLOOD_PAUSE,
    ) -> None:
        self.limit = limit
        self.window = window
        self.pause = pause
        self.recent: dict[int, deque[datetime]] = {}
        self.paused_until: dict[int, datetime] = {}

    async def admit(self, event: TelegramObject, data: dict[str, Any]) -> bool:
        """Whether the update goes on; a dropped one is marked "flooded" in `data`."""
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return True
        clock: Clock = data["clock"]
        now = clock()
        until = self.paused_until.get(user.id)
        if until is not None:
            if now < until:
                log.info("update from user=%s dropped: flooding", user.id)
                data[OUTCOME_KEY] = "flooded"
                return False
            del self.paused_until[user.id]
        times = self.recent.setdefault(user.id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        times.append(now)
        if len(times) <= self.limit:
            self._forget_quiet(now)
            return True
        self.paused_until[user.id] = now + self.pause
        del self.recent[user.id]
        log.warning("user=%s flooding: paused for %ds", user.id, self.pause.total_seconds())
        await self._note(event, data, user)
        data[OUTCOME_KEY] = "flooded"
        return False

    async def _note(self, event: TelegramObject, data: dict[str, Any], user: User) -> None:
        catalogs: Catalogs = data["catalogs"]
        settings: Settings = data["settings"]
        t = catalogs.translator(locale_for(user.language_code, settings.locale))
        text = t("guard-flood", minutes=max(1, int(self.pause.total_seconds() // 60)))
        inner = event.event if isinstance(event, Update) else event
        try:
            if isinstance(inner, CallbackQuery):
                await inner.answer(text, show_alert=True)
            elif isinstance(inner, Message) and inner.chat.type == "private":
                await inner.answer(text)
        except TelegramAPIError as exc:
            log.info("flood note not delivered user=%s error=%s", user.id, type(exc).__name__)

    def _forget_quiet(self, now: datetime) -> None:
        # Bounded memory: users whose window has emptied are dropped now and then.
        if len(self.recent) > 10_000:
            horizon = now - self.window
            for user_id in [u for u, t in self.recent.items() if not t or t[-1] <= horizon]:
                del self.recent[user_id]
