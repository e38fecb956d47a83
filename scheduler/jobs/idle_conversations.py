"""Idle conversations, every minute: a flow left 30 minutes without an answer is dropped and the
owner is told then ("your report was dropped"), not on their next message."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import default_catalogs
from bot.texts import main_menu_keyboard
from scheduler.jobs.base import Job, JobName, JobResult
from storage import idle, keys, owners
from storage.models import Estate, OwnerStatus
from storage.outbox import Draft

NAME = JobName.idle_conversations
IDLE = timedelta(minutes=30)
# Rows per run; the rest are dropped by the next runs.
LIMIT = 500


def private_chat(key: str) -> tuple[int, int] | None:
    """(chat id, user id) of a private chat's FSM key "bot:chat:user:thread:business:destiny";
    None for groups and other kinds of keys."""
    parts = key.split(":")
    if len(parts) < 3 or not parts[1].lstrip("-").isdigit() or not parts[2].isdigit():
        return None
    chat_id, user_id = int(parts[1]), int(parts[2])
    return (chat_id, user_id) if chat_id > 0 else None


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None:
        return JobResult()
    catalogs = default_catalogs()
    dropped = noted = 0
    for record in await idle.idle_since(session, now - IDLE, LIMIT):
        if record.id is None:
            continue
        drafts = []
        chat = private_chat(record.key)
        if chat is not None:
            owner = await owners.by_telegram_user(session, estate.id, chat[1])
            t = catalogs.translator((owner.language if owner else None) or estate.locale)
            # The reply keyboard of the dropped step goes; verified owners get their menu.
            keyboard = (
                main_menu_keyboard(t)
                if owner is not None and owner.status == OwnerStatus.verified
                else {"remove_keyboard": True}
            )
            drafts.append(
                Draft(
                    keys.idle_note(record.id, record.updated_at),
                    chat[0],
                    t("flow-timed-out"),
                    not_before=now,
                    params={"reply_markup": keyboard},
                )
            )
        if await idle.drop(session, record, drafts):
            dropped += 1
            noted += len(drafts)
    return JobResult(noted, {"dropped": dropped})


JOB = Job(NAME, {"minute": "*"}, run)
