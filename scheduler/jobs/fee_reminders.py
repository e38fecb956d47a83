"""Fee reminders (催缴): 7 days and 1 day before a charge is due, on the due day, 7 and 30 days
overdue, then every 30 days. One message per owner per day listing everything due or overdue
across their units, with the estate's payment instructions and a My fees button."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator, default_catalogs
from scheduler.jobs.base import BATCH, Job, JobName, JobResult, Verdict, enqueue_new, held
from storage import calendar, jobruns, keys, reminders
from storage.models import Estate
from storage.money import format_money
from storage.outbox import Draft
from storage.reminders import OwedCharge

NAME = JobName.fee_reminders
# Days from the due date on which a reminder goes out; after the last, every MONTHLY days.
STAGES = (-7, -1, 0, 7, 30)
MONTHLY = 30
# After downtime, stages of up to this many missed days are still reminded about.
CATCH_UP_DAYS = 7
# The callback data of the My fees button (handlers/reminders.py answers it).
MY_FEES = "myfees"
# Charges listed per message; the rest are counted in one line (Telegram caps texts at 4096).
SHOWN = 20
# The kind of the rows' send-time check: a reminder queued at night waits for the morning, and
# what it lists may have been paid (or paused, or the owner blocked the bot) in between.
RECHECK = "fee_reminder"


def stage_between(due: date, after: date, upto: date) -> bool:
    """Whether a reminder day of a charge due on `due` falls in (after, upto]."""
    days_after, days_upto = (after - due).days, (upto - due).days
    if any(days_after < stage <= days_upto for stage in STAGES):
        return True
    if days_upto <= STAGES[-1]:
        return False
    latest = STAGES[-1] + (days_upto - STAGES[-1]) // MONTHLY * MONTHLY
    return days_after < latest


def charge_line(t: Translator, charge: OwedCharge, today: date) -> str:
    late = (today - charge.due_date).days
    common = {
        "building": charge.building,
        "unit": charge.unit,
        "item": charge.item,
        "period": charge.period,
        "amount": format_money(charge.balance, charge.currency, t.locale),
        "due": charge.due_date.isoformat(),
    }
    if late > 0:
        return t("remind-line-overdue", days=str(late), **common)
    return t("remind-line", **common)


def reminder_text(t: Translator, estate: Estate, charges: list[OwedCharge], today: date) -> str:
    totals: dict[str, int] = defaultdict(int)
    for charge in charges:
        totals[charge.currency] += charge.balance
    lines = [t("remind-title")]
    lines += [charge_line(t, charge, today) for charge in charges[:SHOWN]]
    if len(charges) > SHOWN:
        lines.append(t("remind-more", count=len(charges) - SHOWN))
    total = t("fees-plus").join(format_money(v, k, t.locale) for k, v in sorted(totals.items()))
    lines.append(t("remind-total", total=total))
    if estate.payment_instructions.strip():
        lines += ["", t("remind-how-to-pay", instructions=estate.payment_instructions.strip())]
    lines += ["", t("remind-footer")]
    return "\n".join(lines)


async def run(session: AsyncSession, estate: Estate, now: datetime) -> JobResult:
    """Remind each owner once today if a charge of theirs reached a reminder day since the
    previous run (catching up at most CATCH_UP_DAYS), listing all they owe that is due."""
    if estate.id is None:
        return JobResult()
    today = calendar.local(estate, now).date()
    previous = await jobruns.last_ok_before(session, NAME, estate.id, now)
    after = today - timedelta(days=1)
    if previous is not None:
        after = calendar.local(estate, previous).date()
    after = max(after, today - timedelta(days=CATCH_UP_DAYS))
    # Never inside the quiet hours: a run at night queues the message for the morning.
    send_at = calendar.outside_quiet_hours(estate, now)
    catalogs = default_catalogs()
    drafts: list[Draft] = []
    enqueued = owners = charges_listed = 0
    # Owner by owner from a cursor, and the drafts queued BATCH at a time: at 100 000 owners
    # the 40 000 rows and 30 000 reminders' texts held at once were most of the process's peak
    # memory (benchmarks/README.md, `rss`).
    due_by = today + timedelta(-STAGES[0])
    async for charges in reminders.owed_per_owner(session, estate.id, due_by, now):
        owner_id = charges[0].owner_id
        if not any(stage_between(c.due_date, after, today) for c in charges):
            continue
        t = catalogs.translator(charges[0].language or estate.locale)
        button = {"text": t("remind-btn-fees"), "callback_data": MY_FEES}
        drafts.append(
            Draft(
                keys.fee_reminder(owner_id, today),
                charges[0].chat_id,
                reminder_text(t, estate, charges, today),
                not_before=send_at,
                params={"reply_markup": {"inline_keyboard": [[button]]}},
                recheck={
                    "kind": RECHECK,
                    "estate": estate.id,
                    "owner": owner_id,
                    "day": today.isoformat(),
                    "charges": {str(c.charge_id): c.balance for c in charges},
                },
            )
        )
        owners += 1
        charges_listed += len(charges)
        if len(drafts) >= BATCH:
            enqueued += await enqueue_new(session, drafts, now)
            drafts = []
    enqueued += await enqueue_new(session, drafts, now)
    counts = {"owners": owners, "charges": charges_listed}
    return JobResult(enqueued, counts, held(estate, now, enqueued))


async def recheck(session: AsyncSession, queued: Mapping[str, Any], now: datetime) -> Verdict:
    """Just before a reminder is sent: skip it when nothing it lists is still owed (paid, unit
    paused, owner no longer verified); list again what is left when that changed."""
    listed: dict[str, int] = queued["charges"]
    estate = await session.get(Estate, queued["estate"])
    if estate is None or estate.id is None:
        return Verdict(skip="estate gone")
    day = date.fromisoformat(queued["day"])
    charges = await reminders.owed(
        session,
        estate.id,
        day + timedelta(-STAGES[0]),
        now,
        owner_id=queued["owner"],
        charge_ids=[int(c) for c in listed],
    )
    if not charges:
        return Verdict(skip="nothing owed any more: paid, paused or owner unreachable")
    if {str(c.charge_id): c.balance for c in charges} == listed:
        return Verdict()
    t = default_catalogs().translator(charges[0].language or estate.locale)
    return Verdict(text=reminder_text(t, estate, charges, day))


JOB = Job(NAME, {"hour": 9, "minute": 0}, run)
