"""Fees: an owner's charges per unit, with what was paid and what is still owed (read-only)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import owners, payments
from storage.db import UnsavedRowError
from storage.models import Charge, Unit
from storage.payments import OpenCharge

# Paid charges shown per unit under the open ones, newest period first.
RECENT_PAID = 3


@dataclass(frozen=True)
class ChargeLine(OpenCharge):
    """One charge of an owner's statement: what was paid on it, and whether it is overdue."""

    overdue: bool


@dataclass
class UnitStatement:
    """A unit's open charges (oldest due first), its last paid ones and the totals owed."""

    unit: Unit
    open: list[ChargeLine] = field(default_factory=list)
    paid: list[ChargeLine] = field(default_factory=list)

    @property
    def outstanding(self) -> dict[str, int]:
        return totals([self])


def totals(statements: list[UnitStatement]) -> dict[str, int]:
    """What is still owed, per currency, over the given units."""
    owed: dict[str, int] = defaultdict(int)
    for unit_statement in statements:
        for line in unit_statement.open:
            owed[line.currency] += line.balance
    return dict(sorted(owed.items()))


async def statement(
    session: AsyncSession, owner_id: int, today: date, recent_paid: int = RECENT_PAID
) -> list[UnitStatement]:
    """Per unit the owner holds: open charges (balance > 0, overdue when past due `today`, the
    estate's local date) and the last `recent_paid` fully paid charges."""
    held = await owners.units_of(session, owner_id)
    if not held:
        return []
    unit_ids = [u.id for u in held]
    charges = (
        await session.exec(
            select(Charge)
            .where(col(Charge.unit_id).in_(unit_ids))
            .order_by(col(Charge.due_date), col(Charge.period), col(Charge.id))
        )
    ).all()
    paid_by = await payments.paid_by(session, [c.id for c in charges if c.id is not None])
    by_unit = {u.id: UnitStatement(unit=u) for u in held}
    for charge in charges:
        if charge.id is None:
            raise UnsavedRowError("charge.id: not saved yet")
        paid = paid_by.get(charge.id, 0)
        line = ChargeLine(
            charge_id=charge.id,
            item=charge.item,
            period=charge.period,
            amount=charge.amount,
            paid=paid,
            currency=charge.currency,
            due_date=charge.due_date,
            overdue=paid < charge.amount and charge.due_date < today,
        )
        target = by_unit[charge.unit_id]
        (target.open if line.balance > 0 else target.paid).append(line)
    for unit_statement in by_unit.values():
        unit_statement.paid.sort(key=lambda c: (c.period, c.due_date, c.charge_id), reverse=True)
        del unit_statement.paid[recent_paid:]
    return list(by_unit.values())
