"""`frontdoor demo`: the sandbox, a sample estate and the bot, in one process, until Ctrl-C.

The bot runs exactly as `frontdoor run` runs it (long polling, outbox sender), only pointed at
the sandbox's Bot API with a demo token, so what people try on the page is the real bot.
"""

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import AnyHttpUrl, SecretStr

from bot import demo_data, demo_history
from bot.clock import system_clock
from bot.runners import run_polling
from bot.settings import Mode, Settings
from sandbox import RunningSandbox, SandboxClient, start_sandbox
from storage.db import create_engine, create_session_pool, upgrade

DEFAULT_PORT = 8081
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./frontdoor-demo.db"
SQLITE_PREFIX = "sqlite+aiosqlite:///"
HOST = "127.0.0.1"


def demo_port(raw: str | None) -> int:
    """FRONTDOOR_DEMO_PORT, or the default; 0 means any free port."""
    if raw is None or not raw.strip():
        return DEFAULT_PORT
    if not raw.strip().isdigit() or int(raw) > 65535:
        raise ValueError(f"must be a port number 0-65535, not {raw!r}")
    return int(raw)


def fresh_sqlite(url: str) -> None:
    """Delete the demo database file (and SQLite's side files) so every demo starts clean."""
    path = Path(url.removeprefix(SQLITE_PREFIX))
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def demo_settings(settings: Settings, api_base: str, database_url: str) -> Settings:
    """The user's settings with the sandbox as Telegram and the sample estate's staff group."""
    return settings.model_copy(
        update={
            "bot_token": SecretStr(demo_data.DEMO_TOKEN),
            "telegram_api_url": AnyHttpUrl(api_base),
            "database_url": database_url,
            "staff_chat_id": demo_data.STAFF_GROUP_ID,
            "admin_ids": settings.admin_ids | demo_data.ADMIN_IDS,
            "mode": Mode.polling,
        }
    )


def banner(base_url: str) -> str:
    def names(people: tuple[demo_data.Person, ...]) -> str:
        return ", ".join(p.name for p in people)

    in_register = (demo_data.LI_WEI, demo_data.EMMA, demo_data.WANG_FANG)
    not_in_register = (demo_data.TOM, demo_data.ZHANG_MIN)
    return "\n".join(
        [
            f"Frontdoor demo: open {base_url}/ — press Ctrl-C to stop",
            f"  Private chat: be {names(in_register)} (in the register: /start, choose a language,"
            f" share your phone) or {names(not_in_register)} (not in the register: staff get"
            f" a request to approve); be {demo_data.TECHNICIAN.name} there for his work orders.",
            f"  Staff group: {', '.join(f'{p.name} ({p.staff_role})' for p in demo_data.STAFF)};"
            " the manager is also an admin.",
        ]
    )


async def _start_sandbox(port: int) -> RunningSandbox:
    try:
        return await start_sandbox(HOST, port)
    except OSError:
        if port == 0:
            raise
        print(f"Port {port} is busy; using a free port instead.", file=sys.stderr, flush=True)
        return await start_sandbox(HOST, 0)


async def serve(settings: Settings, database_url: str, port: int) -> int:
    """Start the sandbox, seed it and the database, then run the bot until a signal stops it."""
    running = await _start_sandbox(port)
    try:
        async with SandboxClient(running.base_url) as client:
            await demo_data.seed_sandbox(client)
        engine = create_engine(database_url)
        try:
            pool = create_session_pool(engine)
            estate = await demo_data.seed_database(
                pool,
                time_zone=settings.time_zone,
                locale=settings.locale,
                currency=settings.currency,
                today=system_clock().astimezone(ZoneInfo(settings.time_zone)).date(),
            )
            await demo_history.seed_history(pool, estate, system_clock())
        finally:
            await engine.dispose()
        print(banner(running.base_url), flush=True)
        return await run_polling(demo_settings(settings, running.base_url, database_url))
    finally:
        await running.stop()


def run_demo(settings: Settings) -> int:
    """`frontdoor demo`; a fresh demo database unless FRONTDOOR_DATABASE_URL names one."""
    try:
        port = demo_port(os.environ.get("FRONTDOOR_DEMO_PORT"))
    except ValueError as exc:
        print(f"FRONTDOOR_DEMO_PORT: {exc}", file=sys.stderr)
        return 2
    if "log_level" not in settings.model_fields_set:
        # Keep the page address readable; FRONTDOOR_LOG_LEVEL=INFO shows one line per update.
        logging.getLogger().setLevel(logging.WARNING)
    if "database_url" in settings.model_fields_set:
        database_url = settings.database_url
    else:
        database_url = DEFAULT_DATABASE_URL
        fresh_sqlite(database_url)
    # Alembic runs its own event loop, so the schema is brought up before ours starts.
    upgrade(database_url)
    # Ctrl-C before polling starts (while seeding) lands here; once polling runs, the bot's
    # signal handlers stop it cleanly instead.
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(settings, database_url, port))
    return 0
