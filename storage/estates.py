"""Estates: the default one made from settings, looked up by staff chat, bound with /bind."""

from collections.abc import Sequence

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, calendar, outbox
from storage.models import Estate
from storage.outbox import Draft


async def ensure_default(
    session: AsyncSession,
    *,
    name: str,
    time_zone: str,
    locale: str,
    currency: str,
    staff_chat_id: int | None = None,
) -> Estate:
    """The first estate, created from the settings if the database has none yet."""
    estate = (await session.exec(select(Estate).order_by(col(Estate.id)))).first()
    if estate is None:
        estate = Estate(name=name, time_zone=time_zone, locale=locale, currency=currency)
        session.add(estate)
        await session.flush()
        audit.record(session, actor="system", entity="estate", entity_id=estate.id, type="created")
    if staff_chat_id is not None and estate.staff_chat_id != staff_chat_id:
        estate.staff_chat_id = staff_chat_id
        session.add(estate)
    await session.commit()
    return estate


# Read for every update: built once, so SQLAlchemy finds its compiled form without building
# and hashing a new statement each time (benchmarks/README.md).
_DEFAULT = select(Estate).order_by(col(Estate.id)).limit(1)
_BY_STAFF_CHAT = select(Estate).where(Estate.staff_chat_id == bindparam("chat_id"))


async def default(session: AsyncSession) -> Estate | None:
    return (await session.exec(_DEFAULT)).first()


async def get(session: AsyncSession, estate_id: int) -> Estate | None:
    return await session.get(Estate, estate_id)


async def by_staff_chat(session: AsyncSession, chat_id: int) -> Estate | None:
    return (await session.exec(_BY_STAFF_CHAT, params={"chat_id": chat_id})).first()


async def _set(
    session: AsyncSession, estate_id: int, field: str, value: object, actor: str, event: str
) -> Estate:
    """Change one estate setting, with an audit record of the old and new value."""
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise LookupError(f"estate {estate_id} not found")
    previous = getattr(estate, field)
    setattr(estate, field, value)
    session.add(estate)
    audit.record(
        session,
        actor=actor,
        entity="estate",
        entity_id=estate.id,
        type=event,
        estate_id=estate.id,
        previous=previous,
        value=value,
    )
    await session.commit()
    return estate


async def bind_staff_chat(
    session: AsyncSession,
    estate_id: int,
    chat_id: int,
    actor: str,
    catch_up: Sequence[Draft] = (),
) -> Estate:
    """Make `chat_id` the estate's staff group (one group per estate, one estate per group);
    `catch_up` (cards of tickets the group has not seen) is queued in the same transaction."""
    await outbox.add_all(session, catch_up)
    return await _set(session, estate_id, "staff_chat_id", chat_id, actor, "staff_chat_bound")


async def set_emergency_phone(
    session: AsyncSession, estate_id: int, phone: str, actor: str
) -> Estate:
    """The number owners are told to call for urgent repairs ('' clears it)."""
    return await _set(session, estate_id, "emergency_phone", phone, actor, "emergency_phone_set")


async def set_payment_instructions(
    session: AsyncSession, estate_id: int, text: str, actor: str
) -> Estate:
    """How owners pay, shown under "My fees" and in fee reminders ('' clears it)."""
    return await _set(
        session, estate_id, "payment_instructions", text, actor, "payment_instructions_set"
    )


def _window_setting(text: str, *, may_cross_midnight: bool) -> str:
    start, end = calendar.parse_window(text, may_cross_midnight=may_cross_midnight)
    return f"{start:%H:%M}-{end:%H:%M}"


async def set_working_hours(
    session: AsyncSession, estate_id: int, window: str, actor: str
) -> Estate:
    """Office hours as "HH:MM-HH:MM" (SLA minutes, call-back slots, visit times); raises
    calendar.WindowError, with nothing written, for a window that cannot be used."""
    value = _window_setting(window, may_cross_midnight=False)
    return await _set(session, estate_id, "working_hours", value, actor, "working_hours_set")


async def set_quiet_hours(
    session: AsyncSession, estate_id: int, window: str, actor: str
) -> Estate:
    """The hours ("21:00-08:00", may cross midnight) when owners are not messaged; raises
    calendar.WindowError, with nothing written, for a window that cannot be used."""
    value = _window_setting(window, may_cross_midnight=True)
    return await _set(session, estate_id, "quiet_hours", value, actor, "quiet_hours_set")
