"""Through the sandbox: `frontdoor jobs run fee_reminders --at …` against the running bot's
database; the owner receives one reminder listing both charges, and My fees under it works."""

import asyncio
import os
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage import units
from storage.db import create_engine, create_session_pool
from storage.models import Charge
from tests.e2e.conftest import E2E, frontdoor, plain

pytestmark = pytest.mark.e2e


async def add_charges(e2e: E2E, building: str, number: str, due) -> None:
    engine = create_engine(e2e.world.database_url)
    try:
        async with create_session_pool(engine)() as session:
            estate_units = await units.find(session, 1, building, number)
            assert estate_units is not None
            session.add_all(
                [
                    Charge(
                        unit_id=estate_units.id,
                        item=item,
                        period=f"{due.year}-{due.month:02d}",
                        amount=amount,
                        currency="CNY",
                        due_date=due,
                    )
                    for item, amount in (("Property fee", 23450), ("Parking", 15000))
                ]
            )
            await session.commit()
    finally:
        await engine.dispose()


def jobs_run(e2e: E2E, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env["FRONTDOOR_DATABASE_URL"] = e2e.world.database_url
    env["FRONTDOOR_LOG_LEVEL"] = "WARNING"
    done = subprocess.run(
        [*frontdoor("jobs"), "run", *args],
        cwd=e2e.world.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_jobs_run_fee_reminders_reaches_the_owner_once(e2e: E2E):
    owner = await e2e.new_person(language="en")
    await e2e.onboard(owner)
    # As if it were 09:00 on a day already past 09:00, so the reminder is due now at any hour
    # the test runs (run before 09:00, today's 09:00 is still to come: it would wait).
    here = datetime.now(ZoneInfo("Asia/Shanghai"))
    day = here.date() if here.hour >= 9 else here.date() - timedelta(days=1)
    await add_charges(e2e, owner.building, owner.unit, day + timedelta(days=7))
    at = f"{day.isoformat()}T09:00"
    out = await asyncio.to_thread(jobs_run, e2e, "fee_reminders", "--at", at)
    assert "ok" in out
    t = e2e.t("en")
    reminder = await e2e.client.wait_for_message(
        owner.user_id, plain(t("remind-title")), timeout=30
    )
    assert "Property fee" in reminder["text"] and "Parking" in reminder["text"]
    # Money as Babel writes it in the owner's language, the same in the reminder and My fees.
    assert "CN¥384.50" in reminder["text"]
    # Run again: nothing new, still exactly one reminder in the chat.
    again = await asyncio.to_thread(jobs_run, e2e, "fee_reminders", "--at", at)
    assert "enqueued=0" in again
    await e2e.press(owner.user_id, reminder, t("remind-btn-fees"))
    statement = await e2e.client.wait_for_message(
        owner.user_id, plain(t("fees-title")), timeout=15
    )
    assert "CN¥384.50" in statement["text"]
    reminders = [
        m
        for m in await e2e.client.messages(owner.user_id)
        if plain(t("remind-title")) in (m["text"] or "")
    ]
    assert len(reminders) == 1
