"""The outbox sender through sandbox faults: a staff card survives server errors, sent once."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from storage.models import OutboxStatus
from tests.e2e.conftest import E2E, plain

pytestmark = pytest.mark.e2e


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    """Poll `check` until it holds (the sender retries on its own schedule)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def test_pending_card_survives_server_errors_and_arrives_once(e2e: E2E):
    owner = await e2e.new_person(language="en", in_register=False, name="Fault Tolerant Owner")
    t = e2e.t("en")
    uid = owner.user_id
    await e2e.client.send_command(uid, "start")
    choose = await e2e.client.wait_for_message(uid, plain(t("lang-choose")))
    await e2e.press(uid, choose, t("lang-english"))
    await e2e.client.wait_for_message(uid, plain(t("onb-ask-contact")))
    await e2e.client.press_reply_button(uid, t("onb-share-phone"))
    summary = await e2e.apply_until_summary(owner)

    since = len(await e2e.client.calls())
    await e2e.client.set_faults(error_rate=1.0, error_codes=[502], methods=["sendMessage"])
    await e2e.press(uid, summary, t("onb-btn-send"))

    async def card_calls(status: int) -> list[dict]:
        return [
            call
            for call in await e2e.client.calls("sendMessage", since_index=since)
            if call["status"] == status
            and str(call["params"].get("chat_id")) == str(e2e.group_id)
            and owner.name in str(call["params"].get("text"))
        ]

    async def card_failed() -> bool:
        return bool(await card_calls(502))

    await eventually(card_failed)
    await e2e.client.reset_faults()

    card = await e2e.client.wait_for_message(e2e.group_id, owner.name, timeout=30)
    [row] = [
        r
        for r in await e2e.outbox("owner:")
        if r.dedupe_key.endswith(":pending-card") and owner.name in r.payload.get("text", "")
    ]
    assert row.status == OutboxStatus.sent
    assert row.telegram_message_id == card["message_id"]
    assert row.attempts >= 1 and row.last_error is None
    # Exactly one card reached the group, whatever the retries.
    in_group = [
        m for m in await e2e.client.messages(e2e.group_id) if owner.name in (m["text"] or "")
    ]
    assert [m["message_id"] for m in in_group] == [card["message_id"]]
    assert len(await card_calls(200)) == 1
