"""Staff group: /stats (the figures so far against their targets), /report (the month's
dashboard picture and workbook) and /export (the workbook alone)."""

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reporting
from bot.clock import Clock
from bot.documents.labels import hours, percent, rate_text, score_text
from bot.i18n import Catalogs, Html, Translator
from handlers.filters import IsActiveStaff, IsStaffChat, refuse_non_staff
from storage import calendar, kpis, reports
from storage.kpis import Period, Rate
from storage.models import Estate, TicketKind
from storage.money import format_money

router = Router(name=__name__)

SPANS = ("day", "week", "month")
MARK_MET, MARK_MISSED, MARK_NONE = "✓", "✗", "·"


def _mark(rate: Rate, target: float) -> str:
    met = rate.meets(target)
    return MARK_NONE if met is None else MARK_MET if met else MARK_MISSED


def stats_text(t: Translator, span: str, figures: reports.Figures) -> str:
    """The compact /stats summary: counts, working-hours times, then each rate by its target."""
    f, targets = figures, figures.targets
    period = f.period
    lines = [
        t(
            "reports-stats-head",
            span=t(f"reports-span-{span}"),
            first=period.first_day.isoformat(),
            last=period.last_day.isoformat(),
        ),
        t(
            "reports-stats-tickets",
            opened=str(f.opened_count()),
            repairs=str(f.opened_count(TicketKind.repair)),
            complaints=str(f.opened_count(TicketKind.complaint)),
            closed=str(f.closed_count()),
        ),
        t(
            "reports-stats-response",
            median=hours(f.response.median_hours, t),
            p90=hours(f.response.p90_hours, t),
        ),
        t(
            "reports-stats-resolution",
            median=hours(f.resolution.median_hours, t),
            p90=hours(f.resolution.p90_hours, t),
        ),
    ]

    def against(label: str, rate: Rate, target: float, value: str | None = None) -> str:
        """A rate beside its target, marked met or missed."""
        return t(
            "reports-stats-rate",
            mark=_mark(rate, target),
            label=t(label),
            value=rate_text(rate, t) if value is None else value,
            target=percent(target, t),
        )

    targeted = (
        ("reports-kpi-complaint-reply", f.complaint_reply, targets.complaint_reply),
        ("reports-kpi-complaint-callback", f.complaint_callback, targets.complaint_callback),
    )
    lines += [against(key, rate, target) for key, rate, target in targeted]
    collected = f.collection
    money = None
    if collected.billed:
        money = Html(
            t(
                "reports-stats-money",
                pct=percent(collected.rate.pct, t),
                paid=format_money(collected.paid, collected.currency, t.locale),
                billed=format_money(collected.billed, collected.currency, t.locale),
            )
        )
    lines.append(against("reports-kpi-collection", collected.rate, targets.collection, money))
    sat = f.satisfaction
    score = score_text(sat.overall, sat.answers, t)
    lines.append(against("reports-kpi-satisfaction", sat.overall, targets.satisfaction, score))
    if sat.items:
        below = sat.below(targets.satisfaction_item)
        lines.append(
            t(
                "reports-stats-items",
                mark=MARK_MISSED if below else MARK_MET,
                met=str(len(sat.items) - len(below)),
                total=str(len(sat.items)),
                target=percent(targets.satisfaction_item, t),
            )
        )
    for key, rate in (
        ("reports-kpi-sla", f.sla),
        ("reports-kpi-reopen", f.reopen),
        ("reports-kpi-repair-callback", f.repair_callback),
        ("reports-kpi-coverage", f.coverage),
    ):
        lines.append(t("reports-stats-plain", label=t(key), value=rate_text(rate, t)))
    return "\n".join(lines)


@router.message(Command("stats"), IsActiveStaff())
async def stats(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
    t: Translator,
) -> None:
    """/stats [day|week|month]: this day's, week's or month's figures so far (month by default)."""
    span = (command.args or "month").strip().lower()
    if span not in SPANS:
        await message.reply(t("reports-usage-stats"))
        return
    now = clock()
    period = kpis.current_period(estate, now, span)
    await message.reply(stats_text(t, span, await reports.figures(session, estate, period, now)))


async def _month(
    message: Message, command: CommandObject, estate: Estate, now: datetime, t: Translator
) -> Period | None:
    """The month asked for (this month when none is); None once the reply has said why
    there is none."""
    today = calendar.local(estate, now).date()
    name = (command.args or f"{today:%Y-%m}").strip()
    try:
        period = kpis.month_period(estate, name)
    except kpis.PeriodError:
        example = f"{today:%Y-%m}"
        await message.reply(t("reports-usage-month", command=command.command, example=example))
        return None
    if period.first_day > today:
        await message.reply(t("reports-future-month", month=period.month))
        return None
    return period


@router.message(Command("report"), IsActiveStaff())
async def report(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
    catalogs: Catalogs,
    t: Translator,
) -> None:
    """/report [YYYY-MM]: the month's dashboard picture and its workbook (this month so far by
    default), in the estate's language."""
    now = clock()
    period = await _month(message, command, estate, now, t)
    if period is None:
        return
    png, xlsx = await reporting.render(session, estate, period, now, catalogs)
    caption = t("reports-caption", estate=estate.name, month=period.month)
    await message.reply_photo(
        BufferedInputFile(png, reporting.file_name(period.month, reporting.Part.dashboard)),
        caption=caption,
    )
    await message.answer_document(
        BufferedInputFile(xlsx, reporting.file_name(period.month, reporting.Part.workbook)),
        caption=t("reports-workbook-caption", estate=estate.name, month=period.month),
    )


@router.message(Command("export"), IsActiveStaff())
async def export(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    estate: Estate,
    clock: Clock,
    catalogs: Catalogs,
    t: Translator,
) -> None:
    """/export [YYYY-MM]: the month's workbook (XLSX) alone."""
    now = clock()
    period = await _month(message, command, estate, now, t)
    if period is None:
        return
    (xlsx,) = await reporting.render(
        session, estate, period, now, catalogs, (reporting.Part.workbook,)
    )
    await message.reply_document(
        BufferedInputFile(xlsx, reporting.file_name(period.month, reporting.Part.workbook)),
        caption=t("reports-workbook-caption", estate=estate.name, month=period.month),
    )


@router.message(Command("stats", "report", "export"), IsStaffChat())
async def not_staff(message: Message, t: Translator) -> None:
    """Someone in the staff group who is not active staff."""
    await refuse_non_staff(message, t)
