"""Plain-function filters and handlers run on the event loop, not in a worker thread.

aiogram awaits a filter or handler that is a coroutine function and hands any other callable
to `asyncio.to_thread` — every `F.…` magic filter, every lambda. With some hundred filters
tried across the routers, an update paid dozens of thread hops (a pool submit, a wake-up, a
GIL hand-over and a loop wake-up each) for checks that take microseconds; the profile in
benchmarks/README.md found them to be a large share of an update's CPU. Ours never block, so
they are called directly.

Each handler's check calls its filters itself (the same arguments, one call layer less), and
`propagate_directly` takes out the other per-router cost that does nothing here: aiogram wraps
each router's outer-middleware chain around the router's handling of every update it passes
through, also when the chain is empty (a `functools.wraps`, a partial and two more copies of
the update's data each time), about a third of what visiting a router costs.
"""

from collections.abc import Callable
from types import MethodType
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject
from aiogram.types import TelegramObject


def run_inline(router: Router) -> None:
    """Make every plain-function filter and handler of `router` and its sub-routers awaitable,
    and have each handler call its filters itself."""
    for each in router.chain_tail:
        for observer in each.observers.values():
            # `_handler` holds the filters set with `router.message.filter(...)`.
            for handler in [observer._handler, *observer.handlers]:
                for item in [handler, *(handler.filters or [])]:
                    if not item.awaitable:
                        _inline(item)
                handler.check = MethodType(_check, handler)  # type: ignore[method-assign]


def _inline(item: CallableObject) -> None:
    sync: Callable[..., Any] = item.callback

    async def call(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # The parameters aiogram passes were read from the original's signature and stay as they are.
    item.callback = call
    item.awaitable = True


async def _check(self: HandlerObject, *args: Any, **kwargs: Any) -> tuple[bool, dict[str, Any]]:
    """HandlerObject.check, calling each (awaitable) filter with the parameters it names
    without FilterObject.call's partial and third copy of the update's data: a handler
    check is ~30 % cheaper, and an update tries dozens of them."""
    for event_filter in self.filters or []:
        if not event_filter.awaitable:
            check = await event_filter.call(*args, **kwargs)
        elif event_filter.varkw:
            check = await event_filter.callback(*args, **kwargs)
        else:
            named = {k: kwargs[k] for k in event_filter.params if k in kwargs}
            check = await event_filter.callback(*args, **named)
        if not check:
            return False, kwargs
        if isinstance(check, dict):
            kwargs.update(check)
    return True, kwargs


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
