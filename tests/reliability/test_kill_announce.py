"""kill -9 while a big announcement is being queued: a real `frontdoor run` is SIGKILLed part
way through putting one outbox row per owner (batches of 1 000, each committed with the
announcement's cursor) and started again. The next minute's run of the announcements job
resumes after the last committed batch: at the end every owner has exactly one row, none
missing, none twice. The test prints its counts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from sandbox import SandboxClient
from storage.db import create_engine, create_session_pool
from storage.models import Announcement, OutboxMessage, Owner, OwnerStatus
from tests.e2e.conftest import SandboxThread, seed_database
from tests.reliability.broadcast import FIRST_OWNER_ID, add_owners, announce
from tests.reliability.crash import Restarts

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

OWNERS = int(os.environ.get("FRONTDOOR_KILL_ANNOUNCE_OWNERS", "50000"))
MARK = "Kill-9 drill: lifts off on Thursday"
# The job runs every minute; the restarted process resumes at the next one.
RESUME_S = 150.0


async def counts(database_url: str) -> tuple[Announcement | None, dict[int, int], set[int]]:
    """The announcement, its rows per owner chat, and the chats of all verified owners."""
    engine = create_engine(database_url)
    try:
        async with create_session_pool(engine)() as session:
            announcement = (await session.exec(select(Announcement))).first()
            if announcement is None:
                return None, {}, set()
            subject = f"announcement:{announcement.id}"
            per_chat = await session.exec(
                select(OutboxMessage.chat_id, func.count())
                .where(col(OutboxMessage.subject) == subject)
                .group_by(col(OutboxMessage.chat_id))
            )
            chats = await session.exec(
                select(Owner.chat_id).where(
                    col(Owner.status) == OwnerStatus.verified, col(Owner.chat_id).is_not(None)
                )
            )
            return (
                announcement,
                {int(chat): int(n) for chat, n in per_chat.all()},
                {int(chat) for chat in chats.all() if chat is not None},
            )
    finally:
        await engine.dispose()


async def test_kill_9_while_queueing_an_announcement_gives_every_owner_exactly_one_row(
    tmp_path: Path,
):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    sandbox = SandboxThread()
    restarts = Restarts(tmp_path, sandbox, database_url)
    started = time.monotonic()
    try:
        sandbox.seed()
        seed_database(database_url)
        await add_owners(sandbox, database_url, OWNERS)
        restarts.start()
        async with SandboxClient(sandbox.base_url) as client:
            # The button is answered first; the owners are queued after.
            await announce(client, MARK)
        deadline = time.monotonic() + 60
        while True:
            announcement, per_chat, audience = await counts(database_url)
            if per_chat:
                break
            assert time.monotonic() < deadline, f"nothing queued:\n{restarts.logs()[-5000:]}"
            time.sleep(0.01)
        restarts.kill()
        announcement, per_chat, audience = await counts(database_url)
        assert announcement is not None
        at_kill = len(per_chat)
        assert 0 < at_kill < announcement.recipients, (
            f"the kill missed the queueing ({at_kill} of {announcement.recipients} queued)"
        )
        killed_at = time.monotonic()
        restarts.start()
        while len(per_chat) < announcement.recipients:
            assert time.monotonic() - killed_at < RESUME_S, (
                f"queueing did not resume ({len(per_chat)} of {announcement.recipients}):\n"
                f"{restarts.logs()[-5000:]}"
            )
            time.sleep(0.5)
            announcement, per_chat, audience = await counts(database_url)
            assert announcement is not None
        resumed_s = time.monotonic() - killed_at
        restarts.stop()
    finally:
        restarts.cleanup()
        sandbox.stop()

    missing = audience - set(per_chat)
    twice = [chat for chat, n in per_chat.items() if n > 1]
    print(
        f"\nkill -9 mid-queueing: {announcement.recipients} owners, {at_kill} queued at the kill, "
        f"all {len(per_chat)} queued {resumed_s:.0f} s after it, missing {len(missing)}, "
        f"twice {len(twice)}, {time.monotonic() - started:.0f} s"
    )
    assert announcement.recipients >= OWNERS
    assert set(range(FIRST_OWNER_ID, FIRST_OWNER_ID + OWNERS)) <= set(per_chat)
    assert not missing
    assert not twice
    assert set(per_chat) == audience, "a row for someone not in the audience"
