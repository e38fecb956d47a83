"""/jobs with Run now, /remind off|on, /announce with its preview, Send and progress, the owner's
My fees button under a reminder, and the new commands in /help and the group menu."""

import contextlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.runners import staff_commands
from handlers.jobs import schedule_words
from scheduler.jobs import announcements as announcement_job
from scheduler.jobs.announcements import sections, text_for
from scheduler.jobs.fee_reminders import MY_FEES
from scheduler.outbox import PROGRESS_EVERY, OutboxSender
from storage import announcements
from storage.models import (
    Announcement,
    AnnouncementStatus,
    AuditEvent,
    JobRun,
    OutboxMessage,
    OutboxStatus,
    Owner,
    OwnerStatus,
    ReminderPause,
)
from tests.helpers import STAFF_CHAT_ID, answers
from tests.mocked_bot import MockedBot
from tests.scheduler_fixtures import *  # noqa: F403
from tests.scheduler_fixtures import add_charge, run_at
from tests.test_outbox import ScriptedSession, server_error
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, MANAGER, OWNER


def english(person):
    person.language_code = "en"
    return person


async def test_jobs_lists_every_job_with_run_now(tg, bot, session_pool, estate, staff_members):
    await tg.group(MANAGER, "/jobs")
    reply = bot.sent(STAFF_CHAT_ID)[-1]
    assert "定时任务" in reply.text and "缴费提醒" in reply.text and "每日汇总" in reply.text
    labels = [b.text for row in reply.reply_markup.inline_keyboard for b in row]
    assert "▶️ 立即运行：每日汇总" in labels
    await tg.press_label(MANAGER, "立即运行：每日汇总", chat_id=STAFF_CHAT_ID)
    rows = await _rows(session_pool, "daily-summary:")
    assert len(rows) == 1 and rows[0].chat_id == STAFF_CHAT_ID
    edited = bot.sent(STAFF_CHAT_ID)[-1]
    assert type(edited).__name__ == "EditMessageText"
    # Schedules in words, the run's result in the staff's language, never raw cron fields.
    assert "每天 18:00" in edited.text and "每星期五 17:00" in edited.text
    assert "上次：11-23 10:00，1 条消息" in edited.text and "尚未运行" in edited.text
    assert "hour=" not in edited.text and "enqueued" not in edited.text


@pytest.mark.parametrize(
    ("locale", "cron", "words"),
    [
        ("en", {"minute": "*"}, "every minute"),
        ("en", {"hour": 9, "minute": 0}, "daily at 09:00"),
        ("zh", {"hour": 9, "minute": 0}, "每天 09:00"),
        ("en", {"day_of_week": "fri", "hour": 17, "minute": 0}, "Fridays at 17:00"),
        ("en", {"day": 1, "hour": 9, "minute": 0}, "monthly on day 1 at 09:00"),
        ("zh", {"day": 1, "hour": 9, "minute": 0}, "每月 1 日 09:00"),
        ("en", {"hour": "*/2", "minute": 0}, "hour=*/2 minute=0"),
    ],
)
def test_schedules_read_as_words(catalogs, locale, cron, words):
    assert schedule_words(catalogs.translator(locale), cron) == words


async def test_run_now_at_night_says_when_owners_get_the_reminder(
    tg, bot, clock, session_pool, estate, staff_members, verified_owner, units
):
    # 22:30 in Shanghai, inside the default quiet hours 21:00-08:00.
    clock.current = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    await add_charge(session_pool, units["3-1201"], date(2026, 11, 30))
    await tg.group(MANAGER, "/jobs")
    await tg.press_label(MANAGER, "立即运行：缴费提醒", chat_id=STAFF_CHAT_ID)
    [answer] = answers(bot)[-1:]
    assert answer.show_alert
    assert "已排队 1 条消息" in answer.text and "免打扰时段（21:00-08:00）" in answer.text
    assert "11-24 08:00" in answer.text
    [row] = await _rows(session_pool, "fee-reminder:")
    assert row.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


async def test_jobs_is_for_managers(tg, bot, estate, staff_members):
    await tg.group(AGENT, "/jobs")
    assert "只有主管" in bot.last_text(STAFF_CHAT_ID)


