"""Owners: lookup, registration by phone, pending requests and staff decisions."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Owner


async def by_telegram_user(
    session: AsyncSession, estate_id: int, telegram_user_id: int
) -> Owner | None:
    query = select(Owner).where(
        Owner.estate_id == estate_id, Owner.telegram_user_id == telegram_user_id
    )
    return (await session.exec(query)).first()
