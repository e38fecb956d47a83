"""Passing Telegram errors on direct answers: retried a little, and never fatal for cosmetics."""

from datetime import UTC, datetime

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    GetUpdates,
    SendMessage,
)
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.middlewares import ExpiredCallbackAnswers, RetryHiccups
from handlers.keyboards import close_buttons
from tests.mocked_bot import BOT_ID, MockedBot


class Flaky:
    """A make_request that fails with the given errors, then answers "ok"."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, bot, method):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)(method)
        return "ok"


def server_error(method):
    return TelegramServerError(method=method, message="Internal Server Error")


def network_error(method):
    return TelegramNetworkError(method=method, message="timeout")


def retry_after(seconds):
    return lambda method: TelegramRetryAfter(
        method=method, message="Too Many Requests", retry_after=seconds
    )


@pytest.fixture
def slept():
    return []


@pytest.fixture
def retry(slept):
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return RetryHiccups(attempts=3, max_wait=5, sleep=sleep)


SEND = SendMessage(chat_id=1, text="hi")


async def test_server_and_network_errors_are_retried_with_backoff(retry, slept):
    flaky = Flaky(server_error, network_error)
    assert await retry(flaky, MockedBot(), SEND) == "ok"
    assert flaky.calls == 3
    assert slept == [0.3, 0.6]


async def test_gives_up_after_the_last_attempt(retry):
    flaky = Flaky(server_error, server_error, server_error, server_error)
    with pytest.raises(TelegramServerError):
        await retry(flaky, MockedBot(), SEND)
    assert flaky.calls == 3


async def test_short_429_waits_and_long_429_is_raised(retry, slept):
    flaky = Flaky(retry_after(2))
    assert await retry(flaky, MockedBot(), SEND) == "ok"
    assert slept == [2]
    with pytest.raises(TelegramRetryAfter):
        await retry(Flaky(retry_after(60)), MockedBot(), SEND)


async def test_get_updates_is_left_to_the_polling_loop(retry):
    flaky = Flaky(server_error)
    with pytest.raises(TelegramServerError):
        await retry(flaky, MockedBot(), GetUpdates())
    assert flaky.calls == 1


async def test_failing_to_remove_old_buttons_does_not_stop_the_step():
    bot = MockedBot()
    tried = []

    async def refuse_edits(bot_, method, timeout=None):
        tried.append(type(method).__name__)
        if isinstance(method, EditMessageReplyMarkup):
            raise server_error(method)
        return True

    bot.session.make_request = refuse_edits  # type: ignore[method-assign]
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Plumbing", callback_data="x")]]
    )
    message = Message(
        message_id=5,
        date=datetime.now(UTC),
        chat={"id": 7, "type": "private"},
        from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
        text="What kind of problem is it?",
        reply_markup=markup,
    ).as_(bot)
    query = CallbackQuery(
        id="1",
        from_user=User(id=7, is_bot=False, first_name="Wang"),
        chat_instance="ci",
        message=message,
        data="x",
    ).as_(bot)
    await close_buttons(query)
    assert tried == ["EditMessageReplyMarkup"]


def bad_request(text):
    return lambda method: TelegramBadRequest(method=method, message=f"Bad Request: {text}")


async def test_an_expired_press_answer_counts_as_given_and_other_refusals_do_not():
    expired = "query is too old and response timeout expired or query ID is invalid"
    answers = ExpiredCallbackAnswers()
    answer = AnswerCallbackQuery(callback_query_id="1")
    # A press redelivered after a crash: its first handling already answered it.
    assert await answers(Flaky(bad_request(expired)), MockedBot(), answer) is True
    with pytest.raises(TelegramBadRequest):
        await answers(Flaky(bad_request("MESSAGE_TOO_LONG")), MockedBot(), answer)
    with pytest.raises(TelegramBadRequest):
        await answers(Flaky(bad_request(expired)), MockedBot(), SEND)
