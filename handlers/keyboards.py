"""Shared keyboards (main menu, cancel), the inline keyboard builder, TextKey, which matches
labels in any locale, and the best-effort change of the buttons under a pressed message."""

import logging
from typing import Any
from weakref import WeakKeyDictionary

from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Catalogs, Translator
from bot.texts import MENU_ROWS, main_menu_keyboard

log = logging.getLogger("frontdoor.keyboards")

MENU_KEYS = tuple(key for row in MENU_ROWS for key in row)


class Buttons(InlineKeyboardBuilder):
    """aiogram's InlineKeyboardBuilder without its deep copies.

    The builder deep-copies every button made so far on each `add()`, `button()`, `adjust()` and
    `as_markup()` (pydantic models, ~13 µs a button): a keyboard of three buttons cost ~0.2 ms,
    nine tenths of it copying (benchmarks/README.md). Nothing here changes a button once made,
    so copying the rows is enough for the builder's own bookkeeping.
    """

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]

    def _button(self, **kwargs: Any) -> "Buttons":
        # `button()` hands on every field a button can have, a dozen of them None: pydantic
        # checking those was two thirds of making the button (~9 µs of ~13; the same button,
        # as Telegram gets it without its None fields).
        super()._button(**{key: value for key, value in kwargs.items() if value is not None})
        return self


# Keyboards that depend on the language only, built once per catalogs and locale. aiogram's
# markups are frozen models, so one instance serves every message.
_built: WeakKeyDictionary[Catalogs, dict[tuple[str, str], Any]] = WeakKeyDictionary()


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    """The verified owner's main menu, two buttons a row."""
    built = _built.setdefault(t.catalogs, {})
    key = ("main_menu", t.locale)
    if key not in built:
        built[key] = ReplyKeyboardMarkup.model_validate(main_menu_keyboard(t))
    menu: ReplyKeyboardMarkup = built[key]
    return menu


def cancel_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """A single Cancel button for the steps of a flow (matched by TextKey("common-cancel"))."""
    built = _built.setdefault(t.catalogs, {})
    key = ("cancel", t.locale)
    if key not in built:
        built[key] = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=t("common-cancel"))]],
            resize_keyboard=True,
            is_persistent=True,
        )
    keyboard: ReplyKeyboardMarkup = built[key]
    return keyboard


def remove_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


class NotMenu(Filter):
    """Not a main-menu button: a menu button pressed mid-flow starts that feature instead.
    Only the buttons' own text counts here; menu words like "leak" are the owner's answer."""

    async def __call__(self, message: Message, catalogs: Catalogs) -> bool:
        return catalogs.match(message.text, *MENU_KEYS, strict=MENU_KEYS) is None


class TextKey(Filter):
    """Match a message whose text is the label or an alias of one of `keys`, in any locale.

    In the middle of a conversation the main-menu keys match only their button text (and
    commands): a word like "leak" or "坏了" there is the owner's answer, not a menu choice."""

    def __init__(self, *keys: str) -> None:
        if not keys:
            raise ValueError("TextKey needs at least one catalog key")
        self.keys = keys

    def __str__(self) -> str:
        return f"TextKey{self.keys!r}"

    async def __call__(
        self, message: Message, catalogs: Catalogs, raw_state: str | None = None
    ) -> bool | dict[str, Any]:
        strict = MENU_KEYS if raw_state is not None else ()
        key = catalogs.match(message.text, *self.keys, strict=strict)
        if key is None:
            return False
        return {"text_key": key}


async def close_buttons(query: CallbackQuery) -> None:
    """Take the buttons off an answered question, so it cannot be answered twice."""
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await set_buttons(query, None)


async def set_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Change the buttons under the pressed message. Cosmetic: what was pressed is already
    recorded (and a stale button is refused by its own check), so a failed edit must not stop
    the handler half-way."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_reply_markup(reply_markup=markup)
    except TelegramAPIError as exc:
        log.warning("could not change buttons error=%s", type(exc).__name__)
