"""Staff members of an estate."""

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.models import Estate, StaffMember, StaffRole

# Read for every update from a person: built once (benchmarks/README.md).
_ACTIVE_MEMBER = select(StaffMember).where(
    StaffMember.estate_id == bindparam("estate_id"),
    StaffMember.telegram_user_id == bindparam("user_id"),
    col(StaffMember.active).is_(True),
)


async def active_member(
    session: AsyncSession, estate_id: int, telegram_user_id: int
) -> StaffMember | None:
    params = {"estate_id": estate_id, "user_id": telegram_user_id}
    return (await session.exec(_ACTIVE_MEMBER, params=params)).first()


async def refresh_username(
    session: AsyncSession, member: StaffMember, username: str | None
) -> StaffMember:
    """Keep the @username Telegram reports for a staff member, so `/assign N @name` finds
    people added by user id (`frontdoor staff add`). Writes only when it changed; the name
    stays the one whoever added the person gave."""
    username = username or None
    if member.username == username or member.id is None:
        return member
    await session.exec(
        update(StaffMember).where(col(StaffMember.id) == member.id).values(username=username)
    )
    await session.commit()
    member.username = username
    return member


def language_of(member: StaffMember, estate: Estate) -> str:
    """What a staff member reads in their private chat, work orders and popups: their own
    language once known, else the estate's (the staff group's)."""
    return member.language or estate.locale


async def set_language(
    session: AsyncSession, member: StaffMember, language: str, source: str
) -> StaffMember:
    """Store the staff member's language (`source`: "chosen" by /lang, or "telegram" from the
    app's language when they first wrote in private). Writes only when it changed."""
    if member.language == language or member.id is None:
        return member
    await session.exec(
        update(StaffMember).where(col(StaffMember.id) == member.id).values(language=language)
    )
    audit.record(
        session,
        actor=f"staff:{member.id}",
        entity="staff",
        entity_id=member.id,
        type="language_set",
        estate_id=member.estate_id,
        language=language,
        source=source,
    )
    await session.commit()
    member.language = language
    return member


async def get(session: AsyncSession, staff_id: int) -> StaffMember | None:
    return await session.get(StaffMember, staff_id)


async def by_username(session: AsyncSession, estate_id: int, username: str) -> StaffMember | None:
    name = username.lstrip("@").casefold()
    members = await list_active(session, estate_id)
    return next((m for m in members if (m.username or "").casefold() == name), None)


async def list_active(session: AsyncSession, estate_id: int) -> list[StaffMember]:
    query = (
        select(StaffMember)
        .where(StaffMember.estate_id == estate_id, col(StaffMember.active).is_(True))
        .order_by(col(StaffMember.name))
    )
    return list((await session.exec(query)).all())


async def add(
    session: AsyncSession,
    *,
    estate_id: int,
    telegram_user_id: int,
    name: str,
    role: StaffRole,
    actor: str,
    username: str | None = None,
) -> StaffMember:
    """Add or re-activate a staff member; adding the same person again updates name and role."""
    member = (
        await session.exec(
            select(StaffMember).where(
                StaffMember.estate_id == estate_id,
                StaffMember.telegram_user_id == telegram_user_id,
            )
        )
    ).first()
    if member is None:
        member = StaffMember(estate_id=estate_id, telegram_user_id=telegram_user_id, name=name)
    member.name = name
    member.role = role
    member.active = True
    if username:
        member.username = username.lstrip("@")
    session.add(member)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        entity="staff",
        entity_id=member.id,
        type="added",
        estate_id=estate_id,
        role=str(role),
    )
    await session.commit()
    return member


async def remove(
    session: AsyncSession, *, estate_id: int, telegram_user_id: int, actor: str
) -> StaffMember | None:
    """Deactivate (never delete: tickets and payments keep pointing at the person)."""
    member = await active_member(session, estate_id, telegram_user_id)
    if member is None:
        return None
    member.active = False
    session.add(member)
    audit.record(
        session,
        actor=actor,
        entity="staff",
        entity_id=member.id,
        type="removed",
        estate_id=estate_id,
    )
    await session.commit()
    return member