async def test_remind_off_and_on_are_audited_and_stop_reminders(
    tg, bot, session_pool, estate, staff_members, verified_owner, units
):
    await add_charge(session_pool, units["3-1201"], date(2026, 11, 30))
    await tg.group(AGENT, "/remind off 3-1201 agreed to pay on the 5th")
    assert "3-1201 的缴费提醒已暂停" in bot.last_text(STAFF_CHAT_ID)
    async with session_pool() as session:
        [pause] = (await session.exec(select(ReminderPause))).all()
    assert pause.reason == "agreed to pay on the 5th" and pause.ends_at is None
    await tg.group(AGENT, "/remind off 3-1201 again")
    assert "此前已暂停" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(AGENT, "/remind off 9-999 nobody")
    assert "没有 9-999 这个房屋" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(AGENT, "/remind off 3-1201")
    assert "请填写原因" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(AGENT, "/remind sometimes")
    assert "用法" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(AGENT, "/remind on 3-1201")
    assert "已恢复" in bot.last_text(STAFF_CHAT_ID)
    async with session_pool() as session:
        types = [
            a.type
            for a in (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
        ]
    assert types[-2:] == ["reminders_paused", "reminders_resumed"]


async def test_my_fees_button_shows_the_statement(
    tg, bot, session_pool, estate, verified_owner, units
):
    await add_charge(session_pool, units["3-1201"], date(2026, 11, 30), 45600)
    await tg.press(english(OWNER), MY_FEES)
    assert "¥456.00" in bot.last_text(OWNER.id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Water off", {"": "Water off"}),
        ("en: Water off\nzh: 停水", {"en": "Water off", "zh": "停水"}),
        ("Note:\nen: A\n zh：乙", {"": "Note:", "en": "A", "zh": "乙"}),
    ],
)
def test_two_language_sections(text, expected):
    assert sections(text) == expected


def test_each_owner_gets_their_language():
    parts = sections("en: Water off\nzh: 停水")
    assert text_for(parts, "en", "zh") == "Water off"
    assert text_for(parts, None, "zh") == "停水"
    assert text_for(sections("en: only English"), "zh", "zh") == "only English"


async def _rows(session_pool, prefix):
    async with session_pool() as session:
        query = select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith(prefix))
        return list((await session.exec(query.order_by(col(OutboxMessage.id)))).all())


async def test_announce_preview_send_and_progress(
    tg, bot, session_pool, estate, clock, staff_members, verified_owner, other_owner
):
    await tg.group(MANAGER, "/announce en: Water is off on Tuesday.\nzh: 周二停水。")
    preview = bot.sent(STAFF_CHAT_ID)[-1]
    assert "共 2 人" in preview.text and "en, zh" in preview.text
    await tg.press_label(MANAGER, "发送", chat_id=STAFF_CHAT_ID)
    owners = await _rows(session_pool, "announcement:1:owner:")
    assert sorted(r.chat_id for r in owners) == sorted(
        [verified_owner.chat_id, other_owner.chat_id]
    )
    assert all("Water is off on Tuesday." in r.payload["text"] for r in owners)
    [progress] = [
        r
        for r in await _rows(session_pool, "announcement:1:progress")
        if r.dedupe_key == "announcement:1:progress"
    ]
    assert progress.chat_id == STAFF_CHAT_ID and "等待 2" in progress.payload["text"]
    # The owners' messages go out; the next run edits the progress message and finishes.
    async with session_pool() as session:
        for row in owners:
            (await session.get(OutboxMessage, row.id)).status = OutboxStatus.sent
        await session.commit()
    await run_at(session_pool, announcement_job.JOB, estate, clock() + timedelta(minutes=1))
    edits = await _rows(session_pool, "announcement:1:progress:")
    assert "已完成：已发送 2，失败 0" in edits[-1].payload["text"]
    async with session_pool() as session:
        assert (await session.get(Announcement, 1)).status == AnnouncementStatus.done
    # Pressing Send again changes nothing.
    await tg.press_label(MANAGER, "发送", chat_id=STAFF_CHAT_ID)
    assert len(await _rows(session_pool, "announcement:1:owner:")) == 2


