"""Post-service and quarterly surveys: sending (the day after at 10:00, never for a cancelled
ticket, survey fatigue), answering one question at a time (double, late and expired presses),
the low-score alert and call-back task, reminders, `/ticket N`, `/survey`."""

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot import survey_messages
from handlers.surveys import ScoreCB, SkipCB
from scheduler.jobs import all_jobs, post_service_survey, quarterly_survey
from storage import surveys, tickets
from storage.models import (
    Callback,
    CallbackOrigin,
    Estate,
    Owner,
    OwnerStatus,
    OwnerUnit,
    Survey,
    SurveyAnswer,
    SurveyKind,
    TicketEvent,
    TicketKind,
    Unit,
)
from storage.surveys import SurveyItem
from storage.tickets import Actor, no_notify
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, MANAGER, OWNER

# Tuesday 24 November 2026, 10:00 in Shanghai: the morning after the fixtures' clock.
NEXT_MORNING = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def closed(session_pool, make_ticket, staff_members, now, **kw):
    view = await make_ticket(**kw)
    agent = Actor.staff(staff_members["agent"])
    async with session_pool() as session:
        if view.ticket.kind == "repair":
            await tickets.assign(
                session,
                view.ticket.id,
                assignee=staff_members["agent"],
                actor=agent,
                now=now,
                notify=no_notify,
            )
    async with session_pool() as session:
        await tickets.resolve(
            session, view.ticket.id, actor=agent, now=now, text="done", notify=no_notify
        )
    async with session_pool() as session:
        return await tickets.close(session, view.ticket.id, actor=agent, now=now, notify=no_notify)


async def run_job(session_pool, estate, now, job=post_service_survey):
    async with session_pool() as session:
        fresh = await session.get(Estate, estate.id)
        return await job.run(session, fresh, now)


async def all_surveys(session_pool) -> list[Survey]:
    async with session_pool() as session:
        return list((await session.exec(select(Survey).order_by(col(Survey.id)))).all())


def test_the_jobs_are_listed_and_the_buttons_match_the_handlers():
    names = [job.name for job in all_jobs()]
    assert {"post_service_survey", "quarterly_survey"} <= set(names)
    item = SurveyItem.customer_service
    assert (
        survey_messages.score_data(7, item, 3) == ScoreCB(survey_id=7, item=item, score=3).pack()
    )
    assert survey_messages.skip_data(7) == SkipCB(survey_id=7).pack()


