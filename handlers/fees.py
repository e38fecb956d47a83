"""My fees: the verified owner's open charges per unit, what is overdue, the totals owed, the
last payments with their PDF receipts, and how to pay."""

import asyncio
import html
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import Buttons, TextKey, main_menu
from handlers.payments import ReceiptCB
from storage import fees, money, payments
from storage.db import saved_id
from storage.fees import ChargeLine, UnitStatement
from storage.models import Estate, Owner

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())

# Open charges listed per unit; the rest are counted in the totals and summed up in one line.
OPEN_SHOWN = 12
# Receipts listed (each with its button) per unit.
RECEIPTS_SHOWN = 3
# Telegram refuses texts over 4096 characters; stay a little below.
MESSAGE_LIMIT = 4000


def format_totals(t: Translator, owed: dict[str, int]) -> str:
    return t("fees-plus").join(
        money.format_money(amount, code, t.locale) for code, amount in owed.items()
    )


def open_line(t: Translator, line: ChargeLine) -> str:
    key = "fees-open-line-overdue" if line.overdue else "fees-open-line"
    return t(
        key,
        item=line.item,
        period=line.period,
        amount=money.format_money(line.amount, line.currency, t.locale),
        paid=money.format_money(line.paid, line.currency, t.locale),
        balance=money.format_money(line.balance, line.currency, t.locale),
        due=line.due_date.isoformat(),
    )


def unit_lines(t: Translator, unit_statement: UnitStatement) -> list[str]:
    unit = unit_statement.unit
    lines = ["", t("fees-unit", building=unit.building, unit=unit.number)]
    shown = unit_statement.open[:OPEN_SHOWN]
    lines += [open_line(t, line) for line in shown]
    hidden = len(unit_statement.open) - len(shown)
    if hidden > 0:
        lines.append(t("fees-more", count=hidden))
    if unit_statement.open:
        lines.append(t("fees-unit-owed", total=format_totals(t, unit_statement.outstanding)))
    elif not unit_statement.paid:
        lines.append(t("fees-unit-none"))
    else:
        lines.append(t("fees-unit-clear"))
    if unit_statement.paid:
        lines.append(t("fees-paid-title"))
        lines += [
            t(
                "fees-paid-line",
                item=line.item,
                period=line.period,
                amount=money.format_money(line.amount, line.currency, t.locale),
            )
            for line in unit_statement.paid
        ]
    return lines


def receipt_lines(
    t: Translator, receipts: list[payments.ReceiptSummary], time_zone: str
) -> list[str]:
    """The unit's last payments, a reversed one struck through and marked."""
    if not receipts:
        return []
    tz = ZoneInfo(time_zone)
    lines = [t("fees-payments-title")]
    for r in receipts:
        args = {
            "receipt": r.number,
            "date": r.paid_at.astimezone(tz).date().isoformat(),
            "amount": money.format_money(r.amount, r.currency, t.locale),
        }
        if r.reversed_at is None:
            lines.append(t("fees-payment-line", **args))
        else:
            reversed_on = r.reversed_at.astimezone(tz).date().isoformat()
            lines.append(t("fees-payment-line-reversed", reversed=reversed_on, **args))
    return lines


def statement_lines(
    t: Translator,
    statements: list[UnitStatement],
    receipts: dict[int, list[payments.ReceiptSummary]] | None = None,
    estate: Estate | None = None,
) -> list[str]:
    """The whole statement as lines: title, each unit with its last payments, then the grand
    total or the all-clear, and how to pay."""
    if not statements:
        return [t("fees-no-units")]
    owed = fees.totals(statements)
    time_zone = estate.time_zone if estate else "UTC"
    lines = [t("fees-title")]
    for unit_statement in statements:
        lines += unit_lines(t, unit_statement)
        lines += receipt_lines(t, (receipts or {}).get(unit_statement.unit.id or 0, []), time_zone)
    lines.append("")
    if not any(s.open or s.paid for s in statements):
        lines.append(t("fees-none"))
    elif owed:
        overdue = any(line.overdue for s in statements for line in s.open)
        lines.append(t("fees-total", total=format_totals(t, owed)))
        if overdue:
            lines.append(t("fees-overdue-note"))
    else:
        lines.append(t("fees-all-clear"))
    if estate is not None and estate.payment_instructions:
        lines += ["", t("fees-payinfo", text=estate.payment_instructions)]
    lines.append(t("fees-questions"))
    return lines


