"""The Bot API session: aiogram's aiohttp session with JSON request bodies and answers validated
straight from their bytes (issue 9: a Bot API call's share of an update's CPU); and aiogram's
objects bound to their bot in one step as they are validated."""

import inspect
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.context_controller import BotContextController
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import ClientError, ClientTimeout
from aiohttp.payload import BytesPayload
from pydantic import ValidationError
from yarl import URL

JSON = "application/json"
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ApiSession(AiohttpSession):
    """Sends each call as an `application/json` body, which the Bot API takes for every method,
    and falls back to aiogram's multipart form for a call that uploads a file.

    aiogram's form path encodes every nested object to a JSON string, then every field again as
    a form field; here the same prepared values (`prepare_value`, so bot defaults, dates, enums
    and nested models come out as aiogram sends them) are encoded once. A successful answer is
    validated from its bytes by pydantic; any other answer goes through aiogram's
    `check_response`, so the errors raised are aiogram's own. The `Response[T]` models are kept
    here: pydantic caches such generic models only weakly, and a model the garbage collector
    freed is rebuilt on the next answer (8-15 ms each, benchmarks/README.md).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._responses: dict[Any, type[Response[Any]]] = {}
        self._urls: dict[tuple[str, str], URL] = {}
        self._timeouts: dict[float, ClientTimeout] = {}

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The call's JSON body, or None when it carries a file (sent as a form instead)."""
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        # None is left out at every depth by prepare_value anyway.
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            # What the form leaves out: nothing, or an empty string.
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        if files:
            return None
        return _encode(body).encode()

    def response_model(self, method: TelegramMethod[TelegramType]) -> type[Response[TelegramType]]:
        returning = method.__returning__
        model = self._responses.get(returning)
        if model is None:
            model = self._responses[returning] = Response[returning]  # type: ignore[valid-type]
        return model

    def url(self, bot: Bot, method: TelegramMethod[Any]) -> URL:
        key = (bot.token, method.__api_method__)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = URL(self.api.api_url(token=key[0], method=key[1]))
        return url

    def client_timeout(self, timeout: float | None) -> ClientTimeout:
        total = self.timeout if timeout is None else timeout
        found = self._timeouts.get(total)
        if found is None:
            found = self._timeouts[total] = ClientTimeout(total=total)
        return found

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        try:
            async with session.post(
                self.url(bot, method),
                data=BytesPayload(body, content_type=JSON),
                timeout=self.client_timeout(timeout),
            ) as resp:
                raw = await resp.read()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        if resp.status == HTTPStatus.OK:
            try:
                response = self.response_model(method).model_validate_json(
                    raw, context={"bot": bot}
                )
            except ValidationError:
                # check_response below raises aiogram's ClientDecodeError for it.
                pass
            else:
                if response.ok:
                    return cast(TelegramType, response.result)
        # Kept before aiogram's check looks the model up by itself.
        self.response_model(method)
        checked = self.check_response(
            bot=bot,
            method=method,
            status_code=resp.status,
            content=raw.decode(errors="replace"),
        )
        return cast(TelegramType, checked.result)


BOT = "_bot"
_BIND = inspect.unwrap(BotContextController.__dict__["model_post_init"])


def _bind_bot(self: BotContextController, context: Any, /) -> None:
    # What pydantic's wrappers end up with: the private attributes' dict, holding the bot only.
    bot = context.get("bot") if context else None
    private = getattr(self, "__pydantic_private__", None)
    if private is None:
        object.__setattr__(self, "__pydantic_private__", {BOT: bot})
    else:
        private[BOT] = bot


def _models(cls: type[BotContextController]) -> Iterator[type[BotContextController]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _models(sub)


def bind_bot_directly() -> None:
    """Bind each aiogram object to its bot with one call instead of pydantic's chain of wrappers.

    Every aiogram type and method stores its bot in the private attribute `_bot`, set by
    `BotContextController.model_post_init`. Pydantic wraps that hook once per class in the
    hierarchy, each wrapper walking the private attributes and their defaults first: about half
    the CPU of validating a Message answer (8 nested objects) was these Python calls, and
    every update received pays the same. The replacement leaves the same dict behind. Only a
    class whose hook is that chain and whose only private attribute is `_bot` is changed
    (tests/test_api_session.py checks that this is every one of aiogram's, which is pinned).
    """
    for cls in set(_models(BotContextController)):
        hook = cls.__dict__.get("model_post_init")
        if hook is None or hook is _bind_bot:
            continue
        if inspect.unwrap(hook) is _BIND and set(cls.__private_attributes__) == {BOT}:
            cls.model_post_init = _bind_bot  # type: ignore[method-assign, assignment]
