"""storage.owners: phone normalisation, linking by phone, pending requests and decisions."""

from datetime import UTC, datetime

import pytest

from storage import owners, units
from storage.models import OwnerStatus
from storage.outbox import Draft
from tests.helpers import Person
from tests.onboarding_fixtures import (
    OWNER_PHONE,
    add_staff,
    add_unit,
    all_owners,
    audit_events,
    outbox_rows,
    register_owner,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("8613800138001", "CN", "+8613800138001"),
        ("+86 138 0013 8001", "CN", "+8613800138001"),
        ("13800138001", "CN", "+8613800138001"),
        ("138-0013-8001", "CN", "+8613800138001"),
        ("0086 13800138001", "CN", "+8613800138001"),
        ("021 1234 5678", "CN", "+862112345678"),
        ("447911123456", "CN", "+447911123456"),
        ("+1 202 555 0143", "CN", "+12025550143"),
        ("07911 123456", "GB", "+447911123456"),
        ("garbage", "CN", None),
        ("", "CN", None),
        ("12345", "CN", None),
        ("1" * 30, "CN", None),
    ],
)
def test_normalize_phone(raw, region, expected):
    assert owners.normalize_phone(raw, region) == expected


def test_chinese_mobile_without_country_code_stays_chinese():
    # Read as international, 13105551234 would be a valid US number (+1 310 …).
    assert owners.normalize_phone("13105551234", "CN") == "+8613105551234"


async def link(session_pool, estate, user_id=501, phone=OWNER_PHONE):
    async with session_pool() as session:
        return await owners.link_by_phone(
            session,
            estate_id=estate.id,
            phone=phone,
            telegram_user_id=user_id,
            chat_id=user_id,
            language="en",
        )


async def request(
    session_pool, estate, user_id=501, phone="+8613900139002", name="Chen", unit="0801"
):
    def drafts(claim):
        key = f"owner:{claim.owner.id}:pending-card:{claim.request_no}"
        return [Draft(dedupe_key=key, chat_id=-1, text=str(claim.unit_exists))]

    async with session_pool() as session:
        return await owners.request_registration(
            session,
            estate_id=estate.id,
            telegram_user_id=user_id,
            chat_id=user_id,
            language="zh",
            phone=phone,
            name=name,
            building=" 5 ",
            unit=unit,
            drafts=drafts,
        )


async def test_link_by_phone_outcomes(session_pool, estate):
    assert (await link(session_pool, estate, phone="+8613999999999")).outcome == "unknown"
    owner = await register_owner(session_pool, estate)
    result = await link(session_pool, estate)
    assert result.outcome == owners.LinkOutcome.linked
    assert result.owner.id == owner.id and result.owner.telegram_user_id == 501
    assert [u.number for u in result.units] == ["1201"]
    # Linking again from the same account is harmless; another account is refused.
    assert (await link(session_pool, estate)).outcome == owners.LinkOutcome.linked
    assert (await link(session_pool, estate, user_id=777)).outcome == owners.LinkOutcome.taken


async def test_rejected_phone_is_refused(session_pool, estate):
    await register_owner(session_pool, estate)
    async with session_pool() as session:
        row = (await all_owners(session_pool))[0]
        row.status = OwnerStatus.rejected
        session.add(row)
        await session.commit()
    assert (await link(session_pool, estate)).outcome == owners.LinkOutcome.refused


async def test_request_registration_writes_owner_and_card_together(session_pool, estate):
    await add_unit(session_pool, estate, "5", "0801")
    result = await request(session_pool, estate)
    assert result.claim.unit_exists is True and result.claim.request_no == 1
    owner = result.claim.owner
    assert (owner.status, owner.claimed_building, owner.claimed_unit) == (
        OwnerStatus.pending,
        "5",
        "0801",
    )
    [card] = await outbox_rows(session_pool)
    assert card.dedupe_key == f"owner:{owner.id}:pending-card:1" and card.payload["text"] == "True"
    async with session_pool() as session:
        assert [o.id for o in await owners.list_pending(session, estate.id)] == [owner.id]
    # Someone else asking with the same phone is refused and nothing is written.
    taken = await request(session_pool, estate, user_id=777)
    assert taken.outcome == owners.LinkOutcome.taken and taken.claim is None
    assert len(await all_owners(session_pool)) == 1
    assert len(await outbox_rows(session_pool)) == 1