def chunks(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> Iterator[str]:
    """Join lines into messages of at most `limit` characters, breaking between lines."""
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        if current and size + len(line) + 1 > limit:
            yield "\n".join(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        yield "\n".join(current)


def receipts_markup(
    t: Translator, unit_ids: list[int], receipts: dict[int, list[payments.ReceiptSummary]]
) -> InlineKeyboardMarkup | None:
    """A Receipt button for each payment listed, in the order of the units."""
    builder = Buttons()
    for unit_id in unit_ids:
        for r in receipts.get(unit_id, []):
            builder.button(
                text=t("pay-receipt-button", receipt=r.number),
                callback_data=ReceiptCB(number=r.number),
            )
    builder.adjust(1)
    return builder.as_markup() if list(builder.buttons) else None


@router.message(TextKey("menu-fees"))
async def show_fees(
    message: Message,
    t: Translator,
    session: AsyncSession,
    estate: Estate,
    owner: Owner,
    state: FSMContext,
    clock: Clock,
) -> None:
    """The menu button (or "fees", "物业费" …): open charges, overdue ones, totals and the last
    payments per unit, each payment with its Receipt button."""
    await state.clear()
    owner_id = saved_id(owner)
    today = clock().astimezone(ZoneInfo(estate.time_zone)).date()
    statements = await fees.statement(session, owner_id, today)
    unit_ids = [s.unit.id for s in statements if s.unit.id is not None]
    receipts = await payments.recent_receipts(session, unit_ids, RECEIPTS_SHOWN)
    parts = list(chunks(statement_lines(t, statements, receipts, estate)))
    buttons = receipts_markup(t, unit_ids, receipts)
    for index, text in enumerate(parts):
        last = index == len(parts) - 1
        # The menu keyboard stays on screen once sent, so the last part may carry the
        # inline Receipt buttons instead.
        markup = buttons if last and buttons is not None else main_menu(t)
        await message.answer(text, reply_markup=markup)


def _plain(t: Translator) -> Callable[..., str]:
    """Catalog texts for a PDF: the HTML escaping meant for Telegram undone."""
    return lambda key, **args: html.unescape(t(key, **args))


@router.callback_query(ReceiptCB.filter(), IsVerifiedOwner())
async def send_receipt(
    query: CallbackQuery,
    callback_data: ReceiptCB,
    session: AsyncSession,
    owner: Owner,
    bot: Bot,
    t: Translator,
) -> None:
    """The PDF receipt of one of the owner's own payments, as a document."""
    found = await payments.receipt_for_owner(session, owner.id or 0, callback_data.number)
    if found is None or owner.chat_id is None:
        await query.answer(t("pay-receipt-gone"), show_alert=True)
        return
    await query.answer(t("pay-receipt-wait"))
    # Imported on the first use: fpdf, Pillow and numpy (~32 MB resident) would otherwise stay in
    # every `frontdoor run` from its start (issue 14).
    from bot.documents.receipt import render_receipt

    content = await asyncio.to_thread(render_receipt, found, _plain(t), t.locale)
    await bot.send_document(
        owner.chat_id,
        BufferedInputFile(content, filename=f"receipt-{found.number}.pdf"),
        caption=t("pay-receipt-caption", receipt=found.number),
    )


@router.callback_query(ReceiptCB.filter())
async def receipt_refused(query: CallbackQuery, t: Translator) -> None:
    """Receipts are for the verified owners of the unit, in their private chat."""
    await query.answer(t("pay-receipt-gone"), show_alert=True)
