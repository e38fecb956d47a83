"""kill -9 mid-broadcast: a 10 000-owner announcement through a real `frontdoor run` that is
SIGKILLed at 10 random moments of the drain and started again each time. At the end every
owner has the message (none lost) and no more owners have it twice than there were kills.
The test prints its counts.

Why a kill repeats at most about one message: a lane waits until the outcome of its send is
stored before the next send, so what a kill can repeat is what was on the wire (sent, outcome
not yet committed) at that instant — at 100 msg/s with a few milliseconds between Telegram's
answer and the commit, usually nothing, sometimes one. On SQLite the restarted process takes
back the dead run's claimed rows at once (`OutboxSender.reclaim_abandoned`) instead of waiting
out their lease.

The kills fall in the drain, after the owners are queued: queueing resumes from its committed
cursor on the next minute's run of the announcements job, which a test must not wait for in
real time (tests/test_scheduler_jobs.py covers the resume)."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from sandbox import SandboxClient
from storage.models import OutboxStatus
from tests.e2e.conftest import SandboxThread, seed_database
from tests.reliability.broadcast import (
    FIRST_OWNER_ID,
    Tally,
    add_owners,
    announce,
    announcement_rows,
    pending_rows,
)
from tests.reliability.crash import Restarts

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

OWNERS = int(os.environ.get("FRONTDOOR_KILL_OWNERS", "10000"))
KILLS = 10
# Paid broadcasts: Telegram's free 30/s would make the drain take six minutes. One message on
# the wire at a time, as at the free rate (the default there).
SEND_RATE = "100"
IN_FLIGHT = "1"
MARK = "Kill-9 drill: water off on Tuesday"
STALL = 60.0


def wait_until(check: object, what: str, restarts: Restarts, timeout: float = STALL) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if restarts.current.process.poll() is not None:
            pytest.fail(f"frontdoor run died while waiting for {what}:\n{restarts.logs()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} in {timeout:.0f}s:\n{restarts.logs()[-20000:]}")
        time.sleep(0.02)


async def test_kill_9_mid_broadcast_loses_nothing_and_repeats_at_most_one_per_kill(
    tmp_path: Path,
):
    seed = int(os.environ.get("FRONTDOOR_KILL_SEED") or time.time())
    rng = random.Random(seed)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    sandbox = SandboxThread()
    restarts = Restarts(
        tmp_path,
        sandbox,
        database_url,
        FRONTDOOR_PAID_BROADCAST="true",
        FRONTDOOR_SEND_RATE=SEND_RATE,
        FRONTDOOR_SEND_IN_FLIGHT=IN_FLIGHT,
    )
    started = time.monotonic()
    try:
        sandbox.seed()
        seed_database(database_url)
        await add_owners(sandbox, database_url, OWNERS)
        restarts.start()
        async with SandboxClient(sandbox.base_url) as client:
            await announce(client, MARK)
        announcement, rows = await announcement_rows(database_url)
        recipients = announcement.recipients
        assert recipients >= OWNERS

        async def queued() -> int:
            return len((await announcement_rows(database_url))[1])

        deadline = time.monotonic() + STALL
        while await queued() < recipients:
            assert time.monotonic() < deadline, f"owners not queued:\n{restarts.logs()}"
            time.sleep(0.1)

        tally = Tally(sandbox, MARK)
        step = max(1, recipients // 40)
        moments = sorted(rng.sample(range(recipients // 20, recipients * 19 // 20, step), KILLS))
        # Duplicates counted at each kill: what a kill repeats is sent after its restart.
        at_kill: list[int] = []
        for moment in moments:
            wait_until(lambda m=moment: tally.update() and tally.delivered >= m, "sends", restarts)
            time.sleep(rng.uniform(0, 0.03))
            restarts.kill()
            tally.update()
            at_kill.append(tally.duplicates)
            restarts.start()

        announcement, rows = await announcement_rows(database_url)
        expected = {row.chat_id for row in rows}

        def all_there() -> bool:
            tally.update()
            return expected <= set(tally.per_chat)

        wait_until(all_there, "message to every owner", restarts, timeout=recipients / 20)
        deadline = time.monotonic() + STALL
        while await pending_rows(database_url):
            assert time.monotonic() < deadline, f"rows still pending:\n{restarts.logs()}"
            time.sleep(0.1)
        restarts.stop()
        tally.update()
        ends = [*at_kill[1:], tally.duplicates]
        duplicates_by_kill = [end - start for start, end in zip(at_kill, ends, strict=True)]
        announcement, rows = await announcement_rows(database_url)
    finally:
        restarts.cleanup()
        sandbox.stop()

    lost = len(expected - set(tally.per_chat))
    statuses = Counter(str(row.status) for row in rows)
    print(
        f"\nkill -9 mid-broadcast (seed {seed}): {recipients} owners, {KILLS} kills survived "
        f"({restarts.runs} runs), lost {lost}, duplicates {tally.duplicates} "
        f"(per kill {duplicates_by_kill}), most copies to one owner "
        f"{max(tally.per_chat.values())}, outbox {dict(statuses)}, "
        f"{time.monotonic() - started:.0f} s"
    )
    assert len(rows) == recipients == len(expected)
    assert set(range(FIRST_OWNER_ID, FIRST_OWNER_ID + OWNERS)) <= expected
    assert lost == 0
    assert statuses == {OutboxStatus.sent.value: recipients}
    assert set(tally.per_chat) == expected, "a message went to someone not in the audience"
    assert at_kill[0] == 0, "duplicates before any kill"
    assert tally.duplicates <= KILLS
    assert max(tally.per_chat.values()) <= 2
