"""`/outbox` for managers: the messages the sender gave up on (dead or failed), each with a
Retry button that queues it again."""

from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Html, Translator, plain_text
from handlers.filters import IsActiveStaff, IsStaffChat, refuse_non_staff
from handlers.keyboards import Buttons
from storage import outbox
from storage.models import Estate, OutboxMessage, StaffMember, StaffRole

router = Router(name=__name__)

MANAGERS = IsActiveStaff(roles=[StaffRole.manager])
LISTED = 10
PREVIEW = 60
ERROR_PREVIEW = 120


class OutboxAction(StrEnum):
    retry = "retry"


class OutboxCb(CallbackData, prefix="obx"):
    action: OutboxAction
    row_id: int


def preview(row: OutboxMessage) -> str:
    """The start of the message's text (tags stripped), or its method when it has none."""
    text = row.payload.get("text") or row.payload.get("caption") or ""
    plain = plain_text(str(text)).strip().replace("\n", " ")
    if not plain:
        return row.method
    return plain if len(plain) <= PREVIEW else plain[: PREVIEW - 1] + "…"


def row_line(t: Translator, row: OutboxMessage) -> str:
    error = (row.last_error or "—")[:ERROR_PREVIEW]
    return t(
        "outbox-row",
        id=str(row.id),
        status=t(f"outbox-status-{row.status}"),
        chat=str(row.chat_id),
        attempts=row.attempts,
        preview=preview(row),
        error=error,
    )


@router.message(Command("outbox"), MANAGERS)
async def list_given_up(
    message: Message, session: AsyncSession, estate: Estate, t: Translator
) -> None:
    """List the estate's dead and failed messages, newest first, with a Retry button each."""
    rows = await outbox.given_up(session, estate.id or 0, estate.staff_chat_id, limit=LISTED)
    if not rows:
        await message.answer(t("outbox-empty"))
        return
    lines = [row_line(t, row) for row in rows]
    builder = Buttons()
    for row in rows:
        builder.button(
            text=t("outbox-retry-button", id=str(row.id)),
            callback_data=OutboxCb(action=OutboxAction.retry, row_id=row.id or 0),
        )
    builder.adjust(3)
    await message.answer(
        t("outbox-list", count=len(rows), rows=Html("\n\n".join(lines))),
        reply_markup=builder.as_markup(),
    )


@router.message(Command("outbox"), IsStaffChat())
async def not_manager(message: Message, t: Translator) -> None:
    """Only managers look into the outbox."""
    await message.reply(t("outbox-managers-only"))


@router.callback_query(OutboxCb.filter(F.action == OutboxAction.retry), MANAGERS)
async def retry(
    query: CallbackQuery,
    callback_data: OutboxCb,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
    own_t: Translator,
) -> None:
    """Queue one given-up message again; a stale or forged button only explains."""
    row = await outbox.retry(
        session,
        row_id=callback_data.row_id,
        estate_id=estate.id or 0,
        staff_chat_id=estate.staff_chat_id,
        actor=f"staff:{staff_member.id}",
        now=clock(),
    )
    if row is None:
        await query.answer(own_t("outbox-retry-gone"), show_alert=True)
        return
    await query.answer(own_t("outbox-retried", id=str(row.id)))


@router.callback_query(OutboxCb.filter())
async def retry_refused(query: CallbackQuery, own_t: Translator) -> None:
    """A Retry pressed by someone who is not a manager in the staff group."""
    await refuse_non_staff(query, own_t)
