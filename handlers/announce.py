"""/announce [building=N] text — a manager's message to the estate's verified owners (or one
building's): a preview with the recipient count and Send / Cancel; after Send, the owners are
queued at once and one staff message shows sent / failed / waiting as it goes.

Two languages: start a line with "en:" or "zh:" (see scheduler/jobs/announcements.py)."""

import re
from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers.edits import unchanged_is_done
from handlers.filters import IsActiveStaff, refuse_non_staff, refuse_not_manager
from handlers.keyboards import Buttons
from scheduler.jobs import announcements as announcement_job
from scheduler.jobs.announcements import sections
from scheduler.runs import run_job
from storage import announcements, calendar, keys
from storage.announcements import AnnouncementError, Progress
from storage.db import SessionPool
from storage.models import Announcement, Estate, StaffMember, StaffRole
from storage.outbox import Draft

router = Router(name=__name__)
MANAGERS = IsActiveStaff(roles={StaffRole.manager})
BUILDING = re.compile(r"^\s*building\s*=\s*(\S+)\s*", re.IGNORECASE)


class AnnounceAction(StrEnum):
    send = "send"
    # During the quiet hours Send waits for their end; this one goes at once (a burst pipe).
    send_now = "send_now"
    cancel = "cancel"


class AnnounceCB(CallbackData, prefix="ann"):
    action: AnnounceAction
    announcement_id: int


def parse(args: str) -> tuple[str | None, str]:
    """ "building=3 text" → ("3", "text"); "text" → (None, "text")."""
    found = BUILDING.match(args)
    if found is None:
        return None, args.strip()
    return found.group(1), args[found.end() :].strip()


@router.message(Command("announce"), MANAGERS)
async def announce(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
    clock: Clock,
) -> None:
    """A draft and its preview: who gets it, in which languages, with Send / Cancel."""
    building, text = parse(command.args or "")
    if estate.id is None or not text:
        await message.reply(t("announce-usage"))
        return
    try:
        draft = await announcements.create(
            session,
            estate_id=estate.id,
            text=text,
            building=building,
            by=staff_member,
            now=clock(),
        )
    except AnnouncementError as exc:
        await message.reply(
            t(f"announce-error-{exc.code.replace('_', '-')}", building=building or "none")
        )
        return
    audience = (
        t("announce-to-building", building=draft.building)
        if draft.building
        else t("announce-to-all")
    )
    languages = ", ".join(sorted(k for k in sections(text) if k)) or t("announce-one-text")
    preview = t(
        "announce-preview",
        count=draft.recipients,
        audience=audience,
        languages=languages,
        text=text,
    )
    now = clock()
    until = calendar.quiet_until(estate, now)
    quiet = until is not None
    builder = Buttons()
    if until is not None:
        at = calendar.local(estate, until).strftime("%H:%M")
        preview += "\n\n" + t("announce-quiet-note", quiet=estate.quiet_hours, at=at)
        labels = {
            AnnounceAction.send: t("announce-btn-send-later", at=at),
            AnnounceAction.send_now: t("announce-btn-send-now"),
        }
    else:
        labels = {AnnounceAction.send: t("announce-btn-send")}
    labels[AnnounceAction.cancel] = t("announce-btn-cancel")
    for action, label in labels.items():
        builder.button(
            text=label, callback_data=AnnounceCB(action=action, announcement_id=draft.id or 0)
        )
    builder.adjust(2 if not quiet else 1)
    await message.answer(preview, reply_markup=builder.as_markup())


@router.message(Command("announce"), F.chat.type != "private")
async def announce_refused(
    message: Message, t: Translator, staff_member: StaffMember | None
) -> None:
    await refuse_not_manager(message, staff_member, t)


@router.callback_query(AnnounceCB.filter(), MANAGERS)
async def decide(
    query: CallbackQuery,
    callback_data: AnnounceCB,
    session: AsyncSession,
    session_pool: SessionPool,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
    own_t: Translator,
    clock: Clock,
) -> None:
    """Send queues the owners now (the job resumes them after a restart), for the end of the
    quiet hours if pressed during them; Send now ignores those; Cancel drops it."""
    aid = callback_data.announcement_id
    if estate.id is None or estate.staff_chat_id is None:
        await query.answer()
        return
    now = clock()
    send_at = None
    if callback_data.action == AnnounceAction.send:
        send_at = calendar.quiet_until(estate, now)
    try:
        if callback_data.action == AnnounceAction.cancel:
            await announcements.cancel(
                session, aid, estate_id=estate.id, by=staff_member, now=clock()
            )
        else:
            group = estate.staff_chat_id

            def progress(announcement: Announcement) -> Draft:
                waiting = Progress(0, 0, announcement.recipients)
                return Draft(
                    keys.announcement_progress(aid),
                    group,
                    announcement_job.progress_text(t, estate, announcement, waiting, now),
                    not_before=now,
                )

            await announcements.confirm(
                session,
                aid,
                estate_id=estate.id,
                by=staff_member,
                now=now,
                progress=progress,
                send_at=send_at,
            )
    except AnnouncementError:
        await query.answer(own_t("announce-not-draft"), show_alert=True)
        return
    if isinstance(query.message, Message):
        if callback_data.action == AnnounceAction.cancel:
            done = t("announce-cancelled", by=staff_member.name)
        elif send_at is not None:
            at = calendar.local(estate, send_at).strftime("%H:%M")
            done = t("announce-sending-later", by=staff_member.name, at=at)
        else:
            done = t("announce-sending", by=staff_member.name)
        with unchanged_is_done():
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.reply(done)
    await query.answer()
    if callback_data.action != AnnounceAction.cancel:
        await run_job(session_pool, announcement_job.JOB, estate, now, clock)


@router.callback_query(AnnounceCB.filter())
async def decide_refused(query: CallbackQuery, own_t: Translator) -> None:
    await refuse_non_staff(query, own_t)
