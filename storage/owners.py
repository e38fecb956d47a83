"""Owners: lookup, registration by phone, pending requests and staff decisions."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import phonenumbers
from sqlalchemy import bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, units
from storage.db import UnsavedRowError
from storage.models import AuditEvent, Owner, OwnerStatus, OwnerUnit, Unit

REJECTED_EVENT = "rejected"


def normalize_phone(raw: str, region: str) -> str | None:
    """E.164 form of a phone number, or None if it is not a valid number.

    Telegram shares numbers without the '+' (8613800138001) and registers often leave out the
    country code (13800138001). A bare number is read in `region` first, because read as
    international a Chinese mobile such as 13105551234 would pass for a valid US number; only
    if that is not valid is it read as international (447700900461 for a British phone).
    """
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or len(digits) > 17:
        return None
    candidates: list[tuple[str, str | None]] = []
    if text.startswith("+"):
        candidates.append(("+" + digits, None))
    elif text.startswith("00"):
        candidates.append(("+" + digits[2:], None))
    else:
        candidates.append((digits, region.upper()))
        candidates.append(("+" + digits, None))
    for number, default_region in candidates:
        try:
            parsed = phonenumbers.parse(number, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


# Read for every update in a private chat: built once (benchmarks/README.md).
_BY_TELEGRAM_USER = select(Owner).where(
    Owner.estate_id == bindparam("estate_id"), Owner.telegram_user_id == bindparam("user_id")
)


async def by_telegram_user(
    session: AsyncSession, estate_id: int, telegram_user_id: int
) -> Owner | None:
    params = {"estate_id": estate_id, "user_id": telegram_user_id}
    return (await session.exec(_BY_TELEGRAM_USER, params=params)).first()


async def by_phone(session: AsyncSession, estate_id: int, phone: str) -> Owner | None:
    query = select(Owner).where(Owner.estate_id == estate_id, Owner.phone == phone)
    return (await session.exec(query)).first()


async def get(session: AsyncSession, owner_id: int) -> Owner | None:
    return await session.get(Owner, owner_id)


async def _has_units(session: AsyncSession, owner_id: int | None) -> bool:
    if owner_id is None:
        return False
    query = select(OwnerUnit.id).where(OwnerUnit.owner_id == owner_id)
    return (await session.exec(query)).first() is not None


class LinkOutcome(StrEnum):
    linked = "linked"
    # Another Telegram account already holds this phone (or this account holds another owner).
    taken = "taken"
    # The phone is on a rejected request of no Telegram account: the office must sort it out.
    refused = "refused"
    # Not in the register: the owner has to ask for approval.
    unknown = "unknown"


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    owner: Owner | None = None
    units: list[Unit] = field(default_factory=list)


async def link_by_phone(
    session: AsyncSession,
    *,
    estate_id: int,
    phone: str,
    telegram_user_id: int,
    chat_id: int,
    language: str | None,
) -> LinkResult:
    """Verify a Telegram account whose own contact matches an owner of the register.

    A person whose request was rejected comes back here when they apply again: their own
    rejected request is no obstacle, so a phone the register now lists verifies them as usual.
    """
    row = await by_phone(session, estate_id, phone)
    if row is None:
        return LinkResult(LinkOutcome.unknown)
    if row.telegram_user_id not in (None, telegram_user_id):
        return LinkResult(LinkOutcome.taken)
    if row.status == OwnerStatus.rejected and row.telegram_user_id is None:
        return LinkResult(LinkOutcome.refused)
    if not await _has_units(session, row.id):
        # A register row without units, or someone's own unfinished or rejected request.
        return LinkResult(LinkOutcome.unknown)
    holder = await by_telegram_user(session, estate_id, telegram_user_id)
    if holder is not None and holder.id != row.id:
        if holder.status != OwnerStatus.rejected or await _has_units(session, holder.id):
            return LinkResult(LinkOutcome.taken)
        await _release(session, holder, row)
    row.telegram_user_id = telegram_user_id
    row.chat_id = chat_id
    if language:
        row.language = language
    row.status = OwnerStatus.verified
    session.add(row)
    audit.record(
        session,
        actor=f"owner:{row.id}",
        entity="owner",
        entity_id=row.id,
        type="verified_by_phone",
        estate_id=estate_id,
        telegram_user_id=telegram_user_id,
    )
    await session.commit()
    if row.id is None:
        raise UnsavedRowError("row.id: not saved yet")
    return LinkResult(LinkOutcome.linked, row, await units.of_owner(session, row.id))


async def _release(session: AsyncSession, request: Owner, owner: Owner) -> None:
    """Free the Telegram account of a rejected request (caller commits): the account now
    belongs to `owner`, found by a phone the request did not have. The request stays."""
    audit.record(
        session,
        actor=f"owner:{owner.id}",
        entity="owner",
        entity_id=request.id,
        type="request_superseded",
        estate_id=request.estate_id,
        telegram_user_id=request.telegram_user_id,
        owner_id=owner.id,
    )
    request.telegram_user_id = None
    request.chat_id = None
    session.add(request)
    # The account is unique per estate: free it before the owner's row takes it.
    await session.flush()


def same_name(a: str, b: str) -> bool:
    """Names compared loosely, ignoring case and spaces ("LI  wei" is "Li Wei")."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


