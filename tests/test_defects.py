"""Defects found trying the demo as an owner, a staff member and a manager (issue 15)."""

from datetime import date, timedelta

import pytest
from aiogram.types import Location, Sticker, Voice
from sqlmodel import select

from bot.i18n import plain_text
from handlers.announce import AnnounceCB
from handlers.cards import DoneCB, FixedCB, TicketCB, card_actions
from handlers.onboarding import LanguageCb
from handlers.outbox import OutboxCb
from handlers.staff_admin import OwnerDecisionCb, pending_card_text
from handlers.surveys import SendQuarterCB
from handlers.ticket_form import description_problem
from storage import owners, staff, tickets
from storage import units as register
from storage.models import (
    AuditEvent,
    Callback,
    Charge,
    Owner,
    OwnerStatus,
    TicketStatus,
    Unit,
)
from storage.tickets import TicketError
from tests.helpers import STAFF_CHAT_ID, Person, answers
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, CASHIER, MANAGER, OWNER, TECH, TECH2


@pytest.fixture
def en(catalogs):
    return catalogs.translator("en")


@pytest.fixture
def zh(catalogs):
    return catalogs.translator("zh")


# --- owners ------------------------------------------------------------------------------------


async def test_emoji_only_description_is_too_short(en, make_ticket):
    assert description_problem(en, "😡😡😡😡😡😡") == en("form-description-too-short", count=5)
    assert description_problem(en, "漏水了！！") == en("form-description-too-short", count=5)
    assert description_problem(en, "厨房漏水了") is None
    assert description_problem(en, "Leak 2") is None
    with pytest.raises(TicketError):
        await make_ticket(description="😡😡😡😡😡😡 !!")


async def test_a_unit_with_no_charges_says_so(tg, bot, en, verified_owner, units):
    await tg.send(OWNER, "💳 My fees")
    text = bot.last_text(OWNER.id)
    assert en("fees-none") in text
    assert en("fees-all-clear") not in text and en("fees-unit-clear") not in text


# --- staff ---------------------------------------------------------------------------------------


async def test_queue_lists_urgent_work_above_normal(tg, bot, make_ticket, staff_members, clock):
    await make_ticket()
    clock.advance(timedelta(minutes=1))
    await make_ticket(urgency="urgent", description="Water everywhere in the hall!")
    await tg.group(AGENT, "/assign 2 me")
    await tg.group(AGENT, "/dispatch 2")
    await tg.group(AGENT, "/queue")
    text = bot.last_text(STAFF_CHAT_ID)
    assert text.index("#2") < text.index("#1")


async def test_grade_usage_says_what_a_and_b_mean(tg, bot, zh, staff_members):
    await tg.group(AGENT, "/grade 1")
    text = bot.last_text(STAFF_CHAT_ID)
    assert zh("grade-a-meaning") in text and zh("grade-b-meaning") in text


async def test_registration_requests_do_not_look_like_ticket_numbers(
    session_pool, estate, zh, units
):
    async with session_pool() as session:
        result = await owners.request_registration(
            session,
            estate_id=estate.id,
            telegram_user_id=6100,
            chat_id=6100,
            language="zh",
            phone="+8613800009999",
            name="Zhao Lei",
            building="3",
            unit="1201",
            drafts=lambda claim: [],
        )
    assert result.claim is not None
    text = pending_card_text(zh, result.claim)
    assert "#" not in text
    assert f"R{result.claim.owner.id}" in text


async def test_an_unreachable_owner_is_reachable_again_on_any_update(
    tg, bot, en, session_pool, verified_owner
):
    async with session_pool() as session:
        owner = await session.get(Owner, verified_owner.id)
        owner.status = OwnerStatus.unreachable
        session.add(owner)
        await session.commit()
    await tg.send(OWNER, "💳 My fees")
    assert bot.last_text(OWNER.id) != en("menu-status-pending")
    assert en("fees-none") in bot.last_text(OWNER.id)
    async with session_pool() as session:
        assert (await session.get(Owner, verified_owner.id)).status == OwnerStatus.verified


