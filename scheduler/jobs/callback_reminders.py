"""Call-back reminders, every minute: 15 minutes before a booked slot, a note to the staff member
who took the call-back (or to the staff group when nobody has)."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Html, default_catalogs
from bot.texts import slot_text, topic_text
from scheduler.jobs.base import Job, JobName, JobResult, enqueue_new
from storage import calendar, call_backs, keys, staff
from storage.models import CallbackOrigin, Estate
from storage.outbox import Draft

NAME = JobName.callback_reminders
LEAD = timedelta(minutes=15)
# Runs come once a minute: a slot is caught by the run at most LEAD before it starts.
TICK = timedelta(minutes=1)


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None:
        return JobResult()
    catalogs = default_catalogs()
    group_t = catalogs.translator(estate.locale)
    tz = calendar.zone(estate)
    drafts: list[Draft] = []
    for view in await call_backs.booked_between(session, estate.id, now, now + LEAD + TICK):
        callback = view.callback
        if callback.id is None or callback.origin != CallbackOrigin.booking:
            continue
        if callback.slot_start - now > LEAD:
            continue
        member = await staff.get(session, callback.staff_id) if callback.staff_id else None
        if member is not None and member.active:
            # To the staff member alone: in their own language.
            chat: int | None = member.telegram_user_id
            t = catalogs.translator(staff.language_of(member, estate))
        else:
            chat, t = estate.staff_chat_id, group_t
        if chat is None:
            continue
        drafts.append(
            Draft(
                keys.callback_reminder(callback.id),
                chat,
                t(
                    "callback-reminder",
                    slot=Html(slot_text(t, callback.slot_start, callback.slot_end, tz)),
                    name=view.owner.name,
                    phone=view.owner.phone or "—",
                    units=", ".join(f"{u.building}-{u.number}" for u in view.units) or "—",
                    topic=Html(topic_text(t, callback.topic, view.ticket_number)),
                    note=callback.note or "—",
                ),
                not_before=now,
            )
        )
    enqueued = await enqueue_new(session, drafts, now)
    return JobResult(enqueued, {"due": len(drafts)})


JOB = Job(NAME, {"minute": "*"}, run)
