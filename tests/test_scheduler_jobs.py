"""Timing and content of the staff jobs (daily and weekly summaries, SLA escalation, call-back
reminders) and the idle-conversation note, on a fake clock."""

import contextlib
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from scheduler.jobs import (
    callback_reminders,
    daily_summary,
    idle_conversations,
    sla_escalation,
    weekly_complaint_summary,
)
from scheduler.outbox import OutboxSender
from scheduler.runs import next_run
from storage.models import (
    Callback,
    CallbackOrigin,
    CallbackStatus,
    FsmRecord,
    Payment,
    StaffMember,
    Survey,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketKind,
    Urgency,
)
from tests.helpers import STAFF_CHAT_ID
from tests.mocked_bot import MockedBot
from tests.scheduler_fixtures import *  # noqa: F403
from tests.scheduler_fixtures import add_charge, at, make_estate, rows_with, run_at
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import MANAGER, OWNER, TECH, mark_sent

MONDAY = date(2026, 11, 23)


async def test_daily_summary_at_18_with_todays_counts(
    session_pool, estate, clock, make_ticket, staff_members, units
):
    await make_ticket()
    complaint = await make_ticket(kind=TicketKind.complaint)
    charge = await add_charge(session_pool, units["3-1201"], MONDAY)
    async with session_pool() as session:
        row = await session.get(Ticket, complaint.ticket.id)
        row.grade = "A"
        session.add(
            Payment(charge_id=charge.id, amount=12000, paid_at=clock(), created_at=clock())
        )
        session.add(
            Callback(
                owner_id=complaint.ticket.owner_id,
                topic="other",
                slot_start=at(estate, MONDAY, 14),
                slot_end=at(estate, MONDAY, 15),
                status=CallbackStatus.done,
            )
        )
        session.add(
            Callback(
                owner_id=complaint.ticket.owner_id,
                topic="other",
                slot_start=at(estate, MONDAY, 16),
                slot_end=at(estate, MONDAY, 17),
                origin=CallbackOrigin.after_complaint,
                due_at=at(estate, MONDAY, 17),
            )
        )
        # A cancelled task is not due at all.
        session.add(
            Callback(
                owner_id=complaint.ticket.owner_id,
                topic="other",
                slot_start=at(estate, MONDAY, 9),
                slot_end=at(estate, MONDAY, 17),
                origin=CallbackOrigin.after_repair,
                due_at=at(estate, MONDAY, 17),
                status=CallbackStatus.cancelled,
            )
        )
        # A survey answered this month: 5 and 4 of 5, satisfaction 90 % (mean score ÷ 5).
        survey = Survey(
            kind=SurveyKind.post_service,
            owner_id=complaint.ticket.owner_id,
            sent_at=at(estate, MONDAY, 10),
        )
        session.add(survey)
        await session.flush()
        session.add_all(
            [
                SurveyAnswer(survey_id=survey.id, item="response_speed", score=5),
                SurveyAnswer(survey_id=survey.id, item="attitude", score=4),
            ]
        )
        await session.commit()
    assert next_run(daily_summary.JOB, estate, clock()) == at(estate, MONDAY, 18)
    report = await run_at(session_pool, daily_summary.JOB, estate, at(estate, MONDAY, 18))
    assert report.enqueued == 1
    [row] = await rows_with(session_pool, "daily-summary:")
    assert row.chat_id == STAFF_CHAT_ID
    text = row.payload["text"]
    assert "2026-11-23" in text
    assert "今日新增：2（报修 1, 投诉 1）" in text
    assert "今日投诉（按等级）：A（严重）：1" in text
    # Tasks and bookings counted by storage.call_backs, the one definition of those counts.
    assert "今日到期回访：已回访 0 / 应回访 1，未联系上 0，待办 1" in text
    assert "今日预约回电：完成 1 / 共 1" in text
    # Satisfaction as /stats and /survey results define it.
    assert "本月至今满意度：90%（2 个评分）" in text
    assert "今日收款：1 笔（¥120.00）" in text
    # Twice on the same day: nothing new.
    again = await run_at(session_pool, daily_summary.JOB, estate, at(estate, MONDAY, 18, 5))
    assert again.enqueued == 0


