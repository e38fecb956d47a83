"""Running the bot: long polling or a webhook server, with the outbox sender alongside.

Both stop gracefully on SIGINT/SIGTERM: no new updates are taken, the ones being handled
finish, the outbox sender finishes its current message, then the connections close.
"""

import asyncio
import hmac
import logging
import re
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any
from urllib.parse import urlsplit

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    TelegramObject,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.bootstrap import ensure_estate
from bot.clock import Clock, system_clock
from bot.factory import create_bot, create_dispatcher, settle_heap
from bot.i18n import Catalogs, Translator, default_catalogs
from bot.metrics import Metrics, serve_metrics
from bot.polling import poll
from bot.settings import LOCALES, Settings, SettingsError
from scheduler.app import background
from storage.db import SessionPool, create_engine, create_session_pool

log = logging.getLogger("frontdoor.run")

DRAIN_TIMEOUT = 30.0
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class InFlight(BaseMiddleware):
    """Counts updates being handled, so shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self.count += 1
        self.idle.clear()
        try:
            return await handler(event, data)
        finally:
            self.count -= 1
            if self.count == 0:
                self.idle.set()

    async def drain(self, timeout: float = DRAIN_TIMEOUT) -> None:
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except TimeoutError:
            log.warning("shutdown updates_unfinished=%s", self.count)


def owner_commands(t: Translator) -> list[BotCommand]:
    return [
        BotCommand(command="start", description=t("cli-cmd-start")),
        BotCommand(command="help", description=t("cli-cmd-help")),
        BotCommand(command="cancel", description=t("cli-cmd-cancel")),
        BotCommand(command="language", description=t("cli-cmd-language")),
    ]


def staff_commands(t: Translator) -> list[BotCommand]:
    return [
        BotCommand(command="help", description=t("cli-cmd-staff-help")),
        BotCommand(command="queue", description=t("cli-cmd-queue")),
        BotCommand(command="ticket", description=t("cli-cmd-ticket")),
        BotCommand(command="assign", description=t("cli-cmd-assign")),
        BotCommand(command="reply", description=t("cli-cmd-reply")),
        BotCommand(command="resolve", description=t("cli-cmd-resolve")),
        BotCommand(command="close", description=t("cli-cmd-close")),
        BotCommand(command="paid", description=t("cli-cmd-paid")),
        BotCommand(command="unpay", description=t("cli-cmd-unpay")),
        BotCommand(command="arrears", description=t("cli-cmd-arrears")),
        BotCommand(command="import", description=t("cli-cmd-import")),
        BotCommand(command="payinfo", description=t("cli-cmd-payinfo")),
        BotCommand(command="hours", description=t("cli-cmd-hours")),
        BotCommand(command="stats", description=t("reports-cmd-stats")),
        BotCommand(command="report", description=t("reports-cmd-report")),
        BotCommand(command="export", description=t("reports-cmd-export")),
        BotCommand(command="callbacks", description=t("cli-cmd-callbacks")),
        BotCommand(command="survey", description=t("cli-cmd-survey")),
        BotCommand(command="pending", description=t("cli-cmd-pending")),
        BotCommand(command="staff", description=t("cli-cmd-staff")),
        BotCommand(command="bind", description=t("cli-cmd-bind")),
        BotCommand(command="jobs", description=t("cli-cmd-jobs")),
        BotCommand(command="remind", description=t("cli-cmd-remind")),
        BotCommand(command="announce", description=t("cli-cmd-announce")),
    ]


async def set_commands(bot: Bot, catalogs: Catalogs, default_locale: str) -> None:
    """Command menus: owner commands in private chats, staff commands in groups, per language."""
    languages: list[str | None] = [*LOCALES, None]
    try:
        for language in languages:
            t = catalogs.translator(language or default_locale)
            await bot.set_my_commands(
                owner_commands(t), scope=BotCommandScopeAllPrivateChats(), language_code=language
            )
            await bot.set_my_commands(
                staff_commands(t), scope=BotCommandScopeAllGroupChats(), language_code=language
            )
    except TelegramAPIError as exc:
        # A missing command menu is cosmetic; the bot still answers.
        log.warning("set_my_commands failed error=%s", type(exc).__name__)


def webhook_app(dp: Dispatcher, bot: Bot, secret: str, path: str) -> web.Application:
    """aiohttp app that feeds Telegram's POSTs to the dispatcher; a wrong secret gets 403."""
    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=False
    )
    expected = secret.encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        # Checked here because aiogram's own check answers 401; a refused secret is a 403
        # in our interface (the caller is known to be wrong, not asked to authenticate).
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook refused: wrong or missing secret")
            return web.Response(status=403, text="Forbidden")
        return await handler.handle(request)

    # Added by hand rather than `register`, whose shutdown hook would close the bot session
    # while the outbox sender may still be using it.
    app.router.add_route("POST", path, handle)
    return app


