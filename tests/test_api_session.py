"""The Bot API session against the sandbox: JSON bodies arrive as aiogram's forms did, uploads
still go as forms, and every error is aiogram's own."""

import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import pytest
from aiogram import Bot
from aiogram.client.context_controller import BotContextController
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiohttp import web
from pydantic import AnyHttpUrl, SecretStr

from bot.api_session import ApiSession, _bind_bot, bind_bot_directly
from bot.factory import create_bot
from bot.settings import Settings
from sandbox import RunningSandbox, SandboxClient, start_sandbox
from tests.served import serving

TOKEN = "123456789:AAEsandboxTestTokenValue_xyz"
MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[
        [
            InlineKeyboardButton(text="Repair", callback_data="menu:repair"),
            InlineKeyboardButton(text="Site", url="https://example.com/a?b=c"),
        ],
        [InlineKeyboardButton(text="取消", callback_data="form:cancel")],
    ]
)


class Sessions(Protocol):
    def __call__(self, base_url: str, timeout: float = 60.0) -> list[Bot]: ...


@pytest.fixture
async def running() -> AsyncIterator[RunningSandbox]:
    server = await start_sandbox(seed=7)
    yield server
    await server.stop()


@pytest.fixture
async def client(running: RunningSandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(running.base_url) as c:
        yield c


@pytest.fixture
async def bots() -> AsyncIterator[Sessions]:
    """The same bot through aiogram's own session and through ours, for a base URL."""
    made: list[Bot] = []

    def make(base_url: str, timeout: float = 60.0) -> list[Bot]:
        api = TelegramAPIServer.from_base(base_url)
        sessions: list[BaseSession] = [
            AiohttpSession(api=api, timeout=timeout),
            ApiSession(api=api, timeout=timeout),
        ]
        default = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
        pair = [Bot(TOKEN, session=session, default=default) for session in sessions]
        made.extend(pair)
        return pair

    yield make
    for bot in made:
        await bot.session.close()


def arrived(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in ("text", "html", "entities", "buttons")}


def as_sent(params: dict[str, Any]) -> dict[str, Any]:
    """A call's parameters with the form's strings read as the JSON values they stand for."""
    read: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        read[key] = value
    return read


async def test_create_bot_uses_the_json_session(running: RunningSandbox) -> None:
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_url=AnyHttpUrl(running.base_url),
    )
    bot = create_bot(settings)
    assert isinstance(bot.session, ApiSession)
    await bot.session.close()


