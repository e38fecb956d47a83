"""Fee reminders: `/remind off BUILDING-UNIT reason` and `/remind on BUILDING-UNIT` for staff in
the group, and the owner's My fees button under a reminder."""

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers.fees import chunks, statement_lines
from handlers.filters import DataIs, IsActiveStaff, IsVerifiedOwner, refuse_non_staff
from handlers.keyboards import main_menu
from scheduler.jobs.fee_reminders import MY_FEES
from storage import fees, reminders
from storage.models import Estate, Owner, StaffMember
from storage.reminders import PauseError

router = Router(name=__name__)


def parse_unit(text: str) -> tuple[str, str] | None:
    """ "3-1201" → ("3", "1201")."""
    building, dash, number = text.strip().partition("-")
    if not dash or not building.strip() or not number.strip():
        return None
    return building.strip(), number.strip()


@router.message(Command("remind"), IsActiveStaff())
async def remind(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
    clock: Clock,
) -> None:
    """/remind off BUILDING-UNIT reason · /remind on BUILDING-UNIT (audited)."""
    words = (command.args or "").split(maxsplit=2)
    if len(words) < 2 or words[0].lower() not in ("on", "off"):
        await message.reply(t("remind-usage"))
        return
    unit = parse_unit(words[1])
    if unit is None or estate.id is None:
        await message.reply(t("remind-usage"))
        return
    building, number = unit
    try:
        if words[0].lower() == "off":
            result = await reminders.pause(
                session,
                estate_id=estate.id,
                building=building,
                number=number,
                reason=words[2] if len(words) > 2 else "",
                by=staff_member,
                now=clock(),
            )
            key = "remind-paused" if result.changed else "remind-already-paused"
        else:
            result = await reminders.resume(
                session,
                estate_id=estate.id,
                building=building,
                number=number,
                by=staff_member,
                now=clock(),
            )
            key = "remind-resumed" if result.changed else "remind-not-paused"
    except PauseError as exc:
        await message.reply(t(f"remind-error-{exc.code.replace('_', '-')}", unit=words[1]))
        return
    await message.reply(t(key, unit=f"{result.unit.building}-{result.unit.number}"))


@router.message(Command("remind"), F.chat.type != "private")
async def remind_refused(message: Message, t: Translator) -> None:
    await refuse_non_staff(message, t)


@router.callback_query(DataIs(MY_FEES), IsVerifiedOwner())
async def my_fees(
    query: CallbackQuery,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    t: Translator,
    clock: Clock,
) -> None:
    """My fees under a reminder: the owner's statement as it stands now."""
    await query.answer()
    if owner.id is None or not isinstance(query.message, Message):
        return
    today = clock().astimezone(ZoneInfo(estate.time_zone)).date()
    statements = await fees.statement(session, owner.id, today)
    for text in chunks(statement_lines(t, statements)):
        await query.message.answer(text, reply_markup=main_menu(t))


@router.callback_query(DataIs(MY_FEES))
async def my_fees_unverified(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("remind-not-registered"), show_alert=True)