async def test_the_survey_goes_out_the_day_after_closing_at_ten_and_only_once(
    session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    view = await closed(session_pool, make_ticket, staff_members, clock())
    same_evening = await run_job(session_pool, estate, clock() + timedelta(hours=8))
    assert same_evening.enqueued == 0
    result = await run_job(session_pool, estate, NEXT_MORNING)
    assert result.enqueued == 1 and result.counts["sent"] == 1
    (survey,) = await all_surveys(session_pool)
    assert survey.ticket_id == view.ticket.id and survey.kind == SurveyKind.post_service
    assert survey.expires_at == NEXT_MORNING + timedelta(days=7)
    (row,) = await outbox_rows(chat_id=OWNER.id, key_prefix="survey:")
    assert row.dedupe_key == f"survey:{survey.id}:ask"
    assert f"#{view.ticket.number}" in row.payload["text"]
    assert "1/3 · Response speed" in row.payload["text"]
    buttons = row.payload["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["1", "2", "3", "4", "5"]
    again = await run_job(session_pool, estate, NEXT_MORNING + timedelta(hours=1))
    assert again.enqueued == 0
    assert len(await all_surveys(session_pool)) == 1


async def test_no_survey_for_a_ticket_the_owner_cancelled(
    session_pool, make_ticket, clock, estate, verified_owner
):
    view = await make_ticket()
    async with session_pool() as session:
        await tickets.cancel(
            session,
            view.ticket.id,
            actor=Actor.owner(verified_owner.id),
            now=clock(),
            reason="sorted it myself",
            notify=no_notify,
        )
    result = await run_job(session_pool, estate, NEXT_MORNING)
    assert result.enqueued == 0 and await all_surveys(session_pool) == []


async def test_at_most_one_survey_per_owner_per_seven_days(
    session_pool, make_ticket, staff_members, clock, estate
):
    await closed(session_pool, make_ticket, staff_members, clock())
    await closed(session_pool, make_ticket, staff_members, clock(), kind="complaint")
    first = await run_job(session_pool, estate, NEXT_MORNING)
    assert first.counts["sent"] == 1 and first.counts["skipped_fatigue"] == 1
    # Two days later another ticket closes: still within the seven days.
    clock.current = NEXT_MORNING + timedelta(days=1)
    await closed(session_pool, make_ticket, staff_members, clock())
    later = await run_job(session_pool, estate, NEXT_MORNING + timedelta(days=2))
    assert later.counts["sent"] == 0 and later.counts["skipped_fatigue"] >= 1
    assert len(await all_surveys(session_pool)) == 1


async def sent_survey(session_pool, make_ticket, staff_members, clock, estate, **kw) -> Survey:
    await closed(session_pool, make_ticket, staff_members, clock(), **kw)
    await run_job(session_pool, estate, NEXT_MORNING)
    clock.current = NEXT_MORNING + timedelta(minutes=5)
    return (await all_surveys(session_pool))[-1]


def press(tg, survey, item, score):
    return tg.press(OWNER, ScoreCB(survey_id=survey.id, item=item, score=score).pack())


async def test_answering_one_question_at_a_time_with_double_and_late_presses(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    survey = await sent_survey(session_pool, make_ticket, staff_members, clock, estate)
    await press(tg, survey, SurveyItem.response_speed, 4)
    assert "2/3 · Quality of work" in bot.last_text(OWNER.id)
    bot.clear()
    await press(tg, survey, SurveyItem.response_speed, 1)  # a double press
    assert "already answered" in answers(bot)[-1].text
    await press(tg, survey, SurveyItem.attitude, 5)  # not the current question
    assert "newest question" in answers(bot)[-1].text
    await press(tg, survey, SurveyItem.quality, 5)
    await press(tg, survey, SurveyItem.attitude, 4)
    assert "Anything you would like to add" in bot.last_text(OWNER.id)
    await press(tg, survey, SurveyItem.attitude, 1)  # a late press after the end
    async with session_pool() as session:
        found = await surveys.state(session, survey.id)
    assert found is not None
    assert [(i.value, s) for i, s in found.scores()] == [
        ("response_speed", 4),
        ("quality", 5),
        ("attitude", 4),
    ]
    assert found.survey.answered_at == clock()
    await tg.send(OWNER, "Quick and friendly, thanks")
    assert "noted your comment" in bot.last_text(OWNER.id)
    async with session_pool() as session:
        found = await surveys.state(session, survey.id)
        tasks = (await session.exec(select(Callback))).all()
    assert found is not None and found.comment == "Quick and friendly, thanks"
    # Good scores: no alert, and only the after-repair task of the closing.
    assert await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="survey:") == []
    assert [t.origin for t in tasks] == [CallbackOrigin.after_repair]


async def test_a_press_on_an_expired_survey_changes_nothing(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate
):
    survey = await sent_survey(session_pool, make_ticket, staff_members, clock, estate)
    clock.current = NEXT_MORNING + timedelta(days=7, minutes=1)
    await press(tg, survey, SurveyItem.response_speed, 5)
    assert "survey has closed" in answers(bot)[-1].text
    async with session_pool() as session:
        assert (await session.exec(select(SurveyAnswer))).all() == []


async def test_a_low_score_alerts_the_staff_group_and_opens_a_call_back_task(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    survey = await sent_survey(
        session_pool, make_ticket, staff_members, clock, estate, kind="complaint"
    )
    await press(tg, survey, SurveyItem.response_speed, 4)
    await press(tg, survey, SurveyItem.outcome, 2)
    await press(tg, survey, SurveyItem.attitude, 3)
    assert "call you back" not in bot.last_text(OWNER.id)
    (alert,) = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="survey:")
    assert alert.dedupe_key == f"survey:{survey.id}:low"
    text = alert.payload["text"]
    # The staff group speaks the estate's language (zh in the fixtures).
    assert "满意度低分" in text and "#1（投诉" in text and "⚠️ 处理结果：2/5" in text
    assert "Olivia Owner" in text and "+8613800000001" in text
    await tg.send(OWNER, "Nobody fixed the real problem")
    assert "call you back" in bot.last_text(OWNER.id)
    rows = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="survey:")
    assert rows[-1].dedupe_key == f"survey:{survey.id}:comment"
    assert "Nobody fixed the real problem" in rows[-1].payload["text"]
    assert rows[-1].payload["$reply_to_of"] == alert.dedupe_key
    async with session_pool() as session:
        low = (
            await session.exec(select(Callback).where(Callback.origin == CallbackOrigin.low_score))
        ).one()
        events = (
            await session.exec(
                select(TicketEvent).where(TicketEvent.ticket_id == survey.ticket_id)
            )
        ).all()
    assert low.ticket_id == survey.ticket_id
    assert low.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 18:00
    assert {"survey_answered", "survey_comment"} <= {e.type for e in events}


async def test_one_reminder_after_48_hours_if_unanswered(
    session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    survey = await sent_survey(session_pool, make_ticket, staff_members, clock, estate)
    early = await run_job(session_pool, estate, NEXT_MORNING + timedelta(hours=47))
    assert early.counts["reminded"] == 0
    due = await run_job(session_pool, estate, NEXT_MORNING + timedelta(hours=48))
    assert due.counts["reminded"] == 1
    again = await run_job(session_pool, estate, NEXT_MORNING + timedelta(hours=72))
    assert again.counts["reminded"] == 0
    rows = await outbox_rows(chat_id=OWNER.id, key_prefix=f"survey:{survey.id}:")
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in rows] == ["ask", "reminder"]
    assert "A reminder" in rows[-1].payload["text"]


async def test_ticket_shows_the_stars_and_the_survey_together(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate, verified_owner
):
    survey = await sent_survey(session_pool, make_ticket, staff_members, clock, estate)
    async with session_pool() as session:
        await tickets.rate(
            session,
            survey.ticket_id,
            owner_id=verified_owner.id,
            rating=4,
            comment=None,
            now=clock(),
            notify=no_notify,
        )
    for item, score in zip(surveys.POST_SERVICE_ITEMS[TicketKind.repair], (5, 4, 5), strict=True):
        await press(tg, survey, item, score)
    await tg.group(AGENT, "/ticket 1")
    text = bot.last_text(STAFF_CHAT_ID)
    assert "★★★★" in text
    assert "问卷：响应速度 5/5 · 维修质量 4/5 · 服务态度 5/5" in text
    assert "回访（维修后）截止 11-24 18:00：待回访" in text


async def test_callbacks_lists_tasks_and_records_reached_with_a_note(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate
):
    view = await closed(session_pool, make_ticket, staff_members, clock())
    clock.current = NEXT_MORNING + timedelta(days=1)  # past the deadline
    await tg.group(AGENT, "/callbacks")
    listing = bot.sent(STAFF_CHAT_ID)[-1]
    assert "回访任务" in listing.text and "已逾期" in listing.text
    labels = [b.text for row in listing.reply_markup.inline_keyboard for b in row]
    assert labels == ["✅ #1", "📵 #1", "🗓 #1"]
    await tg.press_label(AGENT, "✅ #1", chat_id=STAFF_CHAT_ID)
    confirmation = bot.sent(STAFF_CHAT_ID)[-1]
    assert "已联系上业主（Alice）" in confirmation.text
    async with session_pool() as session:
        task = (await session.exec(select(Callback))).one()
    assert task.status == "done" and task.done_at == clock()
    await tg.press_label(AGENT, "✅ #1", chat_id=STAFF_CHAT_ID)
    assert "已经是“已联系上”" in answers(bot)[-1].text
    async with session_pool() as session:
        events = (
            await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == view.ticket.id))
        ).all()
    assert events[-1].type == "callback_reached"


