"""The router gates (handlers/filters.py): an update skips a gated router only when none of
its handlers could have taken it."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiogram import Dispatcher, Router
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, Chat, Message, User

from handlers.filters import ButtonsOf, DataIs
from handlers.payments import PayAction, PayCB
from tests.helpers import answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import OWNER


def _gated_buttons(
    router: Router, gates: list[ButtonsOf]
) -> Iterator[tuple[str, list[ButtonsOf]]]:
    """Each button handler's callback data prefix, with the ButtonsOf gates above it."""
    here = gates + [
        f.callback
        for f in router.callback_query._handler.filters or []
        if isinstance(f.callback, ButtonsOf)
    ]
    for handler in router.callback_query.handlers:
        for item in handler.filters or []:
            if isinstance(item.callback, CallbackQueryFilter):
                yield str(item.callback.callback_data.__prefix__), here
            elif isinstance(item.callback, DataIs):
                yield item.callback.data, here
    for sub in router.sub_routers:
        yield from _gated_buttons(sub, here)


def _press(data: str) -> CallbackQuery:
    user = User(id=1, is_bot=False, first_name="T")
    message = Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type="private"))
    return CallbackQuery(id="1", from_user=user, chat_instance="c", message=message, data=data)


async def test_every_button_a_handler_takes_passes_the_gates_above_it(dp: Dispatcher) -> None:
    checked = 0
    for prefix, gates in _gated_buttons(dp, []):
        for gate in gates:
            assert await gate(_press(f"{prefix}:x")), prefix
            checked += 1
    assert checked > 50


async def test_a_gate_refuses_a_button_handler_it_cannot_read() -> None:
    router = Router(name="opaque")
    router.callback_query(lambda query: True)(lambda query: None)
    with pytest.raises(ValueError, match="opaque"):
        await ButtonsOf(router)(_press("x"))


async def test_a_staff_button_pressed_in_a_private_chat_is_still_refused(
    tg, bot, verified_owner
) -> None:
    """The staff group's gate lets in the buttons of its routers from any chat."""
    forged = PayCB(action=PayAction.confirm, request_id=1, token="t").pack()
    await tg.press(OWNER, forged)
    assert answers(bot)[-1].text == "Sorry, only the management office's staff can do this here."
