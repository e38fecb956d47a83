"""Make a complaint: category, what happened, photos, the call wish, the 24-hour deadline."""

from sqlmodel import select

from storage.models import Ticket, TicketKind, TicketPhoto, TicketStatus
from tests import tickets_fixtures as fx
from tests.helpers import STAFF_CHAT_ID
from tests.tickets_fixtures import OWNER, OWNER_PHONE

units, verified_owner, outbox_rows = fx.units, fx.verified_owner, fx.outbox_rows


async def all_tickets(session_pool) -> list[Ticket]:
    async with session_pool() as session:
        return list((await session.exec(select(Ticket))).all())


async def test_complaint_with_photo_and_call_wish(
    tg, bot, session_pool, estate, verified_owner, units, outbox_rows
):
    await tg.send(OWNER, "📣 Make a complaint")
    assert "What is your complaint about?" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Cleanliness")
    await tg.send(OWNER, "The bins behind building 3 have not been emptied for a week.")
    await tg.photo(OWNER, "bins")
    await tg.press_label(OWNER, "Done")
    assert "call you" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Yes")
    summary = bot.last_text(OWNER.id)
    assert "Your complaint" in summary and "call back" in summary and OWNER_PHONE in summary
    assert "Place" not in summary and "Urgency" not in summary
    await tg.press_label(OWNER, "Confirm")

    [ticket] = await all_tickets(session_pool)
    assert ticket.kind == TicketKind.complaint
    assert ticket.category == "cleanliness"
    assert ticket.wants_call is True
    assert ticket.contact_phone == OWNER_PHONE
    assert ticket.unit_id == units["3-1201"].id  # the household's primary unit, never asked
    assert ticket.status == TicketStatus.new
    async with session_pool() as session:
        photos = (await session.exec(select(TicketPhoto))).all()
    assert [p.file_id for p in photos] == ["bins"]
    done = bot.last_text(OWNER.id)
    # 24 hours from Monday 10:00 Shanghai time.
    assert "#1" in done and "24 hours" in done and "2026-11-24 10:00" in done
    assert await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{ticket.id}:card")


async def test_complaint_without_call_and_without_photos(
    tg, bot, session_pool, estate, verified_owner
):
    await tg.send(OWNER, "投诉")
    await tg.press_label(OWNER, "Noise")
    await tg.send(OWNER, "Drilling next door every night after 22:00.")
    await tg.press_label(OWNER, "Skip")
    await tg.press_label(OWNER, "No")
    summary = bot.last_text(OWNER.id)
    assert "written reply is enough" in summary and OWNER_PHONE not in summary
    await tg.press_label(OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.category == "noise" and ticket.wants_call is False


async def test_complaint_edit_call_wish_from_summary(
    tg, bot, session_pool, estate, verified_owner
):
    await tg.send(OWNER, "complaint")
    await tg.press_label(OWNER, "Parking")
    await tg.send(OWNER, "Someone parks in my space every day.")
    await tg.press_label(OWNER, "Skip")
    await tg.press_label(OWNER, "No")
    await tg.press_label(OWNER, "Edit")
    await tg.press_label(OWNER, "Call back")
    await tg.press_label(OWNER, "Yes")
    assert OWNER_PHONE in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.wants_call is True


async def test_complaint_description_is_validated(tg, bot, session_pool, estate, verified_owner):
    await tg.send(OWNER, "📣 Make a complaint")
    await tg.press_label(OWNER, "Fees")
    await tg.send(OWNER, "bad")
    assert "at least 5 characters" in bot.last_text(OWNER.id)
    await tg.send(OWNER, "/cancel")
    assert await all_tickets(session_pool) == []


async def test_complaint_category_buttons_are_complaint_categories(
    tg, bot, estate, verified_owner
):
    await tg.send(OWNER, "📣 Make a complaint")
    labels = [b.text for row in bot.sent(OWNER.id)[-1].reply_markup.inline_keyboard for b in row]
    assert "Service attitude" in labels and "Plumbing" not in labels
