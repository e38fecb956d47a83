"""Async Python client for the sandbox's client API, for end-to-end tests and the demo."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any, Literal

import aiohttp

Message = dict[str, Any]


class SandboxError(Exception):
    """The client API refused an action (unknown user, no such button, bad input...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class SandboxClient:
    """One method per client-API action; see sandbox/README.md for the HTTP routes behind them.

    `wait_for_message` keeps a per-chat cursor: by default it looks for bot messages after the
    newest of the last message this client sent in that chat and the last message it returned.
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._cursor: dict[int, int] = {}

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout + 70)
            )
        return self._session

    async def _call(
        self, verb: str, path: str, body: dict[str, Any] | None = None, **query: Any
    ) -> Any:
        params = {k: str(v) for k, v in query.items() if v is not None}
        async with self._http().request(
            verb, f"{self.base_url}/sandbox/api{path}", json=body, params=params
        ) as response:
            data = await response.json()
        if not data.get("ok"):
            raise SandboxError(response.status, data.get("error", "unknown error"))
        return data["result"]

    def _sent(self, message: Message) -> Message:
        chat_id = message["chat_id"]
        self._cursor[chat_id] = max(self._cursor.get(chat_id, 0), message["message_id"])
        return message

    # ---- world ---------------------------------------------------------------------------

    async def reset(self) -> None:
        await self._call("POST", "/reset")
        self._cursor.clear()

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/state")
        return result

    async def create_user(
        self,
        first_name: str = "Owner",
        *,
        id: int | None = None,  # noqa: A002 - mirrors the API field
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
        phone_number: str | None = None,
        role: str = "owner",
    ) -> dict[str, Any]:
        body = {
            "id": id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "phone_number": phone_number,
            "role": role,
        }
        result: dict[str, Any] = await self._call("POST", "/users", body)
        return result

    async def users(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/users")
        return result

    async def create_group(
        self,
        title: str,
        member_ids: list[int],
        *,
        id: int | None = None,  # noqa: A002
    ) -> dict[str, Any]:
        body = {"title": title, "member_ids": member_ids, "id": id}
        result: dict[str, Any] = await self._call("POST", "/groups", body)
        return result

    async def add_member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._call(
            "POST", f"/groups/{chat_id}/members", {"user_id": user_id}
        )
        return result

    async def chats(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/chats")
        return result

    async def block(self, user_id: int) -> None:
        await self._call("POST", f"/users/{user_id}/block")

    async def unblock(self, user_id: int) -> None:
        await self._call("POST", f"/users/{user_id}/unblock")

    # ---- acting as a user ----------------------------------------------------------------

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "text": text,
            "reply_to_message_id": reply_to_message_id,
        }
        return self._sent(await self._call("POST", "/send/text", body))

    async def send_command(
        self, user_id: int, command: str, *, chat_id: int | None = None
    ) -> Message:
        text = command if command.startswith("/") else f"/{command}"
        return await self.send_text(user_id, text, chat_id=chat_id)

    async def send_contact(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        phone_number: str | None = None,
        contact_user_id: int | None | Literal["own"] = "own",
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> Message:
        body: dict[str, Any] = {
            "user_id": user_id,
            "chat_id": chat_id,
            "phone_number": phone_number,
            "first_name": first_name,
            "last_name": last_name,
        }
        if contact_user_id != "own":
            body["contact_user_id"] = contact_user_id
        return self._sent(await self._call("POST", "/send/contact", body))

    async def send_photo(
        self,
        user_id: int,
        data: bytes | None = None,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "caption": caption,
            "reply_to_message_id": reply_to_message_id,
            "photo_base64": base64.b64encode(data).decode() if data is not None else None,
        }
        return self._sent(await self._call("POST", "/send/photo", body))

    async def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "filename": filename,
            "document_base64": base64.b64encode(data).decode(),
            "caption": caption,
            "mime_type": mime_type,
            "reply_to_message_id": reply_to_message_id,
        }
        return self._sent(await self._call("POST", "/send/document", body))

    async def send_sticker(
        self, user_id: int, emoji: str = "👍", *, chat_id: int | None = None
    ) -> Message:
        body = {"user_id": user_id, "chat_id": chat_id, "emoji": emoji}
        return self._sent(await self._call("POST", "/send/sticker", body))

    async def send_voice(
        self, user_id: int, duration: int = 3, *, chat_id: int | None = None
    ) -> Message:
        body = {"user_id": user_id, "chat_id": chat_id, "duration": duration}
        return self._sent(await self._call("POST", "/send/voice", body))

    async def send_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> Message:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "latitude": latitude,
            "longitude": longitude,
        }
        return self._sent(await self._call("POST", "/send/location", body))

    async def press_button(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        callback_data: str | None = None,
        text: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Press an inline button; returns once the bot answered (or after `timeout`)."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "callback_data": callback_data,
            "text": text,
            "timeout": timeout,
        }
        result: dict[str, Any] = await self._call("POST", "/press/inline", body)
        return result

    async def press_reply_button(
        self, user_id: int, text: str, *, chat_id: int | None = None
    ) -> Message:
        body = {"user_id": user_id, "chat_id": chat_id, "text": text}
        return self._sent(await self._call("POST", "/press/reply", body))

    # ---- reading -------------------------------------------------------------------------

    async def messages(
        self,
        chat_id: int,
        *,
        after_message_id: int = 0,
        since: float | None = None,
        wait: float = 0,
    ) -> list[Message]:
        result = await self._call(
            "GET",
            f"/chats/{chat_id}/messages",
            after_message_id=after_message_id,
            since=since,
            wait=wait or None,
        )
        messages: list[Message] = result["messages"]
        return messages

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        timeout: float = 10.0,
        after_message_id: int | None = None,
        predicate: Callable[[Message], bool] | None = None,
    ) -> Message:
        """The first new bot message in the chat whose text or caption contains `contains`."""
        after = self._cursor.get(chat_id, 0) if after_message_id is None else after_message_id
        deadline = time.monotonic() + timeout
        seen: list[Message] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                texts = [m.get("text") or m.get("caption") for m in seen]
                raise TimeoutError(
                    f"no bot message containing {contains!r} in chat {chat_id} "
                    f"after #{after} within {timeout}s; saw {texts}"
                )
            batch = await self.messages(chat_id, after_message_id=after, wait=remaining)
            for message in batch:
                after = max(after, message["message_id"])
                if not message["from_bot"] or message["deleted"]:
                    continue
                seen.append(message)
                body = message.get("text") or message.get("caption") or ""
                if contains is not None and contains not in body:
                    continue
                if predicate is not None and not predicate(message):
                    continue
                self._cursor[chat_id] = max(self._cursor.get(chat_id, 0), message["message_id"])
                return message

    async def keyboard(self, chat_id: int, user_id: int | None = None) -> dict[str, Any] | None:
        """The reply keyboard the bot currently shows this user in this chat, if any."""
        result: dict[str, Any] | None = await self._call(
            "GET", f"/chats/{chat_id}/keyboard", user_id=user_id
        )
        return result

    async def callback_answers(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/callback_answers")
        return result

    async def webhook_info(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/webhook")
        return result

    async def set_webhook_targets(self, urls: list[str]) -> dict[str, Any]:
        """Deliver webhooks round-robin to `urls` (as a load balancer would); [] for off."""
        result: dict[str, Any] = await self._call("POST", "/webhook/targets", {"urls": urls})
        return result

    async def calls(self, method: str | None = None, since_index: int = 0) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call(
            "GET", "/calls", method=method, since_index=since_index
        )
        return result

    async def clear_calls(self) -> None:
        await self._call("POST", "/calls/clear")

    async def commands(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/commands")
        return result

    async def download(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.base_url}/sandbox/api/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxError(response.status, "unknown file_id")
            return await response.read()

    # ---- faults --------------------------------------------------------------------------

    async def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/faults")
        return result

    async def set_faults(
        self,
        *,
        rate_limit_per_second: int | None = None,
        private_chat_per_second: int | None = None,
        group_chat_per_minute: int | None = None,
        error_rate: float | None = None,
        error_codes: list[int] | None = None,
        delay: float | None = None,
        methods: list[str] | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Change only the switches given; `reset_faults` turns everything off."""
        switches = {
            "rate_limit_per_second": rate_limit_per_second,
            "private_chat_per_second": private_chat_per_second,
            "group_chat_per_minute": group_chat_per_minute,
            "error_rate": error_rate,
            "error_codes": error_codes,
            "delay": delay,
            "methods": methods,
            "seed": seed,
        }
        body = {k: v for k, v in switches.items() if v is not None}
        result: dict[str, Any] = await self._call("POST", "/faults", body)
        return result

    async def reset_faults(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("POST", "/faults/reset")
        return result
