"""Long polling that confirms an update only once it is handled and stored.

aiogram's own polling moves the offset past an update as soon as it is taken, so an update whose
handler found the database down would be confirmed and lost. Here a batch is handled
concurrently (per-user order is kept by the dispatcher's event isolation), and the offset moves
only past the leading run of updates that did not hit a storage fault; the rest come back with the
next getUpdates, and those already handled are skipped as duplicates (bot/guards.HandleOnce).
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.guards import is_storage_fault

log = logging.getLogger("frontdoor.polling")

POLL_TIMEOUT = 10
BACKOFF_START = 0.5
BACKOFF_CAP = 30.0


async def handle(dp: Dispatcher, bot: Bot, update: Update) -> bool:
    """Handle one update; False when the database failed it and it must come again."""
    try:
        response = await dp.feed_update(bot, update)
        if isinstance(response, TelegramMethod):
            await dp.silent_call_request(bot=bot, result=response)
    except Exception as exc:
        if is_storage_fault(exc):
            return False
        # A bug in a handler is logged (by the dispatcher) and the update confirmed: handling
        # it again would fail the same way forever.
        log.exception("update id=%s failed", update.update_id)
    return True


def confirmed_offset(updates: Sequence[Update], handled: Sequence[bool]) -> int | None:
    """The offset that confirms the leading run of handled updates (None: none of them)."""
    offset = None
    for update, ok in zip(updates, handled, strict=True):
        if not ok:
            break
        offset = update.update_id + 1
    return offset


async def poll(
    dp: Dispatcher,
    bot: Bot,
    stop: asyncio.Event,
    allowed_updates: list[str] | None = None,
    timeout: int = POLL_TIMEOUT,
) -> None:
    """Fetch and handle updates until `stop` is set; the batch in hand is finished first."""
    offset: int | None = None
    delay = BACKOFF_START
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            fetch = asyncio.ensure_future(
                bot.get_updates(
                    offset=offset,
                    timeout=timeout,
                    allowed_updates=allowed_updates,
                    request_timeout=timeout + 30,
                )
            )
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fetch
                break
            try:
                updates = fetch.result()
            except Exception as exc:
                log.warning("getUpdates failed error=%s in_s=%.1f", type(exc).__name__, delay)
                await _pause(stop, delay)
                delay = min(delay * 2, BACKOFF_CAP)
                continue
            if not updates:
                delay = BACKOFF_START
                continue
            handled = await asyncio.gather(*(handle(dp, bot, update) for update in updates))
            offset = confirmed_offset(updates, handled) or offset
            if all(handled):
                delay = BACKOFF_START
                continue
            failed = next(u.update_id for u, ok in zip(updates, handled, strict=True) if not ok)
            log.warning(
                "storage unavailable: update id=%s and later left unconfirmed, retry_in_s=%.1f",
                failed,
                delay,
            )
            await _pause(stop, delay)
            delay = min(delay * 2, BACKOFF_CAP)
    finally:
        stopping.cancel()
        if offset is not None:
            # Confirm what was handled, so a restart does not see it again (a short poll).
            with contextlib.suppress(Exception):
                await bot.get_updates(offset=offset, timeout=0, limit=1)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
