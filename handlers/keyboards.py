"""Shared keyboards (main menu, cancel) and TextKey, which matches labels in any locale."""

from typing import Any

from aiogram.filters import Filter
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.i18n import Catalogs, Translator

MENU_KEYS = (
    "menu-repair",
    "menu-complaint",
    "menu-fees",
    "menu-callback",
    "menu-requests",
    "menu-language",
)


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    """The verified owner's main menu, two buttons a row."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("menu-repair")), KeyboardButton(text=t("menu-complaint"))],
            [KeyboardButton(text=t("menu-fees")), KeyboardButton(text=t("menu-callback"))],
            [KeyboardButton(text=t("menu-requests")), KeyboardButton(text=t("menu-language"))],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )


def cancel_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """A single Cancel button for the steps of a flow (matched by TextKey("common-cancel"))."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("common-cancel"))]],
        resize_keyboard=True,
        is_persistent=True,
    )


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
