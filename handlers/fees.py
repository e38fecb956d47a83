"""My fees: the verified owner's open charges per unit, what is overdue and the totals owed."""

from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.money import format_money
from handlers.filters import IsVerifiedOwner
from handlers.keyboards import TextKey, main_menu
from storage import fees
from storage.db import UnsavedRowError
from storage.fees import ChargeLine, UnitStatement
from storage.models import Estate, Owner

router = Router(name=__name__)
router.message.filter(IsVerifiedOwner())

# Open charges listed per unit; the rest are counted in the totals and summed up in one line.
OPEN_SHOWN = 12
# Telegram refuses texts over 4096 characters; stay a little below.
MESSAGE_LIMIT = 4000


def format_totals(t: Translator, owed: dict[str, int]) -> str:
    return t("fees-plus").join(format_money(amount, code) for code, amount in owed.items())


def open_line(t: Translator, line: ChargeLine) -> str:
    key = "fees-open-line-overdue" if line.overdue else "fees-open-line"
    return t(
        key,
        item=line.item,
        period=line.period,
        amount=format_money(line.amount, line.currency),
        paid=format_money(line.paid, line.currency),
        balance=format_money(line.balance, line.currency),
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
    else:
        lines.append(t("fees-unit-clear"))
    if unit_statement.paid:
        lines.append(t("fees-paid-title"))
        lines += [
            t(
                "fees-paid-line",
                item=line.item,
                period=line.period,
                amount=format_money(line.amount, line.currency),
            )
            for line in unit_statement.paid
        ]
    return lines


def statement_lines(t: Translator, statements: list[UnitStatement]) -> list[str]:
    """The whole statement as lines: title, each unit, then the grand total or the all-clear."""
    if not statements:
        return [t("fees-no-units")]
    owed = fees.totals(statements)
    lines = [t("fees-title")]
    for unit_statement in statements:
        lines += unit_lines(t, unit_statement)
    lines.append("")
    if owed:
        overdue = any(line.overdue for s in statements for line in s.open)
        lines.append(t("fees-total", total=format_totals(t, owed)))
        if overdue:
            lines.append(t("fees-overdue-note"))
    else:
        lines.append(t("fees-all-clear"))
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
    """The menu button (or "fees", "物业费" …): open charges, overdue ones and totals per unit."""
    await state.clear()
    if owner.id is None:
        raise UnsavedRowError("owner.id: not saved yet")
    today = clock().astimezone(ZoneInfo(estate.time_zone)).date()
    statements = await fees.statement(session, owner.id, today)
    for text in chunks(statement_lines(t, statements)):
        await message.answer(text, reply_markup=main_menu(t))
