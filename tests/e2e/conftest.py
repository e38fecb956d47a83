"""End-to-end harness: the sandbox runs in a thread of the test process, a real `frontdoor run`
runs as a subprocess against it, and both share the demo's sample estate in a SQLite file.

Starting the bot costs seconds (aiogram builds hundreds of pydantic models on import), so one
polling bot serves the whole session; each test makes its own owners (fresh Telegram ids and
phones, added to the register when the test wants them there), so tests do not see each other's
state. The webhook test starts its own sandbox and bot.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import demo_data
from bot.i18n import Catalogs, Translator, default_catalogs
from sandbox import RunningSandbox, SandboxClient, start_sandbox
from storage import estates, registers
from storage.db import create_engine, create_session_pool, upgrade
from storage.models import OutboxMessage
from storage.owners import normalize_phone

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("FRONTDOOR_TEST_DATABASE_URL")
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
T = TypeVar("T")

# Fresh people per test: ids and phones far from the demo's fixed ones.
_serial = itertools.count(1)


class SandboxThread:
    """A sandbox on its own event loop in a background thread: it outlives each test's event
    loop and also serves synchronous code such as Playwright."""

    def __init__(self, seed: int = 7) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.running: RunningSandbox = self.run(start_sandbox(seed=seed))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """A synchronous call of the client API (for code outside any event loop)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base_url}/sandbox/api{path}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["result"]

    def seed(self) -> None:
        async def go() -> None:
            async with SandboxClient(self.base_url) as client:
                await demo_data.seed_sandbox(client)

        self.run(go())

    def stop(self) -> None:
        self.run(self.running.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def seed_database(database_url: str) -> None:
    """Schema and sample estate, in a worker thread: Alembic and seeding run their own loops."""

    def work() -> None:
        upgrade(database_url)

        async def seed() -> None:
            engine = create_engine(database_url)
            try:
                await demo_data.seed_database(
                    create_session_pool(engine),
                    time_zone="Asia/Shanghai",
                    locale="zh",
                    currency="CNY",
                    today=date.today(),
                )
            finally:
                await engine.dispose()

        asyncio.run(seed())

    in_worker_thread(work)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def frontdoor(command: str) -> list[str]:
    """The installed `frontdoor` script, as a user runs it (else the same entry point)."""
    script = Path(sys.executable).with_name("frontdoor")
    if script.exists():
        return [sys.executable, str(script), command]
    entry = "import sys; from bot.cli import main; sys.exit(main())"
    return [sys.executable, "-c", entry, command]


class BotProcess:
    """`frontdoor run` in a subprocess; its log goes to a file shown when something fails."""

    def __init__(
        self,
        workdir: Path,
        base_url: str,
        database_url: str,
        *,
        args: Sequence[str] = (),
        **extra: str,
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
        env.update(
            FRONTDOOR_BOT_TOKEN=demo_data.DEMO_TOKEN,
            FRONTDOOR_TELEGRAM_API_URL=base_url,
            FRONTDOOR_DATABASE_URL=database_url,
            FRONTDOOR_ADMIN_IDS=",".join(str(i) for i in sorted(demo_data.ADMIN_IDS)),
            FRONTDOOR_STAFF_CHAT_ID=str(demo_data.STAFF_GROUP_ID),
            FRONTDOOR_LOG_LEVEL="INFO",
            PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p),
        )
        env.update(extra)
        self.log_path = workdir / "frontdoor.log"
        self._log = self.log_path.open("wb")
        # The work directory is the cwd so that no .env of the developer leaks in.
        self.process = subprocess.Popen(
            [*frontdoor("run"), *args],
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready():
            if self.process.poll() is not None:
                pytest.fail(
                    f"frontdoor run exited with {self.process.returncode}:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"frontdoor run not ready in {READY_TIMEOUT}s:\n{self.output()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no signal handler, no drain, no last commit of the process runs."""
        self.process.send_signal(signal.SIGKILL)
        try:
            code = self.process.wait(STOP_TIMEOUT)
        finally:
            self._log.close()
        assert code == -signal.SIGKILL, f"frontdoor run exited with {code}:\n{self.output()}"

    def stop(self) -> None:
        """SIGTERM, then the process must have shut down cleanly (exit 0) within seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"frontdoor run ignored SIGTERM for {STOP_TIMEOUT}s:\n{self.output()}")
        finally:
            self._log.close()
        assert code == 0, f"frontdoor run exited with {code}:\n{self.output()}"


def called(sandbox: SandboxThread, method: str) -> bool:
    return bool(sandbox.api(f"/calls?method={method}"))


@dataclass
class World:
    """A running sandbox + bot + database with the sample estate."""

    sandbox: SandboxThread
    bot: BotProcess
    database_url: str
    workdir: Path

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url


def in_worker_thread(work: Callable[[], T]) -> T:
    """Run blocking code that starts its own event loop (Alembic, asyncio.run) off this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def create_pg_database(server_url: str) -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    name = f"e2e_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()

    in_worker_thread(lambda: asyncio.run(create()))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database

    async def drop() -> None:
        engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()

    in_worker_thread(lambda: asyncio.run(drop()))


def start_world(workdir: Path, database_url: str | None = None, **extra: str) -> World:
    """Sandbox, seeded database (SQLite in `workdir` unless given) and a `frontdoor run`
    process; polling unless `extra` says otherwise."""
    database_url = database_url or f"sqlite+aiosqlite:///{workdir / 'frontdoor.db'}"
    sandbox = SandboxThread()
    try:
        sandbox.seed()
        seed_database(database_url)
        bot = BotProcess(workdir, sandbox.base_url, database_url, **extra)
    except BaseException:
        sandbox.stop()
        raise
    # Polling starts right after deleteWebhook; webhook mode is ready once setWebhook is in.
    ready_method = "setWebhook" if extra.get("FRONTDOOR_MODE") == "webhook" else "deleteWebhook"
    try:
        bot.wait_ready(lambda: called(sandbox, ready_method))
    except BaseException:
        sandbox.stop()
        raise
    return World(sandbox, bot, database_url, workdir)


def stop_world(world: World) -> None:
    try:
        world.bot.stop()
    finally:
        world.sandbox.stop()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One polling bot for the session; teardown checks it shuts down cleanly on SIGTERM.

    On PostgreSQL when FRONTDOOR_TEST_DATABASE_URL is set (the webhook test stays on SQLite,
    so both back ends run without doubling the time).
    """
    database_url = create_pg_database(PG_URL) if PG_URL else None
    try:
        started = start_world(tmp_path_factory.mktemp("e2e"), database_url)
        yield started
        stop_world(started)
    finally:
        if PG_URL and database_url:
            drop_pg_database(PG_URL, database_url)


def plain(markup: str) -> str:
    """Catalog HTML as the chat shows it (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _has_buttons(message: dict[str, Any]) -> bool:
    return bool(message.get("buttons"))


@dataclass
class Person:
    user_id: int
    name: str
    phone: str  # as Telegram shares it
    language: str  # "en" | "zh"
    building: str = ""
    unit: str = ""


@dataclass
class E2E:
    """What a test needs: the sandbox client, the sample staff and helpers to act and check."""

    world: World
    client: SandboxClient
    catalogs: Catalogs
    group_id: int = demo_data.STAFF_GROUP_ID
    agent: int = demo_data.AGENT.user_id
    technician: int = demo_data.TECHNICIAN.user_id
    manager: int = demo_data.MANAGER.user_id
    made: list[Person] = field(default_factory=list)

    def t(self, language: str) -> Translator:
        return self.catalogs.translator(language)

    async def new_person(
        self, *, language: str = "en", in_register: bool = True, name: str | None = None
    ) -> Person:
        """A new sandbox user, optionally an owner of a new unit in the register."""
        n = next(_serial)
        person = Person(
            user_id=300_000 + n,
            name=name or f"E2E Owner {n}",
            phone=f"86136555{n:05d}",
            language=language,
            building="9",
            unit=f"{n:04d}",
        )
        await self.client.create_user(
            person.name,
            id=person.user_id,
            language_code="zh-hans" if language == "zh" else "en",
            phone_number=person.phone,
        )
        if in_register:
            await self.register(person)
        self.made.append(person)
        return person

    async def register(self, person: Person) -> None:
        phone = normalize_phone(person.phone, "CN")
        assert phone is not None
        row = registers.OwnerRow(2, person.building, person.unit, person.name, phone, 80.0)
        engine = create_engine(self.world.database_url)
        try:
            async with create_session_pool(engine)() as session:
                estate = await _estate_id(session)
                result = await registers.import_owners(session, estate, [row], "e2e")
            assert result.ok, result.errors
        finally:
            await engine.dispose()

    async def outbox(self, dedupe_prefix: str) -> list[OutboxMessage]:
        engine = create_engine(self.world.database_url)
        try:
            async with create_session_pool(engine)() as session:
                query = select(OutboxMessage).where(
                    col(OutboxMessage.dedupe_key).startswith(dedupe_prefix)
                )
                return list((await session.exec(query)).all())
        finally:
            await engine.dispose()

    async def recorded(self, message: dict[str, Any], *, timeout: float = 10.0) -> None:
        """Wait until the bot has stored the Telegram id of a message it sent, which is how a
        reply to that message is linked to its ticket or question. The bot stores it once
        Telegram has answered the send: a person replies seconds after the message appears,
        this client can within milliseconds, before that commit (seen under CI's load)."""
        engine = create_engine(self.world.database_url)
        query = select(OutboxMessage).where(
            OutboxMessage.chat_id == message["chat_id"],
            OutboxMessage.telegram_message_id == message["message_id"],
        )
        deadline = time.monotonic() + timeout
        try:
            while True:
                async with create_session_pool(engine)() as session:
                    if (await session.exec(query)).first() is not None:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"message {message['message_id']} was never recorded")
                await asyncio.sleep(0.05)
        finally:
            await engine.dispose()

    async def apply_until_summary(self, person: Person) -> dict[str, Any]:
        """Someone not in the register, after sharing their phone: building 2 of the sample
        estate (a button), a unit the register lacks (insisted on), the name; returns the
        summary with its Send button."""
        t = self.t(person.language)
        person.building = "2"
        uid = person.user_id
        ask = await self.client.wait_for_message(uid, plain(t("onb-ask-building-choose")))
        await self.press(uid, ask, "2")
        await self.client.wait_for_message(uid, plain(t("onb-ask-unit-in", building="2")))
        await self.client.send_text(uid, person.unit)
        unknown = await self.client.wait_for_message(uid, person.unit, predicate=_has_buttons)
        await self.press(uid, unknown, t("onb-btn-unit-right", unit=person.unit))
        await self.client.wait_for_message(uid, plain(t("onb-ask-name")))
        await self.client.send_text(uid, person.name)
        return await self.client.wait_for_message(uid, person.name, predicate=_has_buttons)

    async def press(
        self, user_id: int, message: dict[str, Any], label: str, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Press the inline button of `message` whose visible text is or contains `label`."""
        texts = [b["text"] for row in message["buttons"] for b in row]
        matches = [t for t in texts if t == label] or [t for t in texts if label in t]
        assert matches, f"no button {label!r} on message {message['message_id']}: {texts}"
        return await self.client.press_button(
            user_id,
            chat_id=message["chat_id"],
            message_id=message["message_id"],
            text=matches[0],
            timeout=timeout,
        )

    async def latest(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The current version of a message (after edits)."""
        [found] = [
            m
            for m in await self.client.messages(chat_id, after_message_id=message_id - 1)
            if m["message_id"] == message_id
        ]
        return found

    async def wait_edit(
        self, chat_id: int, message_id: int, contains: str, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The message once an edit made it contain `contains` (edits go through the outbox)."""
        deadline = time.monotonic() + timeout
        while True:
            message = await self.latest(chat_id, message_id)
            if contains in (message["text"] or message["caption"] or ""):
                return message
            if time.monotonic() > deadline:
                raise TimeoutError(f"message {message_id} never showed {contains!r}: {message}")
            await asyncio.sleep(0.1)

    async def onboard(self, person: Person) -> dict[str, Any]:
        """/start, choose the person's language, share the phone: returns the welcome message."""
        t = self.t(person.language)
        uid = person.user_id
        await self.client.send_command(uid, "start")
        choose = await self.client.wait_for_message(uid, plain(t("lang-choose")))
        label = t("lang-english") if person.language == "en" else t("lang-chinese")
        await self.press(uid, choose, label)
        await self.client.wait_for_message(uid, plain(t("onb-ask-contact")))
        await self.client.press_reply_button(uid, t("onb-share-phone"))
        return await self.client.wait_for_message(uid)


async def _estate_id(session: AsyncSession) -> int:
    estate = await estates.default(session)
    assert estate is not None and estate.id is not None
    return estate.id


async def bind_new_staff_group(helper: E2E) -> None:
    """Move the estate's staff group to a new group with the sample staff, by /bind.

    Each test gets a group of its own: its cards cannot be confused with another test's, and
    the outbox sender's 20-messages-a-minute pacing per group starts afresh.
    """
    staff = [helper.agent, helper.technician, helper.manager]
    group = await helper.client.create_group(f"Staff room {next(_serial)}", staff)
    await helper.client.send_command(helper.manager, "bind", chat_id=group["id"])
    estate = demo_data.ESTATE_NAME
    await helper.client.wait_for_message(
        group["id"], plain(helper.t("zh")("staff-bind-done", estate=estate))
    )
    helper.group_id = group["id"]


@pytest.fixture
async def e2e(world: World) -> AsyncIterator[E2E]:
    async with SandboxClient(world.base_url) as client:
        helper = E2E(world, client, default_catalogs())
        await bind_new_staff_group(helper)
        try:
            yield helper
        finally:
            await client.reset_faults()
