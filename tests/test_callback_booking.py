"""Book a call-back: the booking flow, offered slots, the limit, cancelling, staff outcomes."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from handlers.callback_booking import CbMenu, CbSlot, CbStaff
from storage import call_backs
from storage.models import AuditEvent, Callback, CallbackStatus
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, OTHER_OWNER, OWNER, STRANGER


async def all_callbacks(session_pool) -> list[Callback]:
    async with session_pool() as session:
        return list((await session.exec(select(Callback).order_by(Callback.id))).all())


async def book_via_chat(tg, slot_label="Tue", note="Please call after lunch", topic="Fees"):
    await tg.send(OWNER, "📞 Book a call-back")
    if any("Book another" in label for label in slot_labels(tg.bot, OWNER.id)):
        await tg.press_label(OWNER, "Book another")
    await tg.press_label(OWNER, topic)
    if note is None:
        await tg.press_label(OWNER, "Skip")
    else:
        await tg.send(OWNER, note)
    await tg.press_label(OWNER, slot_label)
    await tg.press_label(OWNER, "Book it")


def slot_labels(bot, chat_id):
    for request in reversed(bot.sent(chat_id)):
        markup = getattr(request, "reply_markup", None)
        if markup is not None and hasattr(markup, "inline_keyboard"):
            return [b.text for row in markup.inline_keyboard for b in row]
    return []


async def test_full_booking_flow(
    tg, bot, verified_owner, staff_members, outbox_rows, session_pool
):
    await book_via_chat(tg, slot_label="Tue 11-24 09:00")
    assert "Booked" in bot.last_text(OWNER.id)
    assert "Tue 11-24 09:00–12:00" in bot.last_text(OWNER.id)
    (row,) = await all_callbacks(session_pool)
    assert row.owner_id == verified_owner.id and row.topic == "fees"
    assert row.status == CallbackStatus.booked
    assert row.slot_start == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert row.slot_end == datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    (card,) = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="callback:")
    assert card.dedupe_key == f"callback:{row.id}:card"
    text = card.payload["text"]
    assert "Olivia Owner" in text and "+8613800000001" in text and "3-1201" in text
    assert "Please call after lunch" in text
    assert "09:00–12:00" in text
    assert "reply_markup" in card.payload


async def test_booking_about_a_ticket(
    tg, bot, verified_owner, make_ticket, session_pool, outbox_rows
):
    view = await make_ticket()
    await book_via_chat(tg, topic=f"#{view.ticket.number}", note=None, slot_label="Wed")
    (row,) = await all_callbacks(session_pool)
    assert row.topic == "ticket" and row.ticket_id == view.ticket.id
    (card,) = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="callback:")
    assert f"#{view.ticket.number}" in card.payload["text"]


async def test_past_slots_are_not_offered(tg, bot, verified_owner, clock):
    await tg.send(OWNER, "📞 Book a call-back")
    await tg.press_label(OWNER, "Fees")
    await tg.press_label(OWNER, "Skip")
    labels = slot_labels(bot, OWNER.id)
    # Monday 10:00 local: the morning has begun, the afternoon is still ahead.
    assert not any("11-23 09:00" in label for label in labels)
    assert any("11-23 13:00" in label for label in labels)
    assert sum("11-25" in label for label in labels) == 2
    assert not any("11-26" in label for label in labels)

    clock.advance(timedelta(hours=4))  # 14:00 local: today is over for booking
    await tg.send(OWNER, "📞 Book a call-back")
    await tg.press_label(OWNER, "Fees")
    await tg.press_label(OWNER, "Skip")
    labels = slot_labels(bot, OWNER.id)
    assert not any("11-23" in label for label in labels)
    assert any("11-26" in label for label in labels)


async def test_slot_that_passed_while_choosing_is_refused(
    tg, bot, verified_owner, clock, session_pool
):
    clock.advance(timedelta(hours=2, minutes=45))  # 12:45 local
    await tg.send(OWNER, "📞 Book a call-back")
    await tg.press_label(OWNER, "Fees")
    await tg.press_label(OWNER, "Skip")
    await tg.press_label(OWNER, "11-23 13:00")
    clock.advance(timedelta(minutes=20))
    await tg.press_label(OWNER, "Book it")
    assert await all_callbacks(session_pool) == []
    assert any("no longer available" in (a.text or "") for a in answers(bot))


async def test_forged_slot_is_refused(tg, bot, verified_owner, session_pool):
    await tg.send(OWNER, "📞 Book a call-back")
    await tg.press_label(OWNER, "Fees")
    await tg.press_label(OWNER, "Skip")
    forged = int(datetime(2026, 11, 24, 23, 0, tzinfo=UTC).timestamp())
    await tg.press(OWNER, CbSlot(start=forged).pack())
    assert "no longer available" in (answers(bot)[-1].text or "")


async def test_limit_of_three(tg, bot, verified_owner, session_pool):
    for label in ("11-23 13:00", "11-24 09:00", "11-24 13:00"):
        await book_via_chat(tg, slot_label=label, note=None)
    assert len(await all_callbacks(session_pool)) == 3
    await tg.send(OWNER, "📞 Book a call-back")
    assert "at most 3" in bot.last_text(OWNER.id)
    await tg.press(OWNER, CbMenu(action="new", callback_id=0).pack())
    assert "at most 3" in (answers(bot)[-1].text or "")
    assert len(await all_callbacks(session_pool)) == 3


async def test_storage_limit_holds_without_the_menu(session_pool, estate, verified_owner, clock):
    async with session_pool() as session:
        slots = call_backs.offered_slots(estate, clock())
        outcomes = []
        for slot in slots[:4]:
            result = await call_backs.book(
                session,
                estate=estate,
                owner_id=verified_owner.id,
                topic="other",
                ticket_id=None,
                note=None,
                slot=slot,
                now=clock(),
                drafts=lambda cb: [],
            )
            outcomes.append(result.outcome)
    assert outcomes[-1] == call_backs.Outcome.limit
    assert outcomes[:3] == [call_backs.Outcome.booked] * 3


async def test_cancel_own_booking(
    tg, bot, verified_owner, staff_members, session_pool, outbox_rows
):
    await book_via_chat(tg, slot_label="Tue 11-24 09:00")
    await tg.send(OWNER, "📞 Book a call-back")
    assert "Your booked call-back" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Cancel Tue")
    assert "is cancelled" in bot.last_text(OWNER.id)
    (row,) = await all_callbacks(session_pool)
    assert row.status == CallbackStatus.cancelled
    rows = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="callback:")
    edit = rows[-1]
    assert edit.method == "editMessageText"
    assert edit.payload["$message_id_of"] == f"callback:{row.id}:card"
    async with session_pool() as session:
        types = [
            e.type
            for e in (
                await session.exec(select(AuditEvent).where(AuditEvent.entity == "callback"))
            ).all()
        ]
    assert types == ["booked", "cancelled"]


async def test_forged_cancel_of_someone_elses_booking(
    tg, bot, verified_owner, other_owner, session_pool
):
    await book_via_chat(tg, slot_label="Tue 11-24 09:00")
    (row,) = await all_callbacks(session_pool)
    await tg.press(OTHER_OWNER, CbMenu(action="cancel", callback_id=row.id).pack())
    assert "not found" in (answers(bot)[-1].text or "")
    (row,) = await all_callbacks(session_pool)
    assert row.status == CallbackStatus.booked


async def test_note_too_long_is_refused(tg, bot, verified_owner, session_pool):
    await tg.send(OWNER, "📞 Book a call-back")
    await tg.press_label(OWNER, "Fees")
    await tg.send(OWNER, "x" * 301)
    assert "under 300" in bot.last_text(OWNER.id)


async def test_staff_done_and_missed(
    tg, bot, clock, verified_owner, staff_members, session_pool, outbox_rows
):
    await book_via_chat(tg, slot_label="Tue 11-24 09:00")
    await book_via_chat(tg, slot_label="Tue 11-24 13:00", note=None)
    first, second = await all_callbacks(session_pool)

    await tg.group(AGENT, "/callbacks week")
    listing = bot.last_text(STAFF_CHAT_ID)
    assert f"#{first.id}" in listing and f"#{second.id}" in listing

    await tg.press(STRANGER, CbStaff(action="done", callback_id=first.id).pack(), STAFF_CHAT_ID)
    assert (await all_callbacks(session_pool))[0].status == CallbackStatus.booked

    await tg.press(AGENT, CbStaff(action="done", callback_id=first.id).pack(), STAFF_CHAT_ID)
    # The owner was promised Tuesday 13:00: not missed before that.
    await tg.press(AGENT, CbStaff(action="missed", callback_id=second.id).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].show_alert and "13:00" in answers(bot)[-1].text
    assert (await all_callbacks(session_pool))[1].status == CallbackStatus.booked
    clock.advance(timedelta(hours=28))  # Tuesday 14:00 in Shanghai
    await tg.press(AGENT, CbStaff(action="missed", callback_id=second.id).pack(), STAFF_CHAT_ID)
    first, second = await all_callbacks(session_pool)
    assert first.status == CallbackStatus.done and first.outcome == "reached"
    assert second.status == CallbackStatus.missed
    assert first.staff_id == staff_members["agent"].id
    edits = [r for r in bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageText"]
    assert len(edits) == 2
    # Only the missed call tells the owner, so they can book another time.
    [told] = await outbox_rows(chat_id=OWNER.id, key_prefix="callback:")
    assert told.dedupe_key == f"callback:{second.id}:missed"
    assert "could not reach you" in told.payload["text"] and "13:00" in told.payload["text"]
    await tg.press(AGENT, CbStaff(action="missed", callback_id=first.id).pack(), STAFF_CHAT_ID)
    assert "已回电" in (answers(bot)[-1].text or "")
    assert (await all_callbacks(session_pool))[0].status == CallbackStatus.done
