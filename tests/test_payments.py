"""Payments through the bot: /paid with Confirm, every refusal, /unpay, /arrears and its export,
/import in the group, /payinfo, and the owner's side (My fees, notices, PDF receipts)."""

from collections.abc import AsyncGenerator
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import col, func, select

from storage.models import Charge, Estate, Payment, PaymentRequest
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, CASHIER, MANAGER, OTHER_OWNER, OWNER, STRANGER


async def add_charge(session_pool, unit, item, period, amount, due) -> Charge:
    async with session_pool() as session:
        charge = Charge(
            unit_id=unit.id, item=item, period=period, amount=amount, currency="CNY", due_date=due
        )
        session.add(charge)
        await session.commit()
        return charge


@pytest.fixture
async def owed(session_pool, estate, units, verified_owner, other_owner, staff_members):
    """Olivia's 3-1201 owes October (overdue, ¥500) and November (¥500); Oscar's 5-0801 ¥300.
    The staff group speaks English (the estate's language)."""
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.locale = "en"
        session.add(row)
        await session.commit()
    return [
        await add_charge(
            session_pool, units["3-1201"], "Property fee", "2026-10", 50000, date(2026, 10, 31)
        ),
        await add_charge(
            session_pool, units["3-1201"], "Property fee", "2026-11", 50000, date(2026, 11, 30)
        ),
        await add_charge(
            session_pool, units["5-0801"], "Property fee", "2026-10", 30000, date(2026, 10, 31)
        ),
    ]


async def count(session_pool, table) -> int:
    async with session_pool() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def paid_total(session_pool) -> int:
    async with session_pool() as session:
        rows = (
            await session.exec(select(Payment).where(col(Payment.reversed_at).is_(None)))
        ).all()
    return sum(p.amount for p in rows)


async def pay(tg, bot, person, text) -> None:
    """Send /paid … and press Confirm on the summary."""
    await tg.group(person, text)
    await tg.press_label(person, "Confirm", STAFF_CHAT_ID)


async def test_paid_shows_a_summary_then_confirm_records_and_tells_the_owner(
    tg, bot, session_pool, owed, outbox_rows
):
    await tg.group(CASHIER, "/paid 3-1201 600 WeChat 0923")
    summary = bot.last_text(STAFF_CHAT_ID)
    assert "3-1201" in summary and "Olivia Owner" in summary
    assert "CN¥600.00" in summary and "WeChat 0923" in summary
    assert "#1 Property fee 2026-10: CN¥500.00 (settled)" in summary
    assert "#2 Property fee 2026-11: CN¥100.00 (still owed CN¥400.00)" in summary
    assert await count(session_pool, Payment) == 0

    await tg.press_label(CASHIER, "Confirm", STAFF_CHAT_ID)
    async with session_pool() as session:
        rows = (await session.exec(select(Payment).order_by(col(Payment.id)))).all()
    assert [(p.charge_id, p.amount, p.reference) for p in rows] == [
        (owed[0].id, 50000, "WeChat 0923"),
        (owed[1].id, 10000, "WeChat 0923"),
    ]
    number = rows[0].receipt_number
    assert number and all(p.receipt_number == number for p in rows)
    assert f"receipt <b>{number}</b>" in bot.last_text(STAFF_CHAT_ID)
    # The toast says the same in plain text: a button's answer shows no markup.
    toast = answers(bot)[-1].text
    assert f"receipt {number}" in toast and "<b>" not in toast
    (notice,) = await outbox_rows(chat_id=OWNER.id, key_prefix="payment:")
    assert "Payment received" in notice.payload["text"]
    assert "Still owed: <b>CN¥400.00</b>" in notice.payload["text"]
    button = notice.payload["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"] == f"rcpt:{number}"

    # Pressing Confirm again (or a second time by mistake) records nothing more.
    await tg.press_label(CASHIER, "Confirm", STAFF_CHAT_ID)
    assert await paid_total(session_pool) == 60000
    assert "Already recorded" in answers(bot)[-1].text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/paid 3-1201 1000.01", "more than is owed: unit 3-1201 owes CN¥1,000.00"),
        ("/paid 3-1201 0", "must be more than zero"),
        ("/paid 3-1201 -5", "must be more than zero"),
        ("/paid 3-1201 12.345", "at most 2 decimals"),
        ("/paid 3-1201 abc", "is not an amount"),
        ("/paid 9-999 100", "no unit 9-999"),
        ("/paid 3-1202 100", "Unit 3-1202 owes nothing"),
        ("/paid 3-1201 100 --charge 3", "Unit 3-1201 has no charge #3"),
        ("/paid 3-1201", "Usage: /paid"),
    ],
)
async def test_paid_refusals_record_nothing(tg, bot, session_pool, owed, text, expected):
    await tg.group(CASHIER, text)
    assert expected in bot.last_text(STAFF_CHAT_ID)
    assert await count(session_pool, PaymentRequest) == 0
    assert await count(session_pool, Payment) == 0


