"""The outbox sender against a fake Bot API that can fail the way Telegram does."""

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import event, text
from sqlmodel import select

from scheduler.outbox import OutboxSender, backoff
from storage import outbox
from storage.models import AuditEvent, OutboxMessage, OutboxStatus, Owner
from tests.helpers import STAFF_CHAT_ID
from tests.mocked_bot import MockedBot, RecordingSession

OWNER_CHAT = 7001


class ScriptedSession(RecordingSession):
    """Fails the next requests to a chat with the given exceptions, then answers normally."""

    def __init__(self):
        super().__init__()
        self.script: dict[int, list] = {}

    async def make_request(self, bot, method, timeout=None):
        queue = self.script.get(getattr(method, "chat_id", None))
        if queue:
            self.requests.append(method)
            raise queue.pop(0)(method)
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def api():
    bot = MockedBot()
    bot.session = ScriptedSession()
    return bot


@pytest.fixture
def sender(api, session_pool, clock):
    return OutboxSender(api, session_pool, clock, limiter=contextlib.nullcontext(), max_attempts=3)


async def queue(session_pool, clock, *drafts):
    # Without not_before a row is due at the wall-clock time, not at the fake clock's.
    timed = [replace(d, not_before=d.not_before or clock()) for d in drafts]
    async with session_pool() as session:
        await outbox.add_all(session, timed)
        await session.commit()


def draft(key, chat_id=OWNER_CHAT, text="hello", **kwargs):
    return outbox.Draft(dedupe_key=key, chat_id=chat_id, text=text, **kwargs)


async def row(session_pool, key):
    async with session_pool() as session:
        return (
            await session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
        ).one()


def retry_after(seconds):
    return lambda m: TelegramRetryAfter(
        method=m, message="Too Many Requests: retry later", retry_after=seconds
    )


def server_error(m):
    return TelegramServerError(method=m, message="Bad Gateway")


async def test_second_enqueue_of_a_key_is_a_no_op(session_pool, clock):
    await queue(session_pool, clock, draft("k"), draft("k", text="other"))
    async with session_pool() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert [(r.dedupe_key, r.payload["text"]) for r in rows] == [("k", "hello")]


async def test_success_stores_message_id_and_sent_at(session_pool, sender, api, clock):
    await queue(session_pool, clock, draft("k", params={"reply_markup": {"inline_keyboard": []}}))
    assert await sender.send_due(clock()) == 1
    sent = await row(session_pool, "k")
    assert sent.status == OutboxStatus.sent
    assert sent.sent_at == clock()
    assert sent.telegram_message_id == 1000
    (request,) = api.sent(OWNER_CHAT)
    assert type(request).__name__ == "SendMessage"
    assert (request.text, request.parse_mode) == ("hello", "HTML")
    assert await sender.send_due(clock()) == 0


async def test_retry_after_waits_without_counting_an_attempt(session_pool, sender, api, clock):
    api.session.script[OWNER_CHAT] = [retry_after(5)]
    await queue(session_pool, clock, draft("k"))
    assert await sender.send_due(clock()) == 0
    waiting = await row(session_pool, "k")
    assert (waiting.status, waiting.attempts) == (OutboxStatus.pending, 0)
    assert waiting.next_attempt_at == clock() + timedelta(seconds=5)
    clock.advance(timedelta(seconds=4))
    assert await sender.send_due(clock()) == 0
    clock.advance(timedelta(seconds=1))
    assert await sender.send_due(clock()) == 1
    assert len(api.requests) == 2


async def test_server_errors_back_off_then_the_row_is_dead(session_pool, sender, api, clock):
    api.session.script[OWNER_CHAT] = [server_error] * 3
    await queue(session_pool, clock, draft("k"))
    assert await sender.send_due(clock()) == 0
    first = await row(session_pool, "k")
    assert (first.attempts, first.next_attempt_at) == (1, clock() + timedelta(seconds=2))
    clock.advance(timedelta(seconds=2))
    await sender.send_due(clock())
    second = await row(session_pool, "k")
    assert (second.attempts, second.next_attempt_at) == (2, clock() + timedelta(seconds=4))
    clock.advance(timedelta(seconds=4))
    await sender.send_due(clock())
    dead = await row(session_pool, "k")
    assert (dead.status, dead.attempts) == (OutboxStatus.dead, 3)
    assert "Bad Gateway" in dead.last_error
    clock.advance(timedelta(hours=1))
    assert await sender.send_due(clock()) == 0
    assert len(api.requests) == 3