async def add_household(session_pool, estate, number: str, telegram_id: int) -> Owner:
    async with session_pool() as session:
        unit = Unit(estate_id=estate.id, building="9", number=number)
        owner = Owner(
            estate_id=estate.id,
            name=f"Owner {number}",
            phone=f"+86139000{telegram_id:05d}",
            telegram_user_id=telegram_id,
            chat_id=telegram_id,
            language="en",
            status=OwnerStatus.verified,
        )
        session.add_all([unit, owner])
        await session.flush()
        session.add(OwnerUnit(owner_id=owner.id, unit_id=unit.id))
        await session.commit()
        return owner


async def test_quarter_preview_send_now_and_results(
    tg, bot, session_pool, estate, staff_members, clock, outbox_rows
):
    for n in range(8):
        await add_household(session_pool, estate, f"{n + 1:03d}", 6100 + n)
    clock.current = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # Q4, after the National Day week
    await tg.group(AGENT, "/survey quarter")
    assert "只有主管" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, "/survey quarter")
    preview = bot.sent(STAFF_CHAT_ID)[-1]
    assert "2026-Q4" in preview.text and "已验证住户：8" in preview.text
    # Frontdoor starts in the year's last quarter: everyone not asked this year is asked now,
    # so the year still covers every household.
    assert "本季度抽样：8" in preview.text
    await tg.press_label(MANAGER, "立即发送", chat_id=STAFF_CHAT_ID)
    assert "已发送给 8 户" in bot.last_text(STAFF_CHAT_ID)
    await tg.press_label(MANAGER, "立即发送", chat_id=STAFF_CHAT_ID)
    assert "已经发送过了" in answers(bot)[-1].text
    sent = await all_surveys(session_pool)
    assert len(sent) == 8 and {s.quarter for s in sent} == {"2026-Q4"}
    # The job on the next morning sends nothing more for the quarter.
    job = await run_job(session_pool, estate, clock() + timedelta(days=1), quarterly_survey)
    assert job.counts["sent"] == 0
    first, second = sent[:2]
    async with session_pool() as session:
        for survey, scores in ((first, [5, 5, 4, 5, 5, 5]), (second, [4, 3, 4, 5, 4, 4])):
            owner = await session.get(Owner, survey.owner_id)
            for item, score in zip(surveys.QUARTERLY_ITEMS, scores, strict=True):
                await surveys.answer(
                    session,
                    survey_id=survey.id,
                    owner_id=owner.id,
                    item=item,
                    score=score,
                    now=clock(),
                    on_scored=lambda found: [],
                )
    await tg.group(AGENT, "/survey results 2026-Q4")
    text = bot.last_text(STAFF_CHAT_ID)
    assert "环境卫生：90.0 %（2）" in text
    assert "⚠️ 安全秩序：80.0 %（2）" in text
    assert "⚠️ <b>平均：88.3 %" in text
    # Items in the order the survey asks them, named as it names them.
    assert text.index("安全秩序") < text.index("绿化养护") < text.index("客户服务")
    await tg.group(AGENT, "/survey results 2026-Q9")
    assert "YYYY-Qn" in bot.last_text(STAFF_CHAT_ID)


