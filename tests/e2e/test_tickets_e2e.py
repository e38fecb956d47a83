"""Repairs and complaints end to end (issue 5): owner chat ⇄ staff group ⇄ technician, through
the sandbox and a real `frontdoor run`. Staff labels are in Chinese: the sample estate's locale."""

import re
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlmodel import select

from bot import demo_data
from handlers.cards import FixedCB
from handlers.my_requests import ReqCB
from storage.db import create_engine, create_session_pool
from storage.models import Ticket, TicketStatus
from tests.e2e.conftest import E2E, Person, plain

pytestmark = pytest.mark.e2e

Message = dict[str, Any]


def buttons(message: Message) -> list[str]:
    return [b["text"] for row in message["buttons"] for b in row]


def has_button(label: str) -> Any:
    return lambda m: any(label in text for text in buttons(m))


async def ticket_row(e2e: E2E, number: int) -> Ticket:
    engine = create_engine(e2e.world.database_url)
    try:
        async with create_session_pool(engine)() as session:
            return (await session.exec(select(Ticket).where(Ticket.number == number))).one()
    finally:
        await engine.dispose()


async def verified_owner(e2e: E2E, language: str = "en") -> Person:
    owner = await e2e.new_person(language=language)
    await e2e.onboard(owner)
    return owner


async def report_repair(e2e: E2E, owner: Person, description: str, photos: int = 0) -> int:
    """The owner's repair flow by visible labels; returns the ticket number."""
    t, c, uid = e2e.t(owner.language), e2e.client, owner.user_id
    await c.press_reply_button(uid, t("menu-repair"))
    category = await c.wait_for_message(uid, predicate=has_button(t("category-plumbing")))
    await e2e.press(uid, category, t("category-plumbing"))
    await c.wait_for_message(uid, plain(t("repair-ask-description")))
    if photos:
        await c.send_photo(uid, caption=description)
        for _ in range(photos - 1):
            await c.wait_for_message(uid, predicate=has_button(t("form-btn-done")))
            await c.send_photo(uid)
        more = await c.wait_for_message(uid, predicate=has_button(t("form-btn-done")))
        await e2e.press(uid, more, t("form-btn-done"))
    else:
        await c.send_text(uid, description)
        skip = await c.wait_for_message(uid, predicate=has_button(t("form-btn-skip")))
        await e2e.press(uid, skip, t("form-btn-skip"))
    urgency = await c.wait_for_message(uid, plain(t("repair-ask-urgency")))
    await e2e.press(uid, urgency, t("repair-btn-normal"))
    visit = await c.wait_for_message(uid, plain(t("repair-ask-visit")))
    await e2e.press(uid, visit, t("repair-visit-any"))
    summary = await c.wait_for_message(uid, predicate=has_button(t("form-btn-confirm")))
    assert description in summary["text"]
    await e2e.press(uid, summary, t("form-btn-confirm"))
    created = await c.wait_for_message(uid, "#")
    match = re.search(r"#(\d+)", created["text"])
    assert match, created["text"]
    return int(match.group(1))


async def staff_card(e2e: E2E, number: int) -> Message:
    """The ticket's card in the staff group (its first delivery)."""
    return await e2e.client.wait_for_message(
        e2e.group_id,
        predicate=lambda m: f"#{number} " in (m["text"] or "") and bool(m["buttons"]),
        after_message_id=0,
    )


