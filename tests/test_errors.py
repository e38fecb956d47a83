"""An unexpected exception in a handler: the person is answered in their language, the button
stops spinning, the log has the update id and a traceback without personal data, and the staff
group gets one alert per distinct error per hour."""

import logging
from datetime import timedelta

import pytest

from bot.middlewares import PlainCallbackAnswers
from handlers.my_requests import ReqCB
from handlers.outbox import OutboxCb
from storage import outbox, staff, tickets
from tests import tickets_fixtures as fx
from tests.helpers import STAFF_CHAT_ID, answers
from tests.mocked_bot import MockedBot
from tests.tickets_fixtures import MANAGER, OWNER, OWNER_PHONE

units, verified_owner, outbox_rows = fx.units, fx.verified_owner, fx.outbox_rows
staff_members = fx.staff_members

APOLOGY = "Sorry, something went wrong on our side. The office has been told"
TYPED = "📋 My requests"


@pytest.fixture
def broken_tickets(monkeypatch):
    async def list_fails(*args, **kwargs):
        # The message carries personal data, as a database error quoting its parameters would.
        raise RuntimeError(f"cannot list for {OWNER_PHONE} after {TYPED!r}")

    async def find_fails(*args, **kwargs):
        raise LookupError("no such ticket")

    monkeypatch.setattr(tickets, "list_for_owner", list_fails)
    monkeypatch.setattr(tickets, "find_for_owner", find_fails)


async def test_unexpected_error_is_answered_logged_and_alerted_once_an_hour(
    tg, bot, clock, verified_owner, outbox_rows, broken_tickets, caplog
):
    caplog.set_level(logging.INFO)
    await tg.send(OWNER, TYPED)

    # 1. The owner (English, in a Chinese estate) is answered in English, as a reply.
    [apology] = bot.sent(OWNER.id)
    assert apology.text.startswith(APOLOGY)
    assert apology.reply_parameters or apology.reply_to_message_id

    # 3. One log record with the update id and the traceback, without the text or the phone.
    [record] = [r for r in caplog.records if r.name == "frontdoor.errors"]
    logged = record.getMessage()
    assert logged.startswith("update id=")
    assert "failed error=RuntimeError where=tests/test_errors.py:list_fails" in logged
    assert 'handlers/my_requests.py", line' in logged  # the traceback's frames
    assert OWNER_PHONE not in logged and TYPED not in logged

    # 4. One alert in the staff group, in the estate's language.
    [alert] = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="error:")
    assert "RuntimeError" in alert.payload["text"] and "意外错误" in alert.payload["text"]

    # 2. A pressed button whose handler fails before answering is answered (no spinner).
    await tg.press(OWNER, ReqCB(action="open", ticket_id=1).pack())
    [answer] = answers(bot)
    assert answer.text.startswith(APOLOGY) and answer.show_alert
    # Another error, another alert; the first one again within the hour: no more alerts.
    assert len(await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="error:")) == 2
    await tg.send(OWNER, TYPED)
    assert len(await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="error:")) == 2
    clock.advance(timedelta(hours=1))
    await tg.send(OWNER, TYPED)
    assert len(await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="error:")) == 3


async def test_button_answers_are_plain_text_within_telegrams_limit():
    """Catalog messages carry HTML for chats; a toast would show the tags, and Telegram refuses
    an answer over 200 characters."""
    bot = MockedBot()
    bot.session.middleware(PlainCallbackAnswers())
    await bot.answer_callback_query("q", text="✅ <b>R1</b> &amp; " + "x" * 300)
    sent = bot.session.requests[-1]
    assert sent.text.startswith("✅ R1 & x") and len(sent.text) == 200 and sent.text[-1] == "…"


async def test_an_edit_that_changes_nothing_is_done_not_an_error(
    tg, bot, estate, staff_members, outbox_rows
):
    """Pressing Run now twice within a minute, or a language button twice, edits a message to
    what it already says; Telegram answers "message is not modified", which means done."""
    await tg.group(MANAGER, "/jobs")
    bot.session.edits_unchanged = True
    await tg.press_label(MANAGER, "立即运行：每日汇总", chat_id=STAFF_CHAT_ID)
    assert "每日汇总：已完成" in answers(bot)[-1].text
    assert not any("出了点问题" in (getattr(r, "text", "") or "") for r in bot.requests)
    assert await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="error:") == []
    await tg.send(OWNER, "/start")
    await tg.press_label(OWNER, "English")
    await tg.press_label(OWNER, "English")
    assert not any(APOLOGY in (getattr(r, "text", "") or "") for r in bot.requests)


async def test_a_failing_group_button_apologises_in_the_pressers_language(
    tg, bot, session_pool, staff_members, monkeypatch
):
    async def retry_fails(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(outbox, "retry", retry_fails)
    async with session_pool() as session:
        await staff.set_language(session, staff_members["manager"], "en", "chosen")
    # The group speaks the estate's Chinese; Mona reads English, and only she sees the alert.
    await tg.press(MANAGER, OutboxCb(action="retry", row_id=1).pack(), STAFF_CHAT_ID)
    [answer] = answers(bot)
    assert answer.text.startswith(APOLOGY) and answer.show_alert