async def test_daily_summary_leaves_out_payments_when_there_were_none(session_pool, estate):
    await run_at(session_pool, daily_summary.JOB, estate, at(estate, MONDAY, 18))
    [row] = await rows_with(session_pool, "daily-summary:")
    assert "收款" not in row.payload["text"]
    # No booked call-backs and no survey answers this month: those lines are left out too.
    assert "预约回电" not in row.payload["text"] and "满意度" not in row.payload["text"]


async def test_daily_summary_in_new_york_after_dst(session_pool):
    new_york = await make_estate(session_pool, "Hudson Yards", "America/New_York", -100401)
    # 18:00 EST on 2 November 2026 is 23:00 UTC (it was 22:00 UTC before 1 November).
    assert next_run(daily_summary.JOB, new_york, datetime(2026, 10, 30, 12, tzinfo=UTC)) == (
        datetime(2026, 10, 30, 22, 0, tzinfo=UTC)
    )
    assert next_run(daily_summary.JOB, new_york, datetime(2026, 11, 2, 12, tzinfo=UTC)) == (
        datetime(2026, 11, 2, 23, 0, tzinfo=UTC)
    )
    await run_at(session_pool, daily_summary.JOB, new_york, datetime(2026, 11, 2, 23, tzinfo=UTC))
    [row] = await rows_with(session_pool, "daily-summary:")
    assert row.chat_id == -100401 and "Daily summary 2026-11-02" in row.payload["text"]


async def test_weekly_complaint_summary_with_the_previous_week(
    session_pool, estate, clock, make_ticket
):
    await make_ticket(kind=TicketKind.complaint, category="noise")
    clock.advance(timedelta(days=7))
    await make_ticket(kind=TicketKind.complaint, category="noise")
    await make_ticket(kind=TicketKind.complaint, category="parking")
    friday = MONDAY + timedelta(days=11)
    assert next_run(weekly_complaint_summary.JOB, estate, clock()) == at(estate, friday, 17)
    await run_at(session_pool, weekly_complaint_summary.JOB, estate, at(estate, friday, 17))
    [row] = await rows_with(session_pool, "weekly-complaints:")
    text = row.payload["text"]
    assert "收到投诉：2（1）" in text
    assert "噪音" in text or "noise" in text.lower()
    assert "：1（0）" in text


