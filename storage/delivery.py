"""What delivery failures teach us about people: an owner who blocked the bot is unreachable."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.models import Owner, OwnerStatus


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
