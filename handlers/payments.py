"""The cashier's side (收费) in the staff group: /paid with Confirm / Cancel, /unpay, /arrears
(and its export), /import of a charges register, /payinfo."""

import logging
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Document,
    InlineKeyboardMarkup,
    Message,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Html, Translator
from bot.texts import owner_t, register_problem
from handlers.filters import IsActiveStaff, refuse_non_staff
from handlers.keyboards import Buttons
from storage import calendar, estates, keys, kpis, money, payments, registers
from storage.models import Estate, Owner, StaffMember, Unit
from storage.outbox import Draft
from storage.payments import PaymentError

log = logging.getLogger("frontdoor.payments")
# What a decision on a payment summary returns (the recorded payment; nothing for Cancel).
Decided = TypeVar("Decided")

router = Router(name=__name__)
# Who may record payments and see arrears; other staff are told so (`not_cashier`).
CASHIERS = IsActiveStaff(roles=payments.RECORDERS)

COMMANDS = ("paid", "unpay", "arrears", "import", "payinfo")
ARREARS_SHOWN = 30
IMPORT_ERRORS_SHOWN = 30
IMPORT_MAX_MB = 5
PAYINFO_MAX = 500


class PayAction(StrEnum):
    confirm = "ok"
    cancel = "no"


class PayCB(CallbackData, prefix="pay"):
    action: PayAction
    request_id: int
    # The request's random token: a forged or replayed button finds nothing to confirm.
    token: str


class ReceiptCB(CallbackData, prefix="rcpt"):
    number: str


def receipt_markup(t: Translator, number: str) -> InlineKeyboardMarkup:
    builder = Buttons()
    builder.button(
        text=t("pay-receipt-button", receipt=number), callback_data=ReceiptCB(number=number)
    )
    return builder.as_markup()


def unit_label(unit: Unit) -> str:
    return f"{unit.building}-{unit.number}"


def refusal_text(t: Translator, error: PaymentError, unit: str = "") -> str:
    d = error.details
    currency = str(d.get("currency", "CNY"))
    args: dict[str, str] = {
        "unit": unit,
        "charge": str(d.get("charge", "none")),
        "receipt": str(d.get("receipt", "")),
        "staff": str(d.get("staff", "")),
        "payment": str(d.get("payment", "")),
        "max": str(d.get("max", "")),
    }
    if "owed" in d:
        args["owed"] = money.format_money(int(d["owed"]), currency, t.locale)
    return t(f"pay-refused-{error.refusal.value.replace('_', '-')}", **args)


def _today(estate: Estate, clock: Clock) -> date:
    return calendar.local(estate, clock()).date()


# --- /paid ---------------------------------------------------------------------------------


def _split_charge(words: list[str]) -> tuple[list[str], str | None]:
    """Take `--charge ID` (or `--charge=ID`) out of the arguments."""
    rest: list[str] = []
    charge: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--charge="):
            charge = word.split("=", 1)[1]
        elif word == "--charge":
            charge = words[i + 1] if i + 1 < len(words) else ""
            i += 1
        else:
            rest.append(word)
        i += 1
    return rest, charge


def amount_problem_text(t: Translator, error: money.AmountError, raw: str, currency: str) -> str:
    key = f"pay-amount-{error.problem.value.replace('_', '-')}"
    return t(
        key, amount=raw, currency=currency, decimals=str(error.decimals), count=error.decimals
    )


def summary_text(t: Translator, prepared: payments.Prepared, owners: list[Owner]) -> str:
    fmt = lambda amount: money.format_money(amount, prepared.currency, t.locale)  # noqa: E731
    names = ", ".join(o.name for o in owners)
    lines = [
        t(
            "pay-summary",
            unit=unit_label(prepared.unit),
            owners=Html(t("pay-summary-owners", names=names)) if names else "",
            amount=fmt(prepared.amount),
            reference=Html(t("pay-summary-reference", reference=prepared.reference))
            if prepared.reference
            else "",
        )
    ]
    for a in prepared.allocations:
        left = t("pay-summary-left", left=fmt(a.left)) if a.left else t("pay-summary-settled")
        lines.append(
            t(
                "pay-summary-line",
                charge=str(a.charge.charge_id),
                item=a.charge.item,
                period=a.charge.period,
                part=fmt(a.part),
                left=Html(left),
            )
        )
    lines.append(
        t("pay-summary-after", before=fmt(prepared.owed_before), after=fmt(prepared.owed_after))
    )
    lines.append(t("pay-summary-ask"))
    return "\n".join(lines)