def test_backoff_is_exponential_and_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff(30) == timedelta(minutes=10)


async def test_network_errors_are_retried(session_pool, sender, api, clock):
    api.session.script[OWNER_CHAT] = [lambda m: TelegramNetworkError(method=m, message="timeout")]
    await queue(session_pool, clock, draft("k"))
    await sender.send_due(clock())
    assert (await row(session_pool, "k")).attempts == 1
    clock.advance(timedelta(seconds=2))
    assert await sender.send_due(clock()) == 1


async def test_blocked_owner_fails_and_becomes_unreachable(
    session_pool, sender, api, clock, estate
):
    async with session_pool() as session:
        owner = Owner(estate_id=estate.id, name="Li", chat_id=OWNER_CHAT, status="verified")
        session.add(owner)
        await session.commit()
    api.session.blocked_chats.add(OWNER_CHAT)
    await queue(session_pool, clock, draft("k"))
    assert await sender.send_due(clock()) == 0
    failed = await row(session_pool, "k")
    assert failed.status == OutboxStatus.failed
    assert "blocked" in failed.last_error
    async with session_pool() as session:
        owner = await session.get(Owner, owner.id)
        assert owner.status == "unreachable"
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.entity == "owner"))).one()
        assert (audit.type, audit.entity_id) == ("unreachable", owner.id)


async def test_bad_request_fails_without_retry(session_pool, sender, api, clock):
    api.session.script[OWNER_CHAT] = [
        lambda m: TelegramBadRequest(method=m, message="Bad Request: chat not found")
    ]
    await queue(session_pool, clock, draft("k"))
    await sender.send_due(clock())
    failed = await row(session_pool, "k")
    assert (failed.status, failed.last_error) == (
        OutboxStatus.failed,
        "Bad Request: chat not found",
    )
    clock.advance(timedelta(hours=1))
    await sender.send_due(clock())
    assert len(api.requests) == 1


async def test_message_not_modified_counts_as_sent(session_pool, sender, api, clock):
    api.session.script[STAFF_CHAT_ID] = [
        lambda m: TelegramBadRequest(
            method=m, message="Bad Request: message is not modified: specified new message"
        )
    ]
    await queue(
        session_pool,
        clock,
        draft("edit", STAFF_CHAT_ID, method="editMessageText", params={"message_id": 55}),
    )
    assert await sender.send_due(clock()) == 1
    edit = await row(session_pool, "edit")
    assert (edit.status, edit.telegram_message_id) == (OutboxStatus.sent, 55)


async def test_unknown_method_or_bad_payload_fails_alone(session_pool, sender, api, clock):
    await queue(
        session_pool,
        clock,
        draft("odd", method="sendTelepathy"),
        draft("bad", 7002, method="sendPhoto"),
        draft("fine", 7003),
    )
    assert await sender.send_due(clock()) == 1
    assert (await row(session_pool, "odd")).status == OutboxStatus.failed
    assert (await row(session_pool, "bad")).last_error.startswith("bad payload")
    assert (await row(session_pool, "fine")).status == OutboxStatus.sent


async def test_per_chat_order_survives_a_retry(session_pool, sender, api, clock):
    api.session.script[STAFF_CHAT_ID] = [server_error]
    await queue(
        session_pool,
        clock,
        draft("first", STAFF_CHAT_ID, text="1"),
        draft("second", STAFF_CHAT_ID, text="2"),
        draft("elsewhere", OWNER_CHAT, text="x"),
    )
    assert await sender.send_due(clock()) == 1
    assert (await row(session_pool, "second")).status == OutboxStatus.pending
    assert await sender.send_due(clock()) == 0
    clock.advance(timedelta(seconds=2))
    assert await sender.send_due(clock()) == 2
    assert api.texts(STAFF_CHAT_ID) == ["1", "1", "2"]


async def test_private_chat_gets_one_message_per_second(session_pool, sender, api, clock):
    await queue(
        session_pool,
        clock,
        draft("a", text="a"),
        draft("b", text="b"),
        draft("group-1", STAFF_CHAT_ID),
        draft("group-2", STAFF_CHAT_ID),
    )
    assert await sender.send_due(clock()) == 3
    deferred = await row(session_pool, "b")
    assert deferred.status == OutboxStatus.pending
    assert deferred.next_attempt_at == clock() + timedelta(seconds=1)
    clock.advance(timedelta(milliseconds=500))
    assert await sender.send_due(clock()) == 0
    clock.advance(timedelta(milliseconds=500))
    assert await sender.send_due(clock()) == 1
    assert api.texts(OWNER_CHAT) == ["a", "b"]


