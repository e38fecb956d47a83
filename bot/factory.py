"""Factories for the Bot and the Dispatcher; no module-level globals."""

import gc

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.api_session import ApiSession, bind_bot_directly
from bot.clock import Clock, system_clock
from bot.front import FrontMiddleware
from bot.fsm_storage import SqlStorage
from bot.guards import FloodGuard, HandleOnce, install_storage_fault_handler
from bot.i18n import Catalogs, default_catalogs
from bot.inline_calls import propagate_directly, run_inline
from bot.metrics import Metrics
from bot.middlewares import (
    ContextMiddleware,
    ConversationMiddleware,
    DbSessionMiddleware,
    ExpiredCallbackAnswers,
    LoadContext,
    PlainCallbackAnswers,
    RetryHiccups,
)
from bot.reachable import ReachableAgainMiddleware
from bot.settings import Settings
from bot.staff_identity import StaffUsernameMiddleware
from handlers import errors, routers
from storage.db import POOL_SIZE, SessionPool

# Each update holds at most one connection (its session, shared with the FSM); see
# FrontMiddleware.
MAX_CONCURRENT_UPDATES = POOL_SIZE


def create_bot(settings: Settings) -> Bot:
    bind_bot_directly()
    session = ApiSession(api=TelegramAPIServer.from_base(settings.api_base))
    session.middleware(PlainCallbackAnswers())
    session.middleware(RetryHiccups())
    session.middleware(ExpiredCallbackAnswers())
    return Bot(
        token=settings.require_token().get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings,
    session_pool: SessionPool,
    clock: Clock = system_clock,
    catalogs: Catalogs | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    catalogs = catalogs or default_catalogs()
    storage = SqlStorage(session_pool)
    metrics = metrics or Metrics()
    dp = Dispatcher(
        storage=storage,
        # One update at a time per user and chat: the photos of an album, or a double-pressed
        # button, must not read and write the same conversation state concurrently.
        events_isolation=SimpleEventIsolation(),
        # ConversationMiddleware below runs aiogram's FSM context inside the update's session.
        disable_fsm=True,
        settings=settings,
        session_pool=session_pool,
        clock=clock,
        catalogs=catalogs,
        metrics=metrics,
    )
    install_storage_fault_handler(dp)
    dp.update.outer_middleware(
        FrontMiddleware(dp.fsm, metrics, FloodGuard(), MAX_CONCURRENT_UPDATES)
    )
    dp.update.outer_middleware(DbSessionMiddleware(session_pool))
    dp.update.outer_middleware(LoadContext())
    # Outside the conversation middleware: the handled-update mark joins its commit, so an
    # update that only moves its conversation on still commits once.
    dp.update.outer_middleware(HandleOnce(session_pool))
    dp.update.outer_middleware(ConversationMiddleware(storage))
    dp.update.outer_middleware(ContextMiddleware(catalogs))
    dp.update.outer_middleware(StaffUsernameMiddleware())
    dp.update.outer_middleware(ReachableAgainMiddleware())
    # The errors router last: it has no handler for messages or buttons, and an error event
    # goes through every router anyway.
    for router in [*routers(), errors.router]:
        # Feature routers are module singletons; detaching lets tests and the demo build a fresh
        # dispatcher in the same process (aiogram refuses to attach a router twice).
        router._parent_router = None
        dp.include_router(router)
    run_inline(dp)
    propagate_directly(dp)
    return dp


YOUNG_GC_THRESHOLD = 20_000


def settle_heap() -> None:
    """Once, when everything is built and before the first update: collect, then freeze what
    is left out of the garbage collector's sight.

    The process holds a few hundred thousand long-lived objects (aiogram's ~600 pydantic
    models, SQLAlchemy's mappers, the catalogs) that are never garbage; every full collection
    walked them all again, a 0.3-0.45 s pause here that stalled every update in flight
    (benchmarks/README.md). Frozen, they are skipped; what updates allocate later is
    collected as before.

    The youngest generation is collected every YOUNG_GC_THRESHOLD net allocations instead of
    Python's 700. An update's objects almost all die by reference counting, so each of the
    ~130 young collections per 400 updates found next to nothing and only walked what was
    in flight: 5-7 % of an update's CPU (gc.callbacks in the `updates` harness), ~1 % with
    the higher threshold. Cyclic garbage waits a little longer: 20,000 objects, a few MB.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
