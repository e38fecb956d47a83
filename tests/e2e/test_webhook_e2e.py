"""`frontdoor run` in webhook mode: the sandbox POSTs updates with the secret; others refused."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import select

from bot import demo_data
from bot.i18n import default_catalogs
from sandbox import SandboxClient
from storage.db import create_engine, create_session_pool
from storage.models import AuditEvent, FsmRecord, OutboxMessage, Owner
from tests.e2e.conftest import World, free_port, plain, start_world, stop_world

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook-secret_42"


@pytest.fixture
def webhook_world(tmp_path: Path) -> Iterator[World]:
    port = free_port()
    started = start_world(
        tmp_path,
        FRONTDOOR_MODE="webhook",
        FRONTDOOR_WEBHOOK_URL=f"http://127.0.0.1:{port}/webhook",
        FRONTDOOR_WEBHOOK_SECRET=SECRET,
        FRONTDOOR_LISTEN=f"127.0.0.1:{port}",
    )
    yield started
    stop_world(started)


async def table_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with create_session_pool(engine)() as session:
            counts = {}
            for table in (AuditEvent, FsmRecord, OutboxMessage, Owner):
                query = select(func.count()).select_from(table)
                counts[table.__name__] = (await session.exec(query)).one()
            return counts
    finally:
        await engine.dispose()


def start_update(user: demo_data.Person, update_id: int) -> dict[str, object]:
    sender = {"id": user.user_id, "is_bot": False, "first_name": user.first_name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 999_001,
            "date": int(time.time()),
            "chat": {"id": user.user_id, "type": "private", "first_name": user.first_name},
            "from": sender,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_webhook_round_trip_and_wrong_secret_refused(webhook_world: World):
    t = default_catalogs().translator("en")
    async with SandboxClient(webhook_world.base_url) as client:
        info = await client.webhook_info()
        assert info["url"].endswith("/webhook")

        emma = demo_data.EMMA.user_id
        await client.send_command(emma, "start")
        await client.wait_for_message(emma, plain(t("lang-choose")))

        tom = demo_data.TOM
        calls_before = len(await client.calls())
        # Emma's conversation is committed just after her answer is sent: wait for it.
        counts_before = await table_counts(webhook_world.database_url)
        for _ in range(50):
            await asyncio.sleep(0.1)
            settled, counts_before = counts_before, await table_counts(webhook_world.database_url)
            if settled == counts_before:
                break
        async with aiohttp.ClientSession() as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                async with http.post(
                    info["url"], json=start_update(tom, 900_001), headers=headers
                ) as response:
                    assert response.status == 403
            # The handler runs inside the request, so once refused nothing can follow.
            assert len(await client.calls()) == calls_before
            assert await client.messages(tom.user_id) == []
            assert await table_counts(webhook_world.database_url) == counts_before

            # The same update with the right secret is handled: the refusal was the secret.
            async with http.post(
                info["url"],
                json=start_update(tom, 900_002),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response:
                assert response.status == 200
        await client.wait_for_message(tom.user_id, plain(t("lang-choose")))
