"""Admin commands never import aiogram (bot/cli.py's import rule), checked in a fresh interpreter.

A new subcommand that does not talk to Telegram belongs in ADMIN_COMMANDS below.
"""

import json
import os
import sqlite3
import subprocess
import sys

OWNERS = "building,unit,name,phone\n1,101,Li Lei,13800138001\n"

# Each runs in order in one interpreter; the last line it prints is the verdict.
ADMIN_COMMANDS = [
    ["db", "upgrade"],
    ["import", "owners", "{owners}"],
    ["staff", "add", "4242", "Wang Fang", "agent"],
    ["jobs", "list"],
    ["jobs", "run", "fee_reminders", "--at", "2026-12-03T09:00"],
    ["jobs", "run", "daily_summary"],
    # With something due for each (seeded below), so the jobs render their texts.
    ["@seed"],
    ["jobs", "run", "sla_escalation"],
    ["jobs", "run", "callback_reminders"],
    ["jobs", "run", "idle_conversations"],
    ["staff", "list"],
    ["staff", "remove", "4242"],
    ["report", "--month", "2026-11", "--out", "{out}"],
]

PROBE = """
import asyncio, json, sys
from datetime import timedelta
from bot import cli
from bot.settings import Settings
from storage.db import create_engine, create_session_pool
from storage.models import Callback, Estate, FsmRecord, Owner, OwnerStatus, Ticket, utcnow


async def seed():
    # An overdue ticket, a call-back starting in 10 minutes and a conversation idle for an hour.
    engine = create_engine(Settings().database_url)
    async with create_session_pool(engine)() as session:
        estate = (await session.exec(Estate.__table__.select())).first()
        now = utcnow()
        owner = Owner(
            estate_id=estate.id, name="Li", telegram_user_id=5151, chat_id=5151,
            status=OwnerStatus.verified,
        )
        session.add(owner)
        await session.flush()
        session.add(Ticket(
            estate_id=estate.id, number=1, kind="repair", owner_id=owner.id, category="plumbing",
            description="leak", sla_due_at=now - timedelta(hours=1),
        ))
        session.add(Callback(
            owner_id=owner.id, topic="fees", slot_start=now + timedelta(minutes=10),
            slot_end=now + timedelta(minutes=40),
        ))
        session.add(FsmRecord(
            key="1:5151:5151", state="Repair:description", updated_at=now - timedelta(hours=1)
        ))
        await session.commit()
    await engine.dispose()
    return 0


commands = json.loads(sys.argv[1])
codes = [asyncio.run(seed()) if argv == ["@seed"] else cli.main(argv) for argv in commands]
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"aiogram", "aiohttp", "handlers"})
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def test_admin_commands_do_not_import_aiogram(tmp_path):
    owners = tmp_path / "owners.csv"
    owners.write_text(OWNERS)
    out = tmp_path / "reports"
    commands = [[arg.format(owners=owners, out=out) for arg in argv] for argv in ADMIN_COMMANDS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env["FRONTDOOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    env["FRONTDOOR_LOG_LEVEL"] = "WARNING"
    env["FRONTDOOR_STAFF_CHAT_ID"] = "-100777"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout.splitlines()[-1])
    assert verdict == {"codes": [0] * len(commands), "heavy": []}, done.stderr
    with sqlite3.connect(tmp_path / "frontdoor.db") as db:
        queued = {
            key.split(":")[0] for (key,) in db.execute("SELECT dedupe_key FROM outboxmessage")
        }
    assert {"sla", "callback-reminder", "idle"} <= queued
    assert sorted(p.name for p in out.iterdir()) == [
        "frontdoor-report-2026-11.png",
        "frontdoor-report-2026-11.xlsx",
    ]
