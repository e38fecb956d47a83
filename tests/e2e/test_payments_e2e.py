"""Payments end to end (issue 11): a manager records a payment in the staff group, the owner
gets the notice and downloads the PDF receipt; /import of a register file in the group."""

import re
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from bot import demo_data
from storage import registers
from storage.db import create_engine, create_session_pool
from storage.estates import default
from tests.e2e.conftest import E2E, Person, plain

pytestmark = pytest.mark.e2e


def has_button(label: str) -> Any:
    return lambda m: any(label in b["text"] for row in m["buttons"] for b in row)


async def owner_with_fees(e2e: E2E) -> Person:
    owner = await e2e.new_person(language="en")
    await e2e.onboard(owner)
    row = registers.ChargeRow(
        2,
        owner.building,
        owner.unit,
        "Property fee",
        "2020-01",
        45000,
        demo_data.date(2020, 1, 15),
    )
    engine = create_engine(e2e.world.database_url)
    try:
        async with create_session_pool(engine)() as session:
            estate = await default(session)
            assert estate is not None and estate.id is not None
            result = await registers.import_charges(session, estate.id, [row], "e2e")
        assert result.ok, result.errors
    finally:
        await engine.dispose()
    return owner


async def test_paid_confirm_then_the_owner_gets_the_notice_and_a_receipt(e2e: E2E):
    owner = await owner_with_fees(e2e)
    t, z, c = e2e.t("en"), e2e.t("zh"), e2e.client
    label = f"{owner.building}-{owner.unit}"
    await c.send_text(e2e.manager, f"/paid {label} 300 微信0923", chat_id=e2e.group_id)
    summary = await c.wait_for_message(e2e.group_id, predicate=has_button(z("pay-confirm")))
    assert label in summary["text"] and "¥300.00" in summary["text"]
    await e2e.press(e2e.manager, summary, z("pay-confirm"))
    recorded = await e2e.wait_edit(e2e.group_id, summary["message_id"], "R")
    number = re.search(r"R\d{6}-\d{5}", recorded["text"])
    assert number, recorded["text"]

    notice = await c.wait_for_message(owner.user_id, predicate=has_button(number.group(0)))
    assert (
        plain(
            t(
                "pay-owner-received",
                building=owner.building,
                unit=owner.unit,
                amount="CN¥300.00",
                reference=", reference 微信0923",
                lines="",
                owed="CN¥150.00",
            )
        ).split("\n")[0]
        in notice["text"]
    )
    assert "CN¥150.00" in notice["text"]
    await e2e.press(owner.user_id, notice, number.group(0))
    # Setting the receipt in Noto Sans CJK takes seconds on a busy machine.
    sent = await c.wait_for_message(
        owner.user_id, predicate=lambda m: bool(m["document"]), timeout=120
    )
    assert sent["document"]["file_name"].endswith(".pdf")
    pdf = await c.download(sent["document"]["file_id"])
    words = PdfReader(BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")
    assert number.group(0) in words and "CN¥300.00" in words and owner.name in words


async def test_import_a_register_file_in_the_staff_group(e2e: E2E):
    owner = await e2e.new_person(language="en")
    c, z = e2e.client, e2e.t("zh")
    register = (
        "building,unit,item,period,amount,due_date\n"
        f"{owner.building},{owner.unit},Water,2026-11,12.50,2026-11-30\n"
    ).encode()
    await c.send_document(
        e2e.manager, "charges.csv", register, caption="/import", chat_id=e2e.group_id
    )
    done = plain(z("pay-import-done", created="1", updated="0", unchanged="0"))
    await c.wait_for_message(e2e.group_id, done)
