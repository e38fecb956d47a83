"""Helpers for the onboarding and staff-admin tests: register rows, staff, database reads."""

from sqlmodel import col, select

from storage import staff
from storage.db import SessionPool
from storage.models import (
    AuditEvent,
    Estate,
    OutboxMessage,
    Owner,
    OwnerStatus,
    OwnerUnit,
    StaffMember,
    StaffRole,
    Unit,
)
from tests.helpers import Person

OWNER_PHONE = "+8613800138001"


async def register_owner(
    session_pool: SessionPool,
    estate: Estate,
    name: str = "Li Wei",
    phone: str = OWNER_PHONE,
    units: tuple[tuple[str, str], ...] = (("3", "1201"),),
) -> Owner:
    """An owner as the register import leaves them: verified, no Telegram account yet."""
    async with session_pool() as session:
        owner = Owner(estate_id=estate.id, name=name, phone=phone, status=OwnerStatus.verified)
        session.add(owner)
        await session.flush()
        for building, number in units:
            unit = Unit(estate_id=estate.id, building=building, number=number)
            session.add(unit)
            await session.flush()
            session.add(OwnerUnit(owner_id=owner.id, unit_id=unit.id))
        await session.commit()
        return owner


async def add_unit(session_pool: SessionPool, estate: Estate, building: str, number: str) -> Unit:
    async with session_pool() as session:
        unit = Unit(estate_id=estate.id, building=building, number=number)
        session.add(unit)
        await session.commit()
        return unit


async def add_staff(
    session_pool: SessionPool,
    estate: Estate,
    person: Person,
    role: StaffRole = StaffRole.agent,
    name: str = "Zhou Min",
) -> StaffMember:
    async with session_pool() as session:
        return await staff.add(
            session,
            estate_id=estate.id,
            telegram_user_id=person.id,
            name=name,
            role=role,
            actor="test",
            username=person.username,
        )


async def owner_of(session_pool: SessionPool, person: Person) -> Owner | None:
    async with session_pool() as session:
        query = select(Owner).where(Owner.telegram_user_id == person.id)
        return (await session.exec(query)).first()


async def all_owners(session_pool: SessionPool) -> list[Owner]:
    async with session_pool() as session:
        return list((await session.exec(select(Owner).order_by(col(Owner.id)))).all())


async def outbox_rows(
    session_pool: SessionPool, chat_id: int | None = None
) -> list[OutboxMessage]:
    """Messages queued for sending, oldest first (not the notes of what was sent directly)."""
    async with session_pool() as session:
        query = (
            select(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).not_like("direct:%"))
            .order_by(col(OutboxMessage.id))
        )
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        return list((await session.exec(query)).all())


async def audit_events(session_pool: SessionPool, entity: str) -> list[AuditEvent]:
    async with session_pool() as session:
        query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(col(AuditEvent.id))
        return list((await session.exec(query)).all())


async def audit_types(session_pool: SessionPool, entity: str) -> list[str]:
    return [event.type for event in await audit_events(session_pool, entity)]


async def active_staff(session_pool: SessionPool) -> list[StaffMember]:
    async with session_pool() as session:
        query = select(StaffMember).where(col(StaffMember.active).is_(True))
        return list((await session.exec(query)).all())


def button_data(row: OutboxMessage, label: str) -> str:
    """The callback data of the inline button on an outbox message whose text contains label."""
    for line in row.payload["reply_markup"]["inline_keyboard"]:
        for button in line:
            if label.casefold() in button["text"].casefold():
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} on {row.dedupe_key}")


async def reject(tg, clerk: Person, card: OutboxMessage, chat_id: int) -> None:
    """Reject a request without giving a reason: ❌ on the card, then the question's button."""
    await tg.press(clerk, button_data(card, "拒绝"), chat_id)
    await tg.press_label(clerk, "不说明原因", chat_id)