async def test_a_message_with_markup_and_defaults_arrives_as_the_form_sent_it(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    form, lean = bots(running.base_url)
    text = "Please choose a <b>category</b> & wait: <i>今天</i> https://example.com"
    for bot in (form, lean):
        sent = await bot.send_message(owner["id"], text, reply_markup=MARKUP)
        assert sent.bot is bot
        assert sent.reply_markup is not None
        assert sent.reply_markup.model_dump() == MARKUP.model_dump()
    first, second = await client.messages(owner["id"])
    assert arrived(first) == arrived(second)
    assert first["entities"]
    by_form, by_json = await client.calls("sendMessage")
    assert as_sent(by_form["params"]) == as_sent(by_json["params"])
    assert by_json["params"]["parse_mode"] == "HTML"
    assert by_json["params"]["link_preview_options"] == {"is_disabled": True}


async def test_a_document_upload_still_goes_as_a_form(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    _, lean = bots(running.base_url)
    content = b"%PDF-1.4 receipt"
    sent = await lean.send_document(
        owner["id"],
        BufferedInputFile(content, filename="receipt-7.pdf"),
        caption="<b>Receipt</b> 7",
        reply_markup=MARKUP,
    )
    assert sent.document is not None
    assert sent.document.file_name == "receipt-7.pdf"
    assert sent.caption == "Receipt 7"
    (message,) = await client.messages(owner["id"])
    assert await client.download(message["document"]["file_id"]) == content
    assert message["buttons"][0][0]["text"] == "Repair"


async def raised(bot: Bot, call: Callable[[Bot], Any]) -> Exception:
    with pytest.raises(Exception) as caught:
        await call(bot)
    return caught.value


async def same_error(bots: list[Bot], call: Callable[[Bot], Any], kind: type) -> Exception:
    """Both sessions raise the same error class with the same message; ours is returned."""
    form_error = await raised(bots[0], call)
    lean_error = await raised(bots[1], call)
    assert type(form_error) is type(lean_error) is kind
    assert str(form_error) == str(lean_error)
    return lean_error


async def test_a_rate_limit_is_a_retry_after(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    await client.set_faults(rate_limit_per_second=1, methods=["sendMessage"])
    pair = bots(running.base_url)
    await pair[0].send_message(owner["id"], "the second's one call")

    def send(bot: Bot) -> Any:
        return bot.send_message(owner["id"], "hi")

    error = await same_error(pair, send, TelegramRetryAfter)
    assert isinstance(error, TelegramRetryAfter)
    assert error.retry_after >= 1


async def test_bad_requests_keep_their_text(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    pair = bots(running.base_url)
    sent = await pair[1].send_message(owner["id"], "pick", reply_markup=MARKUP)

    def unchanged(bot: Bot) -> Any:
        return bot.edit_message_reply_markup(
            chat_id=owner["id"], message_id=sent.message_id, reply_markup=MARKUP
        )

    error = await same_error(pair, unchanged, TelegramBadRequest)
    assert "message is not modified" in str(error)

    def expired(bot: Bot) -> Any:
        return bot.answer_callback_query("404", text="ok")

    error = await same_error(pair, expired, TelegramBadRequest)
    assert "query is too old" in str(error)


async def test_a_blocked_user_is_forbidden(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    await client.block(owner["id"])

    def send(bot: Bot) -> Any:
        return bot.send_message(owner["id"], "hi")

    error = await same_error(bots(running.base_url), send, TelegramForbiddenError)
    assert "bot was blocked by the user" in str(error)


@pytest.mark.parametrize("code", [500, 502])
async def test_server_errors(
    running: RunningSandbox, client: SandboxClient, bots: Sessions, code: int
) -> None:
    owner = await client.create_user("Olga")
    await client.set_faults(error_rate=1, error_codes=[code], methods=["sendMessage"])

    def send(bot: Bot) -> Any:
        return bot.send_message(owner["id"], "hi")

    await same_error(bots(running.base_url), send, TelegramServerError)


async def test_a_timeout_is_a_network_error(
    running: RunningSandbox, client: SandboxClient, bots: Sessions
) -> None:
    owner = await client.create_user("Olga")
    await client.set_faults(delay=1, methods=["sendMessage"])

    def send(bot: Bot) -> Any:
        return bot.send_message(owner["id"], "hi")

    error = await same_error(bots(running.base_url, timeout=0.2), send, TelegramNetworkError)
    assert "Request timeout error" in str(error)


async def test_no_server_is_a_network_error(bots: Sessions) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]

    def me(bot: Bot) -> Any:
        return bot.get_me()

    await same_error(bots(f"http://127.0.0.1:{port}"), me, TelegramNetworkError)


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"<html>proxy</html>"), (200, b'{"ok": true, "result": "not a user"}'), (502, b"")],
)
async def test_an_undecodable_answer(bots: Sessions, status: int, body: bytes) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/{path:.*}", answer)
    async with serving(app) as base:

        def me(bot: Bot) -> Any:
            return bot.get_me()

        await same_error(bots(base), me, ClientDecodeError)


def test_objects_are_bound_to_their_bot_as_pydantic_would() -> None:
    bind_bot_directly()
    # Every aiogram type and method (aiogram is pinned: a new hook or private attribute shows).
    models = [BotContextController]
    for model in models:
        models.extend(model.__subclasses__())
    assert len(models) > 600
    assert all(model.model_post_init is _bind_bot for model in models)

    bot = Bot(TOKEN)
    raw = {
        "message_id": 3,
        "date": 1764760000,
        "chat": {"id": 1, "type": "private", "first_name": "Olga"},
        "text": "pick",
        "reply_markup": MARKUP.model_dump(exclude_none=True),
    }
    bound = Message.model_validate(raw, context={"bot": bot})
    assert bound.reply_markup is not None
    for each in (bound, bound.chat, bound.reply_markup, bound.reply_markup.inline_keyboard[0][0]):
        assert each.__pydantic_private__ == {"_bot": bot}
        assert each.bot is bot
    assert bound.model_dump() == Message.model_validate_json(json.dumps(raw)).model_dump()
    assert Message.model_validate(raw).__pydantic_private__ == {"_bot": None}
    assert Message.model_construct(**raw).__pydantic_private__ == {"_bot": None}
    assert SendMessage(chat_id=1, text="x").as_(bot).bot is bot
