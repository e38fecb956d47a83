"""The statements an update runs as storage.db.Prepared give what their Core statements give."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from storage import fsm, updates
from storage.db import Opened, SessionPool
from storage.models import (
    Estate,
    FsmRecord,
    Owner,
    OwnerStatus,
    ProcessedUpdate,
    StaffMember,
    StaffRole,
)

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
GROUP = -1001


async def _seed(session_pool: SessionPool) -> None:
    async with session_pool() as session:
        session.add(Estate(id=1, name="Gardens", staff_chat_id=GROUP))
        await session.flush()
        session.add(
            StaffMember(estate_id=1, telegram_user_id=5, name="Li", role=StaffRole.manager)
        )
        session.add(
            Owner(
                estate_id=1,
                name="Wang",
                phone="+8613800000001",
                telegram_user_id=7,
                chat_id=7,
                language="en",
                status=OwnerStatus.verified,
            )
        )
        await session.commit()
        await fsm.save(session, "k7", state="Form:where", data={"unit": 3, "note": "é"}, at=AT)
        await updates.mark(session, 1, 10, AT)


def _params(**overrides: Any) -> dict[str, Any]:
    params = {
        "bot_id": 1,
        "update_id": 11,
        "key": "k7",
        "group_chat_id": None,
        "staff_user_id": 7,
        "owner_user_id": 7,
    }
    return {**params, **overrides}


@pytest.mark.parametrize(
    "params",
    [
        _params(),
        _params(update_id=10),
        _params(key="nobody", staff_user_id=None, owner_user_id=None),
        _params(group_chat_id=GROUP, staff_user_id=5, owner_user_id=None),
        _params(group_chat_id=-5, key=None, staff_user_id=7, owner_user_id=None),
    ],
)
async def test_the_context_read_gives_the_core_statements_row(session_pool, params):
    await _seed(session_pool)
    async with session_pool() as session:
        connection = await session.connection()
        expected = (await connection.execute(updates._CONTEXT_STATEMENT, params)).one()
        got = await session.run_sync(updates._read_context, params)
    assert got == tuple(expected)
    # Converted as the Core statement converts them (aware datetimes, booleans, dicts).
    assert [type(v) for v in got] == [type(v) for v in expected]


async def test_the_context_as_the_middlewares_see_it(session_pool):
    await _seed(session_pool)
    async with session_pool() as session:
        context = await updates.context(
            session,
            bot_id=1,
            update_id=10,
            conversation_key="k7",
            group_chat_id=None,
            staff_user_id=7,
            owner_user_id=7,
        )
    assert context.seen
    assert context.conversation == fsm.Stored("Form:where", {"unit": 3, "note": "é"}, AT)
    assert context.estate is not None and context.estate.staff_chat_id == GROUP
    assert context.owner is not None and context.owner.status == OwnerStatus.verified
    assert context.staff_member is None


async def test_conversation_writes_store_what_core_writes_store(session_pool):
    core = insert(FsmRecord).values(
        key="core", state="S:one", data={"a": [1, "b"]}, created_at=AT, updated_at=AT
    )
    async with session_pool() as session:
        await session.exec(core)
        await fsm.commit(session, [fsm.Change("prepared", False, "S:one", {"a": [1, "b"]})], AT)
        rows = (await session.exec(select(FsmRecord).order_by(FsmRecord.key))).all()
        stored = [(r.state, r.data, r.created_at, r.updated_at) for r in rows]
        assert stored[0] == stored[1]
        assert stored[0][3] == AT
        later = datetime(2026, 11, 24, tzinfo=UTC)
        await fsm.commit(
            session,
            [
                fsm.Change("prepared", True, "S:two", {"n": 2}),
                fsm.Change("core", True, None, {}),
            ],
            later,
        )
        assert await fsm.load(session, "prepared") == fsm.Stored("S:two", {"n": 2}, later)
        assert await fsm.load(session, "core") is None


async def test_a_duplicate_mark_is_ignored_and_a_failed_write_is_sqlalchemys_error(
    session_pool,
):
    async with Opened(session_pool) as session:
        await updates.mark(session, 1, 1, AT)
        await updates.mark(session, 1, 1, AT)
        count = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        assert count == 1
        # The row is there: inserting it again fails as a Core statement would, and the
        # transaction is rolled back whole.
        await fsm.commit(session, [fsm.Change("k", False, "S", {})], AT)
        with pytest.raises(IntegrityError):
            await fsm.commit(session, [fsm.Change("k", False, "S", {"x": 1})], AT)
        await session.rollback()
        assert await fsm.load(session, "k") == fsm.Stored("S", {}, AT)
    assert not session.in_transaction()
