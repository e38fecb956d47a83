"""Plain-function filters and handlers are called on the event loop's thread (bot.inline_calls),
with the same arguments aiogram would have given them in a worker thread; routers without outer
middlewares hand events on directly, the others still run theirs."""

import threading
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher, F, Router
from aiogram.types import Chat, Message, Update, User

from bot.inline_calls import propagate_directly, run_inline
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