async def test_a_command_mid_flow_asks_before_leaving_the_report(
    tg, bot, en, verified_owner, units, dp
):
    await tg.send(OWNER, "🛠 Report a repair")
    await tg.press_label(OWNER, "3-1202")
    await tg.press_label(OWNER, "Plumbing")
    await tg.send(OWNER, "/ticket 1")
    assert bot.last_text(OWNER.id) == en("flow-leave-ask")
    await tg.press_label(OWNER, en("flow-btn-keep"))
    assert "What is wrong?" in bot.last_text(OWNER.id)
    await tg.send(OWNER, "The kitchen tap drips all night.")
    await tg.send(OWNER, "💳 My fees")
    assert bot.last_text(OWNER.id) == en("flow-leave-ask")
    await tg.press_label(OWNER, en("flow-btn-keep"))
    # Still at the photo step, the description kept.
    assert "photo" in bot.last_text(OWNER.id).casefold()
    await tg.send(OWNER, "/fees")
    await tg.press_label(OWNER, en("flow-btn-leave"))
    assert en("fees-none") in bot.last_text(OWNER.id)
    state = dp.fsm.get_context(bot, OWNER.id, OWNER.id)
    assert await state.get_state() is None


async def closed_ticket(tg, make_ticket, session_pool, verified_owner, clock):
    """#1 resolved by the agent and closed by staff before the owner answered."""
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 me")
    await tg.group(AGENT, "/resolve 1 new washer")
    await tg.group(AGENT, "/close 1")
    return tid


async def test_a_manager_reopens_a_closed_ticket_and_others_are_told_why(
    tg, bot, zh, make_ticket, session_pool, verified_owner, staff_members, clock
):
    tid = await closed_ticket(tg, make_ticket, session_pool, verified_owner, clock)
    await tg.group(AGENT, "/reopen 1 still leaking")
    assert bot.last_text(STAFF_CHAT_ID) == zh("ticket-error-forbidden-manager-reopens", number="1")
    await tg.group(MANAGER, "/reopen 1 still leaking")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staffcmd-reopened", number="1")
    async with session_pool() as session:
        view = await tickets.view(session, tid)
    assert view.ticket.status == TicketStatus.reopened and view.ticket.closed_at is None
    last = view.events[-1]
    assert last.type == "reopened" and last.data["was"] == "closed"
    assert last.actor == f"staff:{staff_members['manager'].id}"


async def test_the_owners_not_fixed_reopens_a_recently_closed_ticket(
    tg, bot, en, make_ticket, session_pool, verified_owner, staff_members, clock
):
    tid = await closed_ticket(tg, make_ticket, session_pool, verified_owner, clock)
    clock.advance(timedelta(days=6))
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=False).pack())
    async with session_pool() as session:
        assert (await tickets.view(session, tid)).ticket.status == TicketStatus.reopened
    assert bot.last_text(OWNER.id) == en("myreq-not-fixed", number="1")


async def test_old_is_it_fixed_buttons_answer_politely(
    tg, bot, en, make_ticket, session_pool, verified_owner, staff_members, clock
):
    tid = await closed_ticket(tg, make_ticket, session_pool, verified_owner, clock)
    clock.advance(timedelta(days=8))
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=False).pack())
    assert answers(bot)[-1].text == en("myreq-fixed-stale-closed", number="1")
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    assert answers(bot)[-1].text == en("myreq-fixed-stale-closed", number="1")
    await tg.group(MANAGER, "/reopen 1")
    await tg.press(OWNER, FixedCB(ticket_id=tid, fixed=True).pack())
    assert answers(bot)[-1].text == en("myreq-fixed-stale-open", number="1")


async def test_the_owner_hears_of_take_dispatch_and_reopen_once_each(
    tg, bot, en, make_ticket, staff_members, outbox_rows
):
    await make_ticket()
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/assign 1 @tina")
    await tg.group(AGENT, "/dispatch 1")
    await tg.group(AGENT, "/dispatch 1")
    await tg.group(AGENT, "/resolve 1")
    await tg.group(AGENT, "/reopen 1 the tap still drips")
    texts = [r.payload.get("text") for r in await outbox_rows(chat_id=OWNER.id)]
    assert texts.count(en("notify-taken", number="1")) == 1
    assert texts.count(en("notify-dispatched", number="1")) == 1
    assert en("notify-reopened-by-staff", number="1", reason="the tap still drips") in texts
    assert not any("+86" in (text or "") for text in texts)