async def test_announcement_progress_moves_as_the_sender_delivers(
    tg, session_pool, estate, clock, staff_members, verified_owner, other_owner
):
    await tg.group(MANAGER, "/announce Water is off on Tuesday.")
    await tg.press_label(MANAGER, "发送", chat_id=STAFF_CHAT_ID)
    api = MockedBot()
    api.session = ScriptedSession()
    # Oscar's message meets a passing server error and goes out on its retry, 2 s later.
    api.session.script[other_owner.chat_id] = [server_error]
    sender = OutboxSender(api, session_pool, clock, limiter=contextlib.nullcontext())

    def progress_edits():
        return [
            r.text
            for r in api.sent(STAFF_CHAT_ID)
            if type(r).__name__ == "EditMessageText" and "#1" in r.text
        ]

    await sender.send_due(clock())
    await sender.send_due(clock())
    assert "已发送 1，失败 0，等待 1" in progress_edits()[-1]
    clock.advance(timedelta(seconds=2))
    await sender.send_due(clock())
    # Edits wait PROGRESS_EVERY between them (the group takes 20 messages a minute) ...
    seen = progress_edits()
    await sender.send_due(clock())
    assert progress_edits() == seen
    # ... and the last one comes then, with no run of the job in between.
    clock.advance(PROGRESS_EVERY)
    await sender.send_due(clock())
    await sender.send_due(clock())
    assert "已完成：已发送 2，失败 0" in progress_edits()[-1]
    async with session_pool() as session:
        assert (await session.get(Announcement, 1)).status == AnnouncementStatus.done
        runs = (await session.exec(select(JobRun))).all()
    assert [r.job for r in runs] == ["announcements"]


@pytest.mark.parametrize(("button", "due_hour"), [("08:00 发送", 0), ("立即发送", 14)])
async def test_announce_at_night_waits_for_the_morning_unless_sent_now(
    tg,
    bot,
    session_pool,
    estate,
    clock,
    staff_members,
    verified_owner,
    other_owner,
    button,
    due_hour,
):
    # 22:30 in Shanghai, inside the default quiet hours 21:00-08:00.
    clock.current = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    await tg.group(MANAGER, "/announce Water is off tomorrow 9-12.")
    preview = bot.sent(STAFF_CHAT_ID)[-1]
    assert "免打扰时段（21:00-08:00）" in preview.text and "08:00 收到" in preview.text
    labels = [b.text for row in preview.reply_markup.inline_keyboard for b in row]
    assert labels == ["08:00 发送", "立即发送", "取消"]
    await tg.press_label(MANAGER, button, chat_id=STAFF_CHAT_ID)
    owners = await _rows(session_pool, "announcement:1:owner:")
    assert len(owners) == 2
    due = datetime(2026, 11, 24 if due_hour == 0 else 23, due_hour, 0 if due_hour == 0 else 30)
    assert {r.next_attempt_at.replace(tzinfo=None) for r in owners} == {due}
    if button == "08:00 发送":
        assert "业主于 08:00 收到" in bot.last_text(STAFF_CHAT_ID)
        progress = await _rows(session_pool, "announcement:1:progress")
        assert all("2 条等待 08:00 发送" in row.payload["text"] for row in progress)
    else:
        assert "正在发送，由 Mona 确认" in bot.last_text(STAFF_CHAT_ID)


async def test_announce_by_day_has_one_send_button(
    tg, bot, session_pool, estate, staff_members, verified_owner
):
    await tg.group(MANAGER, "/announce Lift maintenance on Friday")
    preview = bot.sent(STAFF_CHAT_ID)[-1]
    assert "免打扰" not in preview.text
    assert [b.text for row in preview.reply_markup.inline_keyboard for b in row] == [
        "发送",
        "取消",
    ]


