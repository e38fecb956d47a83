"""The client API under /sandbox/api/: act as users, read chats, flip fault switches."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import time
from dataclasses import asdict
from typing import Any

from aiohttp import web

from sandbox.botapi import webhook_info
from sandbox.state import Sandbox, sample_photo

ANSWER_TIMEOUT = 10.0


class ClientError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def _body(request: web.Request) -> tuple[dict[str, Any], dict[str, web.FileField]]:
    if not request.can_read_body:
        return {}, {}
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except json.JSONDecodeError as error:
            raise ClientError(f"invalid JSON: {error}") from None
        if not isinstance(data, dict):
            raise ClientError("body must be a JSON object")
        return data, {}
    form = await request.post()
    values: dict[str, Any] = {}
    files: dict[str, web.FileField] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value
        else:
            values[key] = value
    return values, files


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ClientError(f"{key} must be an integer") from None


def _required_int(data: dict[str, Any], key: str) -> int:
    value = _int(data, key)
    if value is None:
        raise ClientError(f"{key} is required")
    return value


def _bytes(data: dict[str, Any], files: dict[str, web.FileField], key: str) -> bytes | None:
    if key in files:
        return bytes(files[key].file.read())
    encoded = data.get(f"{key}_base64")
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ClientError(f"{key}_base64 is not valid base64") from None


class ClientApi:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[web.RouteDef]:
        handlers = {
            ("GET", "/state"): self.state,
            ("POST", "/reset"): self.reset,
            ("GET", "/users"): self.users,
            ("POST", "/users"): self.create_user,
            ("POST", "/users/{user_id}/block"): self.block,
            ("POST", "/users/{user_id}/unblock"): self.unblock,
            ("GET", "/chats"): self.chats,
            ("POST", "/groups"): self.create_group,
            ("POST", "/groups/{chat_id}/members"): self.add_member,
            ("GET", "/chats/{chat_id}/messages"): self.messages,
            ("GET", "/chats/{chat_id}/keyboard"): self.keyboard,
            ("POST", "/send/text"): self.send_text,
            ("POST", "/send/contact"): self.send_contact,
            ("POST", "/send/photo"): self.send_photo,
            ("POST", "/send/document"): self.send_document,
            ("POST", "/send/sticker"): self.send_sticker,
            ("POST", "/send/voice"): self.send_voice,
            ("POST", "/send/location"): self.send_location,
            ("POST", "/press/inline"): self.press_inline,
            ("POST", "/press/reply"): self.press_reply,
            ("GET", "/callback_answers"): self.callback_answers,
            ("GET", "/webhook"): self.webhook,
            ("POST", "/webhook/targets"): self.webhook_targets,
            ("GET", "/calls"): self.calls,
            ("POST", "/calls/clear"): self.clear_calls,
            ("GET", "/commands"): self.commands,
            ("GET", "/faults"): self.get_faults,
            ("POST", "/faults"): self.set_faults,
            ("POST", "/faults/reset"): self.reset_faults,
            ("GET", "/files/{file_id}"): self.file,
            ("GET", "/events"): self.events,
        }
        return [
            web.route(method, f"/sandbox/api{path}", self._wrap(handler))
            for (method, path), handler in handlers.items()
        ]

    def _wrap(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request)
            except ClientError as error:
                return web.json_response({"ok": False, "error": str(error)}, status=error.status)
            except LookupError as error:
                return web.json_response({"ok": False, "error": error.args[0]}, status=404)
            except ValueError as error:
                return web.json_response({"ok": False, "error": str(error)}, status=400)
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response({"ok": True, "result": result})

        return wrapped

    # ---- world ---------------------------------------------------------------------------

    async def state(self, request: web.Request) -> Any:
        sandbox = self.sandbox
        return {
            "version": sandbox.version,
            "bot": sandbox.bot_user(),
            "users": [u.view() for u in sandbox.users.values()],
            "chats": [self._chat_view(c.id) for c in sandbox.chats.values()],
            "webhook": webhook_info(sandbox),
            "faults": asdict(sandbox.faults),
        }

    async def reset(self, request: web.Request) -> Any:
        for pending in self.sandbox.callbacks.values():
            pending.answered.set()
        self.sandbox.reset()
        return True

    async def users(self, request: web.Request) -> Any:
        return [u.view() for u in self.sandbox.users.values()]

    async def create_user(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        first_name = str(data.get("first_name") or "").strip()
        if not first_name:
            raise ClientError("first_name is required")
        user_id = _int(data, "id")
        if user_id is not None and user_id in self.sandbox.users:
            raise ClientError(f"user {user_id} exists", 409)
        user = self.sandbox.add_user(
            first_name,
            user_id=user_id,
            last_name=data.get("last_name") or None,
            username=data.get("username") or None,
            language_code=data.get("language_code") or "en",
            phone_number=data.get("phone_number") or None,
            role=data.get("role") or "owner",
        )
        return user.view()

    async def block(self, request: web.Request) -> Any:
        self.sandbox.set_blocked(int(request.match_info["user_id"]), True)
        return True

    async def unblock(self, request: web.Request) -> Any:
        self.sandbox.set_blocked(int(request.match_info["user_id"]), False)
        return True

    def _chat_view(self, chat_id: int) -> dict[str, Any]:
        chat = self.sandbox.chat(chat_id)
        return {
            "id": chat.id,
            "type": chat.type,
            "title": chat.title,
            "member_ids": chat.member_ids,
            "telegram": self.sandbox.chat_as_telegram(chat),
        }

    async def chats(self, request: web.Request) -> Any:
        return [self._chat_view(chat_id) for chat_id in self.sandbox.chats]

    async def create_group(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        title = str(data.get("title") or "").strip()
        if not title:
            raise ClientError("title is required")
        members = data.get("member_ids") or []
        if not isinstance(members, list):
            raise ClientError("member_ids must be a list")
        chat = self.sandbox.add_group(title, [int(m) for m in members], _int(data, "id"))
        return self._chat_view(chat.id)

    async def add_member(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        chat = self.sandbox.add_member(
            int(request.match_info["chat_id"]), _required_int(data, "user_id")
        )
        return self._chat_view(chat.id)

    # ---- reading -------------------------------------------------------------------------

    async def messages(self, request: web.Request) -> Any:
        """List messages; with `wait` seconds, hold the request until there is at least one."""
        chat_id = int(request.match_info["chat_id"])
        after = _int(dict(request.query), "after_message_id", 0) or 0
        since = float(request.query["since"]) if request.query.get("since") else None
        wait = min(float(request.query.get("wait") or 0), 60.0)
        deadline = time.monotonic() + wait
        while True:
            version = self.sandbox.version
            found = self.sandbox.list_messages(chat_id, after, since)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self.sandbox.closing.is_set():
                return {"version": version, "messages": found}
            await self.sandbox.wait_changed(version, remaining)

    async def keyboard(self, request: web.Request) -> Any:
        chat_id = int(request.match_info["chat_id"])
        user_id = _int(dict(request.query), "user_id", chat_id)
        return self.sandbox.reply_keyboards.get((chat_id, user_id or 0))

    async def callback_answers(self, request: web.Request) -> Any:
        return self.sandbox.callback_answers

    async def webhook(self, request: web.Request) -> Any:
        return webhook_info(self.sandbox)

    async def webhook_targets(self, request: web.Request) -> Any:
        """Deliver webhooks round-robin to these URLs (a load balancer); [] turns it off."""
        data, _ = await _body(request)
        urls = data.get("urls")
        if not isinstance(urls, list) or not all(
            isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls
        ):
            raise ClientError("urls must be a list of http(s) URLs")
        self.sandbox.webhook.targets = list(urls)
        self.sandbox.webhook.turn = 0
        return webhook_info(self.sandbox) | {"targets": urls}

    async def calls(self, request: web.Request) -> Any:
        method = request.query.get("method", "").lower()
        start = _int(dict(request.query), "since_index", 0) or 0
        return [
            call
            for call in self.sandbox.calls[start:]
            if not method or call["method"].lower() == method
        ]

    async def clear_calls(self, request: web.Request) -> Any:
        self.sandbox.calls.clear()
        return True

    async def commands(self, request: web.Request) -> Any:
        return [
            {"scope": json.loads(key)[0], "language_code": json.loads(key)[1], "commands": value}
            for key, value in self.sandbox.commands.items()
        ]

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.sandbox.files.get(request.match_info["file_id"])
        if stored is None:
            raise ClientError("unknown file_id", 404)
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f'inline; filename="{stored.file_name}"'
        return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: one `change` event with the new version after each change."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        version = -1
        # A closed page ends the stream; that is the normal way for it to end, not an error.
        with contextlib.suppress(ConnectionResetError):
            while not self.sandbox.closing.is_set():
                if version != self.sandbox.version:
                    version = self.sandbox.version
                    chat_id = self.sandbox.last_changed_chat
                    payload = json.dumps({"version": version, "chat_id": chat_id})
                    await response.write(f"event: change\ndata: {payload}\n\n".encode())
                else:
                    # A comment line keeps proxies and the browser from timing the stream out.
                    await response.write(b": ping\n\n")
                await self.sandbox.wait_changed(version, 15.0)
        return response

    # ---- acting as a user ----------------------------------------------------------------

    def _result(self, message: Any) -> dict[str, Any]:
        return self.sandbox.view(message)

    async def send_text(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ClientError("text is required")
        message = self.sandbox.user_message(
            _required_int(data, "user_id"),
            _int(data, "chat_id"),
            text=text,
            reply_to_message_id=_int(data, "reply_to_message_id"),
        )
        return self._result(message)

    async def send_contact(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        user_id = _required_int(data, "user_id")
        contact = self.sandbox.own_contact(user_id)
        if data.get("phone_number"):
            contact["phone_number"] = str(data["phone_number"])
        if "contact_user_id" in data:
            # Explicit null means a contact card of somebody without Telegram (or forwarded).
            contact_user = _int(data, "contact_user_id")
            if contact_user is None:
                contact.pop("user_id")
            else:
                contact["user_id"] = contact_user
        for key in ("first_name", "last_name"):
            if data.get(key):
                contact[key] = str(data[key])
        message = self.sandbox.user_message(
            user_id,
            _int(data, "chat_id"),
            contact=contact,
            reply_to_message_id=_int(data, "reply_to_message_id"),
        )
        return self._result(message)

    async def send_photo(self, request: web.Request) -> Any:
        data, files = await _body(request)
        user_id = _required_int(data, "user_id")
        photo = _bytes(data, files, "photo")
        if photo is None:
            photo = sample_photo(self.sandbox.random.getrandbits(32))
        message = self.sandbox.user_message(
            user_id,
            _int(data, "chat_id"),
            photo=photo,
            caption=data.get("caption") or None,
            reply_to_message_id=_int(data, "reply_to_message_id"),
        )
        return self._result(message)

    async def send_document(self, request: web.Request) -> Any:
        data, files = await _body(request)
        content = _bytes(data, files, "document")
        if content is None:
            raise ClientError("document (file field) or document_base64 is required")
        upload = files.get("document")
        file_name = data.get("filename") or (upload.filename if upload else None) or "file.bin"
        mime_type = data.get("mime_type") or (upload.content_type if upload else None)
        message = self.sandbox.user_message(
            _required_int(data, "user_id"),
            _int(data, "chat_id"),
            document=(str(file_name), content, mime_type),
            caption=data.get("caption") or None,
            reply_to_message_id=_int(data, "reply_to_message_id"),
        )
        return self._result(message)

    async def send_sticker(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        emoji = data.get("emoji", "👍")
        if not isinstance(emoji, str):
            raise ClientError("emoji must be a string")
        return self._media(data, sticker=emoji)

    async def send_voice(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        return self._media(data, voice=_int(data, "duration", 3))

    async def send_location(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        try:
            where = (float(data["latitude"]), float(data["longitude"]))
        except KeyError:
            raise ClientError("latitude and longitude are required") from None
        except (TypeError, ValueError):
            raise ClientError("latitude and longitude must be numbers") from None
        return self._media(data, location=where)

    def _media(self, data: dict[str, Any], **media: Any) -> Any:
        message = self.sandbox.user_message(
            _required_int(data, "user_id"),
            _int(data, "chat_id"),
            reply_to_message_id=_int(data, "reply_to_message_id"),
            **media,
        )
        return self._result(message)

    async def press_inline(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        if data.get("callback_data") is None and data.get("text") is None:
            raise ClientError("give callback_data or the button text")
        pending = self.sandbox.start_callback(
            _required_int(data, "user_id"),
            _int(data, "chat_id"),
            message_id=_int(data, "message_id"),
            callback_data=data.get("callback_data"),
            text=data.get("text"),
        )
        timeout = float(data.get("timeout") or ANSWER_TIMEOUT)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pending.answered.wait(), timeout)
        answer = pending.answer
        return {
            "answered": bool(answer),
            "callback_query_id": pending.id,
            "chat_id": pending.chat_id,
            "message_id": pending.message_id,
            "data": pending.data,
            "text": answer.get("text"),
            "show_alert": bool(answer.get("show_alert")),
            "url": answer.get("url"),
        }

    async def press_reply(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise ClientError("text is required")
        message = self.sandbox.press_reply_button(
            _required_int(data, "user_id"), text, _int(data, "chat_id")
        )
        return self._result(message)

    # ---- faults --------------------------------------------------------------------------

    async def get_faults(self, request: web.Request) -> Any:
        return asdict(self.sandbox.faults)

    async def set_faults(self, request: web.Request) -> Any:
        data, _ = await _body(request)
        try:
            faults = self.sandbox.set_faults(**data)
        except TypeError as error:
            raise ClientError(str(error)) from None
        return asdict(faults)

    async def reset_faults(self, request: web.Request) -> Any:
        self.sandbox.reset_faults()
        return asdict(self.sandbox.faults)
