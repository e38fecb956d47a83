"""`outbox`: the real OutboxSender draining queued messages into the sandbox Bot API.

Measures the achieved messages/s against the configured send rate, and, with 10 % of the
sendMessage calls answered 5xx, that the retries still deliver every message exactly once.
"""

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlmodel import col, func, select

from benchmarks.common import Row
from bot.settings import Settings
from sandbox import start_sandbox
from scheduler.outbox import OutboxSender
from storage import outbox
from storage.db import create_engine, create_session_pool, upgrade_connection
from storage.models import OutboxMessage, OutboxStatus

MESSAGES = 500
CHATS = 200
FIRST_CHAT = 800_000
DEADLINE = 60.0


async def drain(faults: dict[str, Any] | None) -> dict[str, Any]:
    rate = Settings(_env_file=None).send_rate
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        pool = create_session_pool(engine)
        running = await start_sandbox(seed=1)
        bot = Bot(
            "123456:BENCH_token_abcdefghij",
            session=AiohttpSession(api=TelegramAPIServer.from_base(running.base_url)),
        )
        sender = OutboxSender(bot, pool, rate=rate)
        try:
            chats = [FIRST_CHAT + i for i in range(CHATS)]
            for chat in chats:
                running.sandbox.add_user(f"Owner {chat}", user_id=chat)
            keys = [f"bench:{i}" for i in range(MESSAGES)]
            async with pool() as session:
                await outbox.add_all(
                    session,
                    [
                        outbox.Draft(key, chats[i % CHATS], f"{key} message {i}")
                        for i, key in enumerate(keys)
                    ],
                )
                await session.commit()
            if faults:
                running.sandbox.set_faults(**faults)
            started = time.perf_counter()
            sender.start()
            left = MESSAGES
            while left and time.perf_counter() - started < DEADLINE:
                await asyncio.sleep(0.2)
                async with pool() as session:
                    left = (
                        await session.exec(
                            select(func.count())
                            .select_from(OutboxMessage)
                            .where(col(OutboxMessage.status) == OutboxStatus.pending.value)
                        )
                    ).one()
            elapsed = time.perf_counter() - started
            await sender.stop()
            async with pool() as session:
                rows = (await session.exec(select(OutboxMessage))).all()
            statuses = Counter(str(r.status) for r in rows)
            retried = sum(1 for r in rows if r.attempts >= 1 or r.last_error)
            # What actually arrived: every key once, in the order it was queued per chat.
            arrived = Counter[str]()
            in_order = True
            for chat in chats:
                texts = [m.text or "" for m in running.sandbox.messages.get(chat, [])]
                seen = [int(t.split()[0].split(":")[1]) for t in texts if t.startswith("bench:")]
                in_order &= seen == sorted(seen)
                arrived.update(t.split()[0] for t in texts)
            once = sum(1 for key in keys if arrived[key] == 1)
            duplicates = sum(1 for key in keys if arrived[key] > 1)
        finally:
            await bot.session.close()
            await running.stop()
            await engine.dispose()
    delivered = sum(arrived.values())
    return {
        "messages": MESSAGES,
        "chats": CHATS,
        "rate_limit": rate,
        "drain_s": elapsed,
        "msgs_per_s": delivered / elapsed,
        "of_limit_pct": 100 * delivered / elapsed / rate,
        "delivered_once": once,
        "duplicates": duplicates,
        "retried_rows": retried,
        "per_chat_order": in_order,
        "statuses": dict(statuses),
    }


async def run(database_url: str | None = None) -> list[Row]:
    clean = await drain(None)
    faulty = await drain(
        {"error_rate": 0.1, "error_codes": [500, 502], "methods": ["sendMessage"]}
    )
    for metrics in (clean, faulty):
        if not (metrics["delivered_once"] == MESSAGES and not metrics["duplicates"]):
            raise RuntimeError(metrics)
    return [
        Row("sandbox, no faults", metrics=clean),
        Row("sandbox, 10% 5xx", metrics=faulty),
    ]