async def test_repair_with_photos_from_report_to_rating(e2e: E2E):
    owner = await verified_owner(e2e)
    t, z, c = e2e.t("en"), e2e.t("zh"), e2e.client
    number = await report_repair(e2e, owner, "Water leaking under the kitchen sink", photos=2)

    card = await staff_card(e2e, number)
    assert "Water leaking under the kitchen sink" in card["text"]
    after = card["message_id"]
    for _ in range(2):
        photo = await c.wait_for_message(
            e2e.group_id,
            after_message_id=after,
            predicate=lambda m: bool(m["photo"]) and f"#{number}" in (m["caption"] or ""),
        )
        after = photo["message_id"]

    await e2e.press(e2e.technician, card, z("card-btn-take"))
    card = await e2e.wait_edit(e2e.group_id, card["message_id"], z("status-assigned"))
    assert demo_data.TECHNICIAN.name in card["text"]

    await e2e.press(e2e.agent, card, z("card-btn-dispatch"))
    order = await c.wait_for_message(
        e2e.technician,
        predicate=lambda m: f"#{number}" in (m["text"] or "") and bool(m["buttons"]),
    )
    assert "Water leaking under the kitchen sink" in order["text"]
    await e2e.wait_edit(e2e.group_id, card["message_id"], z("status-in-progress"))

    await e2e.press(e2e.technician, order, z("card-btn-done"))
    question = await c.wait_for_message(owner.user_id, predicate=has_button(t("notify-btn-fixed")))
    assert f"#{number}" in question["text"]
    assert (await ticket_row(e2e, number)).status == TicketStatus.resolved

    await e2e.press(owner.user_id, question, t("notify-btn-fixed"))
    rate = await c.wait_for_message(owner.user_id, predicate=lambda m: len(buttons(m)) >= 5)
    assert (await ticket_row(e2e, number)).status == TicketStatus.closed
    await e2e.press(owner.user_id, rate, buttons(rate)[4])
    skip = await c.wait_for_message(owner.user_id, predicate=has_button(t("myreq-btn-skip")))
    await e2e.press(owner.user_id, skip, t("myreq-btn-skip"))
    await c.wait_for_message(owner.user_id, plain(t("myreq-rated")))
    row = await ticket_row(e2e, number)
    assert row.status == TicketStatus.closed and row.rating == 5


async def test_complaint_reply_and_owner_answer_then_close(e2e: E2E):
    owner = await verified_owner(e2e)
    t, z, c, uid = e2e.t("en"), e2e.t("zh"), e2e.client, owner.user_id
    await c.press_reply_button(uid, t("menu-complaint"))
    category = await c.wait_for_message(uid, predicate=has_button(t("category-noise")))
    await e2e.press(uid, category, t("category-noise"))
    await c.wait_for_message(uid, plain(t("complaint-ask-description")))
    await c.send_text(uid, "Loud music from upstairs every night after midnight")
    skip = await c.wait_for_message(uid, predicate=has_button(t("form-btn-skip")))
    await e2e.press(uid, skip, t("form-btn-skip"))
    call = await c.wait_for_message(uid, plain(t("complaint-ask-call")))
    await e2e.press(uid, call, t("complaint-btn-call-no"))
    summary = await c.wait_for_message(uid, predicate=has_button(t("form-btn-confirm")))
    await e2e.press(uid, summary, t("form-btn-confirm"))
    created = await c.wait_for_message(uid, "#")
    match = re.search(r"#(\d+)", created["text"])
    assert match
    number = int(match.group(1))

    card = await staff_card(e2e, number)
    assert "Loud music" in card["text"]
    # Staff answer by replying to the card, the way support desks on Telegram work.
    await c.send_text(
        e2e.agent,
        "We have spoken to the neighbours upstairs.",
        chat_id=e2e.group_id,
        reply_to_message_id=card["message_id"],
    )
    reply = await c.wait_for_message(uid, "We have spoken to the neighbours upstairs.")
    assert f"#{number}" in reply["text"]

    await e2e.recorded(reply)
    await c.send_text(
        uid, "Thank you, it was quiet last night.", reply_to_message_id=reply["message_id"]
    )
    echoed = await c.wait_for_message(e2e.group_id, "Thank you, it was quiet last night.")
    assert f"#{number}" in echoed["text"]
    assert echoed["reply_to_message_id"] == card["message_id"]

    await c.send_text(e2e.agent, f"/resolve {number} Talked to both sides", chat_id=e2e.group_id)
    await c.wait_for_message(e2e.group_id, plain(z("staffcmd-resolved", number=number)))
    await c.send_text(e2e.agent, f"/close {number}", chat_id=e2e.group_id)
    await c.wait_for_message(e2e.group_id, plain(z("staffcmd-closed", number=number)))
    assert (await ticket_row(e2e, number)).status == TicketStatus.closed


