"""/hours and /quiet in the staff group: the estate's office hours and quiet hours, shown to all
staff (with the time zone and the emergency phone, which /emergency sets) and changed by
managers, validated and audited."""

import unicodedata

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from handlers.filters import IsActiveStaff, refuse_non_staff, refuse_not_manager
from storage import calendar, estates
from storage.db import saved_id
from storage.models import Estate, StaffMember, StaffRole

router = Router(name="estate_settings")

COMMANDS = ("hours", "quiet")


def current(t: Translator, estate: Estate) -> str:
    return t(
        "settings-current",
        hours=estate.working_hours,
        quiet=estate.quiet_hours,
        zone=estate.time_zone,
        phone=estate.emergency_phone or t("settings-no-phone"),
    )


@router.message(Command("hours", "quiet"), IsActiveStaff())
async def window(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
) -> None:
    """/hours shows the settings; /hours 08:30-17:30 and /quiet 21:00-08:00 change them."""
    text = (command.args or "").strip()
    if not text:
        await message.reply(current(t, estate))
        return
    if staff_member.role != StaffRole.manager:
        await refuse_not_manager(message, staff_member, t)
        return
    setter = estates.set_working_hours if command.command == "hours" else estates.set_quiet_hours
    # NFKC folds a Chinese keyboard's "０８：３０－１７：３０" to plain digits and signs.
    typed = unicodedata.normalize("NFKC", text)
    typed = typed.replace("–", "-").replace("—", "-").replace(" ", "")
    try:
        changed = await setter(session, saved_id(estate), typed, f"staff:{staff_member.id}")
    except calendar.WindowError as exc:
        await message.reply(t(f"settings-window-{exc.problem}", text=text))
        return
    if command.command == "hours":
        reply = t("settings-hours-set", window=changed.working_hours, zone=changed.time_zone)
    else:
        reply = t("settings-quiet-set", window=changed.quiet_hours, zone=changed.time_zone)
    await message.reply(reply)


@router.message(Command(*COMMANDS), F.chat.type != "private")
async def refused(message: Message, t: Translator) -> None:
    """Settings commands from anyone but active staff in the staff group change nothing."""
    await refuse_non_staff(message, t)
