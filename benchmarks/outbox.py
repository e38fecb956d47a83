"""`outbox`: the real OutboxSender draining queued messages into the sandbox Bot API.

Three cases, each checking that every message arrived exactly once and in order per chat:
- *rate off*: 5 000 messages to 5 000 owners (a broadcast) with no rate of the sender's own
  (Telegram's paid broadcasts allow 1 000 msg/s) — the sender's capacity, in messages/s;
- *30/s limit*: the sandbox answers 429 above 30 calls a second and the sender runs at
  `FRONTDOOR_SEND_RATE=30` — the share of the limit reached and the 429s, after the first
  second (steady state) and in all;
- *10 % 5xx*: 500 messages to 200 chats at the default rate, 10 % of the calls failing.
The sandbox runs in the same process and event loop as the sender, so its own cost is in the
figures. On PostgreSQL too when `FRONTDOOR_BENCH_DATABASE_URL` is set.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select

from benchmarks.common import Row, database_kind
from benchmarks.handlers import postgres_schema, sqlite_file
from bot.settings import Settings
from sandbox import start_sandbox
from scheduler.outbox import OutboxSender
from storage import outbox
from storage.db import create_session_pool, upgrade_connection
from storage.models import OutboxMessage, OutboxStatus, utcnow

FIRST_CHAT = 800_000
DEADLINE = 120.0
LIMIT = 30
# The first second of a limited drain is its start-up, not its steady state.
WARM_UP = 1.0


async def drain(
    engines: Callable[[], AbstractAsyncContextManager[AsyncEngine]],
    *,
    messages: int,
    chats: int,
    rate: float | None,
    faults: dict[str, Any] | None = None,
) -> dict[str, Any]:
    async with engines() as engine:
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
            chat_ids = [FIRST_CHAT + i for i in range(chats)]
            for chat in chat_ids:
                running.sandbox.add_user(f"Owner {chat}", user_id=chat)
            keys = [f"bench:{i}" for i in range(messages)]
            drafts = [
                outbox.Draft(key, chat_ids[i % chats], f"{key} message {i}")
                for i, key in enumerate(keys)
            ]
            async with pool() as session:
                for start in range(0, len(drafts), 1000):
                    await outbox.add_many(session, drafts[start : start + 1000], utcnow())
                await session.commit()
            if faults:
                running.sandbox.set_faults(**faults)
            first_call = len(running.sandbox.calls)
            started = time.perf_counter()
            wall_start = time.time()
            sender.start()
            left = messages
            while left and time.perf_counter() - started < DEADLINE:
                await asyncio.sleep(0.05)
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
            calls = running.sandbox.calls[first_call:]
            statuses = Counter(str(r.status) for r in rows)
            retried = sum(1 for r in rows if r.attempts >= 1 or r.last_error)
            # What actually arrived: every key once, in the order it was queued per chat.
            arrived = Counter[str]()
            in_order = True
            for chat in chat_ids:
                texts = [m.text or "" for m in running.sandbox.messages.get(chat, [])]
                seen = [int(t.split()[0].split(":")[1]) for t in texts if t.startswith("bench:")]
                in_order &= seen == sorted(seen)
                arrived.update(t.split()[0] for t in texts)
        finally:
            await bot.session.close()
            await running.stop()
    delivered = sum(arrived.values())
    sent_times = [c["time"] for c in calls if c["status"] == 200]
    steady = [t for t in sent_times if t >= wall_start + WARM_UP]
    steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
    too_many = [c["time"] for c in calls if c["status"] == 429]
    return {
        "messages": messages,
        "chats": chats,
        "sender_rate": rate if rate is not None else "off",
        "drain_s": elapsed,
        "msgs_per_s": delivered / elapsed,
        "steady_msgs_per_s": steady_rate,
        "http_429": len(too_many),
        "http_429_steady": sum(1 for t in too_many if t >= wall_start + WARM_UP),
        "delivered_once": sum(1 for key in keys if arrived[key] == 1),
        "duplicates": sum(1 for key in keys if arrived[key] > 1),
        "retried_rows": retried,
        "per_chat_order": in_order,
        "statuses": dict(statuses),
    }


def _checked(metrics: dict[str, Any]) -> dict[str, Any]:
    if metrics["delivered_once"] != metrics["messages"] or metrics["duplicates"]:
        raise RuntimeError(metrics)
    return metrics


async def run(database_url: str | None = None) -> list[Row]:
    targets: list[tuple[str, Callable[[], AbstractAsyncContextManager[AsyncEngine]]]] = [
        ("sqlite", sqlite_file)
    ]
    if database_url:

        def postgres() -> AbstractAsyncContextManager[AsyncEngine]:
            return postgres_schema(database_url)

        targets.append((database_kind(database_url), postgres))
    rows: list[Row] = []
    for kind, engines in targets:
        off = _checked(await drain(engines, messages=5000, chats=5000, rate=None))
        rows.append(Row(f"{kind}: rate off, 5000 owners", value=off["msgs_per_s"], metrics=off))
        limited = _checked(
            await drain(
                engines,
                messages=450,
                chats=450,
                rate=LIMIT,
                faults={"rate_limit_per_second": LIMIT},
            )
        )
        limited["of_limit_pct"] = 100 * limited["steady_msgs_per_s"] / LIMIT
        rows.append(
            Row(f"{kind}: sandbox limit 30/s", value=limited["steady_msgs_per_s"], metrics=limited)
        )
    faulty = _checked(
        await drain(
            sqlite_file,
            messages=500,
            chats=200,
            rate=Settings(_env_file=None).send_rate,
            faults={"error_rate": 0.1, "error_codes": [500, 502], "methods": ["sendMessage"]},
        )
    )
    rows.append(Row("sqlite: 10% 5xx", value=faulty["msgs_per_s"], metrics=faulty))
    return rows
