"""`updates`: owners talking to the whole bot through the sandbox Bot API, beside an echo bot.

Both bots run the way `frontdoor run` does: a real aiogram `Bot` long-polling the sandbox over
HTTP and answering over HTTP. Frontdoor is `bot.factory.create_bot` + `create_dispatcher` (all
middlewares, the SQL FSM storage, a real database); the echo floor is a bare aiogram
Dispatcher that answers every message with its text and one button, and every button press
with an empty answer. Both see the same kinds of update in the same order: a press in the
repair conversation is a press for the echo bot too.

For the repair conversation a third bot runs beside them, the *ceiling*: a bare aiogram bot
with no database whose answers make the same Bot API calls as Frontdoor's (a message: one
reply with a button; a press: its answer, the old buttons taken off, the next message). What
it reaches against the echo floor is the most any bot of that conversation's shape can reach
here, whatever it does besides calling the Bot API.

The time of one update runs from the moment the sandbox queues it (what a person's tap is) to
the moment the dispatcher has finished with it: delivery by getUpdates, the middlewares, the
handler's Bot API calls and the commit.
"""

import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import func, select

from benchmarks.common import Row, database_kind, percentile
from bot.factory import create_bot, create_dispatcher, settle_heap
from bot.settings import Settings
from sandbox import RunningSandbox, start_sandbox
from storage import estates
from storage.db import create_engine, create_session_pool, saved_id, upgrade_connection
from storage.models import Owner, OwnerStatus, OwnerUnit, Ticket, Unit

TOKEN = "424242:BENCH_token_abcdefghij"
STAFF_CHAT_ID = -100_777
FIRST_USER_ID = 700_000
# Conversations going on at the same time in the throughput runs; each owner's own updates
# stay in order, as in Telegram.
CONCURRENCY = 20
# Conversations through each bot before its closed loop is timed: the first updates build
# what later ones reuse (pydantic models, compiled statements, the HTTP connection).
WARMUP_OWNERS = 20
# The machine is shared and noisy: the floor and Frontdoor take turns, ROUNDS times, each
# closed loop ~1,600 updates long (at ~400, a second or less for the echo bot, one round's
# ratio ranged 0.34-0.78 on a quiet machine), and the ratio is the median of the rounds'.
ROUNDS = int(os.environ.get("FRONTDOOR_BENCH_UPDATE_ROUNDS", "3"))
STEADY_RATE = 50.0
STEADY_SECONDS = 6.0
WAIT_S = 60.0
# A Monday 10:00 in Shanghai, moving with real time: the visit-time buttons are the same on
# every run, and the idle timeout never fires.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

Step = tuple[str, str]  # ("text", what is typed) or ("press", a label on the newest buttons)


@dataclass(frozen=True)
class Case:
    name: str
    steps: Sequence[Step]
    throughput_owners: int

    def steady_owners(self) -> int:
        # Enough owners that each one's next step is due long after its previous one.
        return int(STEADY_RATE * STEADY_SECONDS / len(self.steps)) + 10


CASES = [
    Case("menu", [("text", "/start"), ("text", "📋 My requests")], 800),
    Case("free text", [("text", "Hello, is anyone there? The lift is noisy.")], 1600),
    Case(
        "repair flow",
        [
            ("text", "🛠 Report a repair"),
            ("press", "Electrical"),
            ("text", "The corridor light is out again."),
            ("press", "Skip"),
            ("press", "Normal"),
            ("press", "Any time"),
            ("press", "Confirm"),
        ],
        240,
    ),
]


