"""Announcements to many owners through a real process: owners made in bulk (database and
sandbox), the manager's /announce, and the sends counted on the sandbox's side."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert
from sqlmodel import col, func, select

from bot import demo_data
from bot.i18n import default_catalogs
from sandbox import SandboxClient
from sandbox.state import Sandbox
from storage import estates
from storage.db import create_engine, create_session_pool
from storage.models import Announcement, OutboxMessage, OutboxStatus, Owner, OwnerStatus
from tests.e2e.conftest import SandboxThread
from tests.reliability.crash import sandbox_call

FIRST_OWNER_ID = 5_000_000


async def add_owners(sandbox: SandboxThread, database_url: str, n: int) -> None:
    """`n` verified owners with chats, in the database and as sandbox users."""
    ids = range(FIRST_OWNER_ID, FIRST_OWNER_ID + n)
    languages = ("en", "zh")

    def users(box: Sandbox) -> None:
        for i, uid in enumerate(ids):
            box.add_user(
                f"Owner {i}",
                user_id=uid,
                language_code=languages[i % 2],
                phone_number=f"86137{uid:08d}",
            )

    sandbox_call(sandbox, users)
    engine = create_engine(database_url)
    try:
        async with create_session_pool(engine)() as session:
            estate = await estates.default(session)
            assert estate is not None
            rows = [
                {
                    "estate_id": estate.id,
                    "name": f"Owner {i}",
                    "phone": f"+86137{uid:08d}",
                    "telegram_user_id": uid,
                    "chat_id": uid,
                    "language": languages[i % 2],
                    "status": OwnerStatus.verified.value,
                }
                for i, uid in enumerate(ids)
            ]
            # In slices: PostgreSQL takes at most 32 767 parameters a statement.
            for start in range(0, len(rows), 1000):
                await session.exec(insert(Owner).values(rows[start : start + 1000]))
            await session.commit()
    finally:
        await engine.dispose()


class Tally:
    """Successful sends of the announcement (text containing `mark`) per owner's chat, read
    from the sandbox's call log (the server side: a message counts once Telegram has it,
    whatever the bot recorded)."""

    def __init__(self, sandbox: SandboxThread, mark: str) -> None:
        self.sandbox = sandbox
        self.mark = mark
        self.per_chat: Counter[int] = Counter()
        self._seen = 0

    def update(self) -> Counter[int]:
        def read(box: Sandbox) -> list[int]:
            new = box.calls[self._seen :]
            self._seen += len(new)
            return [
                int(call["params"]["chat_id"])
                for call in new
                # Owners' chats: the preview in the staff group quotes the text too.
                if call["method"].lower() == "sendmessage"
                and int(call["params"]["chat_id"]) > 0
                and call["status"] == 200
                and self.mark in str(call["params"].get("text", ""))
            ]

        self.per_chat.update(sandbox_call(self.sandbox, read))
        return self.per_chat

    @property
    def delivered(self) -> int:
        return len(self.per_chat)

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_chat.values())


async def announce(client: SandboxClient, text: str) -> None:
    """The sample manager's /announce in the staff group, and Send on its preview."""
    z = default_catalogs().translator("zh")
    group, manager = demo_data.STAFF_GROUP_ID, demo_data.MANAGER.user_id
    await client.send_command(manager, f"announce {text}", chat_id=group)
    # In the estate's quiet hours the preview offers "send at 08:00" and "send now".
    labels = {z("announce-btn-send-now"), z("announce-btn-send")}
    preview = await client.wait_for_message(
        group,
        text,
        predicate=lambda m: bool(labels & {b["text"] for row in m["buttons"] for b in row}),
        timeout=30,
    )
    shown = {b["text"] for row in preview["buttons"] for b in row}
    send = (
        z("announce-btn-send-now")
        if z("announce-btn-send-now") in shown
        else z("announce-btn-send")
    )
    await client.press_button(
        manager, chat_id=group, message_id=preview["message_id"], text=send, timeout=30
    )


async def announcement_rows(database_url: str) -> tuple[Announcement, list[OutboxMessage]]:
    engine = create_engine(database_url)
    try:
        async with create_session_pool(engine)() as session:
            [announcement] = (await session.exec(select(Announcement))).all()
            subject = f"announcement:{announcement.id}"
            rows = (
                await session.exec(
                    select(OutboxMessage).where(col(OutboxMessage.subject) == subject)
                )
            ).all()
            return announcement, list(rows)
    finally:
        await engine.dispose()


async def pending_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with create_session_pool(engine)() as session:
            query = select(func.count()).where(col(OutboxMessage.status) == OutboxStatus.pending)
            return int((await session.exec(query)).one())
    finally:
        await engine.dispose()
