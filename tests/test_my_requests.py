"""My requests: list, history without staff-only data, comments, cancelling, "Is it fixed?",
the rating, replies to staff messages, and owners who try someone else's ticket."""

from datetime import UTC, datetime, timedelta

from aiogram.types import Message, User
from sqlmodel import col, select

from bot.i18n import default_catalogs
from handlers.cards import FixedCB, RateCB
from handlers.my_requests import ReqCB
from handlers.notifications import card_drafts
from storage import tickets
from storage.models import Ticket, TicketEvent, TicketKind, TicketStatus
from storage.tickets import Actor, no_notify
from tests import tickets_fixtures as fx
from tests.helpers import STAFF_CHAT_ID, answers
from tests.mocked_bot import BOT_ID
from tests.tickets_fixtures import OTHER_OWNER, OWNER, mark_sent

units, verified_owner, other_owner = fx.units, fx.verified_owner, fx.other_owner
staff_members, make_ticket, outbox_rows = fx.staff_members, fx.make_ticket, fx.outbox_rows


async def ticket_of(session_pool, ticket_id) -> Ticket:
    async with session_pool() as session:
        return await session.get(Ticket, ticket_id, populate_existing=True)


async def events_of(session_pool, ticket_id) -> list[TicketEvent]:
    async with session_pool() as session:
        rows = await session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        )
        return list(rows)


def from_bot(tg, person, message_id: int, text: str) -> Message:
    """A message the bot sent to `person`, for the owner to reply to."""
    return Message(
        message_id=message_id,
        date=datetime.now(UTC),
        chat=tg._chat(person, None),
        from_user=User(id=BOT_ID, is_bot=True, first_name="Frontdoor"),
        text=text,
    )


async def staff_do(session_pool, clock, operation, ticket_id, member, **kwargs):
    """Run a staff transition straight through storage (the staff side is tested elsewhere)."""
    async with session_pool() as session:
        return await operation(
            session,
            ticket_id,
            actor=Actor.staff(member),
            now=clock(),
            notify=kwargs.pop("notify", no_notify),
            **kwargs,
        )


async def resolved_ticket(make_ticket, session_pool, clock, staff_members, **kwargs):
    view = await make_ticket(**kwargs)
    tid = view.ticket.id
    agent = staff_members["agent"]
    await staff_do(session_pool, clock, tickets.assign, tid, agent, assignee=agent)
    await staff_do(session_pool, clock, tickets.resolve, tid, agent, text=None)
    return view


async def test_list_shows_own_tickets_only(
    tg, bot, estate, make_ticket, other_owner, units, verified_owner
):
    await make_ticket(description="Kitchen tap drips all night.")
    await make_ticket(kind=TicketKind.complaint, description="Bins not emptied.")
    await make_ticket(
        owner=other_owner, unit_id=units["5-0801"].id, description="Oscar's private problem."
    )
    await tg.send(OWNER, "📋 My requests")
    text = bot.last_text(OWNER.id)
    assert "#1" in text and "#2" in text and "#3" not in text
    labels = [b.text for row in bot.sent(OWNER.id)[-1].reply_markup.inline_keyboard for b in row]
    assert len(labels) == 2


async def test_empty_list(tg, bot, estate, verified_owner):
    await tg.send(OWNER, "/requests")
    assert "no requests yet" in bot.last_text(OWNER.id)


async def test_history_hides_internal_notes_and_staff_phones(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members
):
    view = await make_ticket(description="Kitchen tap drips all night.")
    tid = view.ticket.id
    agent = staff_members["agent"]
    await staff_do(session_pool, clock, tickets.assign, tid, agent, assignee=agent)
    await staff_do(
        session_pool, clock, tickets.add_note, tid, agent, text="SECRET: owner is difficult"
    )
    await staff_do(
        session_pool, clock, tickets.reply, tid, agent, text="We come at 3 pm.", photo=None
    )
    await tg.press(OWNER, ReqCB(action="open", ticket_id=tid).pack())
    text = bot.last_text(OWNER.id)
    assert "Kitchen tap drips" in text
    assert "Request received" in text and "Taken on by our staff" in text
    assert "Staff replied: We come at 3 pm." in text
    assert "SECRET" not in text and "Alice" not in text
    labels = [b.text for row in bot.sent(OWNER.id)[-1].reply_markup.inline_keyboard for b in row]
    assert any("Add comment" in label for label in labels)
    assert any("Cancel" in label for label in labels)


