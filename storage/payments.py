"""Payments (收费): a cashier records what an owner paid, a manager may reverse it, and the office
sees who owes what.

A `/paid` is prepared first (what the amount will settle, oldest open charges first, or one
charge) and stored as a `PaymentRequest` with a random token; Confirm records exactly that plan,
once, in one transaction with the `Payment` rows, the audit event and the owners' notices. The
balance of a charge is its amount minus the payments on it that are not reversed; nothing is
ever deleted, a reversal is a new fact on the payment rows.
"""

import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, calendar, outbox, units
from storage.models import (
    Charge,
    Estate,
    Owner,
    OwnerStatus,
    OwnerUnit,
    Payment,
    PaymentRequest,
    PaymentRequestStatus,
    StaffMember,
    StaffRole,
    Unit,
)
from storage.outbox import Draft

RECORDERS = frozenset({StaffRole.cashier, StaffRole.manager})
REVERSERS = frozenset({StaffRole.manager})
# A summary left unconfirmed this long is stale: balances may have moved, ask again.
REQUEST_TTL = timedelta(hours=12)
MAX_REFERENCE = 64
MAX_REASON = 200


class Refusal(StrEnum):
    not_allowed = "not_allowed"
    unknown_unit = "unknown_unit"
    unknown_charge = "unknown_charge"
    nothing_owed = "nothing_owed"
    overpayment = "overpayment"
    not_positive = "not_positive"
    reference_too_long = "reference_too_long"
    changed = "changed"
    stale = "stale"
    already_confirmed = "already_confirmed"
    already_cancelled = "already_cancelled"
    unknown_payment = "unknown_payment"
    already_reversed = "already_reversed"
    reason_missing = "reason_missing"


class PaymentError(Exception):
    """A refused payment operation; `details` fill the message's placeholders."""

    def __init__(self, refusal: Refusal, **details: Any) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.details = details


# --- allocation (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCharge:
    """A charge with what was paid on it (payments not reversed), in minor units."""

    charge_id: int
    item: str
    period: str
    due_date: date
    amount: int
    paid: int
    currency: str

    @property
    def balance(self) -> int:
        return self.amount - self.paid


@dataclass(frozen=True)
class Allocation:
    charge: OpenCharge
    part: int

    @property
    def left(self) -> int:
        return self.charge.balance - self.part


def oldest_first(charges: Iterable[OpenCharge]) -> list[OpenCharge]:
    return sorted(charges, key=lambda c: (c.due_date, c.period, c.charge_id))


def allocate(
    charges: Sequence[OpenCharge], amount: int, charge_id: int | None = None
) -> list[Allocation]:
    """Spread `amount` over the open charges, oldest due first (or onto `charge_id` only).

    Refuses a non-positive amount, a unit with nothing owed and more than is owed: a balance
    never goes below zero and the parts always add up to `amount`.
    """
    if amount <= 0:
        raise PaymentError(Refusal.not_positive)
    open_charges = oldest_first(c for c in charges if c.balance > 0)
    if charge_id is not None:
        if not any(c.charge_id == charge_id for c in charges):
            raise PaymentError(Refusal.unknown_charge, charge=charge_id)
        open_charges = [c for c in open_charges if c.charge_id == charge_id]
    if not open_charges:
        raise PaymentError(Refusal.nothing_owed)
    owed = sum(c.balance for c in open_charges)
    if amount > owed:
        raise PaymentError(Refusal.overpayment, owed=owed, currency=open_charges[0].currency)
    parts: list[Allocation] = []
    left = amount
    for charge in open_charges:
        if left == 0:
            break
        part = min(left, charge.balance)
        parts.append(Allocation(charge, part))
        left -= part
    return parts


# --- reading -------------------------------------------------------------------------------