def webhook_settings(settings: Settings) -> tuple[str, str]:
    """The webhook URL and secret, refusing to start without a usable secret."""
    url, secret = settings.require_webhook()
    if secret is None:
        raise SettingsError("FRONTDOOR_WEBHOOK_SECRET: missing (required when MODE=webhook)")
    value = secret.get_secret_value()
    if not SECRET_TOKEN.match(value):
        raise SettingsError(
            "FRONTDOOR_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return url, value


async def run_polling(
    settings: Settings, no_scheduler: bool = False, clock: Clock = system_clock
) -> int:
    """Long polling until SIGINT/SIGTERM; returns the exit code."""
    engine = create_engine(settings.database_url)
    session_pool = create_session_pool(engine)
    bot = create_bot(settings)
    catalogs = default_catalogs()
    metrics = Metrics()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        estate = await ensure_estate(session_pool, settings)
        dp = create_dispatcher(
            settings, session_pool, clock=clock, catalogs=catalogs, metrics=metrics
        )
        inflight = InFlight()
        dp.update.outer_middleware(inflight)
        await set_commands(bot, catalogs, estate.locale)
        settle_heap()
        # getUpdates is refused while a webhook is set (e.g. left over from webhook mode).
        await bot.delete_webhook(drop_pending_updates=False)
        log.info("starting mode=polling scheduler=%s", "off" if no_scheduler else "on")
        async with (
            metrics_endpoint(settings, metrics, session_pool, clock),
            background(
                bot,
                session_pool,
                clock,
                settings.send_rate,
                database_url=settings.database_url,
                run_scheduler=not no_scheduler,
                metrics=metrics,
                in_flight=settings.send_in_flight,
            ),
        ):
            await poll(dp, bot, stop, allowed_updates=dp.resolve_used_update_types())
            log.info("stopping")
            await inflight.drain()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await bot.session.close()
        await engine.dispose()
    log.info("stopped")
    return 0


def metrics_endpoint(
    settings: Settings, metrics: Metrics, session_pool: SessionPool, clock: Clock
) -> AbstractAsyncContextManager[object]:
    """`/healthz` and `/metrics` while the bot runs, when FRONTDOOR_METRICS_LISTEN is set."""
    if settings.metrics_listen is None:
        return nullcontext()
    return _serve_metrics(settings.metrics_listen, metrics, session_pool, clock)


@asynccontextmanager
async def _serve_metrics(
    listen: str, metrics: Metrics, session_pool: SessionPool, clock: Clock
) -> AsyncIterator[object]:
    runner = await serve_metrics(listen, metrics, session_pool, clock)
    try:
        yield runner
    finally:
        await runner.cleanup()


async def run_webhook(
    settings: Settings, no_scheduler: bool = False, clock: Clock = system_clock
) -> int:
    """Serve Telegram's webhook on FRONTDOOR_LISTEN until SIGINT/SIGTERM."""
    url, secret = webhook_settings(settings)
    host, _, port = settings.listen.rpartition(":")
    engine = create_engine(settings.database_url)
    session_pool = create_session_pool(engine)
    bot = create_bot(settings)
    catalogs = default_catalogs()
    metrics = Metrics()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        estate = await ensure_estate(session_pool, settings)
        dp = create_dispatcher(
            settings, session_pool, clock=clock, catalogs=catalogs, metrics=metrics
        )
        inflight = InFlight()
        dp.update.outer_middleware(inflight)
        await set_commands(bot, catalogs, estate.locale)
        settle_heap()
        runner = web.AppRunner(webhook_app(dp, bot, secret, urlsplit(url).path or "/"))
        await runner.setup()
        async with (
            metrics_endpoint(settings, metrics, session_pool, clock),
            background(
                bot,
                session_pool,
                clock,
                settings.send_rate,
                database_url=settings.database_url,
                run_scheduler=not no_scheduler,
                metrics=metrics,
                in_flight=settings.send_in_flight,
            ),
        ):
            await web.TCPSite(runner, host, int(port)).start()
            await bot.set_webhook(
                url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
            )
            log.info(
                "starting mode=webhook listen=%s scheduler=%s",
                settings.listen,
                "off" if no_scheduler else "on",
            )
            await stop.wait()
            log.info("stopping")
            # Stops accepting connections and waits for requests (updates) being handled.
            await runner.cleanup()
            await inflight.drain()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await bot.session.close()
        await engine.dispose()
    log.info("stopped")
    return 0
