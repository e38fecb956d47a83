"""What delivery failures teach us about people: an owner who blocked the bot is unreachable,
and the staff group is told of private messages that did not get through."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox
from storage.models import Estate, Owner, OwnerStatus, StaffMember, Ticket


async def mark_unreachable(session: AsyncSession, chat_id: int, reason: str = "") -> list[Owner]:
    """Mark the owners whose private chat is `chat_id` unreachable (the bot was blocked)."""
    owners = list(
        (
            await session.exec(
                select(Owner).where(
                    Owner.chat_id == chat_id, Owner.status != OwnerStatus.unreachable
                )
            )
        ).all()
    )
    for owner in owners:
        previous = owner.status
        owner.status = OwnerStatus.unreachable
        session.add(owner)
        audit.record(
            session,
            actor="system",
            entity="owner",
            entity_id=owner.id,
            type="unreachable",
            estate_id=owner.estate_id,
            previous=str(previous),
            reason=reason[:200],
        )
    await session.commit()
    return owners


@dataclass(frozen=True)
class Undelivered:
    """A private message Telegram refused, as the staff group is told of it."""

    estate: Estate
    name: str
    # The ticket the message was about, if any.
    number: int | None
    # A staff member (who must press Start) rather than an owner (who blocked the bot).
    staff: bool


async def report_undelivered(
    session: AsyncSession,
    *,
    chat_id: int,
    row_id: int,
    subject: str | None,
    notice: Callable[[Undelivered], str],
) -> int:
    """Tell the staff group that Telegram refused a private message; returns how many notices
    were queued. A staff member is reported for any message (Telegram refuses a bot's first
    message to someone who never pressed Start, so the group must ask them); an owner only
    for messages about a ticket, so staff know to call instead."""
    kind, _, ticket_id = (subject or "").partition(":")
    ticket = (
        await session.get(Ticket, int(ticket_id))
        if kind == "ticket" and ticket_id.isdigit()
        else None
    )
    members = (
        await session.exec(
            select(StaffMember).where(
                StaffMember.telegram_user_id == chat_id,
                col(StaffMember.active).is_(True),
            )
        )
    ).all()
    # (estate, name, staff?, dedupe key): an owner is reported once per ticket however many
    # messages about it bounce; a staff member for each message they must be asked about.
    people: list[tuple[int, str, bool, str]] = [
        (m.estate_id, m.name, True, f"undelivered:{row_id}:{m.estate_id}") for m in members
    ]
    owner = await session.get(Owner, ticket.owner_id) if ticket and ticket.owner_id else None
    if (
        ticket is not None
        and owner is not None
        and (owner.chat_id or owner.telegram_user_id) == chat_id
    ):
        key = f"undelivered:owner:{owner.id}:ticket:{ticket.id}"
        people.append((owner.estate_id, owner.name, False, key))
    told = 0
    for estate_id, name, staff, key in people:
        estate = await session.get(Estate, estate_id)
        if estate is None or estate.staff_chat_id is None:
            continue
        number = ticket.number if ticket is not None and ticket.estate_id == estate.id else None
        await outbox.enqueue(
            session,
            dedupe_key=key,
            chat_id=estate.staff_chat_id,
            text=notice(Undelivered(estate, name, number, staff)),
            subject=subject if number is not None else None,
        )
        told += 1
    await session.commit()
    return told
