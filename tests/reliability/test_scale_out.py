"""Scale-out on PostgreSQL: two `frontdoor run --no-scheduler` webhook workers and one full
process share one database, and the sandbox delivers webhooks round-robin to the two workers
(a load balancer). An owner's conversation whose updates alternate between the workers ends
in one correct ticket, and a 5 000-owner announcement reaches every owner exactly once while
all three processes' outbox senders drain it side by side."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.i18n import default_catalogs
from sandbox import SandboxClient
from storage.models import OutboxStatus
from tests.e2e.conftest import (
    E2E,
    PG_URL,
    BotProcess,
    SandboxThread,
    World,
    create_pg_database,
    drop_pg_database,
    free_port,
    seed_database,
)
from tests.e2e.test_tickets_e2e import report_repair, ticket_row
from tests.reliability.broadcast import (
    FIRST_OWNER_ID,
    Tally,
    add_owners,
    announce,
    announcement_rows,
    pending_rows,
)

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.e2e,
    pytest.mark.skipif(
        not PG_URL, reason="needs PostgreSQL: set FRONTDOOR_TEST_DATABASE_URL (CI sets it)"
    ),
]

OWNERS = 5000
SECRET = "scale-out-secret"
MARK = "Scale-out drill: lifts serviced on Friday"
# Paid broadcasts, so three senders drain 5 000 messages in seconds rather than a minute.
SEND_RATE = "100"


@dataclass
class Cluster:
    sandbox: SandboxThread
    database_url: str
    full: BotProcess
    workers: list[BotProcess]
    worker_urls: list[str]

    @property
    def processes(self) -> list[BotProcess]:
        return [self.full, *self.workers]

    def logs(self) -> str:
        return "\n".join(f"--- {i} ---\n{p.output()}" for i, p in enumerate(self.processes))


def start(
    sandbox: SandboxThread, workdir: Path, database_url: str, role: str
) -> tuple[BotProcess, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhook"
    before = len(sandbox.api("/calls?method=setWebhook"))
    (workdir / role).mkdir()
    bot = BotProcess(
        workdir / role,
        sandbox.base_url,
        database_url,
        args=["--no-scheduler"] if role.startswith("worker") else [],
        FRONTDOOR_MODE="webhook",
        FRONTDOOR_WEBHOOK_URL=url,
        FRONTDOOR_WEBHOOK_SECRET=SECRET,
        FRONTDOOR_LISTEN=f"127.0.0.1:{port}",
        FRONTDOOR_PAID_BROADCAST="true",
        FRONTDOOR_SEND_RATE=SEND_RATE,
    )
    bot.wait_ready(lambda: len(sandbox.api("/calls?method=setWebhook")) > before)
    return bot, url


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    assert PG_URL is not None
    database_url = create_pg_database(PG_URL)
    sandbox = SandboxThread()
    started: list[BotProcess] = []
    urls: list[str] = []
    try:
        sandbox.seed()
        seed_database(database_url)
        for role in ("full", "worker-1", "worker-2"):
            bot, url = start(sandbox, tmp_path, database_url, role)
            started.append(bot)
            urls.append(url)
        yield Cluster(sandbox, database_url, started[0], started[1:], urls[1:])
        for bot in started:
            bot.stop()
    finally:
        for bot in started:
            if bot.process.poll() is None:
                bot.process.kill()
                bot.process.wait(10)
        sandbox.stop()
        drop_pg_database(PG_URL, database_url)


def handled_by(bot: BotProcess, user_id: int) -> set[int]:
    """Ids of the updates from `user_id` this process handled (its log lines)."""
    pattern = rf"update id=(\d+) kind=\w+ user={user_id} outcome=ok"
    return {int(found) for found in re.findall(pattern, bot.output())}


async def test_two_webhook_workers_and_a_full_process_on_one_postgresql(cluster: Cluster):
    started = time.monotonic()
    sandbox = cluster.sandbox
    async with SandboxClient(sandbox.base_url) as client:
        await client.set_webhook_targets(cluster.worker_urls)
        e2e = E2E(
            World(sandbox, cluster.full, cluster.database_url, Path()),
            client,
            default_catalogs(),
        )
        owner = await e2e.new_person(language="en")
        await e2e.onboard(owner)
        number = await report_repair(e2e, owner, "Balcony door will not lock")
        ticket = await ticket_row(e2e, number)
        assert ticket.description == "Balcony door will not lock"
        [one, two] = (handled_by(w, owner.user_id) for w in cluster.workers)
        # Every other update went to the other worker, and the conversation held together.
        assert one and two and not one & two
        assert handled_by(cluster.full, owner.user_id) == set()

        await add_owners(sandbox, cluster.database_url, OWNERS)
        await announce(client, MARK)
    tally = Tally(sandbox, MARK)
    announcement, rows = await announcement_rows(cluster.database_url)
    expected = {row.chat_id for row in rows}
    deadline = time.monotonic() + 120
    while not (len(expected) == announcement.recipients and expected <= set(tally.update())):
        assert time.monotonic() < deadline, f"announcement not delivered:\n{cluster.logs()}"
        time.sleep(0.2)
        announcement, rows = await announcement_rows(cluster.database_url)
        expected = {row.chat_id for row in rows}
    while await pending_rows(cluster.database_url):
        assert time.monotonic() < deadline, f"rows still pending:\n{cluster.logs()}"
        time.sleep(0.2)
    tally.update()
    announcement, rows = await announcement_rows(cluster.database_url)
    sent_by = [len(re.findall(r"outcome=sent", p.output())) for p in cluster.processes]
    print(
        f"\nscale-out on PostgreSQL: conversation of {len(one) + len(two)} updates "
        f"({len(one)} / {len(two)} per worker), ticket #{number}; announcement to "
        f"{announcement.recipients} owners: delivered {tally.delivered}, duplicates "
        f"{tally.duplicates}, outbox sends per process (full, worker 1, worker 2) {sent_by}, "
        f"{time.monotonic() - started:.0f} s"
    )
    assert set(range(FIRST_OWNER_ID, FIRST_OWNER_ID + OWNERS)) <= expected
    assert set(tally.per_chat) == expected
    assert tally.duplicates == 0
    assert {str(row.status) for row in rows} == {OutboxStatus.sent.value}
    # The drain was shared: more than one process's sender sent a part of it.
    assert sum(1 for n in sent_by if n > 0) >= 2