async def test_add_comment_goes_to_the_ticket_and_the_staff_group(
    tg, bot, session_pool, estate, make_ticket, outbox_rows
):
    view = await make_ticket()
    tid = view.ticket.id
    await tg.press(OWNER, ReqCB(action="comment", ticket_id=tid).pack())
    assert "Type your comment for #1" in bot.last_text(OWNER.id)
    await tg.send(OWNER, "Please ring twice, the bell is <weak>.")
    assert "Added to #1" in bot.last_text(OWNER.id)
    comment = (await events_of(session_pool, tid))[-1]
    assert comment.type == "comment" and comment.data["text"].startswith("Please ring twice")
    group = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{tid}:event:{comment.id}")
    threaded = [r for r in group if r.method == "sendMessage"]
    assert threaded and "&lt;weak&gt;" in threaded[0].payload["text"]


async def test_add_photo(tg, bot, session_pool, estate, make_ticket):
    view = await make_ticket()
    tid = view.ticket.id
    await tg.press(OWNER, ReqCB(action="photo", ticket_id=tid).pack())
    await tg.send(OWNER, "just text")
    assert "Send a photo for #1" in bot.last_text(OWNER.id)
    await tg.photo(OWNER, "more", caption="From another angle")
    comment = (await events_of(session_pool, tid))[-1]
    assert comment.type == "comment" and comment.data["photos"] == ["more"]
    assert comment.data["text"] == "From another angle"


async def test_cancel_own_new_ticket(tg, bot, session_pool, estate, make_ticket, outbox_rows):
    view = await make_ticket()
    tid = view.ticket.id
    await tg.press(OWNER, ReqCB(action="cancel", ticket_id=tid).pack())
    assert "Cancel request #1?" in bot.last_text(OWNER.id)
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.new  # asked first
    await tg.press_label(OWNER, "Yes, cancel it")
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.cancelled
    assert "#1 is cancelled" in bot.last_text(OWNER.id)
    edits = await outbox_rows(chat_id=STAFF_CHAT_ID)
    assert any(r.method == "editMessageText" for r in edits)
    # Pressing Yes again explains why not and changes nothing.
    await tg.press(OWNER, ReqCB(action="cancel_yes", ticket_id=tid).pack())
    assert answers(bot)[-1].show_alert and "#1" in answers(bot)[-1].text


async def test_cannot_cancel_once_work_started(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members
):
    view = await make_ticket()
    tid = view.ticket.id
    tech = staff_members["technician"]
    agent = staff_members["agent"]
    await staff_do(session_pool, clock, tickets.assign, tid, agent, assignee=tech)
    await staff_do(session_pool, clock, tickets.start_work, tid, agent)
    await tg.press(OWNER, ReqCB(action="cancel", ticket_id=tid).pack())
    assert answers(bot)[-1].show_alert and "in progress" in answers(bot)[-1].text
    await tg.press(OWNER, ReqCB(action="cancel_yes", ticket_id=tid).pack())
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.in_progress


async def test_other_owners_ticket_reveals_nothing(
    tg, bot, session_pool, estate, make_ticket, other_owner, units
):
    theirs = await make_ticket(
        owner=other_owner, unit_id=units["5-0801"].id, description="Oscar's private problem."
    )
    tid = theirs.ticket.id
    # A forged button with Oscar's ticket id, and one with an id that does not exist.
    await tg.press(OWNER, ReqCB(action="open", ticket_id=tid).pack())
    foreign = answers(bot)[-1].text
    await tg.press(OWNER, ReqCB(action="open", ticket_id=9999).pack())
    assert answers(bot)[-1].text == foreign and "No such request" in foreign
    for action in ("comment", "photo", "cancel", "cancel_yes"):
        await tg.press(OWNER, ReqCB(action=action, ticket_id=tid).pack())
        assert answers(bot)[-1].text == foreign
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=False).pack())
    assert answers(bot)[-1].text == foreign
    await tg.press(OWNER, RateCB(ticket_id=tid, stars=1).pack())
    assert answers(bot)[-1].text == foreign
    # A guessed number.
    await tg.send(OWNER, f"/ticket {theirs.ticket.number}")
    by_number = bot.last_text(OWNER.id)
    await tg.send(OWNER, "/ticket 4242")
    assert bot.last_text(OWNER.id) == by_number and "No such request" in by_number
    await tg.send(OWNER, f"#{theirs.ticket.number}")
    assert bot.last_text(OWNER.id) == by_number
    assert not any("Oscar" in text for text in bot.texts(OWNER.id))
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.new
    assert [e.type for e in await events_of(session_pool, tid)] == ["created"]


async def test_own_ticket_by_number(tg, bot, estate, make_ticket):
    await make_ticket(description="Kitchen tap drips all night.")
    await tg.send(OWNER, "/ticket 1")
    assert "Kitchen tap drips" in bot.last_text(OWNER.id)


