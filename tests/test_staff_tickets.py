"""The staff side of tickets: commands, card buttons, replies to cards, work orders.

The staff group speaks the estate's language (zh); owners here speak English."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import PhotoSize
from sqlmodel import col, select

from handlers.cards import AssignCB, DoneCB, FixedCB, TicketCB
from handlers.notifications import card_drafts
from scheduler.outbox import OutboxSender
from storage import staff, tickets
from storage.models import StaffRole, Ticket, TicketEvent
from storage.tickets import Actor
from tests.helpers import ADMIN_ID, STAFF_CHAT_ID, Person, answers, bot_message
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import (
    AGENT,
    MANAGER,
    OWNER,
    OWNER_PHONE,
    STRANGER,
    TECH,
    TECH2,
    mark_sent,
)


async def ticket_row(session_pool, ticket_id) -> Ticket:
    async with session_pool() as session:
        return await session.get(Ticket, ticket_id)


async def event_types(session_pool, ticket_id) -> list[str]:
    async with session_pool() as session:
        rows = await session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        )
        return [e.type for e in rows]


@pytest.fixture
def zh(catalogs):
    return catalogs.translator("zh")


def last_answer(bot):
    found = answers(bot)
    assert found, "the callback query was not answered"
    return found[-1]


def press_data(action, ticket_id) -> str:
    return TicketCB(action=action, ticket_id=ticket_id).pack()


async def owner_rows(outbox_rows):
    return await outbox_rows(chat_id=OWNER.id)


# --- buttons ---------------------------------------------------------------------------------


async def test_non_staff_pressing_take_is_refused_and_nothing_changes(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    view = await make_ticket()
    before = len(await outbox_rows())
    await tg.press(STRANGER, press_data("take", view.ticket.id), STAFF_CHAT_ID)
    answer = last_answer(bot)
    assert answer.show_alert and answer.text == zh("staff-refused")
    assert (await ticket_row(session_pool, view.ticket.id)).status == "new"
    assert await event_types(session_pool, view.ticket.id) == ["created"]
    assert len(await outbox_rows()) == before


async def test_take_assigns_and_edits_the_card_in_place(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    view = await make_ticket()
    tid = view.ticket.id
    await tg.press(AGENT, press_data("take", tid), STAFF_CHAT_ID)
    assert "#1" in last_answer(bot).text and not last_answer(bot).show_alert
    ticket = await ticket_row(session_pool, tid)
    assert ticket.status == "assigned" and ticket.assignee_id == staff_members["agent"].id
    edits = [r for r in await outbox_rows(chat_id=STAFF_CHAT_ID) if r.method == "editMessageText"]
    assert len(edits) == 1
    edit = edits[0]
    assert edit.payload["message_id"] == {"$message_id_of": f"ticket:{tid}:card"}
    assert "Alice" in edit.payload["text"]
    labels = [b["text"] for row in edit.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert zh("card-btn-take") not in labels and zh("card-btn-resolve") in labels


async def test_stale_button_on_a_closed_ticket_explains(
    tg, bot, zh, make_ticket, staff_members, session_pool, clock
):
    tid = (await make_ticket()).ticket.id
    agent = Actor.staff(staff_members["agent"])
    async with session_pool() as session:
        await tickets.assign(
            session,
            tid,
            assignee=staff_members["agent"],
            actor=agent,
            now=clock(),
            notify=tickets.no_notify,
        )
        await tickets.resolve(
            session, tid, actor=agent, now=clock(), text=None, notify=tickets.no_notify
        )
        await tickets.close(session, tid, actor=agent, now=clock(), notify=tickets.no_notify)
    await tg.press(MANAGER, press_data("take", tid), STAFF_CHAT_ID)
    answer = last_answer(bot)
    expected = zh("ticket-error-bad-transition", number="1", status=zh("status-closed"))
    assert answer.show_alert and answer.text == expected
    assert (await ticket_row(session_pool, tid)).status == "closed"


async def test_forged_button_for_unknown_ticket_explains(tg, bot, zh, staff_members):
    await tg.press(AGENT, press_data("take", 999), STAFF_CHAT_ID)
    assert last_answer(bot).text == zh("ticket-error-not-found", number="?")


async def test_call_owner_shows_phone_to_presser_and_records_event(
    tg, bot, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    await tg.press(AGENT, press_data("call", tid), STAFF_CHAT_ID)
    answer = last_answer(bot)
    assert answer.show_alert and OWNER_PHONE in answer.text
    assert await event_types(session_pool, tid) == ["created", "called"]


async def test_assign_button_lists_staff_technicians_first_then_pick(
    tg, bot, zh, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    await tg.press(AGENT, press_data("assign", tid), STAFF_CHAT_ID)
    edit = [r for r in bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageReplyMarkup"][-1]
    labels = [row[0].text for row in edit.reply_markup.inline_keyboard]
    assert labels[0].startswith(("Tina", "Tom")) and labels[1].startswith(("Tina", "Tom"))
    assert labels[-1] == zh("card-btn-back")
    await tg.press(
        AGENT,
        AssignCB(ticket_id=tid, staff_id=staff_members["technician"].id).pack(),
        STAFF_CHAT_ID,
    )
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["technician"].id
    await tg.press(AGENT, AssignCB(ticket_id=tid, staff_id=0).pack(), STAFF_CHAT_ID)
    assert await event_types(session_pool, tid) == ["created", "assigned"]


async def test_technician_may_not_take_over_someone_elses_ticket(
    tg, bot, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    await tg.press(TECH, press_data("take", tid), STAFF_CHAT_ID)
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["technician"].id
    await tg.press(TECH2, press_data("take", tid), STAFF_CHAT_ID)
    assert last_answer(bot).show_alert
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["technician"].id


# --- commands --------------------------------------------------------------------------------


async def test_ordinary_chatter_is_ignored_and_non_staff_commands_refused(
    tg, bot, zh, make_ticket, staff_members
):
    await make_ticket()
    await tg.group(STRANGER, "hello everyone, lunch?")
    await tg.group(AGENT, "who is on duty today?")
    assert bot.sent(STAFF_CHAT_ID) == []
    await tg.group(STRANGER, "/queue")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staff-refused")


async def test_usage_and_unknown_number(tg, bot, zh, staff_members):
    await tg.group(AGENT, "/assign")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-usage-assign")
    await tg.group(AGENT, "/ticket abc")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-usage-ticket")
    await tg.group(AGENT, "/close 99")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-not-found", number="99")
    await tg.group(AGENT, "/reschedule 1 tomorrow")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-usage-reschedule")
    await tg.group(AGENT, "/assign 1 @nobody")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-no-such-staff", who="@nobody")


async def test_assign_by_username_and_me(tg, bot, zh, make_ticket, staff_members, session_pool):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 @tom")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-assigned", number="1", name="Tom")
    await tg.group(AGENT, "/assign #1 me")
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["agent"].id
    await tg.group(AGENT, "/assign 1 me")
    expected = zh("ticket-error-bad-transition", number="1", status=zh("status-assigned"))
    assert bot.last_text(STAFF_CHAT_ID) == expected


async def test_staff_added_by_user_id_are_found_by_username_once_they_write(
    tg, bot, zh, make_ticket, session_pool, estate
):
    """`frontdoor staff add USER_ID NAME ROLE` knows no @username; their first update tells it."""
    async with session_pool() as session:
        for person, role in ((AGENT, StaffRole.agent), (TECH, StaffRole.technician)):
            await staff.add(
                session,
                estate_id=estate.id,
                telegram_user_id=person.id,
                name=person.first_name,
                role=role,
                actor="cli",
            )
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 @tom")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-no-such-staff", who="@tom")
    await tg.group(TECH, "morning all")
    await tg.group(AGENT, "/assign 1 @tom")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-assigned", number="1", name="Tom")
    assert (await ticket_row(session_pool, tid)).assignee_id is not None
    renamed = Person(TECH.id, TECH.first_name, "en", username="tom_new")
    await tg.group(renamed, "new handle")
    async with session_pool() as session:
        member = await staff.active_member(session, estate.id, TECH.id)
    assert member is not None and member.username == "tom_new" and member.name == "Tom"


async def test_close_before_resolving_offers_resolve_and_ask_in_one_press(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/close 1")
    # A new repair cannot be resolved yet: the refusal offers nothing it cannot do.
    assert bot.sent(STAFF_CHAT_ID)[-1].reply_markup is None
    await tg.group(AGENT, "/assign 1 me")
    await tg.group(AGENT, "/close 1")
    refused = bot.sent(STAFF_CHAT_ID)[-1]
    assert refused.text == zh(
        "ticket-error-bad-transition-resolve-first", number="1", status=zh("status-assigned")
    )
    [[button]] = refused.reply_markup.inline_keyboard
    assert button.text == zh("card-btn-resolve-ask")
    await tg.press(AGENT, button.callback_data, STAFF_CHAT_ID, message_id=900)
    assert last_answer(bot).text == zh("staffcmd-resolved", number="1")
    assert (await ticket_row(session_pool, tid)).status == "resolved"
    # The owner was told the ticket was taken, then asked "Is it fixed?" with its Yes / No.
    taken, asked = await owner_rows(outbox_rows)
    assert "reply_markup" not in taken.payload
    assert "reply_markup" in asked.payload
    [removed] = [
        r for r in bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageReplyMarkup"
    ]
    assert removed.message_id == 900 and removed.reply_markup is None
    # The owner's "yes" then closes it; pressing the offer again changes nothing.
    await tg.press(AGENT, button.callback_data, STAFF_CHAT_ID, message_id=900)
    assert last_answer(bot).show_alert is True
    assert (await ticket_row(session_pool, tid)).status == "resolved"


async def test_reply_reaches_owner_without_staff_data(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/note 1 owner was rude on the phone")
    await tg.group(AGENT, "/reply 1 We will come at 3 pm <b>today</b>")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-replied", number="1")
    rows = await owner_rows(outbox_rows)
    assert len(rows) == 1
    text = rows[0].payload["text"]
    assert "#1" in text and "We will come at 3 pm &lt;b&gt;today&lt;/b&gt;" in text
    assert OWNER_PHONE not in text and "rude" not in text
    assert rows[0].subject == f"ticket:{tid}"
    assert (await ticket_row(session_pool, tid)).first_response_at is not None


async def test_reply_to_card_goes_to_owner_and_bang_is_internal(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await mark_sent(session_pool, f"ticket:{tid}:card", 555)
    await tg.group(AGENT, "!neighbour reported the same leak", reply_to_message=bot_message(555))
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-noted", number="1")
    assert await owner_rows(outbox_rows) == []
    await tg.group(AGENT, "A plumber is on the way", reply_to_message=bot_message(555))
    rows = await owner_rows(outbox_rows)
    assert len(rows) == 1 and "A plumber is on the way" in rows[0].payload["text"]
    assert "#1" in rows[0].payload["text"]
    # The first reply to a new ticket takes it for the one who answered.
    assert await event_types(session_pool, tid) == ["created", "note", "assigned", "reply"]


@pytest.mark.parametrize(
    "remark",
    ["！业主态度不好，注意", " ！业主态度不好，注意", " !owner is rude, careful", "\u3000！小心"],
)
async def test_full_width_or_spaced_bang_is_internal_too(
    remark, tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    """Chinese keyboards type "！": a remark so marked never reaches the owner."""
    tid = (await make_ticket()).ticket.id
    await mark_sent(session_pool, f"ticket:{tid}:card", 555)
    await tg.group(AGENT, remark, reply_to_message=bot_message(555))
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-noted", number="1")
    assert await owner_rows(outbox_rows) == []
    assert await event_types(session_pool, tid) == ["created", "note"]
    async with session_pool() as session:
        note = (await tickets.view(session, tid)).events[-1]
    assert not note.data["text"].startswith(("!", "！"))


async def test_first_reply_to_a_new_ticket_takes_it_for_the_replier(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/reply 1 We are looking into it")
    row = await ticket_row(session_pool, tid)
    assert row.assignee_id == staff_members["agent"].id and row.status == "assigned"
    [edit] = [
        r
        for r in await outbox_rows(chat_id=STAFF_CHAT_ID)
        if r.method == "editMessageText" and r.dedupe_key.startswith(f"ticket:{tid}:event:")
    ]
    assert "Alice" in edit.payload["text"] and zh("card-nobody") not in edit.payload["text"]
    # A second reply, by someone else, leaves the ticket with the first.
    await tg.group(MANAGER, "/reply 1 And the manager knows")
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["agent"].id
    assert await event_types(session_pool, tid) == ["created", "assigned", "reply", "reply"]


async def test_reply_to_the_ticket_command_copy_of_a_card_goes_to_owner(
    tg, bot, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/ticket 1")
    [shown] = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="direct:")
    assert shown.subject == f"ticket:{tid}" and shown.telegram_message_id is not None
    await tg.group(
        AGENT, "We come at 3 pm", reply_to_message=bot_message(shown.telegram_message_id)
    )
    rows = await owner_rows(outbox_rows)
    assert len(rows) == 1 and "We come at 3 pm" in rows[0].payload["text"]
    assert await event_types(session_pool, tid) == ["created", "assigned", "reply"]


async def test_reply_photo_to_card_sends_photo_to_owner(
    tg, bot, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await mark_sent(session_pool, f"ticket:{tid}:card", 556)
    photo = [PhotoSize(file_id="staffpic", file_unique_id="u-staffpic", width=10, height=10)]
    await tg.feed(
        message=tg.message(
            AGENT,
            None,
            STAFF_CHAT_ID,
            photo=photo,
            caption="New part",
            reply_to_message=bot_message(556),
        )
    )
    rows = await owner_rows(outbox_rows)
    assert rows[0].method == "sendPhoto" and rows[0].payload["photo"] == "staffpic"
    assert "New part" in rows[0].payload["caption"]


async def test_reply_to_unrelated_bot_message_or_by_stranger_is_ignored(
    tg, bot, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await mark_sent(session_pool, f"ticket:{tid}:card", 557)
    await tg.group(AGENT, "just chatting", reply_to_message=bot_message(999))
    await tg.group(STRANGER, "hi owner", reply_to_message=bot_message(557))
    assert bot.sent(STAFF_CHAT_ID) == []
    assert await owner_rows(outbox_rows) == []


async def test_dispatch_sends_work_order_and_done_button_resolves(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket(preferred_time="tomorrow morning", photos=[("p1", "up1")])).ticket.id
    await tg.group(AGENT, "/dispatch 1")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-dispatch-unassigned", number="1")
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-dispatched", number="1", name="Tom")
    assert (await ticket_row(session_pool, tid)).status == "in_progress"
    dm = await outbox_rows(chat_id=TECH.id)
    order = dm[0].payload
    unit = zh("ticket-place-unit", building="3", unit="1201")
    for needed in ("#1", unit, zh("category-plumbing"), "tomorrow morning", OWNER_PHONE):
        assert needed in order["text"]
    done = order["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert done == DoneCB(ticket_id=tid).pack()
    assert dm[1].method == "sendPhoto" and dm[1].payload["photo"] == "p1"

    await tg.press(TECH2, done, TECH2.id)
    assert last_answer(bot).show_alert
    await tg.press(TECH, done, TECH.id)
    assert (await ticket_row(session_pool, tid)).status == "resolved"
    # The order's Done button goes once the job is resolved.
    [retire] = [r for r in await outbox_rows(chat_id=TECH.id) if ":retire:" in r.dedupe_key]
    assert retire.method == "editMessageReplyMarkup"
    assert retire.payload["message_id"] == {"$message_id_of": dm[0].dedupe_key}
    asked = await owner_rows(outbox_rows)
    assert "Is it fixed?" in asked[-1].payload["text"]
    buttons = asked[-1].payload["reply_markup"]["inline_keyboard"][0]
    assert buttons[0]["callback_data"] == FixedCB(ticket_id=tid, fixed=True).pack()


async def test_an_agent_who_took_a_ticket_dispatches_it_to_a_technician_not_to_herself(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.press(AGENT, press_data("take", tid), STAFF_CHAT_ID)
    # Dispatch on her own ticket: she is not who goes, so she picks the technician.
    await tg.press(AGENT, press_data("dispatch", tid), STAFF_CHAT_ID)
    assert last_answer(bot).text == zh("staffcmd-pick-technician")
    edit = [r for r in bot.sent(STAFF_CHAT_ID) if type(r).__name__ == "EditMessageReplyMarkup"][-1]
    labels = [row[0].text for row in edit.reply_markup.inline_keyboard]
    role = zh("staff-role-technician")
    assert labels[:-1] == [zh("card-assign-to", name=n, role=role) for n in ("Tina", "Tom")]
    assert labels[-1] == zh("card-btn-back")
    tom = staff_members["technician"]
    await tg.press(
        AGENT, AssignCB(ticket_id=tid, staff_id=tom.id, dispatch=True).pack(), STAFF_CHAT_ID
    )
    assert last_answer(bot).text == zh("staffcmd-dispatched", number="1", name="Tom")
    ticket = await ticket_row(session_pool, tid)
    assert (ticket.assignee_id, ticket.status) == (tom.id, "in_progress")
    [order] = [r for r in await outbox_rows(chat_id=TECH.id) if r.method == "sendMessage"]
    assert order.dedupe_key.endswith(":order")
    # Nothing reached her private chat: no copy of what she just did.
    assert await outbox_rows(chat_id=AGENT.id) == []
    await tg.group(AGENT, "/ticket 1")
    assert zh("staffcmd-history-to", name="Tom") in bot.last_text(STAFF_CHAT_ID)

    # By command: refused while she holds it, sent once she names the technician.
    await make_ticket(description="The hall light flickers.")
    await tg.group(AGENT, "/assign 2 me")
    await tg.group(AGENT, "/dispatch 2")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-invalid-technician", number="2")
    await tg.group(AGENT, "/dispatch 2 @tina")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-dispatched", number="2", name="Tina")
    assert [r for r in await outbox_rows(chat_id=TECH2.id) if r.method == "sendMessage"]
    assert await outbox_rows(chat_id=AGENT.id) == []


async def test_a_technician_who_took_a_ticket_gets_her_own_work_order(
    tg, bot, zh, make_ticket, staff_members, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.press(TECH, press_data("take", tid), STAFF_CHAT_ID)
    await tg.press(TECH, press_data("dispatch", tid), STAFF_CHAT_ID)
    assert last_answer(bot).text == zh("staffcmd-dispatched", number="1", name="Tom")
    # She is the one doing the work: the order with its Done button is her tool on site.
    [order] = [r for r in await outbox_rows(chat_id=TECH.id) if r.method == "sendMessage"]
    done = order.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert done == DoneCB(ticket_id=tid).pack()
    # A technician sends herself only.
    await make_ticket(description="The hall light flickers.")
    await tg.group(TECH, "/dispatch 2 @tina")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-forbidden-role", number="2")
    await tg.group(TECH, "/dispatch 2 me")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-dispatched", number="2", name="Tom")


async def test_dispatch_without_technicians_says_so(
    tg, bot, zh, estate, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    async with session_pool() as session:
        for person in (TECH, TECH2):
            await staff.remove(
                session, estate_id=estate.id, telegram_user_id=person.id, actor="test"
            )
    await tg.press(AGENT, press_data("take", tid), STAFF_CHAT_ID)
    await tg.press(AGENT, press_data("dispatch", tid), STAFF_CHAT_ID)
    assert last_answer(bot).text == zh("staffcmd-dispatch-no-technician")
    assert last_answer(bot).show_alert


@pytest.mark.parametrize("as_file", [False, True], ids=["photo", "picture-sent-as-file"])
async def test_undeliverable_work_order_is_reported_and_can_be_sent_again(
    tg, bot, zh, clock, make_ticket, staff_members, session_pool, outbox_rows, as_file
):
    """Telegram refuses a bot's first message to someone who never pressed Start: the group
    is told (once, though the order's photo fails too — also a picture the owner sent as a
    file, which goes on as a document), and /dispatch on the ticket in progress sends the
    order again."""
    await make_ticket(photos=[("p1", "up1")], documents={"up1"} if as_file else ())
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    bot.session.blocked_chats.add(TECH.id)
    sender = OutboxSender(bot, session_pool, clock, limiter=contextlib.nullcontext())
    # Rows queued by handlers are due at the wall-clock time, not at the fake clock's.
    later = max(clock(), datetime.now(UTC)) + timedelta(seconds=1)
    await sender.send_due(later)
    await sender.send_due(later + timedelta(seconds=2))  # a private chat gets 1 message/s
    [first_order, first_photo] = await outbox_rows(chat_id=TECH.id)
    assert first_order.status == first_photo.status == "failed"
    [notice] = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="undelivered:")
    assert "Tom" in notice.payload["text"] and "/dispatch 1" in notice.payload["text"]
    assert notice.subject == first_order.subject

    bot.session.blocked_chats.discard(TECH.id)
    await tg.group(AGENT, "/dispatch 1")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-dispatched", number="1", name="Tom")
    await sender.send_due(later + timedelta(seconds=5))
    await sender.send_due(later + timedelta(seconds=7))
    orders = await outbox_rows(chat_id=TECH.id)
    assert [o.status for o in orders] == ["failed", "failed", "sent", "sent"]
    assert orders[2].payload["text"] == first_order.payload["text"]
    assert len(await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="undelivered:")) == 1


async def test_a_reply_the_owner_never_gets_is_reported_to_the_group(
    tg, bot, clock, make_ticket, staff_members, session_pool, outbox_rows
):
    await make_ticket()
    bot.session.blocked_chats.add(OWNER.id)
    await tg.group(AGENT, "/reply 1 Can we come at 3 pm?")
    sender = OutboxSender(bot, session_pool, clock, limiter=contextlib.nullcontext())
    await sender.send_due(max(clock(), datetime.now(UTC)) + timedelta(seconds=1))
    [notice] = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="undelivered:")
    assert "Olivia" in notice.payload["text"] and "#1" in notice.payload["text"]
    assert notice.subject is not None and notice.subject.startswith("ticket:")


async def test_technician_done_command_in_private_and_not_assignee(
    tg, bot, catalogs, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.send(TECH2, "/done 1 fixed it")
    # Technicians write in private with their own Telegram language (English here).
    en = catalogs.translator("en")
    assert bot.last_text(TECH2.id) == en("ticket-error-not-assignee", number="1", status="")
    await tg.send(TECH, "/done 1 replaced the valve")
    assert bot.last_text(TECH.id) == en("staffcmd-resolved", number="1")
    ticket = await ticket_row(session_pool, tid)
    assert ticket.status == "resolved"


async def test_resolve_close_reopen_commands_and_rights(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(TECH, "/assign 1 me")
    await tg.group(TECH, "/resolve 1 done")
    await tg.group(TECH, "/close 1")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-forbidden-role", number="1", status="")
    await tg.group(AGENT, "/reopen 1 owner still sees a drip")
    assert (await ticket_row(session_pool, tid)).status == "reopened"
    alerts = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{tid}:event:")
    assert any("owner still sees a drip" in (r.payload.get("text") or "") for r in alerts)
    await tg.group(AGENT, "/close 1")
    expected = zh(
        "ticket-error-bad-transition-resolve-first", number="1", status=zh("status-reopened")
    )
    assert bot.last_text(STAFF_CHAT_ID) == expected
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(TECH, "/resolve 1")
    await tg.group(MANAGER, "/close 1")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-closed", number="1")
    rate = (await owner_rows(outbox_rows))[-1]
    assert "How satisfied are you?" in rate.payload["text"]


async def test_queue_orders_overdue_first(tg, bot, zh, make_ticket, staff_members, clock):
    await make_ticket()
    clock.advance(timedelta(minutes=1))
    await make_ticket(urgency="urgent", description="Water everywhere in the hall!")
    await tg.group(AGENT, "/queue")
    text = bot.last_text(STAFF_CHAT_ID)
    # Urgent work first, even before it is overdue.
    assert text.index("#2") < text.index("#1")
    assert zh("staffcmd-queue-head", count=2, overdue="0") in text
    clock.advance(timedelta(minutes=20))
    await tg.group(AGENT, "/queue")
    text = bot.last_text(STAFF_CHAT_ID)
    assert text.index("#2") < text.index("#1")
    assert zh("staffcmd-queue-head", count=2, overdue="1") in text
    assert "⚠️" in text.splitlines()[1]


async def test_queue_empty(tg, bot, zh, staff_members):
    await tg.group(AGENT, "/queue")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-queue-empty")


async def test_ticket_command_shows_card_with_history_without_buttons(
    tg, bot, zh, make_ticket, staff_members
):
    await make_ticket()
    await tg.group(AGENT, "/note 1 called the plumber")
    await tg.group(AGENT, "/ticket 1")
    sent = bot.sent(STAFF_CHAT_ID)[-1]
    assert "#1" in sent.text and OWNER_PHONE in sent.text and "called the plumber" in sent.text
    # A copy is never updated, so live buttons on it would go stale: they stay on the card.
    assert sent.reply_markup is None
    assert zh("staffcmd-copy-buttons-on-card") in sent.text


async def test_grade_only_on_complaints(tg, bot, zh, make_ticket, staff_members, session_pool):
    await make_ticket()
    complaint = await make_ticket(kind="complaint")
    await tg.group(AGENT, "/grade 1 A")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-not-complaint", number="1", status="")
    await tg.group(AGENT, "/grade 2 x")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-usage-grade")
    await tg.group(AGENT, "/grade 2 a")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-graded", number="2", grade="A")
    assert (await ticket_row(session_pool, complaint.ticket.id)).grade == "A"


async def test_reschedule_tells_owner_the_new_day(
    tg, bot, zh, make_ticket, staff_members, outbox_rows
):
    await make_ticket()
    await tg.group(AGENT, "/reschedule 1 2026-11-20")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-invalid-date", number="1", status="")
    await tg.group(AGENT, "/reschedule 1 2026-11-26")
    assert "2026-11-26" in bot.last_text(STAFF_CHAT_ID)
    told = (await owner_rows(outbox_rows))[-1]
    assert "2026-11-26" in told.payload["text"] and "#1" in told.payload["text"]
    assert await outbox_rows(chat_id=TECH.id) == []  # nobody assigned yet
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/reschedule 1 2026-11-27")
    [tech_told] = await outbox_rows(chat_id=TECH.id)
    assert "2026-11-27" in tech_told.payload["text"]
    # Replying to the group's confirmation of a command goes on with that ticket.
    confirmed = (await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix="direct:"))[-1]
    assert confirmed.subject == "ticket:1"
    await tg.group(
        AGENT, "Sorry for the wait", reply_to_message=bot_message(confirmed.telegram_message_id)
    )
    assert "Sorry for the wait" in (await owner_rows(outbox_rows))[-1].payload["text"]


async def test_html_in_description_cannot_break_the_card(
    make_ticket, staff_members, outbox_rows, estate
):
    view = await make_ticket(description='<b>broken</b> & <a href="x">tap</a> </blockquote>')
    card = (await outbox_rows(key_prefix=f"ticket:{view.ticket.id}:card"))[0]
    text = card.payload["text"]
    assert '&lt;b&gt;broken&lt;/b&gt; &amp; &lt;a href="x"&gt;tap&lt;/a&gt;' in text
    assert text.count("<blockquote>") == text.count("</blockquote>") == 1
    assert card.payload["parse_mode"] == "HTML"


async def test_owner_comment_is_threaded_to_the_card(
    make_ticket, staff_members, session_pool, outbox_rows, verified_owner, clock, estate, catalogs
):
    tid = (await make_ticket()).ticket.id
    notify = card_drafts(catalogs, estate)
    async with session_pool() as session:
        await tickets.add_comment(
            session,
            tid,
            actor=Actor.owner(verified_owner.id),
            text="Worse now",
            photos=[("c1", "uc1")],
            now=clock(),
            notify=notify,
        )
    rows = await outbox_rows(chat_id=STAFF_CHAT_ID, key_prefix=f"ticket:{tid}:event:")
    comment = [r for r in rows if r.dedupe_key.endswith(":group")][0]
    assert "Worse now" in comment.payload["text"]
    assert comment.payload["reply_to_message_id"] == {"$reply_to_of": f"ticket:{tid}:card"}
    assert comment.subject == f"ticket:{tid}"
    photo = [r for r in rows if r.method == "sendPhoto"][0]
    assert photo.payload["photo"] == "c1"


async def test_bind_posts_the_cards_of_tickets_opened_before_any_group(
    tg, bot, catalogs, estate, make_ticket, staff_members, outbox_rows
):
    new_group = -1009876543210
    carded = (await make_ticket()).ticket.id
    estate.staff_chat_id = None  # as if no group had been bound when the owner reported
    unseen = (await make_ticket(photos=[("p9", "up9")])).ticket.id
    assert await outbox_rows(key_prefix=f"ticket:{unseen}:") == []

    await tg.send(
        Person(id=ADMIN_ID, first_name="Admin", language_code="zh"), "/bind", chat_id=new_group
    )
    assert bot.last_text(new_group) == catalogs.translator("zh")(
        "staff-bind-open-tickets", count=1
    )
    [posted, photo] = await outbox_rows(chat_id=new_group)
    assert posted.dedupe_key == f"ticket:{unseen}:card" and "#2" in posted.payload["text"]
    assert photo.method == "sendPhoto" and photo.payload["photo"] == "p9"
    assert await outbox_rows(key_prefix=f"ticket:{carded}:card") != []
    assert all(r.chat_id != new_group for r in await outbox_rows(key_prefix=f"ticket:{carded}:"))


async def test_second_work_order_says_why_the_job_came_back(
    tg,
    bot,
    zh,
    make_ticket,
    staff_members,
    session_pool,
    outbox_rows,
    verified_owner,
    clock,
    estate,
    catalogs,
):
    tid = (await make_ticket()).ticket.id
    notify = card_drafts(catalogs, estate)
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    await tg.send(TECH, "/done 1 replaced the washer")
    async with session_pool() as session:
        await tickets.confirm_fixed(
            session,
            tid,
            owner_id=verified_owner.id,
            fixed=False,
            reason=None,
            now=clock(),
            notify=notify,
        )
    async with session_pool() as session:
        await tickets.add_comment(
            session,
            tid,
            actor=Actor.owner(verified_owner.id),
            text="Still drips at night",
            photos=[],
            now=clock(),
            notify=notify,
        )
    [alert] = [
        r for r in await outbox_rows(chat_id=STAFF_CHAT_ID) if r.dedupe_key.endswith(":alert")
    ]
    # Nothing to show yet as the reason: the owner's answer follows under the card.
    assert alert.payload["text"] == zh("notify-reopened-owner-no-reason", number="1")

    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    orders = [r for r in await outbox_rows(chat_id=TECH.id) if r.method == "sendMessage"]
    assert len(orders) == 2
    # Tom has written to the bot in private (his Telegram is in English): his orders follow.
    assert catalogs.translator("en")("card-order-not-fixed") in orders[1].payload["text"]
    assert "Still drips at night" in orders[1].payload["text"]
    assert "Still drips" not in orders[0].payload["text"]

    # /ticket's history says who the ticket went to.
    await tg.group(AGENT, "/ticket 1")
    assert "→ Tom" in bot.last_text(STAFF_CHAT_ID)


async def test_cancelled_ticket_card_drops_the_response_deadline(
    make_ticket, staff_members, session_pool, outbox_rows, verified_owner, clock, estate, catalogs
):
    tid = (await make_ticket()).ticket.id
    [card] = await outbox_rows(key_prefix=f"ticket:{tid}:card")
    deadline_word = catalogs.translator("zh")("card-sla", at="X").split("X")[0]
    assert deadline_word in card.payload["text"]
    async with session_pool() as session:
        await tickets.cancel(
            session,
            tid,
            actor=Actor.owner(verified_owner.id),
            reason=None,
            now=clock(),
            notify=card_drafts(catalogs, estate),
        )
    edits = [
        r
        for r in await outbox_rows(key_prefix=f"ticket:{tid}:event:")
        if r.method == "editMessageText"
    ]
    assert edits and deadline_word not in edits[-1].payload["text"]


async def test_a_handled_complaint_asks_if_the_matter_is_resolved(
    tg, make_ticket, staff_members, outbox_rows
):
    view = await make_ticket(kind="complaint")
    await tg.group(AGENT, f"/resolve {view.ticket.number} apologised and cleaned the stairs")
    [asked] = [r for r in await owner_rows(outbox_rows) if "resolved for you" in str(r.payload)]
    assert "apologised and cleaned the stairs" in asked.payload["text"]
    labels = [b["text"] for b in asked.payload["reply_markup"]["inline_keyboard"][0]]
    assert labels == ["👍 Yes, resolved", "👎 No, not resolved"]


async def test_staff_member_writing_in_private_is_told_what_works_there(
    tg, bot, catalogs, staff_members
):
    await tg.send(TECH, "hello")
    # Technicians write in private with their own Telegram language (English here).
    assert bot.last_text(TECH.id) == catalogs.translator("en")("fallback-staff", name="Tom")


async def test_ticket_history_shows_every_kind_of_event(
    tg, bot, zh, make_ticket, staff_members, session_pool, verified_owner, clock
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 me")
    await tg.group(AGENT, "/resolve 1 new washer")
    owner = {"owner_id": verified_owner.id, "now": clock(), "notify": tickets.no_notify}
    async with session_pool() as session:
        await tickets.confirm_fixed(session, tid, fixed=True, reason=None, **owner)
    async with session_pool() as session:
        await tickets.rate(session, tid, rating=5, comment=None, **owner)
    async with session_pool() as session:
        await tickets.add_rating_comment(session, tid, comment="Quick, thanks", **owner)
    await tg.group(AGENT, "/ticket 1")
    shown = bot.last_text(STAFF_CHAT_ID)
    for key in ("event-assigned", "event-resolved", "event-closed", "event-rated"):
        assert zh(key) in shown
    assert zh("event-rating-comment") in shown and "Quick, thanks" in shown


async def test_second_take_is_refused_but_assign_can_hand_over(
    tg, bot, zh, make_ticket, staff_members, session_pool
):
    tid = (await make_ticket()).ticket.id
    await tg.press(AGENT, press_data("take", tid), STAFF_CHAT_ID)
    await tg.press(TECH, press_data("take", tid), STAFF_CHAT_ID)
    assert last_answer(bot).show_alert
    assert last_answer(bot).text == zh("ticket-error-taken", number="1", name=AGENT.first_name)
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["agent"].id
    await tg.group(AGENT, "/assign 1 @tom")
    assert (await ticket_row(session_pool, tid)).assignee_id == staff_members["technician"].id