def summary_markup(t: Translator, prepared: payments.Prepared) -> InlineKeyboardMarkup:
    builder = Buttons()
    for action, label in ((PayAction.confirm, "pay-confirm"), (PayAction.cancel, "pay-cancel")):
        builder.button(
            text=t(label),
            callback_data=PayCB(
                action=action, request_id=prepared.request_id, token=prepared.token
            ),
        )
    builder.adjust(2)
    return builder.as_markup()


@router.message(Command("paid"), CASHIERS)
async def paid(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
    t: Translator,
) -> None:
    """/paid BUILDING-UNIT AMOUNT [reference] [--charge ID]: the summary with Confirm / Cancel."""
    words, charge_word = _split_charge((command.args or "").split())
    if len(words) < 2:
        await message.reply(t("pay-usage-paid"))
        return
    label, raw_amount, *reference_words = words
    charge_id: int | None = None
    if charge_word is not None:
        if not charge_word.lstrip("#").isdigit() or len(charge_word) > 9:
            await message.reply(t("pay-bad-charge", charge=charge_word))
            return
        charge_id = int(charge_word.lstrip("#"))
    try:
        amount = money.to_minor(raw_amount, estate.currency)
    except money.AmountError as error:
        await message.reply(amount_problem_text(t, error, raw_amount, estate.currency))
        return
    try:
        prepared = await payments.prepare(
            session,
            estate=estate,
            staff=staff_member,
            unit_label=label,
            amount=amount,
            charge_id=charge_id,
            reference=" ".join(reference_words) or None,
            now=clock(),
        )
    except PaymentError as error:
        await message.reply(refusal_text(t, error, label))
        return
    owners = await payments.unit_owners(session, prepared.unit.id or 0)
    await message.reply(
        summary_text(t, prepared, owners), reply_markup=summary_markup(t, prepared)
    )


def owner_notices(
    catalogs: Catalogs,
    estate: Estate,
    owners: Iterable[Owner],
    notice: Callable[[Translator, int, int], Draft],
) -> list[Draft]:
    """`notice(t, owner_id, chat_id)` for each owner the bot can reach, in the owner's language."""
    return [
        notice(owner_t(catalogs, estate, owner), owner.id, owner.chat_id)
        for owner in owners
        if owner.chat_id is not None and owner.id is not None
    ]


def owner_received_drafts(
    catalogs: Catalogs, estate: Estate
) -> Callable[[payments.Recorded], list[Draft]]:
    """The owners' "payment received" notices, each in the owner's language, with Receipt."""

    def drafts(recorded: payments.Recorded) -> list[Draft]:
        def notice(ot: Translator, owner_id: int, chat_id: int) -> Draft:
            fmt = lambda amount: money.format_money(amount, recorded.currency, ot.locale)  # noqa: E731
            lines = "\n".join(
                ot(
                    "pay-owner-line",
                    item=a.charge.item,
                    period=a.charge.period,
                    part=fmt(a.part),
                )
                for a in recorded.allocations
            )
            reference = (
                ot("pay-summary-reference", reference=recorded.reference)
                if recorded.reference
                else ""
            )
            return Draft(
                dedupe_key=keys.payment_received(recorded.receipt_number, owner_id),
                chat_id=chat_id,
                text=ot(
                    "pay-owner-received",
                    building=recorded.unit.building,
                    unit=recorded.unit.number,
                    amount=fmt(recorded.amount),
                    reference=Html(reference),
                    lines=Html(lines),
                    owed=fmt(recorded.owed_after),
                ),
                subject=keys.unit_subject(recorded.unit.id or 0),
                params={
                    "reply_markup": receipt_markup(ot, recorded.receipt_number).model_dump(
                        exclude_none=True
                    )
                },
            )

        return owner_notices(catalogs, estate, recorded.owners, notice)

    return drafts