async def paid_by(session: AsyncSession, charge_ids: Sequence[int]) -> dict[int, int]:
    """What was paid on each of these charges, by payments that count: not reversed (a
    reversed payment stays on record)."""
    if not charge_ids:
        return {}
    query = select(Payment.charge_id, func.sum(Payment.amount)).where(
        col(Payment.charge_id).in_(list(charge_ids)), col(Payment.reversed_at).is_(None)
    )
    rows = await session.exec(query.group_by(col(Payment.charge_id)))
    return {charge_id: int(total or 0) for charge_id, total in rows.all()}


async def resettle(session: AsyncSession, charge_ids: Iterable[int]) -> None:
    """Charge.settled again for these charges after payments were recorded or reversed (in the
    caller's transaction): paid in full by payments not reversed."""
    paid = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(col(Payment.charge_id) == Charge.id, col(Payment.reversed_at).is_(None))
        .scalar_subquery()
    )
    await session.exec(
        update(Charge)
        .where(col(Charge.id).in_(sorted(set(charge_ids))))
        .values(settled=col(Charge.amount) <= paid)
    )


async def unit_charges(session: AsyncSession, unit_id: int) -> list[OpenCharge]:
    """Every charge of the unit with what was paid on it, oldest due first."""
    charges = (await session.exec(select(Charge).where(Charge.unit_id == unit_id))).all()
    paid = await paid_by(session, [c.id for c in charges if c.id is not None])
    return oldest_first(_open(c, paid) for c in charges)


def _open(charge: Charge, paid: dict[int, int]) -> OpenCharge:
    charge_id = charge.id or 0
    return OpenCharge(
        charge_id=charge_id,
        item=charge.item,
        period=charge.period,
        due_date=charge.due_date,
        amount=charge.amount,
        paid=paid.get(charge_id, 0),
        currency=charge.currency,
    )


async def find_unit(session: AsyncSession, estate_id: int, label: str) -> Unit | None:
    """The unit written "BUILDING-UNIT" ("3-1201"); a building may itself hold dashes."""
    text = units.clean(label)
    for at in [i for i, ch in enumerate(text) if ch == "-"]:
        unit = await units.find(session, estate_id, text[:at], text[at + 1 :])
        if unit is not None:
            return unit
    return None


async def unit_owners(session: AsyncSession, unit_id: int) -> list[Owner]:
    """The unit's verified owners (payers on receipts, readers of payment notices)."""
    query = (
        select(Owner)
        .join(OwnerUnit, col(OwnerUnit.owner_id) == col(Owner.id))
        .where(OwnerUnit.unit_id == unit_id, Owner.status == OwnerStatus.verified)
        .order_by(col(Owner.id))
    )
    return list((await session.exec(query)).all())


def _require(staff: StaffMember, roles: frozenset[StaffRole]) -> None:
    if not staff.active or staff.role not in roles:
        raise PaymentError(Refusal.not_allowed)


# --- recording -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A summary for the cashier, with the request its Confirm / Cancel buttons point at."""

    request_id: int
    token: str
    unit: Unit
    amount: int
    currency: str
    reference: str | None
    allocations: list[Allocation]
    owed_before: int

    @property
    def owed_after(self) -> int:
        return self.owed_before - self.amount


async def prepare(
    session: AsyncSession,
    *,
    estate: Estate,
    staff: StaffMember,
    unit_label: str,
    amount: int,
    charge_id: int | None = None,
    reference: str | None = None,
    now: datetime,
) -> Prepared:
    """Check a `/paid` and keep it waiting for Confirm; raises PaymentError when refused."""
    _require(staff, RECORDERS)
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise PaymentError(Refusal.reference_too_long, max=MAX_REFERENCE)
    estate_id = estate.id or 0
    unit = await find_unit(session, estate_id, unit_label)
    if unit is None or unit.id is None:
        raise PaymentError(Refusal.unknown_unit, unit=unit_label)
    charges = [c for c in await unit_charges(session, unit.id) if c.currency == estate.currency]
    allocations = allocate(charges, amount, charge_id)
    request = PaymentRequest(
        estate_id=estate_id,
        unit_id=unit.id,
        charge_id=charge_id,
        amount=amount,
        currency=estate.currency,
        reference=reference or None,
        plan={str(a.charge.charge_id): a.part for a in allocations},
        token=secrets.token_hex(8),
        requested_by=staff.id or 0,
        created_at=now,
    )
    session.add(request)
    await session.commit()
    return Prepared(
        request_id=request.id or 0,
        token=request.token,
        unit=unit,
        amount=amount,
        currency=estate.currency,
        reference=request.reference,
        allocations=allocations,
        owed_before=sum(c.balance for c in charges if c.balance > 0),
    )