async def test_a_jpy_estate_takes_whole_yen_only(tg, bot, session_pool, owed, estate):
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.currency = "JPY"
        session.add(row)
        charge = await session.get(Charge, owed[0].id)
        charge.currency = "JPY"
        session.add(charge)
        await session.commit()
    await tg.group(CASHIER, "/paid 3-1201 12.5")
    assert "JPY amounts have no decimals" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/paid 3-1201 500")
    assert "¥500" in bot.last_text(STAFF_CHAT_ID) and "¥500.00" not in bot.last_text(STAFF_CHAT_ID)


async def test_non_cashiers_and_strangers_cannot_record(tg, bot, session_pool, owed):
    await tg.group(AGENT, "/paid 3-1201 100")
    assert "Only a cashier or a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(STRANGER, "/paid 3-1201 100")
    assert "only the management office's staff" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/paid 3-1201 100")
    await tg.press_label(AGENT, "Confirm", STAFF_CHAT_ID)
    assert "Only a cashier or a manager" in answers(bot)[-1].text
    await tg.press_label(STRANGER, "Confirm", STAFF_CHAT_ID)
    assert "only the management office's staff" in answers(bot)[-1].text
    assert await count(session_pool, Payment) == 0
    for command in ("/arrears", "/import"):
        await tg.group(AGENT, command)
        assert "Only a cashier or a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/arrears")
    assert "Only a cashier" not in bot.last_text(STAFF_CHAT_ID)
    await tg.press_label(CASHIER, "Cancel", STAFF_CHAT_ID)
    assert "Cancelled" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/paid 3-1201 100")
    await tg.press(CASHIER, "pay:ok:1:forged", STAFF_CHAT_ID)
    assert "no longer valid" in answers(bot)[-1].text
    assert await count(session_pool, Payment) == 0


async def test_unpay_reverses_keeps_the_rows_and_tells_the_owner(
    tg, bot, session_pool, owed, outbox_rows
):
    await pay(tg, bot, CASHIER, "/paid 3-1201 600")
    async with session_pool() as session:
        number = (await session.exec(select(Payment))).first().receipt_number
    await tg.group(CASHIER, f"/unpay {number} wrong unit")
    assert "Only a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, f"/unpay {number}")
    assert "give a short reason" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, f"/unpay {number} wrong unit")
    assert "Reversed CN¥600.00" in bot.last_text(STAFF_CHAT_ID)
    assert "Owed now: CN¥1,000.00" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, f"/unpay {number} again")
    assert "already reversed" in bot.last_text(STAFF_CHAT_ID)
    assert await count(session_pool, Payment) == 2
    assert await paid_total(session_pool) == 0
    (notice,) = await outbox_rows(chat_id=OWNER.id, key_prefix="payment-reversed:")
    assert "wrong unit" in notice.payload["text"]

    await tg.send(OWNER, "💳 My fees")
    fees_text = "\n".join(bot.texts(OWNER.id)[-2:])
    assert f"<s>{number}" in fees_text and "reversed" in fees_text


async def test_arrears_and_the_collection_rate(tg, bot, session_pool, owed, clock):
    await pay(tg, bot, CASHIER, "/paid 5-0801 100")
    await tg.group(CASHIER, "/arrears")
    text = bot.last_text(STAFF_CHAT_ID)
    first, second = text.index("3-1201"), text.index("5-0801")
    assert first < second
    assert "CN¥500.00</b> overdue, 23 days (owed in all CN¥1,000.00)" in text
    assert "CN¥200.00</b> overdue" in text
    # November's ¥500 (3-1201) falls due on the 30th, not yet on the 23rd: no rate so far
    # (as /stats counts it); October: ¥800 due, ¥100 paid.
    assert "Collection rate 2026-11: nothing has fallen due so far" in text
    assert "2026-10 <b>12.5 %</b> (CN¥100.00 of CN¥800.00)" in text
    await tg.group(CASHIER, "/arrears 5")
    assert "3-1201" not in bot.last_text(STAFF_CHAT_ID)