@router.callback_query(PayCB.filter(F.action == PayAction.confirm), CASHIERS)
async def confirm(
    query: CallbackQuery,
    callback_data: PayCB,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
    own_t: Translator,
) -> None:
    """Record the summarised payment once; the owner hears of it through the outbox."""

    def recorded_text(tr: Translator, recorded: payments.Recorded) -> str:
        return tr(
            "pay-recorded",
            staff=staff_member.name,
            receipt=recorded.receipt_number,
            ids=", ".join(str(i) for i in recorded.payment_ids),
            owed=money.format_money(recorded.owed_after, recorded.currency, tr.locale),
        )

    await _decide(
        query,
        t,
        own_t,
        payments.confirm(
            session,
            estate=estate,
            request_id=callback_data.request_id,
            token=callback_data.token,
            staff=staff_member,
            now=clock(),
            notify=owner_received_drafts(catalogs, estate),
        ),
        recorded_text,
    )


@router.callback_query(PayCB.filter(F.action == PayAction.cancel), CASHIERS)
async def cancel(
    query: CallbackQuery,
    callback_data: PayCB,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
    own_t: Translator,
) -> None:
    """Drop the summary; nothing is recorded."""
    await _decide(
        query,
        t,
        own_t,
        payments.cancel(
            session,
            estate=estate,
            request_id=callback_data.request_id,
            token=callback_data.token,
            staff=staff_member,
        ),
        lambda tr, _: tr("pay-cancelled", staff=staff_member.name),
    )


async def _decide(
    query: CallbackQuery,
    t: Translator,
    own_t: Translator,
    decision: Awaitable[Decided],
    outcome: Callable[[Translator, Decided], str],
) -> None:
    """Confirm or Cancel on a summary: a refusal is the presser's alert; what became of it is
    their popup (in their language) and the summary's last line (in the group's), which loses
    its buttons."""
    try:
        decided = await decision
    except PaymentError as error:
        await query.answer(refusal_text(own_t, error), show_alert=True)
        return
    await query.answer(outcome(own_t, decided))
    if query.message is None or not isinstance(query.message, Message):
        return
    summary = query.message.html_text if query.message.text else ""
    try:
        await query.message.edit_text(
            f"{summary}\n\n{outcome(t, decided)}".strip(), reply_markup=None
        )
    except TelegramAPIError as exc:
        log.warning("could not edit the payment summary error=%s", type(exc).__name__)


@router.callback_query(PayCB.filter(), IsActiveStaff())
async def not_cashier(event: Message | CallbackQuery, t: Translator, own_t: Translator) -> None:
    """Staff who are neither cashiers nor managers are told whose step it is (a button's alert
    in their own language); nothing changes."""
    if isinstance(event, CallbackQuery):
        await event.answer(own_t("pay-not-cashier"), show_alert=True)
    else:
        await event.reply(t("pay-not-cashier"))


@router.callback_query(PayCB.filter())
async def pay_button_refused(query: CallbackQuery, own_t: Translator) -> None:
    """Anyone but active staff in the staff group pressing Confirm / Cancel changes nothing."""
    await refuse_non_staff(query, own_t)


# --- /unpay --------------------------------------------------------------------------------


def owner_reversed_drafts(
    catalogs: Catalogs, estate: Estate
) -> Callable[[payments.Reversed], list[Draft]]:
    """The owners' notices that a payment was reversed, each in the owner's language."""

    def drafts(done: payments.Reversed) -> list[Draft]:
        def notice(ot: Translator, owner_id: int, chat_id: int) -> Draft:
            return Draft(
                dedupe_key=keys.payment_reversed(done.receipt_number, done.payment_ids, owner_id),
                chat_id=chat_id,
                text=ot(
                    "pay-owner-reversed",
                    building=done.unit.building,
                    unit=done.unit.number,
                    amount=money.format_money(done.amount, done.currency, ot.locale),
                    receipt=done.receipt_number,
                    reason=done.reason,
                    owed=money.format_money(done.owed_after, done.currency, ot.locale),
                ),
                subject=keys.unit_subject(done.unit.id or 0),
            )

        return owner_notices(catalogs, estate, done.owners, notice)

    return drafts


