"""Editing a message in place, where pressing a button twice (or a list that did not change)
asks Telegram for an edit that changes nothing: "message is not modified" means it is already
as wanted, so it is done, never an error for the person who pressed."""

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.exceptions import TelegramBadRequest

from storage.outbox import NOT_MODIFIED


@contextmanager
def unchanged_is_done() -> Iterator[None]:
    try:
        yield
    except TelegramBadRequest as exc:
        if NOT_MODIFIED not in exc.message:
            raise
