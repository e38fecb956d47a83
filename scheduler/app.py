"""Background work that lives as long as the bot process: today the outbox sender."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot

from bot.clock import Clock
from bot.metrics import Metrics
from scheduler.outbox import OutboxSender
from storage.db import SessionPool


@asynccontextmanager
async def background(
    bot: Bot,
    session_pool: SessionPool,
    clock: Clock,
    send_rate: float,
    metrics: Metrics | None = None,
) -> AsyncIterator[OutboxSender]:
    """Run the outbox sender while the block runs; stop it cleanly (current send finishes)."""
    sender = OutboxSender(bot, session_pool, clock, rate=send_rate, metrics=metrics)
    sender.start()
    try:
        yield sender
    finally:
        await sender.stop()
