"""Plain-function filters and handlers run on the event loop, not in a worker thread.

aiogram awaits a filter or handler that is a coroutine function and hands any other callable
to `asyncio.to_thread` — every `F.…` magic filter, every lambda. With some hundred filters
tried across the routers, an update paid dozens of thread hops (a pool submit, a wake-up, a
GIL hand-over and a loop wake-up each) for checks that take microseconds; the profile in
benchmarks/README.md found them to be a large share of an update's CPU. Ours never block, so
they are called directly.

Each handler's check calls its filters itself (the same arguments, one call layer less), and
`propagate_directly` takes out the rest of what visiting a router costs that does nothing
here: the wrapping of empty middleware chains and the copies of the update's data that
aiogram makes at every step (see there). Written against aiogram 3.31 (requirements.lock);
tests/test_inline_calls.py checks the steps and the data each one sees against aiogram's own
propagation.
"""

from collections.abc import Awaitable, Callable
from types import MethodType
from typing import Any, cast

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, CommandStart
from aiogram.types import Message, TelegramObject

# Where _wrap_outer_once keeps the dispatcher's chain of update middlewares.
_OUTER_CHAIN = "_frontdoor_outer_chain"


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
                    elif _plain_command(item.callback):
                        _commands_only(item)
                handler.check = MethodType(_check, handler)  # type: ignore[method-assign]