async def test_announce_to_one_building_and_cancel(
    tg, bot, session_pool, estate, staff_members, verified_owner, other_owner
):
    await tg.group(MANAGER, "/announce building=5 Lift maintenance on Friday")
    assert "5 号楼已验证业主 — 共 1 人" in bot.sent(STAFF_CHAT_ID)[-1].text
    await tg.press_label(MANAGER, "取消", chat_id=STAFF_CHAT_ID)
    assert "已由 Mona 取消" in bot.last_text(STAFF_CHAT_ID)
    assert await _rows(session_pool, "announcement:") == []
    await tg.group(MANAGER, "/announce building=77 Nobody here")
    assert "77 号楼没有已验证的业主" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(MANAGER, "/announce")
    assert "用法" in bot.last_text(STAFF_CHAT_ID)
    await tg.group(AGENT, "/announce hello")
    assert "只有主管" in bot.last_text(STAFF_CHAT_ID)


async def test_announcement_to_5000_owners_in_one_pass_survives_a_restart(
    session_pool, estate, clock, staff_members, units, monkeypatch
):
    async with session_pool() as session:
        session.add_all(
            Owner(
                estate_id=estate.id,
                name=f"Owner {n}",
                telegram_user_id=1_000_000 + n,
                chat_id=1_000_000 + n,
                language="en" if n % 2 else "zh",
                status=OwnerStatus.verified,
            )
            for n in range(5000)
        )
        await session.commit()
        made = await announcements.create(
            session,
            estate_id=estate.id,
            text="en: Fire drill at 10:00\nzh: 10点消防演习",
            building=None,
            by=staff_members["manager"],
            now=clock(),
        )
        assert made.recipients == 5000
        await announcements.confirm(
            session,
            made.id,
            estate_id=estate.id,
            by=staff_members["manager"],
            now=clock(),
            progress=lambda a: announcement_job.Draft(
                f"announcement:{a.id}:progress", STAFF_CHAT_ID, "…"
            ),
        )
    # The process dies while enqueueing the third batch.
    real = announcement_job.enqueue_new
    calls = []

    async def dies_on_the_third(session, drafts, at):
        calls.append(len(drafts))
        if len(calls) == 3:
            raise ConnectionError("killed")
        return await real(session, drafts, at)

    monkeypatch.setattr(announcement_job, "enqueue_new", dies_on_the_third)
    crashed = await run_at(session_pool, announcement_job.JOB, estate, clock())
    assert crashed.outcome == "failed"
    assert len(await _rows(session_pool, f"announcement:{made.id}:owner:")) == 2000
    # After the restart the job resumes after the last committed batch.
    monkeypatch.setattr(announcement_job, "enqueue_new", real)
    resumed = await run_at(session_pool, announcement_job.JOB, estate, clock())
    assert resumed.enqueued == 3000
    rows = await _rows(session_pool, f"announcement:{made.id}:owner:")
    assert len(rows) == 5000 == len({r.chat_id for r in rows})
    english_row = next(r for r in rows if r.chat_id == 1_000_001)
    assert "Fire drill" in english_row.payload["text"]
    chinese_row = next(r for r in rows if r.chat_id == 1_000_000)
    assert "消防演习" in chinese_row.payload["text"]


async def test_one_pass_is_one_insert_per_batch(
    session_pool, estate, clock, staff_members, verified_owner, other_owner, monkeypatch
):
    from storage import outbox

    batches = []
    real = outbox.add_many

    async def counted(session, drafts, at):
        batches.append(len(drafts))
        return await real(session, drafts, at)

    monkeypatch.setattr(outbox, "add_many", counted)
    async with session_pool() as session:
        made = await announcements.create(
            session,
            estate_id=estate.id,
            text="hello",
            building=None,
            by=staff_members["manager"],
            now=clock(),
        )
        await announcements.confirm(
            session,
            made.id,
            estate_id=estate.id,
            by=staff_members["manager"],
            now=clock(),
            progress=lambda a: announcement_job.Draft("p", STAFF_CHAT_ID, "…"),
        )
    await run_at(session_pool, announcement_job.JOB, estate, clock())
    assert batches[0] == 2


async def test_help_and_group_menu_list_the_new_commands(tg, bot, estate, catalogs):
    await tg.group(MANAGER, "/help")
    text = bot.last_text(STAFF_CHAT_ID)
    assert "/jobs" in text and "/remind off" in text and "/announce" in text
    commands = [c.command for c in staff_commands(catalogs.translator("en"))]
    assert {"jobs", "remind", "announce"} <= set(commands)
