"""The Bot API side: `/bot{token}/{method}` handlers with Telegram's validation and errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.markup import ParseError, parse_html, utf16_len
from sandbox.state import ApiError, Sandbox, SandboxChat, StoredFile, StoredMessage, bad_request

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{10,}$")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
NO_OP_METHODS = {
    "setmydescription",
    "setmyshortdescription",
    "setmyname",
    "setchatmenubutton",
    "logout",
    "close",
}


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None


class Params:
    """Request parameters from JSON, urlencoded or multipart bodies, where values may be JSON."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in {"true", "1"}
        return bool(value)

    def get_obj(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def required(self, name: str) -> Any:
        if not self.has(name):
            raise bad_request(f"{name} is empty" if name.endswith("text") else f"{name} required")
        return self.values[name]

    def public(self) -> dict[str, Any]:
        """Parameters for the call log, with uploads summarised instead of inlined."""
        shown: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value[:1] in "{[":
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            shown[key] = value
        for key, upload in self.uploads.items():
            shown[key] = {"filename": upload.filename, "size": len(upload.data)}
        return shown


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        values.update(body)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                values[key] = value
    return Params(values, uploads)


def error_body(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return body


Handler = Callable[[Params], Awaitable[Any]]


class BotApi:
    """Implements the Bot API methods on top of a Sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.methods: dict[str, Handler] = {
            name.lower(): getattr(self, name)
            for name in (
                "getMe",
                "getUpdates",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "sendMessage",
                "sendPhoto",
                "sendDocument",
                "copyMessage",
                "forwardMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "editMessageCaption",
                "answerCallbackQuery",
                "deleteMessage",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "getFile",
                "getChat",
                "getChatMember",
                "sendChatAction",
            )
        }

    async def handle(self, request: web.Request) -> web.Response:
        match = TOKEN_RE.match(request.match_info["token"])
        if not match:
            return web.json_response(error_body(ApiError(401, "Unauthorized")), status=401)
        self.sandbox.bot_id = int(match.group(1))
        try:
            params = await read_params(request)
        except (ApiError, ValueError) as error:
            failure = error if isinstance(error, ApiError) else bad_request(str(error))
            return web.json_response(error_body(failure), status=failure.status)
        status, body = await self.run(request.match_info["method"], params)
        return web.json_response(body, status=status)

    async def run(self, method_name: str, params: Params) -> tuple[int, dict[str, Any]]:
        """Execute one method call, log it, and return (HTTP status, response body)."""
        method = method_name.lower()
        try:
            if method not in self.methods and method not in NO_OP_METHODS:
                raise ApiError(404, "Not Found")
            faults = self.sandbox.faults
            if faults.delay and faults.applies_to(method):
                await asyncio.sleep(faults.delay)
            self.sandbox.check_global_faults(method)
            result = True if method in NO_OP_METHODS else await self.methods[method](params)
        except ApiError as error:
            self._log(method_name, params, error.status, error.description)
            return error.status, error_body(error)
        self._log(method_name, params, 200, None)
        return 200, {"ok": True, "result": result}

    def _log(self, method: str, params: Params, status: int, error: str | None) -> None:
        self.sandbox.calls.append(
            {
                "index": len(self.sandbox.calls),
                "time": time.time(),
                "method": method,
                "params": params.public(),
                "status": status,
                "error": error,
            }
        )

    # ---- helpers -------------------------------------------------------------------------

    def _chat(self, params: Params, name: str = "chat_id") -> SandboxChat:
        raw = params.values.get(name)
        try:
            chat_id = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            chat_id = None
        if chat_id is None or chat_id not in self.sandbox.chats:
            raise bad_request("chat not found")
        return self.sandbox.chats[chat_id]

    def _writable_chat(self, method: str, params: Params) -> SandboxChat:
        chat = self._chat(params)
        if chat.type == "private" and self.sandbox.users[chat.id].blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self.sandbox.check_chat_limit(method, chat)
        return chat

    def _formatted(
        self, params: Params, field: str, entities_field: str, limit: int, too_long: str
    ) -> tuple[str, list[dict[str, Any]], str | None]:
        raw = params.get_str(field) or ""
        mode = (params.get_str("parse_mode") or "").lower()
        html = None
        if mode == "html":
            try:
                text, entities = parse_html(raw)
            except ParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
            html = raw
        elif mode in {"", "markdown", "markdownv2"}:
            # Markdown is passed through as plain text; Frontdoor formats with HTML.
            text, entities = raw, params.get_obj(entities_field) or []
        else:
            raise bad_request(f"unsupported parse_mode {params.get_str('parse_mode')!r}")
        if utf16_len(text) > limit:
            raise bad_request(too_long)
        return text, entities, html

    def _text(self, params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        return self._formatted(params, "text", "entities", TEXT_LIMIT, "message is too long")

    def _caption(self, params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        return self._formatted(
            params, "caption", "caption_entities", CAPTION_LIMIT, "message caption is too long"
        )

    def _markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.get_obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise bad_request("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= 64:
                        raise bad_request("BUTTON_DATA_INVALID")
                elif not ({"url", "login_url", "switch_inline_query", "pay"} & set(button)):
                    raise bad_request("BUTTON_TYPE_INVALID")
        return markup

    def _reply_to(self, params: Params, chat: SandboxChat) -> int | None:
        reply = params.get_obj("reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get_int("reply_to_message_id")
        if message_id is None:
            return None
        if self.sandbox.find_message(chat.id, int(message_id)):
            return int(message_id)
        allow = reply.get("allow_sending_without_reply") or params.get_bool(
            "allow_sending_without_reply"
        )
        if allow:
            return None
        raise bad_request("message to be replied not found")

    def _apply_keyboard(
        self, chat: SandboxChat, markup: dict[str, Any] | None, reply_to: int | None
    ) -> dict[str, Any] | None:
        """Remember reply keyboards per (chat, user); only inline keyboards stay on the message."""
        if markup is None or "inline_keyboard" in markup:
            return markup
        targets = list(chat.member_ids)
        if markup.get("selective") and reply_to is not None:
            replied = self.sandbox.find_message(chat.id, reply_to)
            if replied is not None and not replied.from_bot:
                targets = [replied.sender_id]
        for user_id in targets:
            if "keyboard" in markup:
                self.sandbox.reply_keyboards[(chat.id, user_id)] = markup
            elif markup.get("remove_keyboard"):
                self.sandbox.reply_keyboards.pop((chat.id, user_id), None)
        return None

    def _file(self, params: Params, field: str, kind: str) -> tuple[StoredFile, bool]:
        """The uploaded or referenced file, and whether it is new (an upload)."""
        raw = params.get_str(field)
        if raw and raw.startswith("attach://"):
            upload = params.uploads.get(raw.removeprefix("attach://"))
        else:
            upload = params.uploads.get(field)
        if upload is not None:
            stored = self.sandbox.add_file(upload.data, kind, upload.filename, upload.content_type)
            return stored, True
        if raw and raw in self.sandbox.files:
            stored = self.sandbox.files[raw]
            if kind == "photos" and not stored.file_path.startswith("photos/"):
                # As Telegram: a file sent as a document cannot be sent on as a photo.
                raise bad_request("can't use file of type Document as Photo")
            return stored, False
        if not raw:
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send(
        self, chat: SandboxChat, message: StoredMessage, markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        message.reply_markup = self._apply_keyboard(chat, markup, message.reply_to_message_id)
        self.sandbox.store_message(message)
        return self.sandbox.as_telegram(message)

    def _own_message(self, params: Params, missing: str) -> StoredMessage:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        chat = self._chat(params)
        if chat.type == "private" and self.sandbox.users[chat.id].blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        message_id = params.get_int("message_id")
        message = self.sandbox.find_message(chat.id, message_id) if message_id else None
        if message is None:
            raise bad_request(missing)
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _edited(self, message: StoredMessage) -> dict[str, Any]:
        message.edited_at = time.time()
        self.sandbox.touch(message.chat_id)
        return self.sandbox.as_telegram(message)

    # ---- methods -------------------------------------------------------------------------

    async def getMe(self, params: Params) -> Any:  # noqa: N802 - Bot API names
        return dict(
            self.sandbox.bot_user(),
            can_join_groups=True,
            can_read_all_group_messages=True,
            supports_inline_queries=False,
        )

    async def getUpdates(self, params: Params) -> Any:  # noqa: N802
        sandbox = self.sandbox
        if sandbox.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_float("timeout", 0), 0)
        if params.has("allowed_updates"):
            sandbox.allowed_updates = params.get_obj("allowed_updates") or None
        if offset < 0:
            sandbox.updates = sandbox.updates[offset:]
        elif offset:
            sandbox.updates = [u for u in sandbox.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not sandbox.updates and not sandbox.closing.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await sandbox.wait_for_updates(remaining)
            if sandbox.webhook.url:
                break
        return sandbox.updates[:limit]

    async def setWebhook(self, params: Params) -> Any:  # noqa: N802
        url = params.get_str("url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: invalid webhook URL specified")
        secret = params.get_str("secret_token")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        sandbox = self.sandbox
        if params.get_bool("drop_pending_updates"):
            sandbox.updates.clear()
        allowed = params.get_obj("allowed_updates") if params.has("allowed_updates") else None
        sandbox.webhook.url = url
        sandbox.webhook.secret_token = secret
        sandbox.webhook.max_connections = params.get_int("max_connections", 40) or 40
        sandbox.webhook.allowed_updates = allowed or None
        sandbox.webhook.last_error_date = None
        sandbox.webhook.last_error_message = None
        sandbox.wake_updates()
        sandbox.touch(None)
        return True

    async def deleteWebhook(self, params: Params) -> Any:  # noqa: N802
        sandbox = self.sandbox
        if params.get_bool("drop_pending_updates"):
            sandbox.updates.clear()
        sandbox.webhook.url = ""
        sandbox.webhook.secret_token = None
        sandbox.wake_updates()
        sandbox.touch(None)
        return True

    async def getWebhookInfo(self, params: Params) -> Any:  # noqa: N802
        return webhook_info(self.sandbox)

    async def sendMessage(self, params: Params) -> Any:  # noqa: N802
        chat = self._writable_chat("sendmessage", params)
        text, entities, html = self._text(params)
        if not text.strip():
            raise bad_request("message text is empty")
        markup = self._markup(params)
        message = self.sandbox.new_message(chat, self.sandbox.bot_id, from_bot=True)
        message.reply_to_message_id = self._reply_to(params, chat)
        message.text, message.entities, message.html = text, entities, html
        return self._send(chat, message, markup)

    async def _send_media(self, method: str, params: Params, field: str) -> dict[str, Any]:
        chat = self._writable_chat(method, params)
        caption, entities, html = self._caption(params)
        markup = self._markup(params)
        reply_to = self._reply_to(params, chat)
        stored, is_new = self._file(params, field, "photos" if field == "photo" else "documents")
        message = self.sandbox.new_message(chat, self.sandbox.bot_id, from_bot=True)
        message.reply_to_message_id = reply_to
        if field == "photo":
            message.photo = self._photo_of(stored, is_new)
        else:
            message.document = self.sandbox.document_of(stored)
        if caption:
            message.caption, message.caption_entities = caption, entities
            message.html = html
        return self._send(chat, message, markup)

    def _photo_of(self, stored: StoredFile, is_new: bool) -> list[dict[str, Any]]:
        if is_new:
            return self.sandbox.photo_sizes(stored.data)
        for messages in self.sandbox.messages.values():
            for message in messages:
                if message.photo and any(s["file_id"] == stored.file_id for s in message.photo):
                    return message.photo
        return self.sandbox.photo_sizes(stored.data)

    async def sendPhoto(self, params: Params) -> Any:  # noqa: N802
        return await self._send_media("sendphoto", params, "photo")

    async def sendDocument(self, params: Params) -> Any:  # noqa: N802
        return await self._send_media("senddocument", params, "document")

    async def copyMessage(self, params: Params) -> Any:  # noqa: N802
        source = self._chat(params, "from_chat_id")
        original = self.sandbox.find_message(source.id, params.get_int("message_id") or 0)
        if original is None:
            raise bad_request("message to copy not found")
        chat = self._writable_chat("copymessage", params)
        message = self.sandbox.new_message(chat, self.sandbox.bot_id, from_bot=True)
        for key in ("text", "entities", "html", "caption", "caption_entities", "photo"):
            setattr(message, key, getattr(original, key))
        message.document, message.contact = original.document, original.contact
        if params.has("caption"):
            caption, entities, html = self._caption(params)
            message.caption, message.caption_entities, message.html = caption, entities, html
        message.reply_to_message_id = self._reply_to(params, chat)
        self._send(chat, message, self._markup(params))
        return {"message_id": message.message_id}

    async def forwardMessage(self, params: Params) -> Any:  # noqa: N802
        source = self._chat(params, "from_chat_id")
        original = self.sandbox.find_message(source.id, params.get_int("message_id") or 0)
        if original is None:
            raise bad_request("message to forward not found")
        chat = self._writable_chat("forwardmessage", params)
        message = self.sandbox.new_message(chat, self.sandbox.bot_id, from_bot=True)
        for key in ("text", "entities", "html", "caption", "caption_entities", "photo"):
            setattr(message, key, getattr(original, key))
        message.document, message.contact = original.document, original.contact
        return self._send(chat, message, None)

    async def editMessageText(self, params: Params) -> Any:  # noqa: N802
        message = self._own_message(params, "message to edit not found")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities, html = self._text(params)
        if not text.strip():
            raise bad_request("message text is empty")
        markup = self._markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities, message.html = text, entities, html
        message.reply_markup = markup
        return self._edited(message)

    async def editMessageCaption(self, params: Params) -> Any:  # noqa: N802
        message = self._own_message(params, "message to edit not found")
        if message.photo is None and message.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities, html = self._caption(params)
        markup = self._markup(params)
        current = (message.caption or "", message.caption_entities, message.reply_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        message.caption = caption or None
        message.caption_entities, message.html, message.reply_markup = entities, html, markup
        return self._edited(message)

    async def editMessageReplyMarkup(self, params: Params) -> Any:  # noqa: N802
        message = self._own_message(params, "message to edit not found")
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(message)

    async def answerCallbackQuery(self, params: Params) -> Any:  # noqa: N802
        query_id = params.get_str("callback_query_id") or ""
        pending = self.sandbox.callbacks.get(query_id)
        if pending is None or pending.answered.is_set():
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text")
        if text and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        pending.answer = {
            "callback_query_id": query_id,
            "chat_id": pending.chat_id,
            "message_id": pending.message_id,
            "user_id": pending.user_id,
            "data": pending.data,
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "time": time.time(),
        }
        pending.answered.set()
        self.sandbox.callback_answers.append(pending.answer)
        self.sandbox.touch(pending.chat_id)
        return True

    async def deleteMessage(self, params: Params) -> Any:  # noqa: N802
        chat = self._chat(params)
        message = self.sandbox.find_message(chat.id, params.get_int("message_id") or 0)
        if message is None:
            raise bad_request("message to delete not found")
        if not message.from_bot and chat.type == "private":
            # Bots may delete users' messages in groups only.
            raise bad_request("message can't be deleted")
        message.deleted = True
        self.sandbox.touch(chat.id)
        return True

    def _commands_key(self, params: Params) -> str:
        scope = params.get_obj("scope") or {"type": "default"}
        return json.dumps([scope, params.get_str("language_code") or ""], sort_keys=True)

    async def setMyCommands(self, params: Params) -> Any:  # noqa: N802
        commands = params.get_obj("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 items")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.sandbox.commands[self._commands_key(params)] = commands
        self.sandbox.touch(None)
        return True

    async def getMyCommands(self, params: Params) -> Any:  # noqa: N802
        return self.sandbox.commands.get(self._commands_key(params), [])

    async def deleteMyCommands(self, params: Params) -> Any:  # noqa: N802
        self.sandbox.commands.pop(self._commands_key(params), None)
        return True

    async def getFile(self, params: Params) -> Any:  # noqa: N802
        stored = self.sandbox.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def getChat(self, params: Params) -> Any:  # noqa: N802
        chat = self._chat(params)
        data = self.sandbox.chat_as_telegram(chat)
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return data

    async def getChatMember(self, params: Params) -> Any:  # noqa: N802
        chat = self._chat(params)
        user_id = params.get_int("user_id")
        if user_id == self.sandbox.bot_id:
            return {"status": "member", "user": self.sandbox.bot_user()}
        if user_id not in self.sandbox.users:
            raise bad_request("PARTICIPANT_ID_INVALID")
        user = self.sandbox.users[user_id].as_telegram()
        if user_id in chat.member_ids:
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    async def sendChatAction(self, params: Params) -> Any:  # noqa: N802
        self._writable_chat("sendchataction", params)
        if not params.has("action"):
            raise bad_request("action is empty")
        return True


def webhook_info(sandbox: Sandbox) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": sandbox.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(sandbox.updates),
    }
    if sandbox.webhook.url:
        info["max_connections"] = sandbox.webhook.max_connections
        if sandbox.webhook.allowed_updates:
            info["allowed_updates"] = sandbox.webhook.allowed_updates
        if sandbox.webhook.last_error_date:
            info["last_error_date"] = sandbox.webhook.last_error_date
            info["last_error_message"] = sandbox.webhook.last_error_message
    return info


async def serve_file(request: web.Request, sandbox: Sandbox) -> web.StreamResponse:
    if not TOKEN_RE.match(request.match_info["token"]):
        return web.json_response(error_body(ApiError(401, "Unauthorized")), status=401)
    stored = sandbox.files_by_path.get(request.match_info["path"])
    if stored is None:
        return web.json_response(error_body(ApiError(404, "Not Found")), status=404)
    return web.Response(body=stored.data, content_type=stored.mime_type)
