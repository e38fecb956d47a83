"""Report a repair: the owner's conversation from the menu button to the ticket and its card."""

import asyncio
from datetime import timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlmodel import select

from handlers.ticket_form import FormCB
from storage import units as storage_units
from storage.models import Estate, Owner, Ticket, TicketPhoto, TicketStatus, Urgency
from tests import tickets_fixtures as fx
from tests.helpers import STAFF_CHAT_ID, answers
from tests.tickets_fixtures import OTHER_OWNER, OTHER_PHONE, OWNER, OWNER_PHONE

# Fixtures shared with the other ticket tests.
units, verified_owner, other_owner, outbox_rows = (
    fx.units,
    fx.verified_owner,
    fx.other_owner,
    fx.outbox_rows,
)

DESCRIPTION = "The kitchen tap <b>drips</b> all night & wakes us up."


async def all_tickets(session_pool) -> list[Ticket]:
    async with session_pool() as session:
        return list((await session.exec(select(Ticket))).all())


async def photos_of(session_pool, ticket_id) -> list[TicketPhoto]:
    async with session_pool() as session:
        rows = await session.exec(select(TicketPhoto).where(TicketPhoto.ticket_id == ticket_id))
        return list(rows)


def buttons(bot, chat_id) -> list[str]:
    """Labels of the inline buttons on the newest message that has some."""
    for request in reversed(bot.sent(chat_id)):
        markup = getattr(request, "reply_markup", None)
        if markup is not None and hasattr(markup, "inline_keyboard"):
            return [b.text for row in markup.inline_keyboard for b in row]
    return []


async def test_full_repair_with_photos_creates_ticket_and_card(
    tg, bot, session_pool, estate, verified_owner, units, outbox_rows
):
    await tg.send(OWNER, "🛠 Report a repair")
    assert "Where is the problem?" in bot.last_text(OWNER.id)
    assert set(buttons(bot, OWNER.id)) >= {"3-1201", "3-1202", "🏢 Common area"}
    await tg.press_label(OWNER, "3-1202")
    assert "3-1202" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Plumbing")
    assert "What is wrong?" in bot.last_text(OWNER.id)
    await tg.send(OWNER, DESCRIPTION)
    assert "Skip" in buttons(bot, OWNER.id)[0]
    await tg.photo(OWNER, "p1")
    assert "Photo 1 of 5" in bot.last_text(OWNER.id)
    await tg.photo(OWNER, "p2")
    assert "Photo 2 of 5" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Done")
    await tg.press_label(OWNER, "Normal")
    assert "When would a visit suit you?" in bot.last_text(OWNER.id)
    # Monday 10:00 in Shanghai: this morning is still ahead.
    assert "Today morning" in buttons(bot, OWNER.id)
    await tg.press_label(OWNER, "Tomorrow afternoon")
    summary = bot.last_text(OWNER.id)
    assert "3-1202" in summary and "Plumbing" in summary
    assert "&lt;b&gt;drips&lt;/b&gt; all night &amp; wakes" in summary
    assert "2 photos" in summary
    assert "Tomorrow afternoon (2026-11-24 12:00-18:00)" in summary
    assert OWNER_PHONE in summary
    await tg.press_label(OWNER, "Confirm")

    [ticket] = await all_tickets(session_pool)
    assert ticket.number == 1
    assert ticket.owner_id == verified_owner.id
    assert ticket.unit_id == units["3-1202"].id
    assert ticket.category == "plumbing"
    assert ticket.description == DESCRIPTION
    assert ticket.urgency == Urgency.normal
    assert ticket.preferred_time == "2026-11-24 12:00-18:00"
    assert ticket.contact_phone == OWNER_PHONE
    assert ticket.status == TicketStatus.new
    stored = await photos_of(session_pool, ticket.id)
    assert [(p.file_id, p.file_unique_id) for p in stored] == [("p1", "u-p1"), ("p2", "u-p2")]

    done = bot.last_text(OWNER.id)
    # Normal repair at 10:00 Monday: 2 working hours → 12:00 the same day, Shanghai time.
    assert "#1" in done and "2026-11-23 12:00" in done
    assert bot.sent(OWNER.id)[-1].reply_markup.keyboard  # the main menu is back
    # The confirmation is about the ticket: a Telegram reply to it adds a comment.
    [confirmation] = await outbox_rows(chat_id=OWNER.id, key_prefix="direct:")
    assert confirmation.subject == f"ticket:{ticket.id}"
    card = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{ticket.id}:card")
    assert len(card) == 1 and card[0].subject == f"ticket:{ticket.id}"
    # The owner's text is escaped on the staff card too.
    assert "<b>drips" not in card[0].payload["text"]
    photo_rows = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{ticket.id}:photo")
    assert len(photo_rows) == 2
    key = StorageKey(bot_id=bot.id, chat_id=OWNER.id, user_id=OWNER.id)
    assert await tg.dp.storage.get_state(key) is None