@dataclass
class Clocked:
    """When each update was queued by the sandbox and when the dispatcher finished it."""

    queued: dict[int, float] = field(default_factory=dict)
    done: dict[int, asyncio.Future[float]] = field(default_factory=dict)
    failed: int = 0
    unhandled: int = 0
    # Conversations that could not go on: the step before failed, so its buttons never came.
    abandoned: int = 0

    def future(self, update_id: int) -> asyncio.Future[float]:
        return self.done.setdefault(update_id, asyncio.get_running_loop().create_future())

    def timed(self, dp: Dispatcher) -> None:
        feed = dp.feed_update

        async def feed_update(bot: Bot, update: Update, **kwargs: Any) -> Any:
            try:
                result = await feed(bot, update, **kwargs)
            except Exception:
                self.failed += 1
                raise
            finally:
                done = self.future(update.update_id)
                if not done.done():
                    done.set_result(time.perf_counter())
            if result is UNHANDLED:
                self.unhandled += 1
            return result

        # The polling loop calls dp.feed_update for every update; timing it there measures
        # the whole of Frontdoor's work and nothing of the benchmark's.
        dp.feed_update = feed_update  # type: ignore[method-assign]


async def _echo(message: Message) -> None:
    again = InlineKeyboardBuilder()
    again.button(text="Again", callback_data="again")
    await message.answer(message.text or "…", reply_markup=again.as_markup())


def echo_dispatcher() -> Dispatcher:
    """The floor: every message echoed with one button, every press answered empty."""
    router = Router(name="echo")
    router.message.register(_echo)

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
    return dp


def same_calls_dispatcher() -> Dispatcher:
    """The ceiling: the echo bot, but a press makes the calls a press in Frontdoor's
    conversations makes (its answer, the old buttons taken off, the next message)."""
    router = Router(name="same calls")
    router.message.register(_echo)

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        message = cast(Message, query.message)
        await message.edit_reply_markup(reply_markup=None)
        await _echo(message)

    dp = Dispatcher()
    dp.include_router(router)
    return dp


# The bots other than Frontdoor, by name: what they answer with.
BARE = {"floor": echo_dispatcher, "ceiling": same_calls_dispatcher}