@dataclass(frozen=True)
class Recorded:
    """A confirmed payment: its receipt, what it settled and who must be told."""

    receipt_number: str
    unit: Unit
    amount: int
    currency: str
    reference: str | None
    paid_at: datetime
    allocations: list[Allocation]
    owed_after: int
    payment_ids: list[int]
    owners: list[Owner]
    recorded_by: StaffMember


NotifyRecorded = Callable[[Recorded], Sequence[Draft]]


def receipt_number(request_id: int, at: datetime, estate: Estate) -> str:
    """ "R202611-00042": the local month it was paid in, then the request's number."""
    return f"R{calendar.local(estate, at):%Y%m}-{request_id:05d}"


async def _refuse_decided(
    session: AsyncSession, request_id: int, estate_id: int, token: str
) -> PaymentError:
    """Why a request could not be claimed (read before the rollback, which expires it); a
    wrong token learns nothing about the request."""
    request = await session.get(PaymentRequest, request_id)
    if request is None or request.estate_id != estate_id or request.token != token:
        refusal = PaymentError(Refusal.stale)
    elif request.status == PaymentRequestStatus.confirmed:
        staff = await session.get(StaffMember, request.decided_by or 0)
        refusal = PaymentError(
            Refusal.already_confirmed,
            receipt=request.receipt_number or "",
            staff=staff.name if staff else "—",
        )
    elif request.status == PaymentRequestStatus.cancelled:
        refusal = PaymentError(Refusal.already_cancelled)
    else:
        refusal = PaymentError(Refusal.stale)
    await session.rollback()
    return refusal


async def _claim(
    session: AsyncSession,
    estate_id: int,
    request_id: int,
    token: str,
    *,
    fresh_since: datetime | None = None,
    **decision: Any,
) -> None:
    """Decide a pending request in one guarded UPDATE (its token, still pending, and made after
    `fresh_since`); one already decided, stale or forged is refused with why."""
    guards = [
        col(PaymentRequest.id) == request_id,
        col(PaymentRequest.estate_id) == estate_id,
        col(PaymentRequest.token) == token,
        col(PaymentRequest.status) == PaymentRequestStatus.pending,
    ]
    if fresh_since is not None:
        guards.append(col(PaymentRequest.created_at) > fresh_since)
    claimed = await session.exec(update(PaymentRequest).where(*guards).values(**decision))
    if claimed.rowcount != 1:
        raise await _refuse_decided(session, request_id, estate_id, token)


