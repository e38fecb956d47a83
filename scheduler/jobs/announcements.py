"""Announcements, every minute (at once when a manager presses Send, and as the outbox sender
delivers the owners' messages, scheduler/outbox.py): enqueue the owners of
each announcement being sent, BATCH at a time with one INSERT per batch and the cursor committed
with it (a restart resumes after the last batch), and edit the staff progress message.

Text in two languages: sections that start with "en:" or "zh:" at the beginning of a line; each
owner gets the section of their language, else the estate's, else the text before the sections,
else the first section. Without sections everyone gets the whole text."""

import re
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator, default_catalogs
from scheduler.jobs.base import BATCH, Job, JobName, JobResult, enqueue_new
from storage import announcements, calendar, keys
from storage.announcements import Progress
from storage.models import Announcement, AnnouncementStatus, Estate
from storage.outbox import Draft

NAME = JobName.announcements
SECTION = re.compile(r"^\s*(en|zh)\s*[:：]\s*", re.IGNORECASE | re.MULTILINE)
COMMON = ""


def sections(text: str) -> dict[str, str]:
    """ "en: Water off\\nzh: 停水" → {"en": "Water off", "zh": "停水"}; the text before the
    first section (if any) under COMMON."""
    found: dict[str, str] = {}
    marks = list(SECTION.finditer(text))
    head = text[: marks[0].start()] if marks else text
    if head.strip():
        found[COMMON] = head.strip()
    ends = [mark.start() for mark in marks[1:]] + [len(text)] if marks else []
    for mark, end in zip(marks, ends, strict=True):
        body = text[mark.end() : end].strip()
        if body:
            found[mark.group(1).lower()] = body
    return found


def text_for(parts: dict[str, str], language: str | None, estate_locale: str) -> str:
    for choice in (language, estate_locale, COMMON):
        if choice is not None and choice in parts:
            return parts[choice]
    return next(iter(parts.values()), "")


def owner_text(t: Translator, estate: Estate, body: str) -> str:
    return t("announce-owner", estate=estate.name, text=body)


def progress_text(
    t: Translator, estate: Estate, announcement: Announcement, progress: Progress, now: datetime
) -> str:
    key = (
        "announce-progress-done"
        if announcement.status == AnnouncementStatus.done
        else "announce-progress"
    )
    if key == "announce-progress" and held_until(announcement, now) is not None:
        key = "announce-progress-held"
    return t(
        key,
        at=calendar.local(estate, announcement.send_at).strftime("%H:%M")
        if announcement.send_at is not None
        else "",
        id=str(announcement.id),
        total=str(announcement.recipients),
        sent=str(progress.sent),
        failed=str(progress.failed),
        waiting=str(progress.waiting),
    )


def held_until(announcement: Announcement, now: datetime) -> datetime | None:
    """When a confirmed announcement's owners may be messaged, if that is still to come."""
    if announcement.send_at is None or announcement.send_at <= now:
        return None
    return announcement.send_at


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None:
        return JobResult()
    catalogs = default_catalogs()
    staff_t = catalogs.translator(estate.locale)
    enqueued = 0
    waits: list[datetime] = []
    for announcement in await announcements.sending(session, estate.id):
        if announcement.id is None:
            continue
        if (until := held_until(announcement, now)) is not None:
            waits.append(until)
        subject = keys.announcement_subject(announcement.id)
        parts = sections(announcement.text)
        not_before = held_until(announcement, now) or now
        # One rendering per language, not per owner (100 000 owners, two or three languages).
        texts: dict[str | None, str] = {}
        while batch := await announcements.next_batch(session, announcement, BATCH):
            drafts = []
            for r in batch:
                if r.language not in texts:
                    texts[r.language] = owner_text(
                        catalogs.translator(r.language or estate.locale),
                        estate,
                        text_for(parts, r.language, estate.locale),
                    )
                drafts.append(
                    Draft(
                        keys.announcement_owner(announcement.id, r.owner_id),
                        r.chat_id,
                        texts[r.language],
                        subject=subject,
                        not_before=not_before,
                    )
                )
            enqueued += await enqueue_new(session, drafts, now)
            announcement.cursor = batch[-1].owner_id
            await announcements.advance(session, announcement.id, announcement.cursor)
            # Each batch commits with its cursor: a restart resumes after it.
            await session.commit()
        progress = await announcements.progress(session, subject)
        if progress.waiting == 0:
            await announcements.finish(session, announcement.id, now)
            announcement.status = AnnouncementStatus.done
        if estate.staff_chat_id is not None:
            edit = Draft(
                keys.announcement_progress_edit(
                    announcement.id, progress.sent, progress.failed, progress.waiting
                ),
                estate.staff_chat_id,
                progress_text(staff_t, estate, announcement, progress, now),
                method="editMessageText",
                not_before=now,
                params={
                    "message_id": {"$message_id_of": keys.announcement_progress(announcement.id)}
                },
            )
            await enqueue_new(session, [edit], now)
    return JobResult(enqueued, {}, min(waits) if enqueued and waits else None)


JOB = Job(NAME, {"minute": "*"}, run)
