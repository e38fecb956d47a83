"""`rss`: the memory of a real `frontdoor run` process after the big scans of its own
scheduler — the fee-reminder selection and a whole-estate announcement queued — at 1 000,
10 000 and 100 000 owners (ten charges each: 1 000 000 at 100 000; `FRONTDOOR_BENCH_RSS_SCALES`).

The process runs as a user runs it (the installed `frontdoor` script, polling the sandbox Bot
API on a free 127.0.0.1 port) against a database with the sample estate and the generated
owners (benchmarks/estate_data.py). The sample manager asks for both in the staff group, as in
production: `/jobs` → Run now on the fee reminders, then `/announce …` → Send. The estate's
quiet hours are set around the present moment, so what the jobs queue waits for the morning:
the figures are those of the selection and the queueing, not of a drain. Read from
/proc/PID/status: VmRSS (resident now) and VmHWM (the peak resident size of the process's
life). The jobs' own durations come from their JobRun rows. On SQLite, and on PostgreSQL (a
database of its own, dropped afterwards) when `FRONTDOOR_BENCH_DATABASE_URL` is set. The
issue's target: ≤ 150 MB after those scans.

The floor, measured in the same run on the same sandbox before Frontdoor starts: a bare aiogram
echo bot in a process of its own (this interpreter, `python -c ECHO_BOT`: aiogram imported, a
Bot and a Dispatcher, long polling) that answers ECHOES messages; its VmRSS once settled, and
its VmRSS and VmHWM after the answers, printed beside Frontdoor's start, after and peak."""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from benchmarks import estate_data
from benchmarks.common import Row, database_kind
from bot import demo_data
from handlers.announce import AnnounceAction, AnnounceCB
from handlers.jobs import JobCB
from sandbox import SandboxClient, start_sandbox
from scheduler.jobs.base import JobName
from storage import calendar, keys
from storage.db import create_engine, create_session_pool, upgrade_connection
from storage.models import Announcement, Estate, JobRun, OutboxMessage

SCALES = tuple(
    int(n) for n in os.environ.get("FRONTDOOR_BENCH_RSS_SCALES", "1000,10000,100000").split(",")
)
# Above the sample estate's own owners and units.
FIRST_ID = 1_000_000
READY_S = 60.0
JOB_S = 600.0
# Time for the process to settle after start-up (imports, first polls, heap frozen).
SETTLE_S = 3.0
STOP_S = 40.0
ECHOES = 5
# What every aiogram bot pays before its first handler: the floor of the `floor` rows.
ECHO_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

router = Router()


@router.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "...")


async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["FRONTDOOR_TELEGRAM_API_URL"])
    bot = Bot(os.environ["FRONTDOOR_BOT_TOKEN"], session=AiohttpSession(api=api))
    dp = Dispatcher()
    dp.include_router(router)
    await dp.start_polling(bot)