async def test_not_fixed_reopens_and_takes_the_reason(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, outbox_rows
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=False).pack())
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.reopened
    assert "What is still wrong?" in bot.last_text(OWNER.id)
    alerts = await outbox_rows(chat_id=STAFF_CHAT_ID)
    assert any(r.dedupe_key.endswith(":alert") for r in alerts)
    # "坏了" ("broken") is also a way to say Report a repair on the menu, but here it answers.
    await tg.send(OWNER, "坏了")
    assert "Added to #1" in bot.last_text(OWNER.id)
    last = (await events_of(session_pool, tid))[-1]
    assert last.type == "comment" and last.data["text"] == "坏了"
    # The old "Is it fixed?" button does nothing now.
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    assert answers(bot)[-1].show_alert
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.reopened


async def test_fixed_closes_then_rating_with_comment(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, outbox_rows
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.closed
    assert "How would you rate" in bot.last_text(OWNER.id)
    # Asked right here, so the outbox does not ask a second time.
    assert not [r for r in await outbox_rows(chat_id=OWNER.id) if "rate" in str(r.payload)]
    await tg.press_label(OWNER, "⭐⭐⭐⭐")
    assert "Anything you would like to add?" in bot.last_text(OWNER.id)
    # The stars are stored the moment they are pressed.
    ticket = await ticket_of(session_pool, tid)
    assert ticket.rating == 4 and ticket.rating_comment is None
    await tg.send(OWNER, "Quick and <friendly>.")
    assert "Thank you for your feedback" in bot.last_text(OWNER.id)
    ticket = await ticket_of(session_pool, tid)
    assert ticket.rating == 4 and ticket.rating_comment == "Quick and <friendly>."
    events = await events_of(session_pool, tid)
    assert [e.type for e in events][-2:] == ["rated", "rating_comment"]
    # The staff card is edited to show the comment (escaped), and says what happened last.
    [card] = await outbox_rows(
        chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{tid}:event:{events[-1].id}:card"
    )
    assert card.method == "editMessageText"
    assert "Quick and &lt;friendly&gt;." in card.payload["text"]
    assert "评价留言" in card.payload["text"]
    # The owner sees both in the history.
    await tg.press(OWNER, ReqCB(action="open", ticket_id=tid).pack())
    history = bot.last_text(OWNER.id)
    assert "You rated it ★★★★" in history
    assert "Your comment on the rating: Quick and &lt;friendly&gt;." in history
    # Rating twice is refused.
    await tg.press(OWNER, RateCB(ticket_id=tid, stars=1).pack())
    assert answers(bot)[-1].show_alert and "already been rated" in answers(bot)[-1].text
    assert (await ticket_of(session_pool, tid)).rating == 4


async def test_rating_comment_can_be_skipped(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    await tg.press(OWNER, RateCB(ticket_id=tid, stars=5).pack())
    await tg.press_label(OWNER, "Skip")
    assert "Thank you for your feedback" in bot.last_text(OWNER.id)
    ticket = await ticket_of(session_pool, tid)
    assert ticket.rating == 5 and ticket.rating_comment is None
    assert [e.type for e in await events_of(session_pool, tid)][-1] == "rated"
    # The question is over: free text is no longer taken as a rating comment.
    await tg.send(OWNER, "hello")
    assert (await ticket_of(session_pool, tid)).rating_comment is None


async def test_rating_is_kept_when_the_owner_walks_away(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, outbox_rows
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    await tg.press(OWNER, RateCB(ticket_id=tid, stars=2).pack())
    assert "Anything you would like to add?" in bot.last_text(OWNER.id)
    # No comment, no Skip: the owner comes back an hour later about something else.
    clock.advance(timedelta(hours=1))
    await tg.send(OWNER, "📋 My requests")
    assert "#1" in bot.last_text(OWNER.id)
    ticket = await ticket_of(session_pool, tid)
    assert ticket.rating == 2 and ticket.rating_comment is None
    rated = (await events_of(session_pool, tid))[-1]
    assert rated.type == "rated" and rated.data["rating"] == 2
    # Staff saw the stars on the card without waiting for the comment.
    [card] = await outbox_rows(
        chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{tid}:event:{rated.id}:card"
    )
    assert "★★" in card.payload["text"]
    # A late Skip on the old question changes nothing, does not complain, and does not
    # thank the owner a second time in the chat.
    sent_before = len(bot.sent(OWNER.id))
    await tg.press(OWNER, ReqCB(action="rate_skip", ticket_id=tid).pack())
    assert not answers(bot)[-1].show_alert
    assert len(bot.sent(OWNER.id)) == sent_before
    assert (await ticket_of(session_pool, tid)).rating == 2


async def test_rating_comment_only_once_and_only_for_own_rated_ticket(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, other_owner, units
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    # Skip before any stars (a forged button) is refused: nothing to end.
    await tg.press(OWNER, ReqCB(action="rate_skip", ticket_id=tid).pack())
    assert answers(bot)[-1].show_alert and "not been rated" in answers(bot)[-1].text
    await tg.press(OWNER, RateCB(ticket_id=tid, stars=3).pack())
    await tg.send(OWNER, "   ")
    assert "Please type your comment" in bot.last_text(OWNER.id)
    await tg.send(OWNER, "x" * (tickets.TEXT_MAX + 1))
    assert "too long" in bot.last_text(OWNER.id)
    assert (await ticket_of(session_pool, tid)).rating_comment is None
    await tg.send(OWNER, "Fine.")
    assert (await ticket_of(session_pool, tid)).rating_comment == "Fine."
    # Oscar's forged Skip on Olivia's ticket reveals nothing.
    await tg.press(OTHER_OWNER, ReqCB(action="rate_skip", ticket_id=tid).pack())
    assert "No such request" in answers(bot)[-1].text


async def test_reply_to_the_details_or_the_confirmation_becomes_a_comment(
    tg, bot, session_pool, make_ticket, outbox_rows
):
    view = await make_ticket(description="Kitchen tap drips all night.")
    tid = view.ticket.id
    await tg.send(OWNER, "#1")
    [details] = await outbox_rows(chat_id=OWNER.id, key_prefix="direct:")
    assert details.subject == f"ticket:{tid}"
    replied = from_bot(tg, OWNER, details.telegram_message_id, "#1")
    await tg.send(OWNER, "It drips faster now.", reply_to_message=replied)
    assert "Added to #1" in bot.last_text(OWNER.id)
    last = (await events_of(session_pool, tid))[-1]
    assert last.type == "comment" and last.data["text"] == "It drips faster now."
    # Someone else replying to a copy of that message in their own chat reaches nothing.
    foreign = replied.model_copy(update={"chat": tg._chat(OTHER_OWNER, None)})
    await tg.send(OTHER_OWNER, "Mine too!", reply_to_message=foreign)
    assert [e.type for e in await events_of(session_pool, tid)] == ["created", "comment"]


async def test_owner_answer_to_staff_about_a_closed_ticket_reaches_staff(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, outbox_rows
):
    view = await resolved_ticket(make_ticket, session_pool, clock, staff_members)
    tid = view.ticket.id
    await staff_do(session_pool, clock, tickets.close, tid, staff_members["agent"])
    await staff_do(
        session_pool,
        clock,
        tickets.reply,
        tid,
        staff_members["agent"],
        text="Is the sink still fine?",
        photo=None,
        notify=card_drafts(default_catalogs(), estate),
    )
    [to_owner] = [r for r in await outbox_rows(chat_id=OWNER.id) if "sink" in str(r.payload)]
    await mark_sent(session_pool, to_owner.dedupe_key, 778)
    replied = from_bot(tg, OWNER, 778, "Is the sink still fine?")
    await tg.send(OWNER, "Yes, all good, thanks", reply_to_message=replied)
    assert "Added to #1" in bot.last_text(OWNER.id)
    assert (await ticket_of(session_pool, tid)).status == TicketStatus.closed
    to_staff = await outbox_rows(chat_id=STAFF_CHAT_ID)
    assert any("Yes, all good" in str(r.payload) for r in to_staff)


async def test_reply_to_staff_message_becomes_a_comment(
    tg, bot, session_pool, clock, estate, make_ticket, staff_members, outbox_rows
):
    first = await make_ticket(description="Kitchen tap drips all night.")
    second = await make_ticket(description="Hallway light flickers.")
    agent = staff_members["agent"]
    await staff_do(
        session_pool,
        clock,
        tickets.reply,
        second.ticket.id,
        agent,
        text="Which hallway light?",
        photo=None,
        notify=card_drafts(default_catalogs(), estate),
    )
    [to_owner] = [
        r for r in await outbox_rows(chat_id=OWNER.id) if "Which hallway" in str(r.payload)
    ]
    await mark_sent(session_pool, to_owner.dedupe_key, 777)
    replied = from_bot(tg, OWNER, 777, "Which hallway light?")
    await tg.send(OWNER, "The one by the lift.", reply_to_message=replied)
    assert "Added to #2" in bot.last_text(OWNER.id)
    last = (await events_of(session_pool, second.ticket.id))[-1]
    assert last.type == "comment" and last.data["text"] == "The one by the lift."
    assert [e.type for e in await events_of(session_pool, first.ticket.id)] == ["created"]
