"""`/healthz` and `/metrics`: updates by outcome, latency, outbox depth and age, database state."""

from datetime import UTC, datetime, timedelta

from aiogram.types import Update
from aiohttp.test_utils import TestClient, TestServer

from bot.factory import create_dispatcher
from bot.metrics import Metrics, metrics_app
from storage import outbox
from tests.helpers import Person
from tests.reliability.test_db_faults import outage

PERSON = Person(830, "Mo", "en")


async def test_metrics_count_updates_and_read_the_outbox(
    settings, session_pool, engine, clock, estate, bot, tg
):
    metrics = Metrics()
    dp = create_dispatcher(settings, session_pool, clock=clock, metrics=metrics)
    update = Update(update_id=930_001, message=tg.message(PERSON, "/start"))
    await dp.feed_update(bot, update)
    await dp.feed_update(bot, update)
    async with session_pool() as session:
        await outbox.enqueue(
            session, dedupe_key="m1", chat_id=PERSON.id, text="hi", not_before=clock()
        )
        await session.commit()
    # Rows carry the wall-clock time they were queued at.
    clock.current = datetime.now(UTC) + timedelta(minutes=5)
    async with TestClient(TestServer(metrics_app(metrics, session_pool, clock))) as client:
        health = await client.get("/healthz")
        assert health.status == 200
        body = await (await client.get("/metrics")).text()
        assert 'frontdoor_updates_total{outcome="ok"} 1.0' in body
        assert 'frontdoor_updates_total{outcome="duplicate"} 1.0' in body
        assert "frontdoor_update_seconds_count 2.0" in body
        assert 'frontdoor_outbox_messages{status="pending"} 1.0' in body
        oldest = next(
            line
            for line in body.splitlines()
            if line.startswith("frontdoor_outbox_oldest_pending_seconds ")
        )
        assert float(oldest.split()[1]) >= 300
        assert "frontdoor_database_up 1.0" in body
        with outage(engine) as db:
            db.down = True
            assert (await client.get("/healthz")).status == 503
            body = await (await client.get("/metrics")).text()
            assert "frontdoor_database_up 0.0" in body