asyncio.run(main())
"""
TEXT = "en: Water is off on Tuesday 9:00-12:00.\nzh: 周二 9:00-12:00 停水。"


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the present size, so each phase reports its own peak."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak since the last reset_peak) of a process, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


@asynccontextmanager
async def database(kind: str, workdir: Path, pg_url: str | None) -> AsyncIterator[str]:
    """A URL of an empty database: an SQLite file, or a PostgreSQL database dropped after."""
    if kind == "sqlite" or pg_url is None:
        yield f"sqlite+aiosqlite:///{workdir / 'frontdoor.db'}"
        return
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def quiet_around(local: datetime) -> str:
    """Quiet hours from an hour before `local` to four hours after (messages wait)."""
    return f"{local - timedelta(hours=1):%H:%M}-{local + timedelta(hours=4):%H:%M}"


async def wait_for(check: Any, what: str, process: subprocess.Popen[bytes], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"frontdoor run exited with {code} waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f} s")
        await asyncio.sleep(0.1)


async def one(kind: str, owners: int, pg_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-rss-") as tmp:
        workdir = Path(tmp)
        async with database(kind, workdir, pg_url) as url:
            try:
                return await measure(url, workdir, owners)
            except Exception as exc:
                log = (workdir / "frontdoor.log").read_text(errors="replace")
                raise RuntimeError(f"{exc}; the process's log ends:\n{log[-4000:]}") from exc


async def measure(url: str, workdir: Path, owners: int) -> dict[str, Any]:
    engine = create_engine(url)
    running = await start_sandbox(seed=1)
    process: subprocess.Popen[bytes] | None = None
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        pool = create_session_pool(engine)
        now = datetime.now(UTC)
        estate = await demo_data.seed_database(
            pool, time_zone="Asia/Shanghai", locale="en", currency="CNY", today=date.today()
        )
        local = calendar.local(estate, now)
        # The day of the month the generated charges fall due on (every month has it).
        today = local.date().replace(day=min(local.day, 28))
        started = time.perf_counter()
        await estate_data.build(
            engine, estate_id=estate.id or 0, owners=owners, today=today, first_id=FIRST_ID
        )
        built_s = time.perf_counter() - started
        async with pool() as session:
            await session.exec(
                update(Estate)
                .where(col(Estate.id) == estate.id)
                .values(quiet_hours=quiet_around(local))
            )
            await session.commit()
        async with SandboxClient(running.base_url) as client:
            await demo_data.seed_sandbox(client)
            figures: dict[str, Any] = {"owners": owners, "build_s": round(built_s, 1)}
            figures |= await echo_floor(workdir, running, client)
            process = start(workdir, running.base_url, url)

            async def polling() -> bool:
                return any(c["method"] == "deleteWebhook" for c in running.sandbox.calls)

            await wait_for(polling, "start-up", process, READY_S)
            await asyncio.sleep(SETTLE_S)
            figures |= {f"start_{k}": v for k, v in memory(process.pid).items()}
            group, manager = demo_data.STAFF_GROUP_ID, demo_data.MANAGER.user_id
            reset_peak(process.pid)

            await client.send_command(manager, "jobs", chat_id=group)
            listed = await client.wait_for_message(
                group, predicate=lambda m: bool(m["buttons"]), timeout=30
            )
            # The press returns when the bot answers, which it does after the run.
            await client.press_button(
                manager,
                chat_id=group,
                message_id=listed["message_id"],
                callback_data=JobCB(name=JobName.fee_reminders).pack(),
                timeout=1,
            )

            async def fees_done() -> JobRun | None:
                return await finished_run(pool, JobName.fee_reminders)

            fees = await wait_for(fees_done, "fee reminder run", process, JOB_S)
            figures["fees_s"] = seconds(fees)
            figures["reminders"] = int(fees.result.get("enqueued", 0))
            figures |= {f"fees_{k}": v for k, v in memory(process.pid).items()}

            reset_peak(process.pid)
            await client.send_command(manager, f"announce {TEXT}", chat_id=group)
            preview = await client.wait_for_message(
                group,
                "Tuesday",
                predicate=lambda m: bool(m["buttons"]),
                timeout=60,
            )
            async with pool() as session:
                announcement = (
                    await session.exec(select(Announcement).order_by(col(Announcement.id).desc()))
                ).first()
            if announcement is None or announcement.id is None:
                raise RuntimeError("the /announce draft is missing")
            send = AnnounceCB(action=AnnounceAction.send, announcement_id=announcement.id)
            await client.press_button(
                manager,
                chat_id=group,
                message_id=preview["message_id"],
                callback_data=send.pack(),
                timeout=1,
            )
            subject = keys.announcement_subject(announcement.id)
            wanted = announcement.recipients

            async def queued() -> list[JobRun] | None:
                """The runs that queued it, once every owner has a row and no run is on."""
                async with pool() as session:
                    rows = await session.exec(
                        select(func.count()).where(col(OutboxMessage.subject) == subject)
                    )
                    if int(rows.one()) < wanted:
                        return None
                    runs = (
                        await session.exec(
                            select(JobRun).where(col(JobRun.job) == JobName.announcements)
                        )
                    ).all()
                if any(r.finished_at is None for r in runs):
                    return None
                return [r for r in runs if int(r.result.get("enqueued", 0)) > 0]

            # The Send button's run, and the minute's scheduled run if it came in between.
            runs = await wait_for(queued, "announcement queued", process, JOB_S)
            first = min(r.started_at for r in runs)
            last = max(r.finished_at for r in runs if r.finished_at is not None)
            figures["announce_s"] = round((last - first).total_seconds(), 2)
            figures["announced"] = wanted
            figures |= {f"announce_{k}": v for k, v in memory(process.pid).items()}
            await stop(process)
            return figures
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        await running.stop()
        await engine.dispose()


async def echo_floor(workdir: Path, running: Any, client: SandboxClient) -> dict[str, float]:
    """The echo bot's memory once settled and after answering ECHOES messages (MB)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env |= {
        "FRONTDOOR_BOT_TOKEN": demo_data.DEMO_TOKEN,
        "FRONTDOOR_TELEGRAM_API_URL": running.base_url,
    }
    log = (workdir / "echo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", ECHO_BOT], cwd=workdir, env=env, stdout=log, stderr=log
    )
    try:
        polls = sum(c["method"] == "getUpdates" for c in running.sandbox.calls)

        async def polling() -> bool:
            return sum(c["method"] == "getUpdates" for c in running.sandbox.calls) > polls

        await wait_for(polling, "the echo bot's start-up", process, READY_S)
        await asyncio.sleep(SETTLE_S)
        figures = {"echo_start_VmRSS": memory(process.pid)["VmRSS"]}
        owner = demo_data.OWNERS[0].user_id
        for n in range(ECHOES):
            await client.send_text(owner, f"echo {n}")
            await client.wait_for_message(owner, f"echo {n}", timeout=30)
        # One more poll after the last answer confirms its update, so Frontdoor is not
        # handed the echo bot's messages again.
        polls = sum(c["method"] == "getUpdates" for c in running.sandbox.calls)
        await wait_for(polling, "the echo bot's last poll", process, READY_S)
        figures |= {f"echo_{k}": v for k, v in memory(process.pid).items()}
        await stop(process)
        return figures
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def finished_run(pool: Any, job: str) -> JobRun | None:
    async with pool() as session:
        found = await session.exec(
            select(JobRun).where(col(JobRun.job) == job, col(JobRun.finished_at).is_not(None))
        )
        return found.first()


