"""The SQL FSM storage: aiogram's storage contract, conversations that survive a restart, and
flows dropped after 30 idle minutes."""

from datetime import timedelta

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event
from sqlmodel import select

from bot.factory import create_dispatcher
from bot.fsm_storage import SqlStorage
from handlers.onboarding import LanguageCb
from storage.models import FsmRecord, OwnerStatus
from tests.helpers import STAFF_CHAT_ID, Person, Telegram
from tests.mocked_bot import BOT_ID
from tests.onboarding_fixtures import outbox_rows, owner_of

ALICE = Person(id=501, first_name="Alice", language_code="en")


@pytest.fixture
def storage(session_pool) -> SqlStorage:
    return SqlStorage(session_pool)


@pytest.fixture
def storage_key() -> StorageKey:
    return StorageKey(chat_id=-42, user_id=42, bot_id=BOT_ID)


async def fsm_rows(session_pool) -> list[FsmRecord]:
    async with session_pool() as session:
        return list((await session.exec(select(FsmRecord))).all())


class TestStorageContract:
    async def test_set_state(self, storage, storage_key):
        assert await storage.get_state(key=storage_key) is None
        await storage.set_state(key=storage_key, state="state")
        assert await storage.get_state(key=storage_key) == "state"
        await storage.set_state(key=storage_key, state=None)
        assert await storage.get_state(key=storage_key) is None

    async def test_set_state_object(self, storage, storage_key):
        await storage.set_state(key=storage_key, state=State("step", group_name="Form"))
        assert await storage.get_state(key=storage_key) == "Form:step"

    async def test_set_data(self, storage, storage_key):
        assert await storage.get_data(key=storage_key) == {}
        await storage.set_data(key=storage_key, data={"foo": "bar"})
        assert await storage.get_data(key=storage_key) == {"foo": "bar"}
        await storage.set_data(key=storage_key, data={})
        assert await storage.get_data(key=storage_key) == {}

    async def test_update_data(self, storage, storage_key):
        assert await storage.get_data(key=storage_key) == {}
        assert await storage.update_data(key=storage_key, data={"foo": "bar"}) == {"foo": "bar"}
        assert await storage.update_data(key=storage_key, data={}) == {"foo": "bar"}
        assert await storage.get_data(key=storage_key) == {"foo": "bar"}
        assert await storage.update_data(key=storage_key, data={"baz": "spam"}) == {
            "foo": "bar",
            "baz": "spam",
        }
        assert await storage.get_data(key=storage_key) == {"foo": "bar", "baz": "spam"}
        assert await storage.update_data(key=storage_key, data={"baz": "test"}) == {
            "foo": "bar",
            "baz": "test",
        }
        assert await storage.get_data(key=storage_key) == {"foo": "bar", "baz": "test"}

    async def test_get_value(self, storage, storage_key):
        await storage.set_data(key=storage_key, data={"hello": "world"})
        assert await storage.get_value(storage_key, "hello") == "world"
        assert await storage.get_value(storage_key, "missing") is None
        assert await storage.get_value(storage_key, "missing", "default") == "default"

    async def test_data_must_be_dict_like(self, storage, storage_key):
        with pytest.raises(DataNotDictLikeError):
            await storage.set_data(key=storage_key, data=["not", "a", "dict"])
        with pytest.raises(DataNotDictLikeError):
            await storage.update_data(key=storage_key, data="nope")
        assert await storage.get_data(key=storage_key) == {}

    async def test_keys_are_separate(self, storage, storage_key):
        other = StorageKey(chat_id=-42, user_id=43, bot_id=BOT_ID)
        threaded = StorageKey(chat_id=-42, user_id=42, bot_id=BOT_ID, thread_id=7)
        await storage.set_state(key=storage_key, state="mine")
        assert await storage.get_state(key=other) is None
        assert await storage.get_state(key=threaded) is None

    async def test_empty_state_and_data_delete_the_row(self, storage, storage_key, session_pool):
        await storage.set_state(key=storage_key, state="state")
        await storage.set_data(key=storage_key, data={"foo": "bar"})
        assert len(await fsm_rows(session_pool)) == 1
        await storage.set_state(key=storage_key, state=None)
        assert len(await fsm_rows(session_pool)) == 1
        await storage.set_data(key=storage_key, data={})
        assert await fsm_rows(session_pool) == []
        await storage.close()


async def test_conversation_survives_a_restart(tg, bot, session_pool, settings, clock, estate):
    await tg.send(ALICE, "/start")
    await tg.press(ALICE, LanguageCb(code="en").pack())
    await tg.contact(ALICE, "8613900139002")
    await tg.send(ALICE, "5")
    assert "What is your unit number?" in bot.last_text(ALICE.id)

    # A new process: a fresh dispatcher on the same database, nothing kept in memory.
    restarted = Telegram(create_dispatcher(settings, session_pool, clock=clock), bot)
    await restarted.send(ALICE, "0801")
    assert bot.last_text(ALICE.id) == "What is your full name?"
    await restarted.send(ALICE, "Chen Jing")
    await restarted.press_label(ALICE, "📨 Send")
    assert "sent to the management office" in bot.last_text(ALICE.id)
    owner = await owner_of(session_pool, ALICE)
    assert owner.status == OwnerStatus.pending
    assert (owner.claimed_building, owner.claimed_unit) == ("5", "0801")
    assert len(await outbox_rows(session_pool, STAFF_CHAT_ID)) == 1
    assert await fsm_rows(session_pool) == []


async def test_idle_flow_is_cleared_and_the_next_message_handled_afresh(
    tg, bot, dp, session_pool, clock, estate
):
    await tg.send(ALICE, "/start")
    await tg.press(ALICE, LanguageCb(code="en").pack())
    await tg.contact(ALICE, "8613900139002")
    clock.advance(timedelta(minutes=29))
    await tg.send(ALICE, "5")
    assert "What is your unit number?" in bot.last_text(ALICE.id)
    [record] = await fsm_rows(session_pool)
    assert record.updated_at == clock()
    clock.advance(timedelta(minutes=31))
    sent_before = len(bot.texts(ALICE.id))
    # After the timeout "0801" is not taken as the unit number: it is a fresh message, answered
    # as one, and the "dropped" note is left to the scheduler (it is not sent here).
    await tg.send(ALICE, "0801")
    assert bot.texts(ALICE.id)[sent_before:] == ["Please send /start to begin."]
    key = StorageKey(bot_id=BOT_ID, chat_id=ALICE.id, user_id=ALICE.id)
    assert await dp.storage.get_state(key) is None
    assert await fsm_rows(session_pool) == []
    assert await owner_of(session_pool, ALICE) is None


async def test_an_update_reads_and_writes_its_conversation_once(
    tg, engine, session_pool, clock, estate
):
    await tg.send(ALICE, "/start")
    await tg.press(ALICE, LanguageCb(code="en").pack())
    [before] = await fsm_rows(session_pool)
    clock.advance(timedelta(minutes=1))
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if "fsmrecord" in statement.lower():
            statements.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await tg.contact(ALICE, "8613900139002")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    [after] = await fsm_rows(session_pool)
    assert after.state != before.state and after.updated_at == clock()
    assert statements == ["SELECT", "UPDATE"]