async def confirm(
    session: AsyncSession,
    *,
    estate: Estate,
    request_id: int,
    token: str,
    staff: StaffMember,
    now: datetime,
    notify: NotifyRecorded,
    method: str = "cash",
) -> Recorded:
    """Record a prepared payment exactly as summarised, once.

    The first statement claims the request (pending → confirmed, guarded by its token), which
    also takes SQLite's write lock, so a second Confirm waits and then finds it decided; on
    PostgreSQL the unit row is locked as well, so two cashiers paying the same unit at once
    are served one after the other and the second is refused if its plan no longer fits.
    """
    _require(staff, RECORDERS)
    estate_id = estate.id or 0
    await _claim(
        session,
        estate_id,
        request_id,
        token,
        fresh_since=now - REQUEST_TTL,
        status=PaymentRequestStatus.confirmed,
        decided_by=staff.id,
        decided_at=now,
        receipt_number=receipt_number(request_id, now, estate),
    )
    request = await session.get(PaymentRequest, request_id)
    if request is None:
        raise await _refuse_decided(session, request_id, estate_id, token)
    unit = (
        await session.exec(select(Unit).where(Unit.id == request.unit_id).with_for_update())
    ).one()
    charges = [
        c for c in await unit_charges(session, request.unit_id) if c.currency == request.currency
    ]
    try:
        allocations = allocate(charges, request.amount, request.charge_id)
    except PaymentError as refused:
        await session.rollback()
        raise PaymentError(Refusal.changed, why=refused.refusal.value) from None
    if {str(a.charge.charge_id): a.part for a in allocations} != request.plan:
        # Someone paid on this unit after the summary was shown: it would settle other charges.
        await session.rollback()
        raise PaymentError(Refusal.changed, why="plan")
    number = request.receipt_number or ""
    rows = [
        Payment(
            charge_id=a.charge.charge_id,
            amount=a.part,
            paid_at=now,
            method=method,
            reference=request.reference,
            recorded_by=staff.id,
            receipt_number=number,
        )
        for a in allocations
    ]
    session.add_all(rows)
    await session.flush()
    await resettle(session, [row.charge_id for row in rows])
    audit.record(
        session,
        actor=f"staff:{staff.id}",
        entity="payment",
        entity_id=request.id,
        type="payment_recorded",
        estate_id=estate_id,
        receipt=number,
        unit_id=unit.id,
        amount=request.amount,
        currency=request.currency,
        reference=request.reference,
        parts={str(a.charge.charge_id): a.part for a in allocations},
        payment_ids=[p.id for p in rows],
    )
    recorded = Recorded(
        receipt_number=number,
        unit=unit,
        amount=request.amount,
        currency=request.currency,
        reference=request.reference,
        paid_at=now,
        allocations=allocations,
        owed_after=sum(c.balance for c in charges if c.balance > 0) - request.amount,
        payment_ids=[p.id or 0 for p in rows],
        owners=await unit_owners(session, unit.id or 0),
        recorded_by=staff,
    )
    await outbox.add_all(session, notify(recorded))
    await session.commit()
    return recorded


async def cancel(
    session: AsyncSession, *, estate: Estate, request_id: int, token: str, staff: StaffMember
) -> None:
    """Drop a prepared payment; a request already confirmed or cancelled is refused."""
    _require(staff, RECORDERS)
    await _claim(
        session,
        estate.id or 0,
        request_id,
        token,
        status=PaymentRequestStatus.cancelled,
        decided_by=staff.id,
    )
    await session.commit()


# --- reversal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reversed:
    receipt_number: str
    unit: Unit
    amount: int
    currency: str
    reason: str
    payment_ids: list[int]
    owed_after: int
    owners: list[Owner]
    reversed_by: StaffMember


NotifyReversed = Callable[[Reversed], Sequence[Draft]]


async def _estate_payments(session: AsyncSession, estate_id: int, key: str) -> list[Payment]:
    """The payment with id `key`, or every payment of receipt `key`, in this estate."""
    query = (
        select(Payment)
        .join(Charge, col(Charge.id) == col(Payment.charge_id))
        .join(Unit, col(Unit.id) == col(Charge.unit_id))
        .where(Unit.estate_id == estate_id)
    )
    word = key.strip().lstrip("#")
    if word.isdigit() and len(word) < 10:
        query = query.where(Payment.id == int(word))
    else:
        query = query.where(Payment.receipt_number == word.upper())
    return list((await session.exec(query.order_by(col(Payment.id)))).all())