async def test_group_gets_twenty_messages_a_minute(session_pool, sender, api, clock):
    drafts = [draft(f"g{i}", STAFF_CHAT_ID, text=str(i)) for i in range(21)]
    await queue(session_pool, clock, *drafts)
    assert await sender.send_due(clock()) == 20
    assert (await row(session_pool, "g20")).next_attempt_at == clock() + timedelta(minutes=1)
    clock.advance(timedelta(minutes=1))
    assert await sender.send_due(clock()) == 1
    assert api.texts(STAFF_CHAT_ID) == [str(i) for i in range(21)]


async def test_edit_waits_for_the_card_then_uses_its_message_id(session_pool, sender, api, clock):
    await queue(
        session_pool,
        clock,
        draft("card", STAFF_CHAT_ID, text="card", not_before=clock() + timedelta(minutes=5)),
        draft(
            "edit",
            STAFF_CHAT_ID,
            text="card v2",
            method="editMessageText",
            params={"message_id": {"$message_id_of": "card"}},
        ),
        draft("reply", STAFF_CHAT_ID, text="comment", params={"$reply_to_of": "card"}),
    )
    assert await sender.send_due(clock()) == 0
    assert (await row(session_pool, "edit")).status == OutboxStatus.pending
    clock.advance(timedelta(minutes=5))
    assert await sender.send_due(clock()) == 1
    card = await row(session_pool, "card")
    assert await sender.send_due(clock()) == 2
    edit, reply = api.sent(STAFF_CHAT_ID)[1:]
    assert (type(edit).__name__, edit.message_id, edit.text) == (
        "EditMessageText",
        card.telegram_message_id,
        "card v2",
    )
    assert reply.reply_parameters.message_id == card.telegram_message_id


async def test_references_to_undelivered_messages(session_pool, sender, api, clock):
    api.session.script[STAFF_CHAT_ID] = [
        lambda m: TelegramBadRequest(method=m, message="Bad Request: can't parse entities")
    ]
    await queue(
        session_pool,
        clock,
        draft("card", STAFF_CHAT_ID),
        draft(
            "edit",
            STAFF_CHAT_ID,
            method="editMessageText",
            params={"message_id": {"$message_id_of": "card"}},
        ),
        draft(
            "reply",
            STAFF_CHAT_ID,
            text="threaded?",
            params={"reply_parameters": {"message_id": {"$reply_to_of": "card"}}},
        ),
    )
    await sender.send_due(clock())
    assert (await row(session_pool, "card")).status == OutboxStatus.failed
    assert await sender.send_due(clock()) == 1
    edit = await row(session_pool, "edit")
    assert (edit.status, edit.last_error) == (
        OutboxStatus.failed,
        "the message to edit was never delivered",
    )
    reply = api.sent(STAFF_CHAT_ID)[-1]
    assert (reply.text, reply.reply_parameters) == ("threaded?", None)


async def test_a_claimed_row_is_not_sent_by_another_worker(session_pool, sender, clock, api):
    await queue(session_pool, clock, draft("k"))
    async with session_pool() as session:
        claim = await outbox.claim_due(
            session, clock(), lease=timedelta(minutes=2), pace=lambda chat: None
        )
    assert [c.dedupe_key for c in claim.rows] == ["k"]
    assert await sender.send_due(clock()) == 0
    assert api.requests == []
    clock.advance(timedelta(minutes=2))
    assert await sender.send_due(clock()) == 1


async def test_a_restarted_sqlite_process_takes_back_its_dead_runs_claims_at_once(
    engine, session_pool, sender, clock, api
):
    await queue(
        session_pool, clock, draft("k"), draft("later", not_before=clock() + timedelta(hours=1))
    )
    async with session_pool() as session:
        # The claim of an earlier run that was killed before the outcome was stored.
        await outbox.claim_due(
            session, clock(), lease=timedelta(minutes=2), pace=lambda chat: None, by="dead"
        )
    assert (await row(session_pool, "k")).claimed_by == "dead"
    taken = await sender.reclaim_abandoned()
    if engine.dialect.name == "postgresql":
        # Another live worker may hold it: only the lease can tell.
        assert taken == 0
        assert await sender.send_due(clock()) == 0
        return
    assert taken == 1
    assert await sender.send_due(clock()) == 1
    sent = await row(session_pool, "k")
    assert (sent.status, sent.claimed_by) == (OutboxStatus.sent, None)
    # A row waiting for its time is not a claim: it keeps its time.
    assert (await row(session_pool, "later")).status == OutboxStatus.pending
    assert [r.chat_id for r in api.sent()] == [OWNER_CHAT]


