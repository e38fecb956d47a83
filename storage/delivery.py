"""What delivery failures teach us about people: an owner who blocked the bot is unreachable;
a staff member the bot cannot write to is reported to their staff group."""

from collections.abc import Callable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox
from storage.models import Estate, Owner, OwnerStatus, StaffMember, Ticket

# (estate, staff member, ticket number or None) → the notice for the staff group.
StaffNotice = Callable[[Estate, StaffMember, int | None], str]


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


async def report_staff_unreachable(
    session: AsyncSession, *, chat_id: int, row_id: int, subject: str | None, notice: StaffNotice
) -> int:
    """Tell the staff group that a private message (a work order, say) to one of its active
    members was refused; returns how many groups were told. Telegram refuses a bot's first
    message to someone who never pressed Start, so the group must know to ask them."""
    members = (
        await session.exec(
            select(StaffMember).where(
                StaffMember.telegram_user_id == chat_id,
                col(StaffMember.active).is_(True),
            )
        )
    ).all()
    kind, _, ticket_id = (subject or "").partition(":")
    ticket = (
        await session.get(Ticket, int(ticket_id))
        if kind == "ticket" and ticket_id.isdigit()
        else None
    )
    told = 0
    for member in members:
        estate = await session.get(Estate, member.estate_id)
        if estate is None or estate.staff_chat_id is None:
            continue
        number = ticket.number if ticket is not None and ticket.estate_id == estate.id else None
        await outbox.enqueue(
            session,
            dedupe_key=f"undelivered:{row_id}:{estate.id}",
            chat_id=estate.staff_chat_id,
            text=notice(estate, member, number),
            subject=subject if number is not None else None,
        )
        told += 1
    await session.commit()
    return told
