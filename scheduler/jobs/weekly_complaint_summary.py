"""The weekly complaint summary, Friday 17:00, to the staff group: this week's complaints
(Monday 00:00 to now) by category, grade and outcome, the previous week's beside them."""

from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator, default_catalogs
from scheduler.jobs.base import Job, JobName, JobResult, enqueue_new
from scheduler.jobs.daily_summary import grade_label
from storage import calendar, keys, summaries
from storage.models import Estate
from storage.outbox import Draft

NAME = JobName.weekly_complaint_summary


def rows(
    t: Translator, now: Counter[str], before: Counter[str], label: Callable[[str], str]
) -> list[str]:
    return [
        t("weekly-row", label=label(key), now=str(now.get(key, 0)), before=str(before.get(key, 0)))
        for key in sorted(set(now) | set(before))
    ]


def weekly_text(
    t: Translator, week: str, this: summaries.Complaints, last: summaries.Complaints
) -> str:
    lines = [
        t("weekly-title", week=week),
        t("weekly-total", now=str(this.total), before=str(last.total)),
    ]
    if this.total or last.total:
        lines.append(t("weekly-by-category"))
        lines += rows(
            t, this.categories, last.categories, lambda c: t(f"category-{c.replace('_', '-')}")
        )
        lines.append(t("weekly-by-grade"))
        lines += rows(t, this.grades, last.grades, lambda g: grade_label(t, g))
        lines.append(t("weekly-by-outcome"))
        lines += rows(t, this.outcomes, last.outcomes, lambda o: t(f"weekly-outcome-{o}"))
    return "\n".join(lines)


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    if estate.id is None or estate.staff_chat_id is None:
        return JobResult()
    today = calendar.local(estate, now).date()
    monday = today - timedelta(days=today.weekday())
    start = calendar.at_local(estate, monday, time(0))
    previous = calendar.at_local(estate, monday - timedelta(days=7), time(0))
    this = await summaries.complaints(session, estate.id, start, now)
    # The same span of the previous week (Monday to the same weekday and hour).
    last = await summaries.complaints(session, estate.id, previous, previous + (now - start))
    t = default_catalogs().translator(estate.locale)
    draft = Draft(
        keys.weekly_complaints(estate.id, monday),
        estate.staff_chat_id,
        weekly_text(t, monday.isoformat(), this, last),
        not_before=now,
    )
    enqueued = await enqueue_new(session, [draft], now)
    return JobResult(enqueued, {"complaints": this.total, "previous": last.total})


JOB = Job(NAME, {"day_of_week": "fri", "hour": 17, "minute": 0}, run)