async def test_owner_says_not_fixed_and_the_ticket_is_reopened(e2e: E2E):
    owner = await verified_owner(e2e)
    t, z, c, uid = e2e.t("en"), e2e.t("zh"), e2e.client, owner.user_id
    number = await report_repair(e2e, owner, "Bathroom light flickers all the time")
    card = await staff_card(e2e, number)
    await e2e.press(e2e.technician, card, z("card-btn-take"))
    await c.send_text(e2e.technician, f"/resolve {number} Replaced the bulb", chat_id=e2e.group_id)

    question = await c.wait_for_message(uid, predicate=has_button(t("notify-btn-not-fixed")))
    await e2e.press(uid, question, t("notify-btn-not-fixed"))
    await c.wait_for_message(uid, plain(t("myreq-not-fixed", number=number)))
    assert (await ticket_row(e2e, number)).status == TicketStatus.reopened
    await c.wait_for_message(e2e.group_id, f"🔁 #{number}")
    await c.send_text(uid, "It still flickers after the new bulb")
    alert = await c.wait_for_message(e2e.group_id, "It still flickers after the new bulb")
    assert f"#{number}" in alert["text"]


async def test_owner_cannot_reach_another_owners_ticket(e2e: E2E):
    victim = await verified_owner(e2e)
    intruder = await verified_owner(e2e)
    t, c = e2e.t("en"), e2e.client
    secret = "Safe is behind the painting in the study"
    number = await report_repair(e2e, victim, secret)
    ticket = await ticket_row(e2e, number)
    assert ticket.id is not None

    # A modified client can send any callback data: put forged buttons in the intruder's chat.
    bot = Bot(
        demo_data.DEMO_TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(e2e.world.base_url)),
    )
    try:
        forged = await bot.send_message(
            intruder.user_id,
            "forged",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text="open",
                            callback_data=ReqCB(action="open", ticket_id=ticket.id).pack(),
                        ),
                        InlineKeyboardButton(
                            text="cancel",
                            callback_data=ReqCB(action="cancel_yes", ticket_id=ticket.id).pack(),
                        ),
                        InlineKeyboardButton(
                            text="fixed",
                            callback_data=FixedCB(ticket_id=ticket.id, fixed=True).pack(),
                        ),
                    ]
                ]
            ),
        )
    finally:
        await bot.session.close()
    before = await c.messages(intruder.user_id)
    for label in ("open", "cancel", "fixed"):
        answer = await c.press_button(intruder.user_id, message_id=forged.message_id, text=label)
        assert answer["answered"]
        assert secret not in (answer["text"] or "")
    await c.send_text(intruder.user_id, f"/ticket {number}")
    await c.wait_for_message(intruder.user_id, plain(t("myreq-not-found")))
    after = await c.messages(intruder.user_id, after_message_id=before[-1]["message_id"])
    assert all(secret not in (m["text"] or "") for m in after)
    assert (await ticket_row(e2e, number)).status == TicketStatus.new


async def test_someone_who_is_not_staff_cannot_take_a_ticket(e2e: E2E):
    owner = await verified_owner(e2e)
    z, c = e2e.t("zh"), e2e.client
    number = await report_repair(e2e, owner, "Front door lock is broken")
    card = await staff_card(e2e, number)
    stranger = await c.create_user("Curious Neighbour", role="staff")
    await c.add_member(e2e.group_id, stranger["id"])

    answer = await e2e.press(stranger["id"], card, z("card-btn-take"))
    assert answer["text"] == plain(z("staff-refused"))
    row = await ticket_row(e2e, number)
    assert row.status == TicketStatus.new and row.assignee_id is None
    assert not (await e2e.latest(e2e.group_id, card["message_id"]))["edited"]