class Owners:
    """Sandbox users acting out their steps, each waiting for its previous update."""

    def __init__(self, running: RunningSandbox, clocked: Clocked, echo: bool) -> None:
        self.sandbox = running.sandbox
        self.clocked = clocked
        self.echo = echo

    def push(self, user_id: int, step: Step) -> int:
        kind, value = step
        if kind == "text":
            self.sandbox.user_message(user_id, text=value)
        else:
            message_id, data = self.button(user_id, value)
            self.sandbox.start_callback(user_id, None, message_id=message_id, callback_data=data)
        update_id = self.sandbox.next_update_id - 1
        self.clocked.queued[update_id] = time.perf_counter()
        return update_id

    def button(self, user_id: int, label: str) -> tuple[int, str]:
        for message in reversed(self.sandbox.messages.get(user_id, [])):
            for row in (message.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data and (self.echo or label.casefold() in button["text"].casefold()):
                        return message.message_id, data
        raise LookupError(f"user {user_id}: no button {label!r}")

    async def step(self, user_id: int, step: Step) -> bool:
        """Act one step and wait for the bot; False if the conversation cannot go on."""
        try:
            update_id = self.push(user_id, step)
        except LookupError:
            self.clocked.abandoned += 1
            return False
        await asyncio.wait_for(self.clocked.future(update_id), WAIT_S)
        return True


async def closed_loop(owners: Owners, people: Sequence[int], steps: Sequence[Step]) -> float:
    """Updates per second with CONCURRENCY conversations going on at once."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(user_id: int) -> None:
        async with gate:
            for step in steps:
                if not await owners.step(user_id, step):
                    break

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in people))
    return len(people) * len(steps) / (time.perf_counter() - started)


async def steady(
    owners: Owners, people: Sequence[int], steps: Sequence[Step]
) -> tuple[list[float], int]:
    """Latencies (ms) with updates queued at STEADY_RATE per second, whatever the bot does,
    and how many conversations were finished."""
    ready = deque((p, 0) for p in people)
    latencies: list[float] = []
    finished = 0
    waiting: set[asyncio.Task[None]] = set()

    async def follow(user_id: int, index: int, update_id: int) -> None:
        nonlocal finished
        done = await asyncio.wait_for(owners.clocked.future(update_id), WAIT_S)
        finished += index + 1 == len(steps)
        latencies.append((done - owners.clocked.queued[update_id]) * 1000)
        if index + 1 < len(steps):
            ready.append((user_id, index + 1))

    started = time.perf_counter()
    total = int(STEADY_RATE * STEADY_SECONDS)
    for n in range(total):
        await asyncio.sleep(max(0.0, started + n / STEADY_RATE - time.perf_counter()))
        while not ready:  # every owner is waiting for the bot: the bot is behind
            await asyncio.sleep(0.001)
        user_id, index = ready.popleft()
        try:
            update_id = owners.push(user_id, steps[index])
        except LookupError:
            owners.clocked.abandoned += 1
            continue
        task = asyncio.create_task(follow(user_id, index, update_id))
        waiting.add(task)
        task.add_done_callback(waiting.discard)
    await asyncio.gather(*waiting)
    return latencies, finished


@asynccontextmanager
async def sqlite_file() -> AsyncIterator[AsyncEngine]:
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            yield engine
        finally:
            await engine.dispose()


@asynccontextmanager
async def postgres_schema(url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh schema on the given server, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def seed(engine: AsyncEngine, settings: Settings, people: Sequence[int]) -> None:
    """The default estate with its staff group and verified owners holding one unit each."""
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_connection)
    pool = create_session_pool(engine)
    async with pool() as session:
        estate = await estates.ensure_default(
            session,
            name="Bench Gardens",
            time_zone=settings.time_zone,
            locale=settings.locale,
            currency=settings.currency,
            staff_chat_id=STAFF_CHAT_ID,
        )
        pairs = []
        for i, user_id in enumerate(people):
            unit = Unit(estate_id=saved_id(estate), building=str(i % 20 + 1), number=f"{i:04d}")
            owner = Owner(
                estate_id=saved_id(estate),
                name=f"Owner {i}",
                phone=f"+86138{i:08d}",
                telegram_user_id=user_id,
                chat_id=user_id,
                language="en",
                status=OwnerStatus.verified,
            )
            pairs.append((unit, owner))
        session.add_all([row for pair in pairs for row in pair])
        await session.flush()
        session.add_all(
            OwnerUnit(owner_id=saved_id(owner), unit_id=saved_id(unit)) for unit, owner in pairs
        )
        await session.commit()


def moving_clock() -> Callable[[], datetime]:
    origin = time.monotonic()
    return lambda: START + timedelta(seconds=time.monotonic() - origin)


async def measure(case: Case, engine: AsyncEngine | str, with_steady: bool) -> dict[str, Any]:
    """One bot (Frontdoor on `engine`, or a bare one of BARE by name) through one case:
    warm-up, the closed loop and, `with_steady`, the open loop at STEADY_RATE."""
    running = await start_sandbox(seed=1)
    echo = isinstance(engine, str)
    warm = [FIRST_USER_ID + 200_000 + i for i in range(WARMUP_OWNERS)]
    through = [FIRST_USER_ID + i for i in range(case.throughput_owners)]
    steady_people = [FIRST_USER_ID + 100_000 + i for i in range(case.steady_owners())]
    steady_people = steady_people if with_steady else []
    everyone = warm + through + steady_people
    for user_id in everyone:
        running.sandbox.add_user(f"Owner {user_id}", user_id=user_id)
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        locale="zh",
        telegram_api_url=AnyHttpUrl(running.base_url),
    )
    if isinstance(engine, str):
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(running.base_url)))
        dp = BARE[engine]()
    else:
        await seed(engine, settings, everyone)
        bot = create_bot(settings)
        dp = create_dispatcher(settings, create_session_pool(engine), clock=moving_clock())
    # As `frontdoor run` does before its first update; the echo bot too, so that neither
    # pays for the other's long-lived objects (one process runs both).
    settle_heap()
    clocked = Clocked()
    clocked.timed(dp)
    owners = Owners(running, clocked, echo)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        await closed_loop(owners, warm, case.steps)
        rate = await closed_loop(owners, through, case.steps)
        latencies: list[float] = []
        finished = 0
        if steady_people:
            random.Random(1).shuffle(steady_people)
            latencies, finished = await steady(owners, steady_people, case.steps)
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()
        await running.stop()
    metrics: dict[str, Any] = {
        "updates_per_s": rate,
        "failed": clocked.failed,
        "unhandled": clocked.unhandled,
        "abandoned": clocked.abandoned,
    }
    if latencies:
        metrics["p50_ms"] = percentile(latencies, 0.50)
        metrics["p99_ms"] = percentile(latencies, 0.99)
    if not isinstance(engine, str) and case.name == "repair flow":
        pool = create_session_pool(engine)
        async with pool() as session:
            made = (await session.exec(select(func.count()).select_from(Ticket))).one()
        # Every conversation that reached Confirm made its ticket, and no other did.
        started = len(warm) + len(through)
        if clocked.failed == 0 and made != started - clocked.abandoned + finished:
            raise RuntimeError(f"repair flow: {made} tickets for {finished} finished")
        metrics["tickets"] = made
    return metrics


async def rounds(case: Case, targets: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each bot's measurements of `case`, ROUNDS of them, taking turns: the floor first in
    even rounds and last in odd ones, so a drift in the machine's load falls on both."""
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in ["floor", *targets]}
    for n in range(max(1, ROUNDS)):
        order = ["floor", *targets] if n % 2 == 0 else [*targets, "floor"]
        for target in order:
            if target in BARE:
                # Only the floor's latencies are compared.
                steady_too = n == 0 and target == "floor"
                runs[target].append(await measure(case, target, with_steady=steady_too))
                continue
            engines = sqlite_file() if target == "sqlite" else postgres_schema(target)
            async with engines as engine:
                runs[target].append(await measure(case, engine, with_steady=n == 0))
    return runs


