"""Plain-function filters and handlers run on the event loop, not in a worker thread.

aiogram awaits a filter or handler that is a coroutine function and hands any other callable
to `asyncio.to_thread` — every `F.…` magic filter, every lambda. With some hundred filters
tried across the routers, an update paid dozens of thread hops (a pool submit, a wake-up, a
GIL hand-over and a loop wake-up each) for checks that take microseconds; the profile in
benchmarks/README.md found them to be a large share of an update's CPU. Ours never block, so
they are called directly.

`propagate_directly` takes out the other per-router cost that does nothing here: aiogram wraps
each router's outer-middleware chain around the router's handling of every update it passes
through, also when the chain is empty (a `functools.wraps`, a partial and two more copies of
the update's data each time), about a third of what visiting a router costs.
"""

from collections.abc import Callable
from types import MethodType
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.types import TelegramObject


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


def propagate_directly(router: Router) -> None:
    """`router` and its sub-routers hand an event to their handlers without wrapping an empty
    outer-middleware chain around them; a router with outer middlewares for the event's kind
    runs them as before."""
    for each in router.chain_tail:
        # Only aiogram's own propagation is replaced, never a subclass's.
        if type(each).propagate_event is Router.propagate_event:
            each.propagate_event = MethodType(_propagate, each)  # type: ignore[method-assign]


async def _propagate(self: Router, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
    observer = self.observers.get(update_type)
    if observer is None or len(observer.outer_middleware):
        return await Router.propagate_event(self, update_type, event, **kwargs)
    # What Router.propagate_event does, less the wrapping of no middlewares.
    kwargs["event_router"] = self
    return await self._propagate_event(
        observer=observer, update_type=update_type, event=event, **kwargs
    )
