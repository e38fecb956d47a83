"""Announcements (`/announce`): a draft with its recipient count, Send or Cancel, then owners
enqueued in batches in id order with the cursor committed per batch (a restart resumes)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox
from storage.models import (
    Announcement,
    AnnouncementStatus,
    OutboxMessage,
    OutboxStatus,
    Owner,
    OwnerStatus,
    OwnerUnit,
    StaffMember,
    Unit,
)
from storage.outbox import Draft
from storage.units import clean

TEXT_MAX = 3500


class AnnouncementError(Exception):
    """Refused: `code` is empty, too_long, no_recipients or not_draft."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Recipient:
    owner_id: int
    chat_id: int
    language: str | None


def _recipients(estate_id: int, building: str | None, after: int = 0):  # type: ignore[no-untyped-def]
    """Verified owners with a chat (of one building's units when given), by owner id."""
    chat = func.coalesce(Owner.chat_id, Owner.telegram_user_id)
    query = select(col(Owner.id), chat, col(Owner.language)).where(
        col(Owner.estate_id) == estate_id,
        col(Owner.status) == OwnerStatus.verified,
        chat.is_not(None),
        col(Owner.id) > after,
    )
    if building is not None:
        in_building = (
            select(OwnerUnit.owner_id)
            .join(Unit, col(Unit.id) == OwnerUnit.unit_id)
            .where(
                col(Unit.estate_id) == estate_id,
                func.lower(Unit.building) == building.lower(),
            )
        )
        query = query.where(col(Owner.id).in_(in_building))
    return query


async def count_recipients(session: AsyncSession, estate_id: int, building: str | None) -> int:
    query = select(func.count()).select_from(_recipients(estate_id, building).subquery())
    return int((await session.exec(query)).one())


async def create(
    session: AsyncSession,
    *,
    estate_id: int,
    text: str,
    building: str | None,
    by: StaffMember,
    now: datetime,
) -> Announcement:
    """A draft announcement with its recipient count (nothing is sent until confirmed)."""
    text = text.strip()
    if not text:
        raise AnnouncementError("empty")
    if len(text) > TEXT_MAX:
        raise AnnouncementError("too_long")
    building = clean(building) if building else None
    recipients = await count_recipients(session, estate_id, building)
    if recipients == 0:
        raise AnnouncementError("no_recipients")
    announcement = Announcement(
        estate_id=estate_id,
        text=text,
        building=building,
        created_by=by.id,
        recipients=recipients,
        created_at=now,
    )
    session.add(announcement)
    await session.flush()
    audit.record(
        session,
        actor=f"staff:{by.id}",
        entity="announcement",
        entity_id=announcement.id,
        type="announcement_drafted",
        estate_id=estate_id,
        building=building,
        recipients=recipients,
    )
    await session.commit()
    return announcement


async def _decide(
    session: AsyncSession,
    announcement_id: int,
    estate_id: int,
    status: AnnouncementStatus,
    by: StaffMember,
    now: datetime,
    render: Callable[[Announcement], Sequence[Draft]] | None = None,
    send_at: datetime | None = None,
) -> Announcement:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None or announcement.estate_id != estate_id:
        raise AnnouncementError("not_draft")
    if announcement.status != AnnouncementStatus.draft:
        raise AnnouncementError("not_draft")
    announcement.status = status
    if status == AnnouncementStatus.sending:
        announcement.confirmed_at = now
        announcement.send_at = send_at
    else:
        announcement.finished_at = now
    session.add(announcement)
    audit.record(
        session,
        actor=f"staff:{by.id}",
        entity="announcement",
        entity_id=announcement_id,
        type=f"announcement_{status}",
        estate_id=estate_id,
    )
    if render is not None:
        await outbox.add_all(session, render(announcement))
    await session.commit()
    return announcement


async def confirm(
    session: AsyncSession,
    announcement_id: int,
    *,
    estate_id: int,
    by: StaffMember,
    now: datetime,
    progress: Callable[[Announcement], Draft],
    send_at: datetime | None = None,
) -> Announcement:
    """Send: from now the announcements job enqueues the owners, whose messages go out at
    `send_at` if given (the end of the quiet hours); `progress` renders the staff message that
    the job then edits as the messages go out."""
    return await _decide(
        session,
        announcement_id,
        estate_id,
        AnnouncementStatus.sending,
        by,
        now,
        lambda announcement: [progress(announcement)],
        send_at,
    )


async def cancel(
    session: AsyncSession, announcement_id: int, *, estate_id: int, by: StaffMember, now: datetime
) -> Announcement:
    return await _decide(
        session, announcement_id, estate_id, AnnouncementStatus.cancelled, by, now
    )


async def sending(session: AsyncSession, estate_id: int) -> list[Announcement]:
    query = (
        select(Announcement)
        .where(
            Announcement.estate_id == estate_id,
            Announcement.status == AnnouncementStatus.sending,
        )
        .order_by(col(Announcement.id))
    )
    return list((await session.exec(query)).all())


async def next_batch(
    session: AsyncSession, announcement: Announcement, limit: int
) -> list[Recipient]:
    """The next `limit` recipients after the cursor."""
    query = (
        _recipients(announcement.estate_id, announcement.building, announcement.cursor)
        .order_by(col(Owner.id))
        .limit(limit)
    )
    return [
        Recipient(owner_id, int(chat_id), language)
        for owner_id, chat_id, language in (await session.exec(query)).all()
    ]


async def advance(session: AsyncSession, announcement_id: int, cursor: int) -> None:
    """Move the cursor past a batch, in the batch's transaction; the caller commits."""
    await session.exec(
        update(Announcement).where(col(Announcement.id) == announcement_id).values(cursor=cursor)
    )


@dataclass(frozen=True)
class Progress:
    sent: int
    failed: int
    waiting: int


async def progress(session: AsyncSession, subject: str) -> Progress:
    """How the announcement's messages to owners (those with `subject`) stand in the outbox."""
    rows = await session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.subject == subject)
        .group_by(col(OutboxMessage.status))
    )
    counts = {str(status): int(n) for status, n in rows.all()}
    return Progress(
        sent=counts.get(OutboxStatus.sent, 0),
        failed=counts.get(OutboxStatus.failed, 0) + counts.get(OutboxStatus.dead, 0),
        waiting=counts.get(OutboxStatus.pending, 0),
    )


async def finish(session: AsyncSession, announcement_id: int, now: datetime) -> None:
    """Every owner enqueued and nothing left waiting; the caller commits."""
    await session.exec(
        update(Announcement)
        .where(col(Announcement.id) == announcement_id)
        .values(status=AnnouncementStatus.done, finished_at=now)
    )