async def test_one_unit_simple_case_takes_six_taps(
    tg, bot, session_pool, estate, other_owner, outbox_rows
):
    await tg.send(OTHER_OWNER, "报修")  # tap 1: the menu button (any wording, any language)
    assert "5-0801" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Electrical")  # tap 2
    await tg.send(OTHER_OWNER, "The corridor light is out.")
    await tg.press_label(OTHER_OWNER, "Skip")  # tap 3
    await tg.press_label(OTHER_OWNER, "Normal")  # tap 4
    await tg.press_label(OTHER_OWNER, "Any time")  # tap 5
    assert "Is everything correct?" in bot.last_text(OTHER_OWNER.id)
    assert OTHER_PHONE in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Confirm")  # tap 6
    assert len(answers(bot)) == 5  # five button presses after the menu button
    [ticket] = await all_tickets(session_pool)
    assert ticket.category == "electrical"
    assert ticket.preferred_time is None
    assert ticket.contact_phone == OTHER_PHONE
    assert "#1" in bot.last_text(OTHER_OWNER.id)


async def test_double_confirm_creates_one_ticket(tg, bot, session_pool, estate, other_owner):
    await tg.send(OTHER_OWNER, "/repair")
    await tg.press_label(OTHER_OWNER, "Lift")
    await tg.send(OTHER_OWNER, "Lift B stops between floors.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Confirm")
    await tg.press_label(OTHER_OWNER, "Confirm")  # the same button again
    assert len(await all_tickets(session_pool)) == 1
    assert answers(bot)[-1].show_alert and "no longer active" in answers(bot)[-1].text


async def test_urgent_shows_emergency_phone_and_skips_visit_time(
    tg, bot, session_pool, estate, other_owner
):
    async with session_pool() as session:
        row = await session.get(Estate, estate.id)
        row.emergency_phone = "+86 21 5555 0110"
        session.add(row)
        await session.commit()
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "Water pouring through the ceiling!")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Urgent")
    texts = bot.texts(OTHER_OWNER.id)
    assert any("+86 21 5555 0110" in text for text in texts[-2:])
    summary = bot.last_text(OTHER_OWNER.id)
    assert "As soon as possible" in summary and "urgent" in summary
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.urgency == Urgency.urgent and ticket.preferred_time is None
    done = bot.last_text(OTHER_OWNER.id)
    # Urgent: 15 minutes from 10:00 Shanghai time, and the emergency line again.
    assert "2026-11-23 10:15" in done and "+86 21 5555 0110" in done


async def test_urgent_without_emergency_phone_says_nothing_about_it(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "Water pouring through the ceiling!")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Urgent")
    assert not any("emergency line" in text for text in bot.texts(OTHER_OWNER.id))


async def test_bad_input_is_re_asked_without_losing_the_step(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.send(OTHER_OWNER, "plumbing")  # typed where a button is expected
    assert "choose one of the buttons" in bot.texts(OTHER_OWNER.id)[-2]
    assert "What kind of problem" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "tap")
    assert "at least 5 characters" in bot.last_text(OTHER_OWNER.id)
    # Menu words that are also answers ("leak" means Report a repair on the main menu) are
    # answers here: the step stays, nothing chosen so far is lost.
    await tg.send(OTHER_OWNER, "leak")
    assert "at least 5 characters" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "x" * 2001)
    assert "2001" in bot.last_text(OTHER_OWNER.id) and "2000" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.send(OTHER_OWNER, "no photos")  # text where a photo is expected
    assert "send a photo" in bot.texts(OTHER_OWNER.id)[-2]
    for n in range(1, 6):
        await tg.photo(OTHER_OWNER, f"p{n}")
    assert "the most we can take. Press Done" in bot.last_text(OTHER_OWNER.id)
    await tg.photo(OTHER_OWNER, "p6")
    assert "already attached 5 photos" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Done")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.description == "The tap leaks."
    assert len(await photos_of(session_pool, ticket.id)) == 5