@dataclass(frozen=True)
class UnitHolder:
    """An owner the register links to a unit, as staff judging a request see them."""

    name: str
    status: OwnerStatus


@dataclass(frozen=True)
class Claim:
    """A registration request as staff judge it: who asks, for which unit, who holds it now."""

    owner: Owner
    # 1, then one more after each rejection: every request gets its own card and decision.
    request_no: int
    unit_exists: bool
    holders: list[UnitHolder] = field(default_factory=list)

    @property
    def name_differs(self) -> bool:
        """The register links the unit to other people only: it may be someone else's flat."""
        return bool(self.holders) and not any(
            same_name(holder.name, self.owner.name) for holder in self.holders
        )


async def claim_of(session: AsyncSession, owner: Owner) -> Claim:
    """The claimed unit as the register has it, and how many times this person asked."""
    if owner.id is None:
        raise UnsavedRowError("owner.id: not saved yet")
    unit = None
    if owner.claimed_building is not None and owner.claimed_unit is not None:
        unit = await units.find(
            session, owner.estate_id, owner.claimed_building, owner.claimed_unit
        )
    holders = [] if unit is None or unit.id is None else await _holders(session, unit.id, owner)
    return Claim(owner, 1 + await _rejections(session, owner.id), unit is not None, holders)


async def _holders(session: AsyncSession, unit_id: int, claimant: Owner) -> list[UnitHolder]:
    query = (
        select(Owner)
        .join(OwnerUnit, col(OwnerUnit.owner_id) == col(Owner.id))
        .where(OwnerUnit.unit_id == unit_id, Owner.id != claimant.id)
        .order_by(col(Owner.id))
    )
    return [UnitHolder(o.name, o.status) for o in (await session.exec(query)).all()]


async def _rejections(session: AsyncSession, owner_id: int) -> int:
    query = select(func.count()).where(
        AuditEvent.entity == "owner",
        AuditEvent.entity_id == owner_id,
        AuditEvent.type == REJECTED_EVENT,
    )
    return (await session.exec(query)).one()


def _previous_request(owner: Owner) -> dict[str, str | int | None]:
    """The rejected request a new one replaces on the same row, kept in the audit trail."""
    return {
        "name": owner.name,
        "phone": owner.phone,
        "building": owner.claimed_building,
        "unit": owner.claimed_unit,
        "decided_by": owner.decided_by,
        "decided_at": owner.decided_at.isoformat() if owner.decided_at else None,
    }


@dataclass(frozen=True)
class Registration:
    outcome: LinkOutcome
    claim: Claim | None = None


async def request_registration(
    session: AsyncSession,
    *,
    estate_id: int,
    telegram_user_id: int,
    chat_id: int,
    language: str | None,
    phone: str,
    name: str,
    building: str,
    unit: str,
    drafts: Callable[[Claim], Iterable[outbox.Draft]],
) -> Registration:
    """Store a pending owner and, in the same transaction, the card asking staff to decide.

    Someone whose earlier request was rejected asks again on the same row; the earlier request
    stays in the audit trail. `drafts(claim)` renders the outbox messages once the owner has
    an id.
    """
    owner = await by_telegram_user(session, estate_id, telegram_user_id)
    phone_row = await by_phone(session, estate_id, phone)
    if owner is None and phone_row is not None:
        if phone_row.telegram_user_id is not None or phone_row.status == OwnerStatus.rejected:
            return Registration(LinkOutcome.taken)
        owner = phone_row
    elif owner is not None and phone_row is not None and phone_row.id != owner.id:
        return Registration(LinkOutcome.taken)
    if owner is not None and (
        owner.status == OwnerStatus.verified or await _has_units(session, owner.id)
    ):
        return Registration(LinkOutcome.taken)
    previous = None
    if owner is not None and owner.status == OwnerStatus.rejected:
        previous = _previous_request(owner)
    if owner is None:
        owner = Owner(estate_id=estate_id, name=name)
    owner.name = name
    owner.phone = phone
    owner.telegram_user_id = telegram_user_id
    owner.chat_id = chat_id
    owner.language = language
    owner.status = OwnerStatus.pending
    owner.claimed_building = units.clean(building)
    owner.claimed_unit = units.clean(unit)
    owner.decided_by = None
    owner.decided_at = None
    session.add(owner)
    await session.flush()
    claim = await claim_of(session, owner)
    audit.record(
        session,
        actor=f"owner:{owner.id}",
        entity="owner",
        entity_id=owner.id,
        type="registration_requested",
        estate_id=estate_id,
        building=owner.claimed_building,
        unit=owner.claimed_unit,
        unit_in_register=claim.unit_exists,
        name_differs=claim.name_differs,
        request_no=claim.request_no,
        previous=previous,
    )
    await outbox.add_all(session, drafts(claim))
    await session.commit()
    return Registration(LinkOutcome.unknown, claim)