def seconds(run: JobRun) -> float:
    if run.finished_at is None:
        return 0.0
    return round((run.finished_at - run.started_at).total_seconds(), 2)


def start(workdir: Path, base_url: str, url: str) -> subprocess.Popen[bytes]:
    """`frontdoor run` as installed, in its own directory (no .env of the developer)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    env |= {
        "FRONTDOOR_BOT_TOKEN": demo_data.DEMO_TOKEN,
        "FRONTDOOR_TELEGRAM_API_URL": base_url,
        "FRONTDOOR_DATABASE_URL": url,
        "FRONTDOOR_ADMIN_IDS": ",".join(str(i) for i in sorted(demo_data.ADMIN_IDS)),
        "FRONTDOOR_STAFF_CHAT_ID": str(demo_data.STAFF_GROUP_ID),
        "FRONTDOOR_LOG_LEVEL": "INFO",
    }
    script = Path(sys.executable).with_name("frontdoor")
    log = (workdir / "frontdoor.log").open("wb")
    return subprocess.Popen(
        [sys.executable, str(script), "run"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM and a clean exit, waited for without blocking this loop: the sandbox the process
    is still talking to runs on it."""
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_S
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"frontdoor run ignored SIGTERM for {STOP_S:.0f} s")
        await asyncio.sleep(0.1)


async def run(database_url: str | None = None) -> list[Row]:
    kinds = ["sqlite"] + (["postgresql"] if database_url else [])
    rows = []
    for kind in kinds:
        for owners in SCALES:
            figures = await one(kind, owners, database_url)
            case = f"frontdoor run at {owners} owners ({database_kind(kind)})"
            compared = (
                ("peak MB", "echo_VmHWM", "announce_VmHWM"),
                ("start MB", "echo_start_VmRSS", "start_VmRSS"),
                ("after MB", "echo_VmRSS", "announce_VmRSS"),
            )
            for name, floor_key, key in compared:
                floor, value = figures[floor_key], figures[key]
                rows.append(
                    Row(
                        f"{case}: {name}",
                        floor=floor,
                        value=value,
                        ratio=round(value / floor, 2),
                        metrics=figures if name == "peak MB" else {},
                    )
                )
    return rows
