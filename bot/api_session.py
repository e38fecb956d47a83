"""The Bot API session: aiogram's aiohttp session with JSON request bodies and answers validated
straight from their bytes (issue 9: a Bot API call's share of an update's CPU)."""

import json
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
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
