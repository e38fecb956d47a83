"""The first of an update's middlewares: what every update goes through before the database."""

import asyncio
import logging
import time
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject, Update

from bot.guards import OUTCOME_KEY, FloodGuard, is_storage_fault
from bot.metrics import Metrics
from bot.middlewares import FSM_CONTEXT, Handler

log = logging.getLogger("frontdoor.updates")


class FrontMiddleware(BaseMiddleware):
    """What every update goes through before the database, in one middleware: each of these
    was a layer of its own, and every layer is a call, a coroutine and aiogram's wrapping of
    it for every update (benchmarks/README.md). In this order:

    1. One update at a time per person and chat, in the order they arrived. Taken first,
       before anything awaits: a later update (/resolve right after /assign, the second photo
       of an album) must not overtake an earlier one still waiting on the database. asyncio's
       lock wakes its waiters first come, first served, and update tasks start in the order
       polling or the webhook received them.
    2. Metrics (count by outcome, time) and one log line per update: id, kind, user id,
       outcome and time; no text, phones or tokens. Both time what follows the lock.
    3. Flood control (bot.guards.FloodGuard): a dropped update costs no database work.
    4. A bound on how many updates hold a database session at once. Each holds at most one
       pooled connection (its own session, which the FSM storage shares); keeping the number
       in flight at the pool's size means an update waits here, in order, rather than timing
       out inside the pool.
    """

    def __init__(
        self, fsm: FSMContextMiddleware, metrics: Metrics, flood: FloodGuard, limit: int
    ) -> None:
        self.fsm = fsm
        self.metrics = metrics
        self.flood = flood
        self.gate = asyncio.Semaphore(limit)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = data[FSM_CONTEXT] = self.fsm.resolve_event_context(data["bot"], data)
        if context is None:
            return await self._counted(handler, event, data)
        async with self.fsm.events_isolation.lock(key=context.key):
            return await self._counted(handler, event, data)

    async def _counted(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        started = time.perf_counter()
        outcome = logged = "error"
        try:
            result = None
            if await self.flood.admit(event, data):
                async with self.gate:
                    result = await handler(event, data)
            logged = "unhandled" if result is UNHANDLED else "ok"
            outcome = data.get(OUTCOME_KEY) or logged
            return result
        except Exception as exc:
            outcome = "storage_unavailable" if is_storage_fault(exc) else "error"
            raise
        finally:
            seconds = time.perf_counter() - started
            self.metrics.count_update(outcome, seconds)
            user = data.get("event_from_user")
            kind = event.event_type if isinstance(event, Update) else type(event).__name__
            log.info(
                "update id=%s kind=%s user=%s outcome=%s ms=%.1f",
                getattr(event, "update_id", "-"),
                kind,
                user.id if user else "-",
                logged,
                seconds * 1000,
            )