async def test_a_failed_request_writes_nothing(session_pool, estate):
    def broken(claim):
        raise RuntimeError("render failed")

    async with session_pool() as session:
        with pytest.raises(RuntimeError):
            await owners.request_registration(
                session,
                estate_id=estate.id,
                telegram_user_id=501,
                chat_id=501,
                language="en",
                phone="+8613900139002",
                name="Chen",
                building="5",
                unit="0801",
                drafts=broken,
            )
        await session.rollback()
    assert await all_owners(session_pool) == []
    assert await outbox_rows(session_pool) == []


async def test_decide_approves_once_and_creates_the_unit(session_pool, estate):
    clerk = await add_staff(session_pool, estate, Person(id=601))
    owner = (await request(session_pool, estate)).claim.owner
    note = Draft(dedupe_key=f"owner:{owner.id}:decision", chat_id=501, text="ok")
    async with session_pool() as session:
        decision = await owners.decide(
            session,
            estate_id=estate.id,
            owner_id=owner.id,
            approve=True,
            staff_id=clerk.id,
            at=NOW,
            drafts=[note],
        )
    # A unit the register lacks is added only when staff chose to.
    assert decision.outcome == owners.DecisionOutcome.unit_missing
    async with session_pool() as session:
        decision = await owners.decide(
            session,
            estate_id=estate.id,
            owner_id=owner.id,
            approve=True,
            staff_id=clerk.id,
            at=NOW,
            drafts=[note],
            create_unit=True,
        )
    assert decision.outcome == owners.DecisionOutcome.approved
    assert decision.unit_created is True and decision.unit.building == "5"
    assert decision.owner.decided_at == NOW
    async with session_pool() as session:
        again = await owners.decide(
            session,
            estate_id=estate.id,
            owner_id=owner.id,
            approve=False,
            staff_id=clerk.id,
            at=NOW,
            drafts=[Draft(dedupe_key="other", chat_id=501, text="no")],
        )
        assert again.outcome == owners.DecisionOutcome.already_decided
        assert [u.id for u in await owners.units_of(session, owner.id)] == [decision.unit.id]
        missing = await owners.decide(
            session, estate_id=estate.id, owner_id=9999, approve=True, staff_id=clerk.id, at=NOW
        )
        assert missing.outcome == owners.DecisionOutcome.not_found
    assert [r.dedupe_key for r in await outbox_rows(session_pool, 501)] == [note.dedupe_key]


async def reject(session_pool, estate, owner_id, staff_id):
    async with session_pool() as session:
        return await owners.decide(
            session,
            estate_id=estate.id,
            owner_id=owner_id,
            approve=False,
            staff_id=staff_id,
            at=NOW,
        )


async def test_a_rejected_person_may_ask_again(session_pool, estate):
    clerk = await add_staff(session_pool, estate, Person(id=601))
    first = (await request(session_pool, estate)).claim.owner
    await reject(session_pool, estate, first.id, clerk.id)
    # Their own rejected request is no obstacle; someone else's account still is.
    assert (await link(session_pool, estate, phone="+8613900139002")).outcome == "unknown"
    other = await link(session_pool, estate, user_id=777, phone="+8613900139002")
    assert other.outcome == owners.LinkOutcome.taken
    assert (await request(session_pool, estate, user_id=777)).outcome == "taken"

    again = await request(session_pool, estate, unit="0802", name="Chen Jing")
    claim = again.claim
    assert claim.owner.id == first.id and claim.request_no == 2
    assert (claim.owner.status, claim.owner.claimed_unit) == (OwnerStatus.pending, "0802")
    assert (claim.owner.decided_by, claim.owner.decided_at) == (None, None)
    assert [r.dedupe_key for r in await outbox_rows(session_pool)] == [
        f"owner:{first.id}:pending-card:1",
        f"owner:{first.id}:pending-card:2",
    ]
    events = await audit_events(session_pool, "owner")
    assert [e.type for e in events] == [
        "registration_requested",
        "rejected",
        "registration_requested",
    ]
    assert events[0].data["previous"] is None
    assert events[-1].data["previous"] == {
        "name": "Chen",
        "phone": "+8613900139002",
        "building": "5",
        "unit": "0801",
        "decided_by": clerk.id,
        "decided_at": NOW.isoformat(),
    }