async def test_sla_escalation_alerts_once_then_at_twice_the_deadline(
    session_pool, estate, clock, make_ticket, staff_members, catalogs
):
    view = await make_ticket(urgency=Urgency.urgent)
    tid = view.ticket.id
    await mark_sent(session_pool, f"ticket:{tid}:card", 501)
    due = view.ticket.sla_due_at
    assert due == clock() + timedelta(minutes=15)
    run = sla_escalation.JOB
    assert (await run_at(session_pool, run, estate, due - timedelta(minutes=1))).enqueued == 0
    assert (await run_at(session_pool, run, estate, due + timedelta(minutes=1))).enqueued == 2
    assert (await run_at(session_pool, run, estate, due + timedelta(minutes=2))).enqueued == 0
    [alert, card] = await rows_with(session_pool, f"sla:{tid}:response:1")
    assert f"#{view.ticket.number}" in alert.payload["text"]
    assert f"tg://user?id={MANAGER.id}" in alert.payload["text"]
    assert alert.payload["reply_to_message_id"] == {"$reply_to_of": f"ticket:{tid}:card"}
    assert card.method == "editMessageText"
    assert card.payload["message_id"] == {"$message_id_of": f"ticket:{tid}:card"}
    # The card is rendered by the sender (the job runs without aiogram in `jobs run`).
    assert "text" not in card.payload
    sender = OutboxSender(MockedBot(), session_pool, lambda: due + timedelta(minutes=1))
    sender.limiter = contextlib.nullcontext()
    await sender.send_due(due + timedelta(minutes=1))
    [edit] = [r for r in sender.bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageText"]
    assert edit.message_id == 501
    assert catalogs.translator("zh")("card-overdue") in edit.text
    assert edit.reply_markup is not None and edit.reply_markup.inline_keyboard
    second = due + timedelta(minutes=15)
    assert (await run_at(session_pool, run, estate, second)).enqueued == 2
    assert len(await rows_with(session_pool, f"sla:{tid}:response:2")) == 2


async def test_sla_escalation_stops_once_answered(
    session_pool, estate, clock, make_ticket, staff_members
):
    view = await make_ticket(kind=TicketKind.complaint)
    async with session_pool() as session:
        row = await session.get(Ticket, view.ticket.id)
        row.first_response_at = clock() + timedelta(hours=1)
        await session.commit()
    # Complaints must be answered in 24 h; this one was.
    report = await run_at(session_pool, sla_escalation.JOB, estate, clock() + timedelta(hours=25))
    assert report.enqueued == 0


async def test_unanswered_complaint_escalates_after_24_hours(
    session_pool, estate, clock, make_ticket, staff_members
):
    view = await make_ticket(kind=TicketKind.complaint)
    later = clock() + timedelta(hours=24, minutes=1)
    assert (await run_at(session_pool, sla_escalation.JOB, estate, later)).enqueued == 2
    assert await rows_with(session_pool, f"sla:{view.ticket.id}:response:1")


async def test_callback_reminder_15_minutes_before_to_the_staff_member_or_group(
    session_pool, estate, clock, verified_owner, staff_members
):
    slot = clock() + timedelta(hours=2)
    async with session_pool() as session:
        taken = Callback(
            owner_id=verified_owner.id,
            topic="fees",
            slot_start=slot,
            slot_end=slot + timedelta(hours=1),
            staff_id=staff_members["technician"].id,
        )
        # Tom reads English: his own reminder is in English, the group's in the estate's Chinese.
        tom = await session.get(StaffMember, staff_members["technician"].id)
        tom.language = "en"
        session.add(tom)
        open_one = Callback(
            owner_id=verified_owner.id,
            topic="other",
            slot_start=slot + timedelta(hours=1),
            slot_end=slot + timedelta(hours=2),
        )
        session.add_all([taken, open_one])
        await session.commit()
    job = callback_reminders.JOB
    assert (await run_at(session_pool, job, estate, slot - timedelta(minutes=16))).enqueued == 0
    assert (await run_at(session_pool, job, estate, slot - timedelta(minutes=15))).enqueued == 1
    assert (await run_at(session_pool, job, estate, slot - timedelta(minutes=14))).enqueued == 0
    [row] = await rows_with(session_pool, "callback-reminder:")
    assert row.chat_id == TECH.id and row.payload["text"].startswith("⏰ Call-back in 15 minutes")
    later = slot + timedelta(minutes=50)
    assert (await run_at(session_pool, job, estate, later)).enqueued == 1
    rows = await rows_with(session_pool, "callback-reminder:")
    assert rows[-1].chat_id == STAFF_CHAT_ID
    assert rows[-1].payload["text"].startswith("⏰ 15 分钟后回电")


async def test_idle_conversation_is_dropped_with_a_note_after_30_minutes(
    session_pool, estate, clock, verified_owner
):
    key = f"42:{OWNER.id}:{OWNER.id}:::default"
    async with session_pool() as session:
        session.add(FsmRecord(key=key, state="RepairForm:description", updated_at=clock()))
        session.add(FsmRecord(key="42:-1001:7::::default", state="X:y", updated_at=clock()))
        await session.commit()
    job = idle_conversations.JOB
    assert (await run_at(session_pool, job, estate, clock() + timedelta(minutes=29))).enqueued == 0
    report = await run_at(session_pool, job, estate, clock() + timedelta(minutes=31))
    assert report.enqueued == 1 and report.result["dropped"] == 2
    [note] = await rows_with(session_pool, "idle:")
    assert note.chat_id == OWNER.id
    assert "30 minutes" in note.payload["text"]
    assert note.payload["reply_markup"]["keyboard"]
    async with session_pool() as session:
        assert (await session.exec(select(FsmRecord))).all() == []


async def test_a_conversation_written_meanwhile_is_kept(session_pool, estate, clock):
    async with session_pool() as session:
        session.add(FsmRecord(key="42:5:5:::default", state="A:b", updated_at=clock()))
        await session.commit()
    report = await run_at(
        session_pool, idle_conversations.JOB, estate, clock() + timedelta(minutes=5)
    )
    assert report.result["dropped"] == 0