async def test_run_delivers_and_stops_cleanly(session_pool, api, clock):
    sender = OutboxSender(api, session_pool, clock, interval=0.01)
    task = sender.start()
    await queue(session_pool, clock, draft("k"))
    sender.poke()
    for _ in range(200):
        if api.requests:
            break
        await asyncio.sleep(0.01)
    await sender.stop()
    assert task.done()
    assert (await row(session_pool, "k")).status == OutboxStatus.sent


def test_resolve_placeholders():
    payload = {
        "text": "x",
        "$message_id_of": "card",
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
        "reply_to_message_id": {"$reply_to_of": "gone"},
    }
    assert outbox.references(payload) == {"card": "$message_id_of", "gone": "$reply_to_of"}
    assert outbox.resolve(payload, {"card": 9}) == {
        "text": "x",
        "message_id": 9,
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
    }


class YieldingSession(RecordingSession):
    """Answers like Telegram after giving the event loop away once, as a network call does."""

    async def make_request(self, bot, method, timeout=None):
        await asyncio.sleep(0)
        return await super().make_request(bot, method, timeout)


def yielding_bot():
    bot = MockedBot()
    bot.session = YieldingSession()
    return bot


def count(engine, event_name):
    """A list that grows by one for each `event_name` event of the engine."""
    seen: list[object] = []
    event.listen(engine.sync_engine, event_name, lambda *args, **kwargs: seen.append(args))
    return seen


async def test_a_claim_is_a_few_statements_whatever_the_batch(engine, session_pool, clock):
    await queue(session_pool, clock, *(draft(f"k{i}", chat_id=9000 + i) for i in range(200)))
    statements = count(engine, "before_cursor_execute")
    async with session_pool() as session:
        claim = await outbox.claim_due(
            session, clock(), lease=timedelta(minutes=2), pace=lambda chat: None, limit=500
        )
    assert len(claim.rows) == 200
    # Due rows, each chat's oldest pending row outside the batch, one UPDATE for the lease.
    assert len(statements) <= 4


async def test_lanes_share_commits_and_each_row_is_sent_once(engine, session_pool, clock):
    await queue(session_pool, clock, *(draft(f"k{i}", chat_id=9000 + i) for i in range(64)))
    bot = yielding_bot()
    sender = OutboxSender(
        bot, session_pool, clock, limiter=contextlib.nullcontext(), concurrency=8, in_flight=8
    )
    commits = count(engine, "commit")
    assert await sender.send_due(clock()) == 64
    # One commit for the claim and far fewer than one per row for the outcomes.
    assert len(commits) <= 1 + 64 // 4
    assert sorted(r.chat_id for r in bot.sent()) == [9000 + i for i in range(64)]
    async with session_pool() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert {r.status for r in rows} == {OutboxStatus.sent}