@router.message(Command("unpay"), IsActiveStaff())
async def unpay(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    catalogs: Catalogs,
    clock: Clock,
    t: Translator,
) -> None:
    """/unpay PAYMENT_ID|RECEIPT reason (managers): reverse, audited, the owner told."""
    if staff_member.role not in payments.REVERSERS:
        await message.reply(t("pay-not-manager"))
        return
    parts = (command.args or "").split(maxsplit=1)
    if not parts:
        await message.reply(t("pay-usage-unpay"))
        return
    try:
        done = await payments.reverse(
            session,
            estate=estate,
            key=parts[0],
            reason=parts[1] if len(parts) > 1 else "",
            staff=staff_member,
            now=clock(),
            notify=owner_reversed_drafts(catalogs, estate),
        )
    except PaymentError as error:
        await message.reply(refusal_text(t, error))
        return
    await message.reply(
        t(
            "pay-reversed",
            amount=money.format_money(done.amount, done.currency, t.locale),
            receipt=done.receipt_number,
            unit=unit_label(done.unit),
            staff=staff_member.name,
            reason=done.reason,
            owed=money.format_money(done.owed_after, done.currency, t.locale),
        )
    )


# --- /arrears ------------------------------------------------------------------------------


def _percent(pct: float) -> str:
    return f"{pct:.1f} %"


async def rate_lines(
    session: AsyncSession, estate: Estate, now: datetime, t: Translator
) -> list[str]:
    """The collection rate of the current and the previous month (`kpis.collection_rate`, the
    same figure as /stats and the report)."""
    lines = []
    today = calendar.local(estate, now).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    for month in (f"{today:%Y-%m}", f"{last_month:%Y-%m}"):
        period = kpis.month_period(estate, month)
        rate = await kpis.collection_rate(session, estate, period, as_of=now)
        ratio = rate.rate.pct
        if ratio is None:
            lines.append(t("pay-arrears-rate-none", month=month))
            continue
        below = (
            t("pay-arrears-below", target=str(estate.target_collection_pct))
            if rate.rate.meets(estate.target_collection_pct) is False
            else ""
        )
        lines.append(
            t(
                "pay-arrears-rate",
                month=month,
                rate=_percent(ratio),
                paid=money.format_money(rate.paid, rate.currency, t.locale),
                billed=money.format_money(rate.billed, rate.currency, t.locale),
                below=Html(below),
            )
        )
    return lines


def arrears_lines(
    t: Translator, found: list[payments.UnitArrears], today: date, building: str | None
) -> list[str]:
    title = t(
        "pay-arrears-title",
        date=today.isoformat(),
        building=Html(t("pay-arrears-building", building=building)) if building else "",
    )
    if not found:
        return [title, t("pay-arrears-none")]
    lines = [title]
    for rank, entry in enumerate(found[:ARREARS_SHOWN], start=1):
        fmt = lambda amount: money.format_money(amount, entry.currency, t.locale)  # noqa: E731,B023
        owed = t("pay-arrears-owed", owed=fmt(entry.owed)) if entry.owed != entry.overdue else ""
        lines.append(
            t(
                "pay-arrears-line",
                rank=str(rank),
                unit=unit_label(entry.unit),
                owners=", ".join(o.name for o in entry.owners) or "—",
                overdue=fmt(entry.overdue),
                days=entry.days_overdue,
                owed=Html(owed),
            )
        )
    if len(found) > ARREARS_SHOWN:
        lines.append(t("pay-arrears-more", count=len(found) - ARREARS_SHOWN))
    total = sum(a.overdue for a in found)
    lines.append(
        t(
            "pay-arrears-total",
            total=money.format_money(total, found[0].currency, t.locale),
            count=len(found),
        )
    )
    return lines


@router.message(Command("arrears"), CASHIERS)
async def arrears(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    clock: Clock,
    t: Translator,
) -> None:
    """/arrears [building]: overdue units, largest first, and the collection rate;
    /arrears export: every unit with open charges as a spreadsheet."""
    today = _today(estate, clock)
    argument = (command.args or "").strip()
    if argument.casefold() in ("export", "导出"):
        await _export(message, session, estate, today, t)
        return
    building = argument or None
    found = await payments.arrears(session, estate, today, building)
    lines = arrears_lines(t, found, today, building)
    lines += ["", *await rate_lines(session, estate, clock(), t)]
    await message.reply("\n".join(lines))