async def list_pending(session: AsyncSession, estate_id: int, limit: int = 20) -> list[Owner]:
    query = (
        select(Owner)
        .where(Owner.estate_id == estate_id, Owner.status == OwnerStatus.pending)
        .where(col(Owner.claimed_building).is_not(None))
        .order_by(col(Owner.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


class DecisionOutcome(StrEnum):
    approved = "approved"
    rejected = "rejected"
    already_decided = "already_decided"
    not_found = "not_found"
    # Approve of a unit the register lacks, without staff choosing to create it.
    unit_missing = "unit_missing"


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    owner: Owner | None = None
    unit: Unit | None = None
    unit_created: bool = False


async def decide(
    session: AsyncSession,
    *,
    estate_id: int,
    owner_id: int,
    approve: bool,
    staff_id: int,
    at: datetime,
    drafts: Iterable[outbox.Draft] = (),
    create_unit: bool = False,
    reason: str | None = None,
) -> Decision:
    """Approve (link to the claimed unit; one the register lacks is added only when staff chose
    `create_unit`) or reject a pending owner (with the `reason` staff gave, if any); the
    drafts (the owner's notification) are queued only if this decided it."""
    query = select(Owner).where(Owner.id == owner_id, Owner.estate_id == estate_id)
    owner = (await session.exec(query.with_for_update())).first()
    if owner is None:
        return Decision(DecisionOutcome.not_found)
    if owner.status != OwnerStatus.pending or owner.claimed_building is None:
        return Decision(DecisionOutcome.already_decided, owner)
    unit: Unit | None = None
    created = False
    if approve:
        found = await units.find(
            session, estate_id, owner.claimed_building, owner.claimed_unit or ""
        )
        if found is None and not create_unit:
            await session.rollback()
            return Decision(DecisionOutcome.unit_missing, owner)
        unit, created = await units.add_if_missing(
            session, estate_id, owner.claimed_building, owner.claimed_unit or ""
        )
        if unit.id is None:
            raise UnsavedRowError("unit.id: not saved yet")
        await units.link_owner(session, owner_id, unit.id)
        owner.status = OwnerStatus.verified
    else:
        owner.status = OwnerStatus.rejected
    owner.decided_by = staff_id
    owner.decided_at = at
    session.add(owner)
    audit.record(
        session,
        actor=f"staff:{staff_id}",
        entity="owner",
        entity_id=owner_id,
        type="approved" if approve else REJECTED_EVENT,
        estate_id=estate_id,
        unit_id=unit.id if unit else None,
        unit_created=created,
        reason=reason,
    )
    await outbox.add_all(session, drafts)
    await session.commit()
    outcome = DecisionOutcome.approved if approve else DecisionOutcome.rejected
    return Decision(outcome, owner, unit, created)


async def set_language(session: AsyncSession, owner_id: int, language: str) -> Owner | None:
    owner = await session.get(Owner, owner_id)
    if owner is None:
        return None
    owner.language = language
    session.add(owner)
    audit.record(
        session,
        actor=f"owner:{owner_id}",
        entity="owner",
        entity_id=owner_id,
        type="language_set",
        estate_id=owner.estate_id,
        language=language,
    )
    await session.commit()
    return owner


async def mark_reachable(session: AsyncSession, owner_id: int, chat_id: int) -> Owner | None:
    """An owner once marked unreachable wrote to us again: verified if they hold units."""
    owner = await session.get(Owner, owner_id)
    if owner is None or owner.status != OwnerStatus.unreachable:
        return owner
    owner.status = (
        OwnerStatus.verified if await _has_units(session, owner_id) else OwnerStatus.pending
    )
    owner.chat_id = chat_id
    session.add(owner)
    audit.record(
        session,
        actor=f"owner:{owner_id}",
        entity="owner",
        entity_id=owner_id,
        type="reachable_again",
        estate_id=owner.estate_id,
    )
    await session.commit()
    return owner


async def units_of(session: AsyncSession, owner_id: int) -> list[Unit]:
    """The owner's units, the one they chose as primary first."""
    return await units.of_owner(session, owner_id)
