"""The unexpected: whatever a handler raises ends here (aiogram's `errors` event).

The person is answered in their language and a pressed button stops spinning; the log gets the
update id and a traceback without personal data; the staff group gets one short alert per
distinct error per hour, through the outbox.
"""

import hashlib
import logging
import traceback
from pathlib import Path

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, Update, User
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.i18n import Catalogs, Translator, locale_for
from bot.settings import Settings
from storage import estates, incidents
from storage.db import SessionPool
from storage.models import Estate

router = Router(name=__name__)
log = logging.getLogger("frontdoor.errors")

ROOT = Path(__file__).resolve().parent.parent


def safe_traceback(exc: BaseException) -> str:
    """Every frame of the exception and its causes, with exception types but not their
    messages: a message can carry what a person typed (a database error quotes its
    parameters), a frame's file, line and code cannot."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
        if current is not None:
            parts.append("raised while handling, or caused by:")
    return "\n".join(parts)


# Middlewares every update and Bot API call passes through: an error inside a handler's call
# to Telegram has its innermost Frontdoor frame there, but the handler is where it happened.
PLUMBING = frozenset({"bot/middlewares.py", "bot/guards.py", "bot/metrics.py"})


def origin(exc: BaseException) -> str:
    """Where the error was raised: the innermost frame in Frontdoor's own code, past the
    middlewares' when there is one."""
    ours = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            ours.append(f"{path.relative_to(ROOT).as_posix()}:{frame.name}")
    if not ours:
        return "?"
    beyond = [where for where in ours if where.split(":")[0] not in PLUMBING]
    return (beyond or ours)[-1]


def fingerprint(exc: BaseException) -> str:
    """The same kind of error at the same place is one error, whatever the data."""
    text = f"{type(exc).__qualname__}@{origin(exc)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _name(exc: BaseException) -> str:
    return type(exc).__qualname__


def _user(update: Update) -> User | None:
    event = update.message or update.callback_query or update.edited_message
    return event.from_user if event is not None else None


@router.errors()
async def unexpected(
    event: ErrorEvent,
    bot: Bot,
    settings: Settings,
    session_pool: SessionPool,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator | None = None,
    own_t: Translator | None = None,
    estate: Estate | None = None,
) -> bool:
    """Answer, stop the spinner, log once, alert the office once an hour."""
    update, exc = event.update, event.exception
    log.error(
        "update id=%s failed error=%s where=%s\n%s",
        update.update_id,
        _name(exc),
        origin(exc),
        safe_traceback(exc),
    )
    user = _user(update)
    if t is None:
        t = catalogs.translator(locale_for(user.language_code if user else None, settings.locale))
    await _answer(bot, update, t, own_t or t)
    await _alert(session_pool, catalogs, clock, estate, update, exc)
    return True


async def _answer(bot: Bot, update: Update, t: Translator, own_t: Translator) -> None:
    """The apology: a pressed button's alert in the presser's own language (`own_t`), a
    message in the chat's (`t`: in the staff group, the group's)."""
    text = t("error-unexpected")
    try:
        if update.callback_query is not None:
            # An alert answers the button and says it at once; a button the handler had
            # already answered cannot be answered twice, so then the chat gets a message.
            try:
                await update.callback_query.answer(own_t("error-unexpected"), show_alert=True)
                return
            except TelegramAPIError:
                chat = (
                    update.callback_query.message.chat if update.callback_query.message else None
                )
                if chat is not None:
                    await bot.send_message(chat.id, text)
        elif update.message is not None:
            await update.message.reply(text)
    except TelegramAPIError as error:
        log.warning(
            "update id=%s apology not sent error=%s", update.update_id, type(error).__name__
        )


async def _alert(
    session_pool: SessionPool,
    catalogs: Catalogs,
    clock: Clock,
    estate: Estate | None,
    update: Update,
    exc: BaseException,
) -> None:
    try:
        async with session_pool() as session:
            if estate is None:
                estate = await estates.default(session)
            if estate is None or estate.staff_chat_id is None:
                return
            staff_t = catalogs.translator(estate.locale)
            await incidents.alert(
                session,
                chat_id=estate.staff_chat_id,
                fingerprint=fingerprint(exc),
                text=staff_t(
                    "error-alert",
                    kind=_name(exc),
                    where=origin(exc),
                    update=update.update_id,
                ),
                at=clock(),
            )
    except SQLAlchemyError as error:
        # The database itself may be what failed; the log line above is then the alert.
        log.warning(
            "update id=%s alert not queued error=%s", update.update_id, type(error).__name__
        )
