"""Guards in front of the handlers: a redelivered update is handled once, a flooding user gets
one note and is then ignored for a while, staff commands from the wrong place do nothing."""

import contextlib
from datetime import timedelta

from aiogram.types import Update
from sqlmodel import col, func, select

from bot.guards import FLOOD_LIMIT, FLOOD_PAUSE, REMEMBER_UPDATES
from handlers import onboarding
from storage import tickets, updates
from storage.models import AuditEvent, ProcessedUpdate, TicketEvent, TicketStatus
from tests.helpers import STAFF_CHAT_ID, Person
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, OWNER, STRANGER

OTHER_GROUP = -1009999999999


async def count(session_pool, model) -> int:
    async with session_pool() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_the_same_update_delivered_twice_is_handled_once(tg, bot, session_pool, estate):
    person = Person(801, "Dee", "en")
    update = Update(update_id=777_001, message=tg.message(person, "/start"))
    await tg.dp.feed_update(bot, update)
    first = len(bot.sent(person.id))
    assert first >= 1
    await tg.dp.feed_update(bot, update)
    assert len(bot.sent(person.id)) == first
    assert await count(session_pool, ProcessedUpdate) == 1


async def test_a_duplicate_state_change_is_stored_once(
    tg, bot, session_pool, staff_members, make_ticket
):
    ticket = await make_ticket()
    update = Update(
        update_id=777_002,
        message=tg.message(AGENT, f"/note {ticket.ticket.number} checked the pipe", STAFF_CHAT_ID),
    )
    events_before = await count(session_pool, TicketEvent)
    await tg.dp.feed_update(bot, update)
    after_first = await count(session_pool, TicketEvent)
    assert after_first == events_before + 1
    await tg.dp.feed_update(bot, update)
    assert await count(session_pool, TicketEvent) == after_first


async def test_a_handler_that_fails_before_storing_leaves_no_mark(
    tg, bot, session_pool, estate, monkeypatch
):
    person = Person(802, "Eve", "en")
    update = Update(update_id=777_003, message=tg.message(person, "/start"))

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(onboarding, "_begin", broken)
    with contextlib.suppress(RuntimeError):
        await tg.dp.feed_update(bot, update)
    async with session_pool() as session:
        assert not await updates.seen(session, bot.id, 777_003)
    monkeypatch.undo()
    await tg.dp.feed_update(bot, update)
    assert bot.sent(person.id), "the redelivery is handled"


async def test_old_marks_are_forgotten(session_pool, clock):
    async with session_pool() as session:
        await updates.mark(session, 42, 1, clock() - REMEMBER_UPDATES - timedelta(minutes=1))
        await updates.mark(session, 42, 2, clock())
        assert await updates.forget_before(session, clock() - REMEMBER_UPDATES) == 1
        assert not await updates.seen(session, 42, 1)
        assert await updates.seen(session, 42, 2)


async def test_flooding_gets_one_note_then_silence_then_service_again(tg, bot, clock, estate):
    person = Person(803, "Flo", "en")
    for _ in range(FLOOD_LIMIT):
        await tg.send(person, "hello")
    answered = len(bot.sent(person.id))
    for _ in range(10):
        await tg.send(person, "hello")
    notes = [r for r in bot.sent(person.id)[answered:] if "very quickly" in r.text]
    assert len(notes) == 1
    assert len(bot.sent(person.id)) == answered + 1
    clock.advance(FLOOD_PAUSE + timedelta(seconds=1))
    await tg.send(person, "/start")
    assert len(bot.sent(person.id)) > answered + 1
    print(f"flood: {FLOOD_LIMIT + 10} updates, 1 note, {10 - 1} ignored")


async def test_a_steady_user_is_never_throttled(tg, bot, clock, estate):
    person = Person(804, "Sue", "en")
    for _ in range(3 * FLOOD_LIMIT):
        await tg.send(person, "hello")
        clock.advance(timedelta(seconds=1))
    assert not any("very quickly" in (r.text or "") for r in bot.sent(person.id))


async def changes(session_pool) -> list[str]:
    """Audit events other than a staff member's language learnt from the app: writing to the
    bot in private teaches it that (handlers.staff_language), which is not a change made."""
    async with session_pool() as session:
        found = await session.exec(select(AuditEvent.type).order_by(col(AuditEvent.id)))
        return [kind for kind in found.all() if kind != "language_set"]


async def test_staff_commands_from_the_wrong_place_change_nothing(
    tg, bot, session_pool, staff_members, make_ticket, clock
):
    ticket = await make_ticket()
    events = await count(session_pool, TicketEvent)
    audits = await changes(session_pool)
    # A stranger in the staff group, staff in a private chat, staff in another estate's group,
    # an owner in a private chat.
    attempts = [
        (STRANGER, STAFF_CHAT_ID),
        (AGENT, None),
        (AGENT, OTHER_GROUP),
        (OWNER, None),
    ]
    for person, chat_id in attempts:
        for command in (
            f"/assign {ticket.ticket.number} me",
            f"/resolve {ticket.ticket.number} done",
            f"/close {ticket.ticket.number}",
            f"/note {ticket.ticket.number} hi",
            f"/reply {ticket.ticket.number} hello",
        ):
            await tg.send(person, command, chat_id=chat_id)
            clock.advance(timedelta(seconds=1))
    assert await count(session_pool, TicketEvent) == events
    assert await changes(session_pool) == audits
    async with session_pool() as session:
        view = await tickets.find(session, ticket.ticket.estate_id, ticket.ticket.number)
    assert view is not None
    assert view.ticket.status == TicketStatus.new
    # Nothing reached the other estate's group, and the owner heard nothing about the ticket.
    assert bot.sent(OTHER_GROUP) == []