def _rate_row(label: str, mine: Sequence[dict[str, Any]], floors: Sequence[dict[str, Any]]) -> Row:
    ratios = [m["updates_per_s"] / f["updates_per_s"] for m, f in zip(mine, floors, strict=True)]
    counts: dict[str, Any] = {
        key: sum(m[key] for m in mine)
        for key in ("failed", "unhandled", "abandoned", "tickets")
        if key in mine[0]
    }
    return Row(
        f"{label}: updates/s ({CONCURRENCY} at once)",
        floor=statistics.median(f["updates_per_s"] for f in floors),
        value=statistics.median(m["updates_per_s"] for m in mine),
        ratio=statistics.median(ratios),
        metrics={"round_ratios": [round(r, 3) for r in ratios], **counts},
    )


async def run(database_url: str | None = None) -> list[Row]:
    rows = []
    databases = ["sqlite"] + ([database_url] if database_url else [])
    for case in CASES:
        # The ceiling tells something only where Frontdoor calls more than the echo bot.
        bare = ["ceiling"] if case.name == "repair flow" else []
        runs = await rounds(case, [*bare, *databases])
        floors = runs["floor"]
        if bare:
            ceiling = runs["ceiling"]
            rows.append(_rate_row(f"{case.name}: same calls, no database", ceiling, floors))
        for target in databases:
            label = database_kind(target)
            mine = runs[target]
            rows += [
                _rate_row(f"{case.name} on {label}", mine, floors),
                *(
                    Row(
                        f"{case.name} on {label}: {q} ms at {STEADY_RATE:.0f}/s",
                        floor=floors[0][f"{q}_ms"],
                        value=mine[0][f"{q}_ms"],
                        ratio=mine[0][f"{q}_ms"] / floors[0][f"{q}_ms"],
                    )
                    for q in ("p50", "p99")
                ),
            ]
    return rows
