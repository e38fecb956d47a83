"""Units (flats) of an estate and the owners' links to them."""

from sqlalchemy import Table, bindparam, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.db import detached
from storage.models import OwnerUnit, Unit

PRIMARY_UNIT_EVENT = "primary_unit_set"


def clean(value: str) -> str:
    """Building and unit numbers as stored: trimmed, inner whitespace collapsed."""
    return " ".join(value.split())


async def get(session: AsyncSession, unit_id: int) -> Unit | None:
    return await session.get(Unit, unit_id)


async def find(session: AsyncSession, estate_id: int, building: str, number: str) -> Unit | None:
    """The unit with this building and number, ignoring case and extra spaces."""
    query = select(Unit).where(
        Unit.estate_id == estate_id,
        func.lower(Unit.building) == clean(building).lower(),
        func.lower(Unit.number) == clean(number).lower(),
    )
    return (await session.exec(query)).first()


def _natural(value: str) -> tuple[int, int, str]:
    """ "2" before "10", numbers before names."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value.casefold())


async def buildings(session: AsyncSession, estate_id: int) -> list[str]:
    """The estate's buildings as the register has them, in natural order."""
    query = select(Unit.building).where(Unit.estate_id == estate_id).distinct()
    return sorted((await session.exec(query)).all(), key=_natural)


async def in_building(session: AsyncSession, estate_id: int, building: str) -> int:
    """How many units the register has in this building."""
    query = select(func.count()).where(
        Unit.estate_id == estate_id, func.lower(Unit.building) == clean(building).lower()
    )
    return (await session.exec(query)).one()


async def add_if_missing(
    session: AsyncSession, estate_id: int, building: str, number: str
) -> tuple[Unit, bool]:
    """The unit, created in the caller's transaction if the register lacks it (caller commits)."""
    unit = await find(session, estate_id, building, number)
    if unit is not None:
        return unit, False
    unit = Unit(estate_id=estate_id, building=clean(building), number=clean(number))
    session.add(unit)
    await session.flush()
    return unit, True


async def link_owner(session: AsyncSession, owner_id: int, unit_id: int) -> None:
    """Link an owner to a unit in the caller's transaction; linking twice is a no-op."""
    existing = (
        await session.exec(
            select(OwnerUnit).where(OwnerUnit.owner_id == owner_id, OwnerUnit.unit_id == unit_id)
        )
    ).first()
    if existing is None:
        session.add(OwnerUnit(owner_id=owner_id, unit_id=unit_id))
        await session.flush()


# Read at the start of every repair and complaint: built once, and Core rows kept as detached
# units instead of the ORM's loading (benchmarks/README.md).
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_link: Table = OwnerUnit.__table__  # type: ignore[attr-defined]
_OF_OWNER = (
    select(*_unit.c)
    .join(_link, _link.c.unit_id == _unit.c.id)
    .where(_link.c.owner_id == bindparam("owner_id"))
    .order_by(_link.c.primary.desc(), _unit.c.building, _unit.c.number)
)


async def of_owner(session: AsyncSession, owner_id: int) -> list[Unit]:
    """The owner's units, the primary one first, then by building and number (as flushed)."""
    connection = await session.connection()
    rows = await connection.execute(_OF_OWNER, {"owner_id": owner_id})
    return [detached(Unit, zip(rows.keys(), row, strict=True)) for row in rows]


async def set_primary(
    session: AsyncSession, *, owner_id: int, unit_id: int, estate_id: int, actor: str
) -> Unit | None:
    """Remember which of the owner's units is their primary one; None if it is not theirs."""
    units = await of_owner(session, owner_id)
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None:
        return None
    links = await session.exec(select(OwnerUnit).where(OwnerUnit.owner_id == owner_id))
    for link in links.all():
        link.primary = link.unit_id == unit_id
        session.add(link)
    audit.record(
        session,
        actor=actor,
        entity="owner",
        entity_id=owner_id,
        type=PRIMARY_UNIT_EVENT,
        estate_id=estate_id,
        unit_id=unit_id,
    )
    await session.commit()
    return unit