def _inline(item: CallableObject) -> None:
    sync: Callable[..., Any] = item.callback

    async def call(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # The parameters aiogram passes were read from the original's signature and stay as they are.
    item.callback = call
    item.awaitable = True


def _plain_command(callback: Any) -> bool:
    """aiogram's Command or CommandStart filter as it is, not a subclass with its own checks."""
    return (
        isinstance(callback, Command)
        and type(callback).__call__ is Command.__call__
        and type(callback).parse_command in (Command.parse_command, CommandStart.parse_command)
    )


def _commands_only(item: CallableObject) -> None:
    """A Command filter refuses a text that is not one of its commands without parsing it:
    aiogram splits the text, builds a CommandObject and raises and catches an exception for
    that (~6-9 µs), and a free-text update meets nine Command filters, a /start the seven that
    are not /start. Command checks, in this order: the prefix ("/"), the mention (asking
    getMe for the bot's name), the name. So a text that does not start with the prefix, or a
    command without a mention whose name is none of the filter's (names, not patterns), is
    refused here with the same answer; anything else goes to the filter as before."""
    command: Callable[..., Awaitable[Any]] = item.callback
    spec = cast(Command, item.callback)
    prefix, folded = spec.prefix, spec.ignore_case
    names = frozenset(spec.commands) if all(isinstance(c, str) for c in spec.commands) else None

    async def call(message: TelegramObject, *args: Any, **kwargs: Any) -> Any:
        if isinstance(message, Message):
            # str.split() (the filter's) and str.lstrip() skip the same whitespace.
            text = (message.text or message.caption or "").lstrip()
            if text and text[0] not in prefix:
                return False
            if text and names is not None:
                name, _, mention = text.split(maxsplit=1)[0][1:].partition("@")
                if not mention and (name.casefold() if folded else name) not in names:
                    return False
        return await command(message, *args, **kwargs)

    item.callback = call


async def _check(
    self: HandlerObject, event: TelegramObject, **kwargs: Any
) -> tuple[bool, dict[str, Any]]:
    """HandlerObject.check, calling each (awaitable) filter with the parameters it names
    without FilterObject.call's partial and third copy of the update's data: a handler
    check is ~30 % cheaper, and an update tries dozens of them."""
    return await _passes(self, event, kwargs)


def propagate_directly(router: Router) -> None:
    """`router` and its sub-routers hand an event to their handlers without wrapping an empty
    middleware chain around them and with one copy of the update's data per router visited;
    a router with outer middlewares for the event's kind runs them as before.

    aiogram 3.31 (requirements.lock) passes the data (~35 keys) on as `**kwargs` at every step
    of a visit: `propagate_event`, `_propagate_event`, `check_root_filters`, the root filters'
    check, `trigger` and each handler's check spread it into a new dict again, and a handler
    that matched is called through `wrap_middlewares`, which builds a `functools.wraps` wrapper
    even for no middlewares. `_propagate` and `_trigger` below do what `Router.propagate_event`
    and `TelegramEventObserver.trigger` do with one copy for the router and one for its
    handlers; a handler's filters share that copy until one of them returns data
    (tests/test_inline_calls.py checks the data each step sees against aiogram's own).
    """
    for each in router.chain_tail:
        # Only aiogram's own propagation is replaced, never a subclass's.
        if type(each).propagate_event is Router.propagate_event:
            each.propagate_event = MethodType(_propagate, each)  # type: ignore[method-assign]
        for observer in each.observers.values():
            if type(observer).trigger is TelegramEventObserver.trigger:
                observer.trigger = MethodType(_trigger, observer)  # type: ignore[method-assign]
    if isinstance(router, Dispatcher):
        update = router.update
        update.wrap_outer_middleware = MethodType(  # type: ignore[method-assign]
            _wrap_outer_once, update
        )


def _wrap_outer_once(
    self: TelegramEventObserver, callback: Any, event: TelegramObject, data: dict[str, Any]
) -> Any:
    """TelegramEventObserver.wrap_outer_middleware, the chain built once: the dispatcher wraps
    its ~ten update middlewares (a partial each and a `functools.wraps` wrapper) around its own
    `trigger` for every update. The chain is rebuilt when the middlewares or `callback` change.
    """
    key = (callback, *self.outer_middleware)
    cached = self.__dict__.get(_OUTER_CHAIN)
    if cached is None or cached[0] != key:
        cached = key, self.middleware.wrap_middlewares(self.outer_middleware, callback)
        self.__dict__[_OUTER_CHAIN] = cached
    return cached[1](event, data)


async def _propagate(self: Router, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
    """Router.propagate_event; `kwargs` is this visit's own copy of the data."""
    return await _visit(self, update_type, event, kwargs)


async def _visit(
    router: Router, update_type: str, event: TelegramObject, kwargs: dict[str, Any]
) -> Any:
    observer = router.observers.get(update_type)
    if observer is not None and observer.outer_middleware._middlewares:
        return await Router.propagate_event(router, update_type, event, **kwargs)
    kwargs["event_router"] = router
    if observer is not None:
        # The router's own filters (`router.message.filter(...)`), before any handler.
        if observer._handler.filters:
            passed, kwargs = await _passes(observer._handler, event, kwargs)
            if not passed:
                return UNHANDLED
        if observer.handlers:
            # The handlers' own copy: what they add ("handler", their filters' data) is not
            # seen by the sub-routers.
            response = await _run_handlers(observer, event, kwargs.copy())
            if response is REJECTED:
                return UNHANDLED
            if response is not UNHANDLED:
                return response
    response = UNHANDLED
    for sub in router.sub_routers:
        # A copy (~0.15 µs) where spreading the data into keyword arguments is ~1.5 µs.
        own = sub.__dict__.get("propagate_event")
        if getattr(own, "__func__", None) is _propagate:
            response = await _visit(sub, update_type, event, kwargs.copy())
        else:
            response = await sub.propagate_event(update_type=update_type, event=event, **kwargs)
        if response is not UNHANDLED:
            break
    return response


async def _trigger(self: TelegramEventObserver, event: TelegramObject, **kwargs: Any) -> Any:
    """TelegramEventObserver.trigger (the dispatcher's `update` observer is triggered this way)."""
    return await _run_handlers(self, event, kwargs)


async def _run_handlers(
    observer: TelegramEventObserver, event: TelegramObject, kwargs: dict[str, Any]
) -> Any:
    """The first handler whose filters pass handles the event; `kwargs` is the handlers' own."""
    for handler in observer.handlers:
        kwargs["handler"] = handler
        if handler.filters:
            passed, data = await _passes(handler, event, kwargs)
            if not passed:
                continue
            # As aiogram's trigger: a handler that raises SkipHandler leaves its filters' data.
            kwargs.update(data)
        try:
            middlewares = _inner_middlewares(observer)
            if middlewares or not handler.awaitable:
                wrapped = observer.outer_middleware.wrap_middlewares(middlewares, handler.call)
                return await wrapped(event, kwargs)
            if handler.varkw:
                return await handler.callback(event, **kwargs)
            return await handler.callback(
                event, **{k: kwargs[k] for k in handler.params if k in kwargs}
            )
        except SkipHandler:
            continue
    return UNHANDLED


def _inner_middlewares(observer: TelegramEventObserver) -> list[Any]:
    """TelegramEventObserver._resolve_middlewares (the inner middlewares of this kind of event
    on the router and the ones above it, outermost first) without iterating each
    MiddlewareManager through Sequence.__iter__, which indexes it until IndexError."""
    found: list[Any] = []
    router: Router | None = observer.router
    while router is not None:
        each = router.observers.get(observer.event_name)
        if each is not None and each.middleware._middlewares:
            found[:0] = each.middleware._middlewares
        router = router._parent_router
    return found


async def _passes(
    handler: HandlerObject, event: TelegramObject, kwargs: dict[str, Any]
) -> tuple[bool, dict[str, Any]]:
    """HandlerObject.check without copying `kwargs` first: the data is copied when a filter
    returns some to add, so a handler that fails later leaves `kwargs` as it was."""
    data = kwargs
    for event_filter in handler.filters or ():
        if not event_filter.awaitable:
            check = await event_filter.call(event, **data)
        elif event_filter.varkw:
            check = await event_filter.callback(event, **data)
        else:
            named = {k: data[k] for k in event_filter.params if k in data}
            check = await event_filter.callback(event, **named)
        if not check:
            return False, kwargs
        if isinstance(check, dict):
            if data is kwargs:
                data = dict(kwargs)
            data.update(check)
    return True, data
