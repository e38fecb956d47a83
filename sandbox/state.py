"""In-memory world of the sandbox: users, chats, messages, files, updates and fault switches."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import mimetypes
import random
import secrets
import struct
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.markup import command_entities

BOT_FIRST_NAME = "Frontdoor Sandbox"
GROUP_ID_BASE = -1_001_000_000_000
SEND_METHODS = {
    "sendmessage",
    "sendphoto",
    "senddocument",
    "copymessage",
    "forwardmessage",
}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class SandboxUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "en"
    phone_number: str = ""
    role: str = "owner"
    blocked: bool = False

    def as_telegram(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
            "phone_number": self.phone_number,
            "role": self.role,
            "blocked": self.blocked,
        }


@dataclass
class SandboxChat:
    id: int
    type: str
    title: str | None = None
    member_ids: list[int] = field(default_factory=list)
    next_message_id: int = 1


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None


@dataclass
class StoredMessage:
    message_id: int
    chat_id: int
    sender_id: int
    from_bot: bool
    created_at: float
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    sticker: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edited_at: float | None = None
    deleted: bool = False


@dataclass
class PendingCallback:
    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    # A load balancer in front of several webhook servers: when set, each delivery goes to
    # the next of these URLs in turn instead of `url` (which must still be set).
    targets: list[str] = field(default_factory=list)
    turn: int = 0

    def next_url(self) -> str:
        if not self.targets:
            return self.url
        url = self.targets[self.turn % len(self.targets)]
        self.turn += 1
        return url


@dataclass
class Faults:
    rate_limit_per_second: int | None = None
    private_chat_per_second: int | None = None
    group_chat_per_minute: int | None = None
    error_rate: float = 0.0
    error_codes: list[int] = field(default_factory=lambda: [500])
    delay: float = 0.0
    # None means every method but getUpdates, so polling keeps working while sends misbehave.
    methods: list[str] | None = None
    seed: int | None = None

    def applies_to(self, method: str) -> bool:
        if self.methods is None:
            return method != "getupdates"
        return method in {m.lower() for m in self.methods}


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; a square guess for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + length
    return 100, 100


VOICE_MAX_SECONDS = 3600


def location_of(latitude: float, longitude: float) -> dict[str, float]:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("latitude must be within ±90 and longitude within ±180")
    return {"latitude": latitude, "longitude": longitude}


def sample_photo(seed: int) -> bytes:
    rng = random.Random(seed)
    return _png(64, 48, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))


class Sandbox:
    """All state of one fake Telegram: shared by the Bot API, the client API and the page."""

    def __init__(
        self, bot_username: str = "frontdoor_sandbox_bot", seed: int | None = None
    ) -> None:
        self.bot_username = bot_username
        self.default_seed = seed
        self.closing = asyncio.Event()
        self.reset()

    def reset(self) -> None:
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.messages: dict[int, list[StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] | None = None
        self.webhook = Webhook()
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.reply_keyboards: dict[tuple[int, int], dict[str, Any]] = {}
        self.calls: list[dict[str, Any]] = []
        self.bot_id = 0
        self.faults = Faults(seed=self.default_seed)
        self.random = random.Random(self.default_seed)
        self._global_hits: deque[float] = deque()
        self._chat_hits: dict[int, deque[float]] = {}
        self._user_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1)
        self._file_counter = itertools.count(1)
        self.version = getattr(self, "version", 0)
        self._changed = getattr(self, "_changed", asyncio.Event())
        self._updates_arrived = getattr(self, "_updates_arrived", asyncio.Event())
        self.touch(None)
        self.wake_updates()

    # ---- change notification -------------------------------------------------------------

    def touch(self, chat_id: int | None) -> None:
        self.version += 1
        self.last_changed_chat = chat_id
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, since_version: int, timeout: float) -> int:
        if self.version == since_version:
            changed = self._changed
            closing = asyncio.ensure_future(self.closing.wait())
            waiting = asyncio.ensure_future(changed.wait())
            try:
                await asyncio.wait(
                    {closing, waiting}, timeout=timeout, return_when="FIRST_COMPLETED"
                )
            finally:
                closing.cancel()
                waiting.cancel()
        return self.version

    def wake_updates(self) -> None:
        self._updates_arrived.set()
        self._updates_arrived = asyncio.Event()

    async def wait_for_updates(self, timeout: float) -> None:
        arrived = asyncio.ensure_future(self._updates_arrived.wait())
        closing = asyncio.ensure_future(self.closing.wait())
        try:
            await asyncio.wait({arrived, closing}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            arrived.cancel()
            closing.cancel()

    # ---- identity ------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
        phone_number: str | None = None,
        role: str = "owner",
    ) -> SandboxUser:
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid <= 0:
            raise ValueError("user id must be positive")
        user = SandboxUser(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number or f"+1555{uid % 10_000_000:07d}",
            role=role,
        )
        self.users[uid] = user
        self.chats[uid] = SandboxChat(id=uid, type="private", member_ids=[uid])
        self.messages.setdefault(uid, [])
        self.touch(uid)
        return user

    def add_group(
        self, title: str, member_ids: list[int], chat_id: int | None = None
    ) -> SandboxChat:
        for uid in member_ids:
            self.user(uid)
        cid = chat_id if chat_id is not None else GROUP_ID_BASE - next(self._group_ids)
        if cid >= 0:
            raise ValueError("group ids are negative")
        chat = SandboxChat(id=cid, type="supergroup", title=title, member_ids=list(member_ids))
        self.chats[cid] = chat
        self.messages.setdefault(cid, [])
        self.touch(cid)
        return chat

    def add_member(self, chat_id: int, user_id: int) -> SandboxChat:
        chat = self.chat(chat_id)
        user = self.user(user_id)
        if chat.type == "private":
            raise ValueError("private chats have exactly one user")
        if user.id not in chat.member_ids:
            chat.member_ids.append(user.id)
        self.touch(chat.id)
        return chat

    def user(self, user_id: int) -> SandboxUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"unknown user {user_id}") from None

    def chat(self, chat_id: int) -> SandboxChat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise LookupError(f"unknown chat {chat_id}") from None

    def chat_as_telegram(self, chat: SandboxChat) -> dict[str, Any]:
        if chat.type == "private":
            data = self.users[chat.id].as_telegram()
            data.pop("is_bot")
            data.pop("language_code")
            data["type"] = "private"
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    # ---- messages ------------------------------------------------------------------------

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def store_message(self, message: StoredMessage) -> StoredMessage:
        self.messages.setdefault(message.chat_id, []).append(message)
        self.touch(message.chat_id)
        return message

    def new_message(self, chat: SandboxChat, sender_id: int, from_bot: bool) -> StoredMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return StoredMessage(
            message_id=message_id,
            chat_id=chat.id,
            sender_id=sender_id,
            from_bot=from_bot,
            created_at=time.time(),
        )

    def as_telegram(self, message: StoredMessage, with_reply: bool = True) -> dict[str, Any]:
        sender = (
            self.bot_user() if message.from_bot else self.users[message.sender_id].as_telegram()
        )
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": self.chat_as_telegram(self.chats[message.chat_id]),
            "date": int(message.created_at),
        }
        if message.edited_at is not None:
            data["edit_date"] = int(message.edited_at)
        if with_reply and message.reply_to_message_id is not None:
            replied = self.find_message(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self.as_telegram(replied, with_reply=False)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        for key in ("photo", "document", "contact", "sticker", "voice", "location"):
            if getattr(message, key) is not None:
                data[key] = getattr(message, key)
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.reply_markup is not None:
            data["reply_markup"] = message.reply_markup
        return data

    def view(self, message: StoredMessage) -> dict[str, Any]:
        """The client-API shape of a message: flat, with buttons and download URLs."""
        buttons = [
            [
                {k: v for k, v in button.items() if k in {"text", "callback_data", "url"}}
                for button in row
            ]
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
        ]
        photo = [dict(size, url=self.file_url(size["file_id"])) for size in message.photo or []]
        document, sticker, voice = (
            None if media is None else dict(media, url=self.file_url(media["file_id"]))
            for media in (message.document, message.sticker, message.voice)
        )
        return {
            "message_id": message.message_id,
            "chat_id": message.chat_id,
            "from_bot": message.from_bot,
            "sender_id": message.sender_id,
            "date": message.created_at,
            "text": message.text,
            "html": message.html,
            "entities": message.entities,
            "caption": message.caption,
            "caption_entities": message.caption_entities,
            "photo": photo,
            "document": document,
            "contact": message.contact,
            "sticker": sticker,
            "voice": voice,
            "location": message.location,
            "buttons": buttons,
            "reply_to_message_id": message.reply_to_message_id,
            "edited": message.edited_at is not None,
            "edit_date": message.edited_at,
            "deleted": message.deleted,
            "telegram": self.as_telegram(message),
        }

    def list_messages(
        self, chat_id: int, after_message_id: int = 0, since: float | None = None
    ) -> list[dict[str, Any]]:
        self.chat(chat_id)
        selected = []
        for message in self.messages.get(chat_id, []):
            if message.message_id <= after_message_id:
                continue
            if since is not None and max(message.created_at, message.edited_at or 0) < since:
                continue
            selected.append(self.view(message))
        return selected

    # ---- files ---------------------------------------------------------------------------

    def add_file(
        self, data: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha256(data).hexdigest()[:12]
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"{kind[:2].upper()}ACAg{number:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{digest}{number}",
            data=data,
            file_path=f"{kind}/file_{number}{extension}",
            mime_type=mime_type or "application/octet-stream",
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file_url(self, file_id: str) -> str:
        return f"/sandbox/api/files/{file_id}"

    def photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        stored = self.add_file(data, "photos", None, "image/jpeg")
        width, height = image_size(data)
        sizes = []
        if max(width, height) > 320:
            # Real Telegram adds scaled copies; a thumbnail entry keeps photo[-1] the original.
            scale = 320 / max(width, height)
            thumb = self.add_file(data, "photos", None, "image/jpeg")
            sizes.append(self._size(thumb, round(width * scale), round(height * scale)))
        sizes.append(self._size(stored, width, height))
        return sizes

    def _size(self, stored: StoredFile, width: int, height: int) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.data),
        }

    def document_of(self, stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            data["file_name"] = stored.file_name
        return data

    def sticker_of(self, emoji: str) -> dict[str, Any]:
        if not emoji.strip() or len(emoji) > 8:
            raise ValueError("a sticker's emoji must be 1-8 characters")
        stored = self.add_file(sample_photo(ord(emoji[0])), "stickers", None, "image/webp")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }

    def voice_of(self, duration: int) -> dict[str, Any]:
        if not 1 <= duration <= VOICE_MAX_SECONDS:
            raise ValueError(f"a voice note lasts 1-{VOICE_MAX_SECONDS} seconds")
        # Not real Opus: the bot never plays it, and the page offers it as a download.
        data = b"OggS" + bytes(duration * 16)
        stored = self.add_file(data, "voice", None, "audio/ogg")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }

    # ---- updates -------------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        allowed = self.webhook.allowed_updates if self.webhook.url else self.allowed_updates
        if allowed and kind not in allowed:
            return update
        self.updates.append(update)
        self.wake_updates()
        return update

    # ---- acting as a user ----------------------------------------------------------------

    def _target_chat(self, user: SandboxUser, chat_id: int | None) -> SandboxChat:
        chat = self.chat(chat_id if chat_id is not None else user.id)
        if user.id not in chat.member_ids:
            raise LookupError(f"user {user.id} is not a member of chat {chat.id}")
        return chat

    def user_message(
        self,
        user_id: int,
        chat_id: int | None = None,
        *,
        text: str | None = None,
        contact: dict[str, Any] | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        caption: str | None = None,
        sticker: str | None = None,
        voice: int | None = None,
        location: tuple[float, float] | None = None,
        reply_to_message_id: int | None = None,
    ) -> StoredMessage:
        """A message from a user; `sticker` is its emoji, `voice` a voice note's length in
        seconds, `location` (latitude, longitude)."""
        user = self.user(user_id)
        chat = self._target_chat(user, chat_id)
        if reply_to_message_id is not None and not self.find_message(chat.id, reply_to_message_id):
            raise LookupError(f"no message {reply_to_message_id} in chat {chat.id}")
        message = self.new_message(chat, user.id, from_bot=False)
        message.reply_to_message_id = reply_to_message_id
        if text is not None:
            if not text.strip():
                raise ValueError("text is empty")
            message.text = text
            message.entities = command_entities(text)
        message.contact = contact
        if photo is not None:
            message.photo = self.photo_sizes(photo)
        if document is not None:
            file_name, data, mime_type = document
            mime_type = mime_type or mimetypes.guess_type(file_name)[0]
            message.document = self.document_of(
                self.add_file(data, "documents", file_name, mime_type)
            )
        if caption is not None and (photo is not None or document is not None):
            message.caption = caption
        if sticker is not None:
            message.sticker = self.sticker_of(sticker)
        if voice is not None:
            message.voice = self.voice_of(voice)
        if location is not None:
            message.location = location_of(*location)
        self.store_message(message)
        if user.blocked and chat.type == "private":
            # Writing to a bot you blocked unblocks it in Telegram clients.
            self.set_blocked(user.id, False)
        self.push_update("message", self.as_telegram(message))
        return message

    def own_contact(self, user_id: int) -> dict[str, Any]:
        user = self.user(user_id)
        contact: dict[str, Any] = {
            "phone_number": user.phone_number,
            "first_name": user.first_name,
            "user_id": user.id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        return contact

    def press_reply_button(
        self, user_id: int, text: str, chat_id: int | None = None
    ) -> StoredMessage:
        user = self.user(user_id)
        chat = self._target_chat(user, chat_id)
        keyboard = self.reply_keyboards.get((chat.id, user.id))
        if keyboard is None:
            raise LookupError("no reply keyboard is shown to this user")
        button = next(
            (b for row in keyboard["keyboard"] for b in row if _button_text(b) == text), None
        )
        if button is None:
            raise LookupError(f"no reply button {text!r}")
        if keyboard.get("one_time_keyboard"):
            del self.reply_keyboards[(chat.id, user.id)]
        if isinstance(button, dict) and button.get("request_contact"):
            return self.user_message(user.id, chat.id, contact=self.own_contact(user.id))
        return self.user_message(user.id, chat.id, text=text)

    def start_callback(
        self,
        user_id: int,
        chat_id: int | None,
        *,
        message_id: int | None = None,
        callback_data: str | None = None,
        text: str | None = None,
    ) -> PendingCallback:
        user = self.user(user_id)
        chat = self._target_chat(user, chat_id)
        candidates = [
            m
            for m in reversed(self.messages.get(chat.id, []))
            if not m.deleted and (message_id is None or m.message_id == message_id)
        ]
        for message in candidates:
            for row in (message.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if callback_data is not None and button.get("callback_data") != callback_data:
                        continue
                    if text is not None and button.get("text") != text:
                        continue
                    if "callback_data" not in button:
                        raise LookupError("that button has no callback_data")
                    return self._push_callback(user, message, button["callback_data"])
        raise LookupError("no inline button matches")

    def _push_callback(
        self, user: SandboxUser, message: StoredMessage, data: str
    ) -> PendingCallback:
        pending = PendingCallback(
            id=str(self.random.getrandbits(63)),
            chat_id=message.chat_id,
            message_id=message.message_id,
            user_id=user.id,
            data=data,
        )
        self.callbacks[pending.id] = pending
        instance = hashlib.sha256(f"{message.chat_id}".encode()).hexdigest()[:16]
        self.push_update(
            "callback_query",
            {
                "id": pending.id,
                "from": user.as_telegram(),
                "message": self.as_telegram(message),
                "chat_instance": str(int(instance, 16)),
                "data": data,
            },
        )
        return pending

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        user = self.user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        chat = self.chat_as_telegram(self.chats[user.id])
        bot = self.bot_user()
        self.push_update(
            "my_chat_member",
            {
                "chat": chat,
                "from": user.as_telegram(),
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": bot, "until_date": 0},
                "new_chat_member": {"status": new, "user": bot, "until_date": 0},
            },
        )
        self.touch(user.id)

    # ---- faults --------------------------------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        unknown = set(changes) - set(Faults.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault switches: {sorted(unknown)}")
        for key, value in changes.items():
            setattr(self.faults, key, value)
        if not 0 <= self.faults.error_rate <= 1:
            raise ValueError("error_rate must be within 0..1")
        if "seed" in changes:
            self.random = random.Random(self.faults.seed)
        self.touch(None)
        return self.faults

    def reset_faults(self) -> None:
        self.faults = Faults(seed=self.default_seed)
        self.random = random.Random(self.default_seed)
        self._global_hits.clear()
        self._chat_hits.clear()
        self.touch(None)

    def check_global_faults(self, method: str) -> None:
        faults = self.faults
        if not faults.applies_to(method):
            return
        if faults.rate_limit_per_second:
            _hit(self._global_hits, faults.rate_limit_per_second, 1.0)
        if faults.error_rate and self.random.random() < faults.error_rate:
            status = self.random.choice(faults.error_codes or [500])
            description = "Bad Gateway" if status == 502 else "Internal Server Error"
            raise ApiError(status, description)

    def check_chat_limit(self, method: str, chat: SandboxChat) -> None:
        faults = self.faults
        if method not in SEND_METHODS or not faults.applies_to(method):
            return
        hits = self._chat_hits.setdefault(chat.id, deque())
        if chat.type == "private" and faults.private_chat_per_second:
            _hit(hits, faults.private_chat_per_second, 1.0)
        elif chat.type != "private" and faults.group_chat_per_minute:
            _hit(hits, faults.group_chat_per_minute, 60.0)


def _button_text(button: Any) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def _hit(hits: deque[float], limit: int, window: float) -> None:
    now = time.monotonic()
    while hits and hits[0] <= now - window:
        hits.popleft()
    if len(hits) >= limit:
        retry_after = max(1, math.ceil(hits[0] + window - now))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    hits.append(now)
