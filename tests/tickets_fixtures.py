"""Fixtures for ticket tests: units, verified owners, staff of every role, a ticket factory and
outbox helpers. Pull them into a test module with

    from tests.tickets_fixtures import *  # noqa: F403
"""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import col, select

from bot.i18n import Catalogs
from handlers.notifications import card_drafts
from storage import tickets
from storage.models import (
    Estate,
    OutboxMessage,
    Owner,
    OwnerStatus,
    OwnerUnit,
    StaffMember,
    StaffRole,
    TicketKind,
    Unit,
    Urgency,
)
from tests.helpers import Person

__all__ = [
    "AGENT",
    "CASHIER",
    "MANAGER",
    "OTHER_OWNER",
    "OTHER_PHONE",
    "OWNER",
    "OWNER_PHONE",
    "STRANGER",
    "TECH",
    "TECH2",
    "make_ticket",
    "mark_sent",
    "other_owner",
    "outbox_rows",
    "staff_members",
    "units",
    "verified_owner",
]

OWNER = Person(5001, "Olivia", "en")
OTHER_OWNER = Person(5002, "Oscar", "en")
AGENT = Person(7001, "Alice", "en", username="alice")
TECH = Person(7002, "Tom", "en", username="tom")
TECH2 = Person(7005, "Tina", "en", username="tina")
MANAGER = Person(7003, "Mona", "en", username="mona")
CASHIER = Person(7004, "Carl", "en", username="carl")
STRANGER = Person(7999, "Sam", "en", username="sam")

OWNER_PHONE = "+8613800000001"
OTHER_PHONE = "+8613800000002"


@pytest.fixture
async def units(session_pool, estate: Estate) -> dict[str, Unit]:
    """Three units: "3-1201" and "3-1202" (Olivia's), "5-0801" (Oscar's)."""
    async with session_pool() as session:
        made = {
            "3-1201": Unit(estate_id=estate.id, building="3", number="1201", area_m2=98.5),
            "3-1202": Unit(estate_id=estate.id, building="3", number="1202", area_m2=76.0),
            "5-0801": Unit(estate_id=estate.id, building="5", number="0801", area_m2=120.0),
        }
        session.add_all(made.values())
        await session.commit()
        return made


async def _owner(session_pool, estate, person, phone, unit_list, language="en") -> Owner:
    async with session_pool() as session:
        owner = Owner(
            estate_id=estate.id,
            name=f"{person.first_name} Owner",
            phone=phone,
            telegram_user_id=person.id,
            chat_id=person.id,
            language=language,
            status=OwnerStatus.verified,
        )
        session.add(owner)
        await session.flush()
        session.add_all(OwnerUnit(owner_id=owner.id, unit_id=u.id) for u in unit_list)
        await session.commit()
        return owner


@pytest.fixture
async def verified_owner(session_pool, estate: Estate, units: dict[str, Unit]) -> Owner:
    """OWNER (Olivia), verified, English, holding units 3-1201 and 3-1202."""
    return await _owner(
        session_pool, estate, OWNER, OWNER_PHONE, [units["3-1201"], units["3-1202"]]
    )


@pytest.fixture
async def other_owner(session_pool, estate: Estate, units: dict[str, Unit]) -> Owner:
    """OTHER_OWNER (Oscar), verified, holding unit 5-0801."""
    return await _owner(session_pool, estate, OTHER_OWNER, OTHER_PHONE, [units["5-0801"]])


@pytest.fixture
async def staff_members(session_pool, estate: Estate) -> dict[str, StaffMember]:
    """Active staff: agent (AGENT), technician (TECH), technician2 (TECH2), manager (MANAGER),
    cashier (CASHIER)."""
    people = {
        "agent": (AGENT, StaffRole.agent),
        "technician": (TECH, StaffRole.technician),
        "technician2": (TECH2, StaffRole.technician),
        "manager": (MANAGER, StaffRole.manager),
        "cashier": (CASHIER, StaffRole.cashier),
    }
    async with session_pool() as session:
        made = {
            key: StaffMember(
                estate_id=estate.id,
                telegram_user_id=person.id,
                name=person.first_name,
                username=person.username,
                role=role,
            )
            for key, (person, role) in people.items()
        }
        session.add_all(made.values())
        await session.commit()
        return made


MakeTicket = Callable[..., Awaitable[tickets.TicketView]]


@pytest.fixture
def make_ticket(
    session_pool, estate: Estate, catalogs: Catalogs, clock, verified_owner: Owner, units
) -> MakeTicket:
    """Create a ticket through storage (card drafts included). Defaults: a normal plumbing
    repair in Olivia's unit 3-1201; pass owner=, kind=, category=, description=, urgency=,
    unit_id=, location=, photos=, wants_call=, preferred_time= to change it."""

    async def make(**overrides: Any) -> tickets.TicketView:
        kind = TicketKind(overrides.pop("kind", TicketKind.repair))
        values: dict[str, Any] = {
            "owner": verified_owner,
            "kind": kind,
            "category": "plumbing" if kind == TicketKind.repair else "cleanliness",
            "description": "Water is dripping from the kitchen ceiling.",
            "unit_id": units["3-1201"].id,
            "location": None,
            "urgency": Urgency.normal,
            "preferred_time": None,
            "contact_phone": None,
            "wants_call": False,
            "photos": (),
        }
        values.update(overrides)
        async with session_pool() as session:
            return await tickets.create(
                session,
                estate=estate,
                now=clock(),
                notify=card_drafts(catalogs, estate),
                **values,
            )

    return make


OutboxRows = Callable[..., Awaitable[list[OutboxMessage]]]


@pytest.fixture
def outbox_rows(session_pool) -> OutboxRows:
    """`await outbox_rows(chat_id=None, key_prefix=None)`: queued messages, oldest first."""

    async def rows(chat_id: int | None = None, key_prefix: str | None = None):
        async with session_pool() as session:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            if chat_id is not None:
                query = query.where(OutboxMessage.chat_id == chat_id)
            found = list((await session.exec(query)).all())
        if key_prefix is not None:
            found = [r for r in found if r.dedupe_key.startswith(key_prefix)]
        return found

    return rows


async def mark_sent(session_pool, dedupe_key: str, message_id: int) -> None:
    """Pretend the outbox sender delivered a row as Telegram message `message_id`."""
    async with session_pool() as session:
        row = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        ).one()
        row.telegram_message_id = message_id
        row.status = "sent"
        session.add(row)
        await session.commit()