async def test_two_senders_on_postgresql_never_send_a_row_twice(engine, session_pool, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("two senders share an outbox on PostgreSQL only (SQLite: one process)")
    chats = 300
    await queue(session_pool, clock, *(draft(f"k{i}", chat_id=9000 + i) for i in range(chats)))
    bots = [yielding_bot(), yielding_bot()]
    senders = [
        OutboxSender(b, session_pool, clock, limiter=contextlib.nullcontext(), batch=40)
        for b in bots
    ]
    delivered = [0, 0]
    for _ in range(chats):
        done = await asyncio.gather(*(s.send_due(clock()) for s in senders))
        delivered = [a + b for a, b in zip(delivered, done, strict=True)]
        if sum(done) == 0:
            break
    arrived = Counter(r.chat_id for b in bots for r in b.sent())
    print(f"two senders: {delivered} delivered, {sum(arrived.values())} requests")
    assert sum(delivered) == chats and all(delivered)
    assert sorted(arrived) == [9000 + i for i in range(chats)]
    assert set(arrived.values()) == {1}


@pytest.mark.parametrize(("rate", "paid"), [(25, None), (200, True)])
async def test_sends_above_the_free_rate_are_paid_broadcasts(session_pool, api, clock, rate, paid):
    await queue(session_pool, clock, draft("k"))
    sender = OutboxSender(api, session_pool, clock, rate=rate, limiter=contextlib.nullcontext())
    assert await sender.send_due(clock()) == 1
    [sent] = api.sent()
    assert sent.allow_paid_broadcast is paid


class WireWatchingSession(YieldingSession):
    """At each request, how many earlier requests have no outcome stored yet: what a crash at
    that moment would send twice."""

    def __init__(self):
        super().__init__()
        self.stored = 0
        self.unrecorded: list[int] = []

    async def make_request(self, bot, method, timeout=None):
        self.unrecorded.append(len(self.requests) - self.stored)
        return await super().make_request(bot, method, timeout)


@pytest.mark.parametrize(("rate", "in_flight"), [(25, 1), (None, 8)])
async def test_at_the_free_rate_one_message_at_most_is_on_the_wire(
    session_pool, clock, rate, in_flight
):
    await queue(session_pool, clock, *(draft(f"k{i}", chat_id=9000 + i) for i in range(24)))
    bot = MockedBot()
    bot.session = watch = WireWatchingSession()
    sender = OutboxSender(
        bot, session_pool, clock, rate=rate, limiter=contextlib.nullcontext(), concurrency=8
    )
    write = sender.marks.write

    async def counted(mark):
        await write(mark)  # returns once the mark is committed
        watch.stored += 1

    sender.marks.write = counted  # type: ignore[method-assign]
    assert sender.in_flight == in_flight
    assert await sender.send_due(clock()) == 24
    assert max(watch.unrecorded) <= in_flight - 1
    if in_flight > 1:
        # Without the bound, lanes do overlap (so the check above can fail).
        assert max(watch.unrecorded) > 0


def test_a_senders_lock_key_is_its_token_as_a_signed_64_bit_integer():
    assert outbox.lock_key("0000000000000001") == 1
    assert outbox.lock_key("ffffffffffffffff") == -1
    assert outbox.lock_key("7fffffffffffffff") == 2**63 - 1
    # Not a sender's token (tests, older rows): such claims wait out their lease.
    assert outbox.lock_key("dead") is None
    assert outbox.lock_key("zzzzzzzzzzzzzzzz") is None


async def test_a_dead_senders_claims_are_taken_at_once_on_postgresql(engine, session_pool, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one process owns the outbox, and its restart takes its rows back")
    rows = 20
    await queue(session_pool, clock, *(draft(f"k{i}", chat_id=9000 + i) for i in range(rows)))
    dead = OutboxSender(MockedBot(), session_pool, clock, limiter=contextlib.nullcontext())
    assert await dead.hold_alive_lock()
    async with session_pool() as session:
        # Claimed, then the process dies before any outcome is stored.
        await outbox.claim_due(
            session, clock(), lease=timedelta(minutes=2), pace=lambda chat: None, by=dead.token
        )
    bot = yielding_bot()
    live = OutboxSender(bot, session_pool, clock, limiter=contextlib.nullcontext(), interval=0.01)
    assert await live.hold_alive_lock()
    # While the claimer's lock is held it is alive: its rows are left to it.
    assert await live.send_due(clock()) == 0
    key = outbox.lock_key(dead.token)
    assert key is not None
    async with engine.connect() as conn:
        # What the death of its process does: the server ends its connection, freeing its lock.
        ended = await conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype ="
                " 'advisory' AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint)"
                " = :key"
            ),
            {"key": key},
        )
    assert ended == 1
    started = time.monotonic()
    task = live.start()
    while len(bot.sent()) < rows and time.monotonic() - started < 10:
        await asyncio.sleep(0.01)
    taken_s = time.monotonic() - started
    await live.stop()
    assert task.done()
    assert dead.alive is not None
    await dead.alive.close()
    print(f"lease takeover: {len(bot.sent())} of {rows} rows sent {taken_s:.2f} s after the kill")
    # The fake clock never moved: the two-minute lease was not waited out.
    assert sorted(r.chat_id for r in bot.sent()) == [9000 + i for i in range(rows)]
    async with session_pool() as session:
        found = (await session.exec(select(OutboxMessage))).all()
    assert {(r.status, r.claimed_by) for r in found} == {(OutboxStatus.sent, None)}