async def test_photo_with_caption_is_description_and_photo(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Walls")
    await tg.photo(OTHER_OWNER, "crack", caption="A crack in the bedroom wall.")
    assert "1 photo attached" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Done")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.description == "A crack in the bedroom wall."
    assert [p.file_id for p in await photos_of(session_pool, ticket.id)] == ["crack"]


async def test_caption_of_a_later_photo_joins_the_description(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.photo(OTHER_OWNER, "p1", caption="Under the sink, left side")
    await tg.press_label(OTHER_OWNER, "Done")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    assert "Under the sink, left side" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.description == "The tap leaks.\nUnder the sink, left side"


async def test_photo_without_caption_is_kept_and_text_asked(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Walls")
    await tg.photo(OTHER_OWNER, "crack")
    assert "describe the problem in words" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "A crack in the wall.")
    assert "1 photo attached" in bot.last_text(OTHER_OWNER.id)


async def test_common_area_needs_building_and_place(tg, bot, session_pool, estate, other_owner):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Not in my flat")
    assert "Which building" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "3")
    assert "Where exactly in building 3" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "x")
    assert "2 to 200" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "Lobby, by the mailboxes")
    assert "3 · Lobby, by the mailboxes" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Lift")
    await tg.send(OTHER_OWNER, "The lobby lift door is stuck.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.unit_id is None and ticket.location == "3 · Lobby, by the mailboxes"


async def test_edit_from_summary_changes_one_field_and_returns(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Edit")
    assert "What would you like to change?" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Description")
    await tg.send(OTHER_OWNER, "The bathroom tap leaks badly.")
    assert "Is everything correct?" in bot.last_text(OTHER_OWNER.id)
    assert "bathroom tap" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Edit")
    await tg.press_label(OTHER_OWNER, "Contact phone")
    assert "Use my number" in buttons(bot, OTHER_OWNER.id)[0]
    await tg.send(OTHER_OWNER, "not a phone")
    assert "valid phone number" in bot.last_text(OTHER_OWNER.id)
    await tg.send(OTHER_OWNER, "139 1234 5678")
    assert "+8613912345678" in bot.last_text(OTHER_OWNER.id)
    await tg.press_label(OTHER_OWNER, "Edit")
    await tg.press_label(OTHER_OWNER, "Urgency")
    await tg.press_label(OTHER_OWNER, "Normal")
    assert "When would a visit" in bot.last_text(OTHER_OWNER.id)  # asked again after urgency
    await tg.press_label(OTHER_OWNER, "Tomorrow morning")
    await tg.press_label(OTHER_OWNER, "Edit")
    await tg.press_label(OTHER_OWNER, "Back")
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.description == "The bathroom tap leaks badly."
    assert ticket.contact_phone == "+8613912345678"
    assert ticket.preferred_time == "2026-11-24 09:00-12:00"


async def test_confirm_on_a_summary_shown_before_an_edit_is_stale(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Urgent")
    old_summary = bot.sent(OTHER_OWNER.id)[-1].reply_markup.inline_keyboard
    old_confirm = next(b for row in old_summary for b in row if "Confirm" in b.text)
    await tg.press_label(OTHER_OWNER, "Edit")
    await tg.press_label(OTHER_OWNER, "Urgency")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Tomorrow morning")
    assert "Is everything correct?" in bot.last_text(OTHER_OWNER.id)
    # The first summary said "urgent": its Confirm must not send the edited draft.
    await tg.press(OTHER_OWNER, old_confirm.callback_data)
    assert answers(bot)[-1].show_alert
    assert await all_tickets(session_pool) == []
    await tg.press_label(OTHER_OWNER, "Confirm")
    [ticket] = await all_tickets(session_pool)
    assert ticket.urgency == Urgency.normal


async def test_cancel_from_summary_creates_nothing(tg, bot, session_pool, estate, other_owner):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await tg.press_label(OTHER_OWNER, "Cancel")
    assert "Nothing was sent" in bot.last_text(OTHER_OWNER.id)
    assert await all_tickets(session_pool) == []


async def test_slash_cancel_leaves_the_flow(tg, bot, session_pool, estate, other_owner):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "/cancel")
    await tg.send(OTHER_OWNER, "The tap leaks badly.")
    assert await all_tickets(session_pool) == []
    assert "skip" not in bot.last_text(OTHER_OWNER.id).casefold()


async def test_other_menu_button_mid_flow_starts_that_feature(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "📣 Make a complaint")
    # Asked first (issue 15), then Leave goes on with the complaint.
    await tg.press_label(OTHER_OWNER, "Leave it")
    assert "What is your complaint about?" in bot.last_text(OTHER_OWNER.id)


async def test_stale_and_forged_buttons_change_nothing(
    tg, bot, session_pool, estate, other_owner, verified_owner, units
):
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    first = buttons(bot, OTHER_OWNER.id)
    assert "Plumbing" in first
    await tg.press_label(OTHER_OWNER, "Plumbing")
    # An old category button pressed again, and a made-up step.
    await tg.press(OTHER_OWNER, FormCB(step="cat", value="lift", ref="deadbeef").pack())
    assert answers(bot)[-1].show_alert
    await tg.press(OTHER_OWNER, FormCB(step="sum", value="ok", ref="deadbeef").pack())
    assert answers(bot)[-1].show_alert
    assert "What is wrong?" in bot.last_text(OTHER_OWNER.id)
    assert await all_tickets(session_pool) == []


async def test_owner_cannot_pick_someone_elses_unit(
    tg, bot, session_pool, estate, verified_owner, units
):
    await tg.send(OWNER, "🛠 Report a repair")
    markup = bot.sent(OWNER.id)[-1].reply_markup
    token = FormCB.unpack(markup.inline_keyboard[0][0].callback_data).ref
    forged = FormCB(step="where", value=str(units["5-0801"].id), ref=token).pack()
    await tg.press(OWNER, forged)
    assert "Where is the problem?" in bot.last_text(OWNER.id)  # asked again, nothing chosen


async def test_start_reads_the_owners_units_once(
    tg, bot, session_pool, estate, verified_owner, units, monkeypatch
):
    """Two homes: the start and its "where" question share one read of them."""
    reads = []
    of_owner = storage_units.of_owner

    async def counted(session, owner_id):
        reads.append(owner_id)
        return await of_owner(session, owner_id)

    monkeypatch.setattr(storage_units, "of_owner", counted)
    await tg.send(OWNER, "🛠 Report a repair")
    assert "Where is the problem?" in bot.last_text(OWNER.id)
    assert len(reads) == 1


async def test_visit_choices_drop_the_past(tg, bot, clock, session_pool, estate, other_owner):
    clock.advance(timedelta(hours=5))  # 15:00 in Shanghai
    await tg.send(OTHER_OWNER, "🛠 Report a repair")
    await tg.press_label(OTHER_OWNER, "Plumbing")
    await tg.send(OTHER_OWNER, "The tap leaks.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    offered = buttons(bot, OTHER_OWNER.id)
    assert "Today morning" not in offered and "Today afternoon" in offered


async def test_unverified_people_do_not_get_the_form(tg, bot, session_pool, estate):
    await tg.send(OWNER, "🛠 Report a repair")
    assert "Where is the problem?" not in bot.last_text(OWNER.id)
    assert await all_tickets(session_pool) == []


async def test_chinese_owner_gets_chinese_texts(tg, bot, session_pool, estate, other_owner):
    async with session_pool() as session:
        row = await session.get(Owner, other_owner.id)
        row.language = "zh"
        session.add(row)
        await session.commit()
    await tg.send(OTHER_OWNER, "Report a repair")
    assert "请选择问题类别" in bot.last_text(OTHER_OWNER.id)


async def test_confirm_pressed_twice_at_once_creates_one_ticket(
    tg, bot, session_pool, estate, other_owner
):
    await tg.send(OTHER_OWNER, "/repair")
    await tg.press_label(OTHER_OWNER, "Lift")
    await tg.send(OTHER_OWNER, "Lift B stops between floors.")
    await tg.press_label(OTHER_OWNER, "Skip")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    await asyncio.gather(
        tg.press_label(OTHER_OWNER, "Confirm"), tg.press_label(OTHER_OWNER, "Confirm")
    )
    assert len(await all_tickets(session_pool)) == 1


async def test_album_of_photos_keeps_every_photo(tg, bot, session_pool, estate, other_owner):
    await tg.send(OTHER_OWNER, "/repair")
    await tg.press_label(OTHER_OWNER, "Lift")
    await tg.send(OTHER_OWNER, "Lift B stops between floors.")
    # An album arrives as several updates at once; polling handles them concurrently.
    await asyncio.gather(*(tg.photo(OTHER_OWNER, f"a{n}") for n in range(4)))
    await tg.press_label(OTHER_OWNER, "Done")
    await tg.press_label(OTHER_OWNER, "Normal")
    await tg.press_label(OTHER_OWNER, "Any time")
    assert "4 photos" in bot.last_text(OTHER_OWNER.id)