async def reverse(
    session: AsyncSession,
    *,
    estate: Estate,
    key: str,
    reason: str,
    staff: StaffMember,
    now: datetime,
    notify: NotifyReversed,
) -> Reversed:
    """Reverse a payment (by id) or a whole receipt (by number): the rows stay, marked reversed
    with who, when and why; the charges are owed again and the owners are told."""
    _require(staff, REVERSERS)
    reason = " ".join(reason.split())
    if not reason:
        raise PaymentError(Refusal.reason_missing)
    if len(reason) > MAX_REASON:
        raise PaymentError(Refusal.reason_missing, max=MAX_REASON)
    estate_id = estate.id or 0
    found = await _estate_payments(session, estate_id, key)
    if not found:
        raise PaymentError(Refusal.unknown_payment, payment=key)
    live = [p.id or 0 for p in found if p.reversed_at is None]
    if not live:
        raise PaymentError(Refusal.already_reversed, payment=key, at=found[0].reversed_at)
    done = await session.exec(
        update(Payment)
        .where(col(Payment.id).in_(live), col(Payment.reversed_at).is_(None))
        .values(reversed_at=now, reversed_by=staff.id, reversal_reason=reason)
    )
    if done.rowcount != len(live):
        await session.rollback()
        raise PaymentError(Refusal.already_reversed, payment=key, at=None)
    await resettle(session, [p.charge_id for p in found])
    charge = await session.get(Charge, found[0].charge_id)
    unit = await session.get(Unit, charge.unit_id if charge else 0)
    if charge is None or unit is None or unit.id is None:
        await session.rollback()
        raise PaymentError(Refusal.unknown_payment, payment=key)
    amount = sum(p.amount for p in found if p.id in live)
    audit.record(
        session,
        actor=f"staff:{staff.id}",
        entity="payment",
        entity_id=live[0],
        type="payment_reversed",
        estate_id=estate_id,
        receipt=found[0].receipt_number,
        payment_ids=live,
        amount=amount,
        reason=reason,
    )
    charges = await unit_charges(session, unit.id)
    result = Reversed(
        receipt_number=found[0].receipt_number or "",
        unit=unit,
        amount=amount,
        currency=charge.currency,
        reason=reason,
        payment_ids=live,
        owed_after=sum(c.balance for c in charges if c.currency == charge.currency),
        owners=await unit_owners(session, unit.id),
        reversed_by=staff,
    )
    await outbox.add_all(session, notify(result))
    await session.commit()
    return result


# --- receipts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    payment_id: int
    item: str
    period: str
    charge_amount: int
    paid: int
    reversed: bool


