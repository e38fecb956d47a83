"""Plain-function filters and handlers are called on the event loop's thread (bot.inline_calls),
with the same arguments aiogram would have given them in a worker thread; routers without outer
middlewares hand events on directly, the others still run theirs."""

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Command, CommandStart
from aiogram.types import Chat, Message, Update, User

from bot.inline_calls import _commands_only, propagate_directly, run_inline
from tests.mocked_bot import MockedBot


def _update(text: str) -> Update:
    user = User(id=7, is_bot=False, first_name="Ann")
    message = Message(
        message_id=1,
        date=datetime(2026, 11, 23, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        from_user=user,
        text=text,
    )
    return Update(update_id=1, message=message)


async def test_sync_filters_and_handlers_run_on_the_loop_thread() -> None:
    threads: dict[str, int] = {}
    router = Router()

    def router_filter(message: Message) -> bool:
        threads["router filter"] = threading.get_ident()
        return True

    def handler_filter(message: Message, extra: str) -> dict[str, Any]:
        # Only the parameters it names are passed, as aiogram does for any callable.
        threads["handler filter"] = threading.get_ident()
        return {"seen": extra}

    def handler(message: Message, seen: str) -> str:
        threads["handler"] = threading.get_ident()
        return f"handled {message.text} {seen}"

    router.message.filter(router_filter)
    router.message(F.text == "other")(lambda message: "wrong handler")
    router.message(F.text == "hello", handler_filter)(handler)
    dp = Dispatcher(extra="with extra")
    dp.include_router(router)
    run_inline(dp)

    result = await dp.feed_update(MockedBot(), _update("hello"))

    assert result == "handled hello with extra"
    assert threads == dict.fromkeys(
        ["router filter", "handler filter", "handler"], threading.get_ident()
    )


async def test_routers_propagate_directly_and_keep_their_outer_middlewares() -> None:
    seen: list[str] = []
    outer, inner, leaf = Router(name="outer"), Router(name="inner"), Router(name="leaf")

    async def around(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        seen.append("middleware")
        data["from_middleware"] = "yes"
        return await handler(event, data)

    async def handled(message: Message, event_router: Router, from_middleware: str) -> str:
        return f"{event_router.name} {from_middleware}"

    inner.message.outer_middleware(around)
    leaf.message(F.text == "hello")(handled)
    outer.include_router(inner)
    inner.include_router(leaf)
    dp = Dispatcher()
    dp.include_router(outer)
    propagate_directly(dp)

    assert await dp.feed_update(MockedBot(), _update("hello")) == "leaf yes"
    assert seen == ["middleware"]


def _recording_tree(seen: list[tuple[str, list[str], str]]) -> Dispatcher:
    """Routers whose filters and handlers record the data they are given: a router filter that
    adds data, a handler whose first filter adds data and whose second refuses, a handler that
    skips, a sub-router with an inner middleware and one with an outer middleware."""

    def record(name: str) -> Any:
        def look(message: Message, **data: Any) -> bool:
            router: Router = data["event_router"]
            handlers = router.message.handlers
            # A router's own filters see the dispatcher's handler of the update.
            handler = handlers.index(data["handler"]) if data["handler"] in handlers else "update"
            seen.append((name, sorted(data), f"{router.name} handler {handler}"))
            return True

        return look

    def adds(key: str) -> Any:
        def filter_(message: Message) -> dict[str, Any]:
            return {key: key}

        return filter_

    async def skips(message: Message, **data: Any) -> None:
        record("skipping handler")(message, **data)
        raise SkipHandler

    async def handled(message: Message, **data: Any) -> str:
        record("handler")(message, **data)
        return "handled"

    async def inner(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        data["from_inner"] = True
        return await handler(event, data)

    async def outer(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        data["from_outer"] = True
        return await handler(event, data)

    top, middle, plain, leaf = (Router(name=n) for n in ["top", "middle", "plain", "leaf"])
    top.message.filter(adds("from_top"), record("top filter"))
    top.message(adds("refused_data"), lambda message: False)(lambda message: "wrong")
    top.message(adds("skipped_data"), record("before skip"))(skips)
    top.message(record("after skip"), lambda message: False)(lambda message: "wrong")
    middle.message.middleware(inner)
    middle.message(F.text == "other")(lambda message: "wrong")
    plain.message(record("plain filter"), lambda message: False)(lambda message: "wrong")
    leaf.message.outer_middleware(outer)
    leaf.message(record("leaf filter"))(handled)
    top.include_router(middle)
    middle.include_router(plain)
    middle.include_router(leaf)
    dp = Dispatcher(extra="extra")
    dp.include_router(top)
    return dp


async def test_routers_see_the_same_data_as_with_aiogram_own_propagation() -> None:
    """The same steps with the same data, in the same order, as aiogram's own propagation."""
    seen: dict[str, list[tuple[str, list[str], str]]] = {"aiogram": [], "direct": []}
    results = {}
    for variant in seen:
        dp = _recording_tree(seen[variant])
        if variant == "direct":
            run_inline(dp)
            propagate_directly(dp)
        results[variant] = await dp.feed_update(MockedBot(), _update("hello"))

    assert results == {"aiogram": "handled", "direct": "handled"}
    assert seen["direct"] == seen["aiogram"]
    steps = [name for name, _, _ in seen["direct"]]
    assert steps == [
        "top filter",
        "before skip",
        "skipping handler",
        "after skip",
        "plain filter",
        "leaf filter",
        "handler",
    ]


async def test_the_update_middlewares_are_wrapped_once_and_again_when_they_change() -> None:
    calls: list[str] = []

    def middleware(name: str) -> Any:
        async def around(handler: Any, event: Any, data: dict[str, Any]) -> Any:
            calls.append(name)
            return await handler(event, data)

        return around

    router = Router()
    router.message()(lambda message: "handled")
    dp = Dispatcher()
    dp.include_router(router)
    dp.update.outer_middleware(middleware("first"))
    propagate_directly(dp)
    bot = MockedBot()

    assert await dp.feed_update(bot, _update("a")) == "handled"
    assert await dp.feed_update(bot, _update("b")) == "handled"
    dp.update.outer_middleware(middleware("second"))
    assert await dp.feed_update(bot, _update("c")) == "handled"
    assert calls == ["first", "first", "first", "second"]


def _outcome(result: Any) -> Any:
    """A filter's answer, a regexp's match object by what it matched (matches compare by
    identity)."""
    if not isinstance(result, dict):
        return result
    command = result["command"]
    found = command.regexp_match.group(0) if command.regexp_match else None
    return replace(command, regexp_match=found), {
        k: v for k, v in result.items() if k != "command"
    }


async def test_command_filters_refuse_plain_text_as_aiogram_does() -> None:
    bot = MockedBot()
    filters = [
        Command("start"),
        Command("help", "ticket", ignore_case=True),
        Command("go", prefix="!/"),
        Command(re.compile(r"st.*")),
        CommandStart(),
        CommandStart(deep_link=True),
    ]
    texts = [
        "/start",
        "  /start  now",
        "/start@frontdoor_bot",
        "/help@frontdoor_bot",
        "/help@other_bot",
        "/start@",
        "/stop",
        "/START",
        "/Help me",
        "!go",
        "/go",
        "/start abc",
        "hello /start",
        "📋 My requests",
        "   ",
        "",
        "\u00a0/start",
    ]
    for command in filters:
        plain, quick = FilterObject(command), FilterObject(command)
        _commands_only(quick)
        for text in texts:
            message = _update(text).message
            assert message is not None
            expected = _outcome(await plain.callback(message, bot=bot))
            assert _outcome(await quick.callback(message, bot=bot)) == expected, (command, text)
        caption = _update("x").message
        assert caption is not None
        with_caption = caption.model_copy(update={"text": None, "caption": "/start"})
        assert _outcome(await quick.callback(with_caption, bot=bot)) == _outcome(
            await plain.callback(with_caption, bot=bot)
        )
