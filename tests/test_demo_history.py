"""The demo estate's history (bot/demo_history.py) is data a manager could have made: no charge
paid twice over, call-back tasks as the bot opens and records them, so the demo's report shows
believable figures."""

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select

from bot import demo_data, demo_history
from storage import call_backs, kpis
from storage.call_backs import TaskAction
from storage.models import Callback, CallbackOrigin, Charge, Payment

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


async def test_the_history_pays_no_charge_twice_and_records_tasks_as_the_bot_does(session_pool):
    estate = await demo_data.seed_database(
        session_pool, time_zone="Asia/Shanghai", locale="zh", currency="CNY", today=NOW.date()
    )
    assert await demo_history.seed_history(session_pool, estate, NOW) > 0
    async with session_pool() as session:
        paid = (
            select(Payment.charge_id, func.sum(Payment.amount).label("paid"))
            .where(col(Payment.reversed_at).is_(None))
            .group_by(col(Payment.charge_id))
            .subquery()
        )
        overpaid = (
            await session.exec(
                select(Charge.id)
                .join(paid, paid.c.charge_id == col(Charge.id))
                .where(paid.c.paid > col(Charge.amount))
            )
        ).all()
        # The cashier's demo payments came first; the history pays only what they left.
        assert overpaid == []
        # Recorded when they were paid, not when the demo started: the daily summary counts
        # payments by when they were recorded.
        history = (
            await session.exec(
                select(Payment).where(col(Payment.method).in_(["wechat", "transfer"]))
            )
        ).all()
        assert history and all(p.created_at == p.paid_at for p in history)
        for month in ("2026-10", "2026-11"):
            rate = await kpis.collection_rate(session, estate, kpis.month_period(estate, month))
            assert rate.paid <= rate.billed
        tasks = (
            await session.exec(
                select(Callback).where(col(Callback.origin).in_(list(call_backs.TASK_ORIGINS)))
            )
        ).all()
    assert tasks
    for task in tasks:
        assert task.topic == "ticket"
        assert task.outcome in (None, TaskAction.reached, TaskAction.not_reached)
        # Opened at the closing, due by the deadline the estate's calendar gives.
        origin = CallbackOrigin(task.origin)
        assert task.slot_end == call_backs.task_deadline(estate, origin, task.slot_start)
        assert task.due_at == task.slot_end
        assert (task.done_at is None) == (task.status == "booked")