@dataclass(frozen=True)
class Receipt:
    """Everything a receipt shows (plain data for the PDF renderer)."""

    number: str
    estate_name: str
    time_zone: str
    building: str
    unit_number: str
    unit_id: int
    payer: str
    currency: str
    paid_at: datetime
    reference: str | None
    recorded_by: str
    lines: list[ReceiptLine]
    reversed_at: datetime | None
    reversal_reason: str | None

    @property
    def total(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def reversed(self) -> bool:
        return all(line.reversed for line in self.lines)


async def receipt(session: AsyncSession, number: str) -> Receipt | None:
    query = (
        select(Payment, Charge)
        .join(Charge, col(Charge.id) == col(Payment.charge_id))
        .where(Payment.receipt_number == number)
        .order_by(col(Charge.due_date), col(Payment.id))
    )
    rows = list((await session.exec(query)).all())
    if not rows:
        return None
    first, charge = rows[0]
    unit = await session.get(Unit, charge.unit_id)
    estate = await session.get(Estate, unit.estate_id) if unit else None
    if unit is None or unit.id is None or estate is None:
        return None
    staff = await session.get(StaffMember, first.recorded_by or 0)
    owners = await unit_owners(session, unit.id)
    reversed_rows = [p for p, _ in rows if p.reversed_at is not None]
    return Receipt(
        number=number,
        estate_name=estate.name,
        time_zone=estate.time_zone,
        building=unit.building,
        unit_number=unit.number,
        unit_id=unit.id,
        payer=", ".join(o.name for o in owners) or "—",
        currency=charge.currency,
        paid_at=first.paid_at,
        reference=first.reference,
        recorded_by=staff.name if staff else "—",
        lines=[
            ReceiptLine(
                payment_id=p.id or 0,
                item=c.item,
                period=c.period,
                charge_amount=c.amount,
                paid=p.amount,
                reversed=p.reversed_at is not None,
            )
            for p, c in rows
        ],
        reversed_at=reversed_rows[0].reversed_at if reversed_rows else None,
        reversal_reason=reversed_rows[0].reversal_reason if reversed_rows else None,
    )


async def receipt_for_owner(session: AsyncSession, owner_id: int, number: str) -> Receipt | None:
    """The receipt, only if it is for one of the owner's units (nobody sees another's money)."""
    found = await receipt(session, number)
    if found is None:
        return None
    held = {u.id for u in await units.of_owner(session, owner_id)}
    return found if found.unit_id in held else None


@dataclass(frozen=True)
class ReceiptSummary:
    number: str
    paid_at: datetime
    amount: int
    currency: str
    reversed_at: datetime | None


async def recent_receipts(
    session: AsyncSession, unit_ids: Sequence[int], limit: int = 5
) -> dict[int, list[ReceiptSummary]]:
    """Per unit, its last `limit` receipts, newest first, reversed ones included."""
    if not unit_ids:
        return {}
    query = (
        select(Payment, Charge.unit_id, Charge.currency)
        .join(Charge, col(Charge.id) == col(Payment.charge_id))
        .where(col(Charge.unit_id).in_(list(unit_ids)), col(Payment.receipt_number).is_not(None))
        .order_by(col(Payment.paid_at).desc(), col(Payment.id).desc())
    )
    grouped: dict[int, dict[str, list[tuple[Payment, str]]]] = defaultdict(dict)
    for payment, unit_id, currency in (await session.exec(query)).all():
        grouped[unit_id].setdefault(payment.receipt_number or "", []).append((payment, currency))
    out: dict[int, list[ReceiptSummary]] = {}
    for unit_id, by_number in grouped.items():
        out[unit_id] = [
            ReceiptSummary(
                number=number,
                paid_at=parts[0][0].paid_at,
                amount=sum(p.amount for p, _ in parts),
                currency=parts[0][1],
                reversed_at=parts[0][0].reversed_at
                if all(p.reversed_at for p, _ in parts)
                else None,
            )
            for number, parts in list(by_number.items())[:limit]
        ]
    return out


# --- arrears and collection ----------------------------------------------------------------


@dataclass
class UnitArrears:
    """A unit's open charges; `overdue` sums those past due, `days_overdue` counts from the
    oldest of them."""

    unit: Unit
    owners: list[Owner]
    open: list[OpenCharge] = field(default_factory=list)
    owed: int = 0
    overdue: int = 0
    days_overdue: int = 0
    currency: str = ""


async def arrears(
    session: AsyncSession,
    estate: Estate,
    today: date,
    building: str | None = None,
    overdue_only: bool = True,
) -> list[UnitArrears]:
    """Units owing money (`overdue_only`: past due on `today`, the estate's local date),
    the largest overdue balance first."""
    query = select(Unit).where(Unit.estate_id == (estate.id or 0))
    if building:
        query = query.where(func.lower(Unit.building) == units.clean(building).lower())
    unit_list = {u.id: u for u in (await session.exec(query)).all() if u.id is not None}
    if not unit_list:
        return []
    charges = (
        await session.exec(
            select(Charge).where(
                col(Charge.unit_id).in_(list(unit_list)), Charge.currency == estate.currency
            )
        )
    ).all()
    paid = await paid_by(session, [c.id for c in charges if c.id is not None])
    found: dict[int, UnitArrears] = {}
    for charge in charges:
        line = _open(charge, paid)
        if line.balance <= 0:
            continue
        entry = found.get(charge.unit_id)
        if entry is None:
            entry = found[charge.unit_id] = UnitArrears(
                unit=unit_list[charge.unit_id], owners=[], currency=estate.currency
            )
        entry.open.append(line)
        entry.owed += line.balance
        if line.due_date < today:
            entry.overdue += line.balance
            entry.days_overdue = max(entry.days_overdue, (today - line.due_date).days)
    result = [a for a in found.values() if a.overdue > 0 or not overdue_only]
    for entry in result:
        entry.open = oldest_first(entry.open)
        entry.owners = await unit_owners(session, entry.unit.id or 0)
    result.sort(key=lambda a: (-a.overdue, -a.owed, a.unit.building, a.unit.number))
    return result
