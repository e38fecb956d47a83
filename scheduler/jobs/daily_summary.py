"""The 18:00 daily summary (seeds: 每日18:00汇总) to the staff group: today's new, closed, still
open and overdue tickets by kind, complaints by grade, call-back tasks and booked call-backs
done vs due, payments, and the month's satisfaction so far."""

from datetime import datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.documents.labels import percent
from bot.i18n import Html, Translator, default_catalogs
from scheduler.jobs.base import Job, JobName, JobResult, enqueue_new
from storage import calendar, keys, kpis, summaries
from storage.models import Estate, TicketKind
from storage.money import format_money
from storage.outbox import Draft

NAME = JobName.daily_summary


def by_kind(t: Translator, counts: dict[str, int]) -> Html:
    """ "3 (repairs 2, complaints 1)" """
    parts = [
        t("summary-kind-count", kind=Html(t(f"ticket-kind-{kind.value}")), count=counts[kind])
        for kind in TicketKind
        if counts.get(kind)
    ]
    total = sum(counts.values())
    return Html(
        t("summary-total", total=str(total), parts=Html(", ".join(parts))) if parts else "0"
    )


def grade_label(t: Translator, grade: str) -> str:
    if grade == summaries.UNGRADED:
        return t("summary-ungraded")
    return t(f"grade-{grade.lower()}")


def summary_text(
    t: Translator, day: str, found: summaries.Daily, satisfaction: kpis.Satisfaction
) -> str:
    lines = [
        t("summary-daily-title", day=day),
        t("summary-new", counts=by_kind(t, found.new)),
        t("summary-closed", counts=by_kind(t, found.closed)),
        t("summary-open", counts=by_kind(t, found.open)),
        t("summary-overdue", counts=by_kind(t, found.overdue)),
    ]
    if found.complaint_grades:
        grades = ", ".join(
            t("summary-grade", grade=Html(grade_label(t, grade)), count=n)
            for grade, n in sorted(found.complaint_grades.items())
        )
        lines.append(t("summary-complaints", grades=grades))
    else:
        lines.append(t("summary-no-complaints"))
    lines.append(
        t(
            "summary-tasks",
            done=str(found.tasks.done),
            due=str(found.tasks.due),
            missed=str(found.tasks.missed),
            open=str(found.tasks.open),
        )
    )
    if found.bookings.due:
        lines.append(
            t("summary-bookings", done=str(found.bookings.done), due=str(found.bookings.due))
        )
    if found.payments:
        paid = t("fees-plus").join(
            format_money(v, k, t.locale) for k, v in sorted(found.paid.items())
        )
        lines.append(t("summary-payments", count=found.payments, amount=paid))
    if satisfaction.answers:
        # The month so far: a day's few answers say little (`kpis.satisfaction`, as in /stats).
        lines.append(
            t(
                "summary-satisfaction",
                pct=percent(satisfaction.overall.pct, t),
                answers=satisfaction.answers,
            )
        )
    return "\n".join(lines)


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None or estate.staff_chat_id is None:
        return JobResult()
    day = calendar.local(estate, now).date()
    start = calendar.at_local(estate, day, time(0))
    found = await summaries.daily(session, estate.id, start, now)
    satisfaction = await kpis.satisfaction(
        session, estate, kpis.current_period(estate, now, "month")
    )
    t = default_catalogs().translator(estate.locale)
    draft = Draft(
        keys.daily_summary(estate.id, day),
        estate.staff_chat_id,
        summary_text(t, day.isoformat(), found, satisfaction),
        not_before=now,
    )
    enqueued = await enqueue_new(session, [draft], now)
    return JobResult(enqueued, {"new": sum(found.new.values()), "open": sum(found.open.values())})


JOB = Job(NAME, {"hour": 18, "minute": 0}, run)