async def _export(
    message: Message, session: AsyncSession, estate: Estate, today: date, t: Translator
) -> None:
    found = await payments.arrears(session, estate, today, overdue_only=False)
    if not found:
        await message.reply(t("pay-export-none"))
        return
    # Imported on the first use: openpyxl (~5 MB resident) would otherwise stay in
    # every `frontdoor run` from its start (issue 14).
    from bot.documents.arrears import arrears_workbook

    content = arrears_workbook(found, today, t)
    await message.reply_document(
        BufferedInputFile(content, filename=f"arrears-{today.isoformat()}.xlsx"),
        caption=t("pay-export-caption", date=today.isoformat(), count=len(found)),
    )


# --- /import -------------------------------------------------------------------------------


def _register_document(message: Message) -> Document | None:
    """The file sent with /import as its caption, or the file /import replies to."""
    if message.document is not None:
        return message.document
    replied = message.reply_to_message
    return replied.document if replied is not None else None


@router.message(Command("import"), CASHIERS)
async def import_register(
    message: Message,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    bot: Bot,
    t: Translator,
) -> None:
    """/import with a charges register: all rows or none, answered with counts or the bad rows."""
    document = _register_document(message)
    if document is None:
        await message.reply(t("pay-import-usage"))
        return
    suffix = Path(document.file_name or "").suffix.lower()
    too_big = (document.file_size or 0) > IMPORT_MAX_MB * 1024 * 1024
    if suffix not in (".csv", ".xlsx") or too_big:
        await message.reply(t("pay-import-bad-file", max=str(IMPORT_MAX_MB)))
        return
    with tempfile.TemporaryDirectory(prefix="frontdoor-import-") as folder:
        path = Path(folder) / f"register{suffix}"
        await bot.download(document, destination=path)
        try:
            rows, errors = registers.parse_charges(path, estate.currency)
        except registers.RegisterEncodingError:
            await message.reply(t("pay-import-encoding"))
            return
        except registers.RegisterFileError as exc:
            await message.reply(t("pay-import-unreadable", error=str(exc).split(": ", 1)[-1]))
            return
    if not errors:
        result = await registers.import_charges(
            session, estate.id or 0, rows, actor=f"staff:{staff_member.id}"
        )
        errors = result.errors
        if not errors:
            c = result.counts
            await message.reply(
                t(
                    "pay-import-done",
                    created=str(c.get("charges_created", 0)),
                    updated=str(c.get("charges_updated", 0)),
                    unchanged=str(c.get("charges_unchanged", 0)),
                )
            )
            return
    lines = [t("pay-import-rejected", count=len(errors))]
    shown = enumerate(errors[:IMPORT_ERRORS_SHOWN], start=1)
    lines += [f"{i}. {register_problem(t, error)}" for i, error in shown]
    if len(errors) > IMPORT_ERRORS_SHOWN:
        lines.append(t("pay-import-more", count=len(errors) - IMPORT_ERRORS_SHOWN))
    await message.reply("\n".join(lines))


# --- /payinfo ------------------------------------------------------------------------------


@router.message(Command("payinfo"), IsActiveStaff())
async def payinfo(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    staff_member: StaffMember,
    t: Translator,
) -> None:
    """/payinfo shows, /payinfo TEXT sets, /payinfo off clears (managers) how owners pay."""
    text = (command.args or "").strip()
    if not text:
        if estate.payment_instructions:
            await message.reply(t("pay-payinfo-current", text=estate.payment_instructions))
        else:
            await message.reply(t("pay-payinfo-none"))
        return
    if staff_member.role not in payments.REVERSERS:
        await message.reply(t("pay-not-manager"))
        return
    if text.casefold() in ("off", "none", "-", "无"):
        text = ""
    if len(text) > PAYINFO_MAX:
        await message.reply(t("pay-payinfo-too-long", max=str(PAYINFO_MAX)))
        return
    await estates.set_payment_instructions(
        session, estate.id or 0, text, actor=f"staff:{staff_member.id}"
    )
    await message.reply(t("pay-payinfo-set" if text else "pay-payinfo-cleared"))


# After every handler above: a cashier's /arrears must reach `arrears`, not this.
router.message(Command("paid", "arrears", "import"), IsActiveStaff())(not_cashier)


@router.message(Command(*COMMANDS), F.chat.type != "private")
async def refused(message: Message, t: Translator) -> None:
    """Payment commands from anyone but active staff in the staff group change nothing."""
    await refuse_non_staff(message, t)