async def test_a_rejected_person_in_the_register_now_is_verified(session_pool, estate):
    clerk = await add_staff(session_pool, estate, Person(id=601))
    request_row = (await request(session_pool, estate)).claim.owner
    await reject(session_pool, estate, request_row.id, clerk.id)
    # The register lists this account's phone (it changed since the request): the account
    # becomes that owner's, and the rejected request stays on record without it.
    owner = await register_owner(session_pool, estate)
    result = await link(session_pool, estate)
    assert result.outcome == owners.LinkOutcome.linked and result.owner.id == owner.id
    old, new = await all_owners(session_pool)
    assert (old.id, old.status, old.telegram_user_id) == (
        request_row.id,
        OwnerStatus.rejected,
        None,
    )
    assert (new.status, new.telegram_user_id) == (OwnerStatus.verified, 501)
    assert [e.type for e in await audit_events(session_pool, "owner")][-2:] == [
        "request_superseded",
        "verified_by_phone",
    ]


async def test_a_pending_request_keeps_its_account(session_pool, estate):
    await request(session_pool, estate)
    await register_owner(session_pool, estate)
    assert (await link(session_pool, estate)).outcome == owners.LinkOutcome.taken


async def test_claim_names_the_registered_owners_of_the_unit(session_pool, estate):
    await register_owner(session_pool, estate, name="Li Wei", units=(("5", "0801"),))
    claim = (await request(session_pool, estate, name="Zhang Min")).claim
    assert claim.unit_exists is True
    assert claim.holders == [owners.UnitHolder("Li Wei", OwnerStatus.verified)]
    assert claim.name_differs is True
    assert (await audit_events(session_pool, "owner"))[-1].data["name_differs"] is True
    async with session_pool() as session:
        claim.owner.name = " li  WEI"
        assert (await owners.claim_of(session, claim.owner)).name_differs is False
        claim.owner.claimed_unit = "0802"
        unknown = await owners.claim_of(session, claim.owner)
        assert (unknown.unit_exists, unknown.holders, unknown.name_differs) == (False, [], False)


def test_same_name_ignores_case_and_spaces():
    assert owners.same_name("Li Wei", "liwei")
    assert owners.same_name("李 伟", "李伟")
    assert not owners.same_name("Li Wei", "Li Wen")


async def test_primary_unit_only_among_own_units(session_pool, estate):
    owner = await register_owner(session_pool, estate, units=(("1", "101"), ("2", "202")))
    stranger_unit = await add_unit(session_pool, estate, "9", "909")
    async with session_pool() as session:
        first, second = await owners.units_of(session, owner.id)
        assert (first.number, second.number) == ("101", "202")
        kwargs = {"owner_id": owner.id, "estate_id": estate.id, "actor": "test"}
        assert await units.set_primary(session, unit_id=stranger_unit.id, **kwargs) is None
        assert (await units.set_primary(session, unit_id=second.id, **kwargs)).id == second.id
        assert [u.number for u in await owners.units_of(session, owner.id)] == ["202", "101"]
        assert (await units.find(session, estate.id, " 2 ", "202")).id == second.id


async def test_language_and_reachability(session_pool, estate):
    owner = await register_owner(session_pool, estate)
    async with session_pool() as session:
        assert (await owners.set_language(session, owner.id, "en")).language == "en"
        assert await owners.set_language(session, 9999, "en") is None
        row = await owners.get(session, owner.id)
        row.status = OwnerStatus.unreachable
        session.add(row)
        await session.commit()
        back = await owners.mark_reachable(session, owner.id, 501)
        assert back.status == OwnerStatus.verified and back.chat_id == 501