async def test_arrears_export_is_a_workbook(tg, bot, session_pool, owed):
    await tg.group(MANAGER, "/arrears export")
    request = bot.sent(STAFF_CHAT_ID)[-1]
    assert type(request).__name__ == "SendDocument"
    assert request.document.filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(request.document.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Building", "Unit", "Owner", "Phone")
    assert sheet.freeze_panes == "A2"
    by_unit = {(r[0], r[1]): r for r in rows[1:]}
    olivia = by_unit[("3", "1201")]
    assert olivia[2] == "Olivia Owner" and olivia[3] == "+8613800000001"
    assert float(olivia[-3]) == 1000.0 and olivia[-1] == 23
    assert sheet.cell(row=2, column=5).number_format == "#,##0.00"


@pytest.fixture
def upload(bot, monkeypatch):
    """Make the bot's file download return `content` (what the staff member attached)."""

    def attach(content: bytes) -> None:
        async def stream(*args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
            yield content

        monkeypatch.setattr(bot.session, "stream_content", stream)

    return attach


def document(name: str, size: int = 100) -> dict[str, Any]:
    from aiogram.types import Document

    return {
        "document": Document(file_id="f1", file_unique_id="u1", file_name=name, file_size=size)
    }


async def test_import_in_the_group_and_a_re_import_after_payments(
    tg, bot, session_pool, owed, upload
):
    register = (
        "building,unit,item,period,amount,due_date\n"
        "3,1201,Property fee,2026-10,500,2026-10-31\n"
        "3,1201,Property fee,2026-12,500,2026-12-31\n"
    )
    upload(register.encode())
    await tg.feed(
        message=tg.message(
            CASHIER,
            None,
            STAFF_CHAT_ID,
            caption="/import",
            caption_entities=None,
            **document("fees.csv"),
        )
    )
    assert "1 new, 0 corrected, 1 unchanged" in bot.last_text(STAFF_CHAT_ID)

    await pay(tg, bot, CASHIER, "/paid 3-1201 100")
    upload(register.replace("2026-10,500", "2026-10,450").encode())
    await tg.feed(
        message=tg.message(CASHIER, None, STAFF_CHAT_ID, caption="/import", **document("fees.csv"))
    )
    text = bot.last_text(STAFF_CHAT_ID)
    assert "Nothing was imported" in text
    assert "1. line 2: 3-1201 Property fee 2026-10 already has payments of 100.00" in text
    async with session_pool() as session:
        assert (await session.get(Charge, owed[0].id)).amount == 50000

    await tg.feed(
        message=tg.message(AGENT, None, STAFF_CHAT_ID, caption="/import", **document("fees.csv"))
    )
    assert "Only a cashier or a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.feed(
        message=tg.message(CASHIER, None, STAFF_CHAT_ID, caption="/import", **document("fees.pdf"))
    )
    assert "not a CSV or XLSX" in bot.last_text(STAFF_CHAT_ID)
    upload(b"\xff\xfe\x00\x81\x30")
    await tg.feed(
        message=tg.message(CASHIER, None, STAFF_CHAT_ID, caption="/import", **document("fees.csv"))
    )
    assert 'Save it as "CSV UTF-8" or as XLSX' in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/import")
    assert "Send the charges register" in bot.last_text(STAFF_CHAT_ID)


async def test_payinfo_is_a_managers_setting_shown_under_my_fees(tg, bot, owed):
    await tg.group(CASHIER, "/payinfo Pay at the office")
    assert "Only a manager" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, "/payinfo WeChat Pay to Sunny Gardens, or cash at the office")
    assert "Saved" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(CASHIER, "/payinfo")
    assert "WeChat Pay to Sunny Gardens" in bot.last_text(STAFF_CHAT_ID)
    await tg.send(OWNER, "💳 My fees")
    assert "How to pay" in bot.last_text(OWNER.id)
    assert "WeChat Pay to Sunny Gardens" in bot.last_text(OWNER.id)


async def test_owner_with_two_units_gets_receipts_and_never_sees_anothers_money(
    tg, bot, session_pool, owed, units
):
    await add_charge(
        session_pool, units["3-1202"], "Parking", "2026-11", 20000, date(2026, 11, 30)
    )
    await pay(tg, bot, CASHIER, "/paid 3-1201 600 WeChat")
    await pay(tg, bot, CASHIER, "/paid 3-1202 200")
    await pay(tg, bot, CASHIER, "/paid 5-0801 300")
    async with session_pool() as session:
        numbers = list(
            dict.fromkeys(p.receipt_number for p in (await session.exec(select(Payment))).all())
        )
    olivia_1201, olivia_1202, oscar = numbers

    await tg.send(OWNER, "💳 My fees")
    fees_request = bot.sent(OWNER.id)[-1]
    text = fees_request.text
    assert olivia_1201 in text and olivia_1202 in text and oscar not in text
    labels = [row[0].text for row in fees_request.reply_markup.inline_keyboard]
    assert labels == [f"🧾 Receipt {olivia_1201}", f"🧾 Receipt {olivia_1202}"]

    await tg.send(OTHER_OWNER, "💳 My fees")
    other_text = "\n".join(bot.texts(OTHER_OWNER.id))
    assert oscar in other_text and olivia_1201 not in other_text and "600" not in other_text
    # Oscar pressing a (forged) button for Olivia's receipt gets nothing.
    await tg.press(OTHER_OWNER, f"rcpt:{olivia_1201}")
    assert "not one of yours" in answers(bot)[-1].text
    assert not [r for r in bot.sent(OTHER_OWNER.id) if type(r).__name__ == "SendDocument"]

    await tg.press(OWNER, f"rcpt:{olivia_1201}")
    sent = bot.sent(OWNER.id)[-1]
    assert type(sent).__name__ == "SendDocument"
    pdf = PdfReader(BytesIO(sent.document.data))
    # pypdf reads the two-byte CID text with a NUL before each character.
    words = pdf.pages[0].extract_text().replace("\x00", "")
    for expected in (olivia_1201, "Sunny Gardens", "Olivia Owner", "WeChat", "CN¥600.00"):
        assert expected in words
    assert "CN¥500.00" in words and "CN¥100.00" in words