async def test_the_quarterly_job_waits_for_the_first_working_day(session_pool, estate):
    for n in range(4):
        await add_household(session_pool, estate, f"{n + 1:03d}", 6200 + n)
    # 1–7 October 2026 is the National Day holiday: the quarter's first working day is the 8th.
    holiday = await run_job(
        session_pool, estate, datetime(2026, 10, 7, 2, 0, tzinfo=UTC), quarterly_survey
    )
    assert holiday.counts["sent"] == 0
    first = await run_job(
        session_pool, estate, datetime(2026, 10, 8, 2, 0, tzinfo=UTC), quarterly_survey
    )
    # The year's last quarter asks everyone not asked this year.
    assert first.counts["sent"] == 4


async def test_run_now_too_early_says_when_and_survey_due_sends_them_now(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    view = await closed(session_pool, make_ticket, staff_members, clock())
    # Run now right after the closing: nothing is due yet; the manager is told when it is
    # and sees the waiting survey with a button to send it now (as `/survey due` shows it).
    await tg.group(MANAGER, "/jobs")
    await tg.press_label(MANAGER, "立即运行：服务后回访调查", chat_id=STAFF_CHAT_ID)
    alert = answers(bot)[-1]
    assert alert.show_alert and "下一次在 11-24 10:00 发出" in alert.text
    listing = bot.sent(STAFF_CHAT_ID)[-2].text
    assert f"#{view.ticket.number}" in listing and "11-24 10:00 发出" in listing
    assert await outbox_rows(chat_id=OWNER.id, key_prefix="survey:") == []
    await tg.group(AGENT, "/survey due")
    assert "只有主管" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, "/survey due")
    assert bot.last_text(STAFF_CHAT_ID) == listing
    await tg.press_label(AGENT, "立即发送", chat_id=STAFF_CHAT_ID)
    assert "只有主管" in answers(bot)[-1].text
    assert await outbox_rows(chat_id=OWNER.id, key_prefix="survey:") == []
    await tg.press_label(MANAGER, "立即发送", chat_id=STAFF_CHAT_ID)
    assert bot.last_text(STAFF_CHAT_ID) == "已立即发送 1 份回访问卷。"
    (row,) = await outbox_rows(chat_id=OWNER.id, key_prefix="survey:")
    assert "1/3 · Response speed" in row.payload["text"]
    (survey,) = await all_surveys(session_pool)
    # Sent now, and dated now: the reminder and the expiry count from the real sending.
    assert survey.sent_at == clock() and survey.ticket_id == view.ticket.id
    # The job at 10:00 next morning sends nothing more, and nothing is waiting now.
    assert (await run_job(session_pool, estate, NEXT_MORNING)).counts["sent"] == 0
    await tg.group(MANAGER, "/survey due")
    assert "目前没有待发送的回访问卷" in bot.last_text(STAFF_CHAT_ID)


async def test_survey_due_sent_at_night_says_owners_get_it_in_the_morning(
    tg, bot, session_pool, make_ticket, staff_members, clock, estate, outbox_rows
):
    await closed(session_pool, make_ticket, staff_members, clock())
    # 23:00 in Shanghai, inside the default quiet hours 21:00-08:00.
    clock.current = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    await tg.group(MANAGER, "/survey due")
    await tg.press_label(MANAGER, "立即发送", chat_id=STAFF_CHAT_ID)
    assert bot.last_text(STAFF_CHAT_ID) == (
        "已排队 1 份回访问卷。现在是免打扰时段（21:00-08:00），业主将于 08:00 收到。"
    )
    (row,) = await outbox_rows(chat_id=OWNER.id, key_prefix="survey:")
    assert row.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
