"""Plain-function filters and handlers run on the event loop, not in a worker thread.

aiogram awaits a filter or handler that is a coroutine function and hands any other callable
to `asyncio.to_thread` — every `F.…` magic filter, every lambda. With some hundred filters
tried across the routers, an update paid dozens of thread hops (a pool submit, a wake-up, a
GIL hand-over and a loop wake-up each) for checks that take microseconds; the profile in
benchmarks/README.md found them to be a large share of an update's CPU. Ours never block, so
they are called directly.
"""

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject


def run_inline(router: Router) -> None:
    """Make every plain-function filter and handler of `router` and its sub-routers awaitable."""
    for each in router.chain_tail:
        for observer in each.observers.values():
            # `_handler` holds the filters set with `router.message.filter(...)`.
            for handler in [observer._handler, *observer.handlers]:
                for item in [handler, *(handler.filters or [])]:
                    if not item.awaitable:
                        _inline(item)


def _inline(item: CallableObject) -> None:
    sync: Callable[..., Any] = item.callback

    async def call(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # The parameters aiogram passes were read from the original's signature and stay as they are.
    item.callback = call
    item.awaitable = True