@pytest.mark.parametrize("command", ["/start", "/help", "/queue"])
async def test_staff_in_private_get_staff_help_and_their_work_orders(
    tg, bot, en, make_ticket, staff_members, command
):
    await make_ticket()
    await make_ticket(description="The hall light flickers.")
    await tg.group(AGENT, "/assign 2 @tom")
    await tg.group(AGENT, "/dispatch 2")
    await tg.send(TECH, command)
    sent = bot.sent(TECH.id)[-1]
    assert en("staff-private-head", name="Tom") in sent.text
    assert "#2" in sent.text and "#1" not in sent.text
    assert en("onb-welcome") not in sent.text and en("help-owner") not in sent.text
    [[done]] = sent.reply_markup.inline_keyboard
    assert done.callback_data == DoneCB(ticket_id=2).pack()
    await tg.press(TECH, done.callback_data, TECH.id)
    assert answers(bot)[-1].text == en("staffcmd-resolved", number="2")


async def test_a_reopened_card_follows_its_state_and_refusals_say_why(
    tg, bot, zh, make_ticket, staff_members, session_pool, outbox_rows
):
    tid = (await make_ticket()).ticket.id
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    await tg.group(AGENT, "/resolve 1")
    await tg.group(AGENT, "/reopen 1 still drips")
    async with session_pool() as session:
        ticket = (await tickets.view(session, tid)).ticket
    assert ticket.assignee_id == staff_members["technician"].id
    assert {"dispatch", "resolve"} <= set(card_actions(ticket))
    await tg.press(TECH, TicketCB(action="close", ticket_id=tid).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == zh(
        "ticket-error-bad-transition-resolve-first", number="1", status=zh("status-reopened")
    )
    await tg.press(TECH2, TicketCB(action="take", ticket_id=tid).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == zh("ticket-error-taken", number="1", name="Tom")
    await tg.press(TECH, TicketCB(action="dispatch", ticket_id=tid).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == zh("staffcmd-dispatched", number="1", name="Tom")


# --- plain words outside a flow ----------------------------------------------------------------


async def draft_of(dp, bot, person):
    state = dp.fsm.get_context(bot, person.id, person.id)
    return await state.get_state(), (await state.get_data()).get("draft")


async def test_plain_words_become_a_repair_with_them_as_the_description(
    tg, bot, en, dp, verified_owner, units
):
    await tg.send(OWNER, "my kitchen sink is leaking")
    text = bot.last_text(OWNER.id)
    assert en("menu-unknown") not in text
    assert "my kitchen sink is leaking" in text
    await tg.press_label(OWNER, en("fallback-btn-repair"))
    await tg.press_label(OWNER, "3-1202")
    await tg.press_label(OWNER, "Plumbing")
    # The description step is skipped: the owner's words are the description.
    assert "photo" in bot.last_text(OWNER.id).casefold()
    state, draft = await draft_of(dp, bot, OWNER)
    assert state == "TicketForm:photos"
    assert draft["description"] == "my kitchen sink is leaking"


async def test_chinese_words_become_a_complaint(tg, bot, en, dp, verified_owner, units):
    await tg.send(OWNER, "你好，我家厨房漏水了")
    await tg.press_label(OWNER, en("fallback-btn-complaint"))
    await tg.press_label(OWNER, "Noise")
    state, draft = await draft_of(dp, bot, OWNER)
    assert state == "TicketForm:photos"
    assert draft["kind"] == "complaint" and draft["description"] == "你好，我家厨房漏水了"


async def test_asking_for_a_person_books_a_call_back_about_it(
    tg, bot, en, session_pool, verified_owner, units
):
    await tg.send(OWNER, "人工客服")
    await tg.press_label(OWNER, en("fallback-btn-callback"))
    assert bot.last_text(OWNER.id) == en("cb-ask-slot")
    await tg.press_label(OWNER, "Tue")
    assert "人工客服" in bot.last_text(OWNER.id)
    await tg.press_label(OWNER, "Book it")
    async with session_pool() as session:
        (row,) = (await session.exec(select(Callback))).all()
    assert row.topic == "other" and row.note == "人工客服"


def offer_button(bot, label):
    for request in reversed(bot.sent(OWNER.id)):
        markup = getattr(request, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", []):
            for button in row:
                if label in button.text:
                    return button.callback_data
    raise AssertionError(label)


async def test_too_short_words_still_ask_for_a_description_and_old_offers_are_stale(
    tg, bot, en, dp, verified_owner, units
):
    await tg.send(OWNER, "help")
    old = offer_button(bot, en("fallback-btn-repair"))
    await tg.send(OWNER, "SOS")
    await tg.press(OWNER, old)
    assert answers(bot)[-1].text == en("fallback-offer-stale")
    await tg.press_label(OWNER, en("fallback-btn-repair"))
    await tg.press_label(OWNER, "3-1202")
    await tg.press_label(OWNER, "Plumbing")
    state, draft = await draft_of(dp, bot, OWNER)
    assert state == "TicketForm:description" and draft["description"] is None
    await tg.press(OWNER, old)
    assert answers(bot)[-1].text == en("fallback-offer-stale")


async def test_emoji_only_words_outside_a_flow_get_the_menu(tg, bot, en, verified_owner, units):
    await tg.send(OWNER, "😀😀")
    assert bot.last_text(OWNER.id) == en("menu-unknown")


# --- pictures sent as files --------------------------------------------------------------------


async def test_a_png_sent_as_a_file_is_a_photo_and_goes_on_as_a_document(
    tg, bot, en, dp, verified_owner, units, staff_members, outbox_rows
):
    await tg.send(OWNER, "🛠 Report a repair")
    await tg.press_label(OWNER, "3-1202")
    await tg.press_label(OWNER, "Plumbing")
    await tg.send(OWNER, "The kitchen tap drips all night.")
    await tg.document(OWNER, "png1")
    assert bot.last_text(OWNER.id) == en("form-photo-added", count=1, limit=5)
    await tg.document(OWNER, "pdf1", mime_type="application/pdf", file_name="bill.pdf")
    assert bot.last_text(OWNER.id) == en("form-photo-not-image")
    await tg.photo(OWNER, "photo1")
    _, draft = await draft_of(dp, bot, OWNER)
    assert [file_id for file_id, _ in draft["photos"]] == ["png1", "photo1"]
    await tg.press_label(OWNER, "Done")
    await tg.press_label(OWNER, "Normal")
    await tg.press_label(OWNER, "Any time")
    await tg.press_label(OWNER, "Confirm")
    sent = {
        row.payload.get("document") or row.payload.get("photo"): row.method
        for row in await outbox_rows(chat_id=STAFF_CHAT_ID)
        if row.method in ("sendPhoto", "sendDocument")
    }
    assert sent == {"png1": "sendDocument", "photo1": "sendPhoto"}


# --- registration checked against the register ---------------------------------------------------

APPLICANT = Person(6200, "Ada", "en")


async def test_registration_takes_only_the_registers_buildings_and_asks_before_sending(
    tg, bot, en, zh, session_pool, estate, staff_members
):
    async with session_pool() as session:
        session.add_all(
            [
                Unit(estate_id=estate.id, building="1", number="101"),
                Unit(estate_id=estate.id, building="2", number="201"),
            ]
        )
        await session.commit()
    await tg.send(APPLICANT, "/start")
    await tg.press(APPLICANT, LanguageCb(code="en").pack())
    await tg.contact(APPLICANT, "8613900139077")
    assert bot.last_text(APPLICANT.id) == en("onb-ask-building-choose")
    await tg.send(APPLICANT, "😀😀")
    assert bot.last_text(APPLICANT.id) == en("onb-bad-building", max="64")
    await tg.send(APPLICANT, "Building 9")
    assert bot.last_text(APPLICANT.id) == en("onb-building-unknown", building="Building 9")
    await tg.press_label(APPLICANT, "2")
    assert bot.last_text(APPLICANT.id) == en("onb-ask-unit-in", building="2")
    await tg.send(APPLICANT, "🏠🏠🏠")
    assert bot.last_text(APPLICANT.id) == en("onb-bad-unit", max="64")
    await tg.send(APPLICANT, "299")
    assert bot.last_text(APPLICANT.id) == en("onb-unit-unknown", building="2", unit="299")
    await tg.press_label(APPLICANT, en("onb-btn-unit-right", unit="299"))
    await tg.send(APPLICANT, "🙂")
    assert bot.last_text(APPLICANT.id) == en("onb-bad-name", max="100")
    await tg.send(APPLICANT, "Ada Lovelace")
    summary = bot.last_text(APPLICANT.id)
    assert "Ada Lovelace" in summary and en("onb-summary-unit-unlisted") in summary
    async with session_pool() as session:
        assert await owners.list_pending(session, estate.id) == []
    # Change starts again from the building; "Building 1" is building 1.
    await tg.press_label(APPLICANT, en("onb-btn-change"))
    await tg.send(APPLICANT, "Building 1")
    await tg.send(APPLICANT, "101")
    await tg.send(APPLICANT, "Ada Lovelace")
    assert en("onb-summary-unit-unlisted") not in bot.last_text(APPLICANT.id)
    await tg.press_label(APPLICANT, en("onb-btn-send"))
    async with session_pool() as session:
        [pending] = await owners.list_pending(session, estate.id)
    assert (pending.claimed_building, pending.claimed_unit) == ("1", "101")


async def test_a_unit_not_in_the_register_is_created_only_by_the_staffs_choice(
    tg, bot, zh, session_pool, estate, staff_members, outbox_rows
):
    async with session_pool() as session:
        session.add(Unit(estate_id=estate.id, building="2", number="201"))
        await session.commit()
    await tg.send(APPLICANT, "/start")
    await tg.press(APPLICANT, LanguageCb(code="en").pack())
    await tg.contact(APPLICANT, "8613900139077")
    await tg.press_label(APPLICANT, "2")
    await tg.send(APPLICANT, "299")
    await tg.press_label(APPLICANT, "299")
    await tg.send(APPLICANT, "Ada Lovelace")
    await tg.press_label(APPLICANT, "📨")
    [card] = [
        r for r in await outbox_rows(chat_id=STAFF_CHAT_ID) if "pending-card" in r.dedupe_key
    ]
    labels = [b["text"] for row in card.payload["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [zh("staff-pending-create-unit", unit="2-299"), zh("staff-pending-reject")]
    owner_id = (await owner_by_user(session_pool, estate, APPLICANT)).id
    # An Approve that does not say "add the unit" (an old card's) changes nothing.
    await tg.press(
        AGENT, OwnerDecisionCb(action="ok", owner_id=owner_id, request_no=1).pack(), STAFF_CHAT_ID
    )
    assert answers(bot)[-1].text == zh("staff-pending-unit-missing")
    assert (await owner_by_user(session_pool, estate, APPLICANT)).status == OwnerStatus.pending
    async with session_pool() as session:
        assert await register.find(session, estate.id, "2", "299") is None
    await tg.press(
        AGENT, OwnerDecisionCb(action="new", owner_id=owner_id, request_no=1).pack(), STAFF_CHAT_ID
    )
    assert (await owner_by_user(session_pool, estate, APPLICANT)).status == OwnerStatus.verified
    async with session_pool() as session:
        assert await register.find(session, estate.id, "2", "299") is not None


async def owner_by_user(session_pool, estate, person):
    async with session_pool() as session:
        return await owners.by_telegram_user(session, estate.id, person.id)


# --- staff in their own language ------------------------------------------------------------


async def test_staff_read_their_own_language_and_the_group_the_estates(
    tg, bot, en, zh, estate, make_ticket, staff_members, session_pool, outbox_rows
):
    # Tom (Telegram in English) writes to the bot in private once: his language is learnt.
    await tg.send(TECH, "/help")
    # Mona, in the group, chooses English; Alice says nothing and keeps the estate's Chinese.
    await tg.group(MANAGER, "/language")
    assert bot.last_text(STAFF_CHAT_ID) == zh("staff-lang-choose", group=zh("lang-chinese"))
    await tg.press_label(MANAGER, "English", STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("staff-lang-changed", group=en("lang-chinese"))
    async with session_pool() as session:
        languages = {m.name: m.language for m in await staff.list_active(session, estate.id)}
        sources = [e.data["source"] for e in await audit_rows(session, "language_set")]
    assert (languages["Tom"], languages["Mona"], languages["Alice"]) == ("en", "en", None)
    assert sources == ["telegram", "chosen"]

    await make_ticket()
    await tg.group(AGENT, "/assign 1 @tom")
    await tg.group(AGENT, "/dispatch 1")
    # The work order, to Tom alone: English, its Done button too.
    [order] = [r for r in await outbox_rows(chat_id=TECH.id) if r.method == "sendMessage"]
    assert en("ticket-place-unit", building="3", unit="1201") in order.payload["text"]
    assert en("category-plumbing") in order.payload["text"]
    [[done]] = order.payload["reply_markup"]["inline_keyboard"]
    assert done["text"] == en("card-btn-done")
    # A popup only the presser sees is in the presser's language…
    take = TicketCB(action="take", ticket_id=1).pack()
    await tg.press(MANAGER, take, STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("ticket-error-taken", number="1", name="Tom")
    await tg.press(AGENT, take, STAFF_CHAT_ID)
    assert answers(bot)[-1].text == zh("ticket-error-taken", number="1", name="Tom")
    # …what the group reads stays in the estate's language, whoever asked.
    await tg.group(MANAGER, "/queue")
    assert bot.last_text(STAFF_CHAT_ID).startswith(zh("staffcmd-queue-head", count=1, overdue="0"))
    card = [r for r in await outbox_rows(chat_id=STAFF_CHAT_ID) if r.dedupe_key == "ticket:1:card"]
    assert zh("category-plumbing") in card[0].payload["text"]


async def test_popups_of_every_group_button_are_in_the_pressers_language(
    tg, bot, en, zh, estate, staff_members, session_pool, units, verified_owner
):
    # Mona (manager) and Carl (cashier) read English; the group stays in the estate's Chinese.
    async with session_pool() as session:
        for member in (staff_members["manager"], staff_members["cashier"]):
            await staff.set_language(session, member, "en", "chosen")
        session.add(
            Charge(
                unit_id=units["3-1201"].id,
                item="Property fee",
                period="2026-11",
                amount=50000,
                currency="CNY",
                due_date=date(2026, 11, 30),
            )
        )
        await session.commit()
    title = en("job-daily-summary")
    await tg.group(MANAGER, "/jobs")
    await tg.press_label(MANAGER, zh("job-daily-summary"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == plain_text(en("jobs-ran", title=title, count=1))
    assert bot.sent(STAFF_CHAT_ID)[-1].text.startswith(zh("jobs-title", zone=estate.time_zone))
    # Alice (an agent) reads English too: the refusal of a manager's button is hers alone.
    await tg.send(AGENT, "/help")
    await tg.press_label(AGENT, zh("job-daily-summary"), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("staff-refused")
    await tg.press(AGENT, SendQuarterCB(year=2026, number=4).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("sv-managers-only")
    await tg.press(MANAGER, SendQuarterCB(year=2026, number=9).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("sv-stale")

    await tg.group(MANAGER, "/announce Water is off on Tuesday.")
    await tg.press_label(MANAGER, zh("announce-btn-send"), STAFF_CHAT_ID)
    assert bot.last_text(STAFF_CHAT_ID) == zh("announce-sending", by="Mona")
    await tg.press(MANAGER, AnnounceCB(action="send", announcement_id=1).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("announce-not-draft")

    await tg.press(MANAGER, OutboxCb(action="retry", row_id=999).pack(), STAFF_CHAT_ID)
    assert answers(bot)[-1].text == en("outbox-retry-gone")

    await tg.group(CASHIER, "/paid 3-1201 100")
    await tg.press_label(CASHIER, zh("pay-confirm"), STAFF_CHAT_ID)
    popup, summary = answers(bot)[-1].text, bot.last_text(STAFF_CHAT_ID)
    assert popup.startswith("✅ Recorded by Carl") and "Still owed: CN¥400.00" in popup
    assert summary.endswith("仍欠：¥400.00。已通知业主。")


async def audit_rows(session, type_):
    query = select(AuditEvent).where(AuditEvent.entity == "staff", AuditEvent.type == type_)
    return (await session.exec(query.order_by(AuditEvent.id))).all()


# --- stickers, voice notes and locations ----------------------------------------------------


def media(kind: str) -> dict[str, object]:
    """A message's `sticker=`, `voice=` or `location=`."""
    kinds: dict[str, dict[str, object]] = {
        "sticker": {
            "sticker": Sticker(
                file_id="st1",
                file_unique_id="ust1",
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
                emoji="🙂",
            )
        },
        "voice": {"voice": Voice(file_id="v1", file_unique_id="uv1", duration=3)},
        "location": {"location": Location(latitude=31.23, longitude=121.47)},
    }
    return kinds[kind]


@pytest.mark.parametrize("kind", ["sticker", "voice", "location"])
async def test_stickers_voice_notes_and_locations_get_a_kind_word_and_the_menu(
    tg, bot, en, verified_owner, units, kind
):
    await tg.feed(message=tg.message(OWNER, **media(kind)))
    sent = bot.sent(OWNER.id)[-1]
    assert sent.text == en(f"fallback-{kind}")
    assert sent.reply_markup.keyboard  # the menu
    # In a report, the step's question comes again.
    await tg.send(OWNER, "🛠 Report a repair")
    await tg.press_label(OWNER, "3-1202")
    await tg.press_label(OWNER, "Plumbing")
    await tg.feed(message=tg.message(OWNER, **media(kind)))
    assert bot.texts(OWNER.id)[-2] == en("form-text-expected")
