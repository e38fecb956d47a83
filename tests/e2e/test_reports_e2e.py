"""Reports end to end (issue 13): the demo estate's history, /stats and /report in the staff
group through the sandbox and a real `frontdoor run`; the picture and the workbook come back."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot import demo_history
from storage import calendar, estates
from storage.db import create_engine, create_session_pool
from tests.e2e.conftest import E2E

pytestmark = pytest.mark.e2e


async def seed_history(e2e: E2E) -> str:
    """The demo's past months in the running bot's database; returns last month ("2026-11")."""
    engine = create_engine(e2e.world.database_url)
    try:
        pool = create_session_pool(engine)
        async with pool() as session:
            estate = await estates.default(session)
        assert estate is not None
        now = datetime.now(UTC)
        await demo_history.seed_history(pool, estate, now)
        first = calendar.local(estate, now).date().replace(day=1)
        return f"{first - timedelta(days=1):%Y-%m}"
    finally:
        await engine.dispose()


async def test_report_returns_a_photo_and_a_workbook(e2e: E2E) -> None:
    month = await seed_history(e2e)
    c, group = e2e.client, e2e.group_id
    z = e2e.t("zh")

    await c.send_command(e2e.manager, "stats month", chat_id=group)
    stats = await c.wait_for_message(group, z("reports-span-month"), timeout=30)
    assert "✓" in stats["text"] or "✗" in stats["text"]

    await c.send_command(e2e.manager, f"report {month}", chat_id=group)
    photo = await c.wait_for_message(group, predicate=lambda m: bool(m["photo"]), timeout=60)
    assert month in photo["caption"]
    image = Image.open(io.BytesIO(await c.download(photo["photo"][-1]["file_id"])))
    assert image.size == (1600, 1000)
    document = await c.wait_for_message(group, predicate=lambda m: bool(m["document"]), timeout=60)
    assert document["document"]["file_name"] == f"frontdoor-report-{month}.xlsx"
    book = load_workbook(io.BytesIO(await c.download(document["document"]["file_id"])))
    assert book.sheetnames == ["派工报事统计", "投诉分析", "回访", "满意度", "收缴"]
    # The history has requests every week: the work-order sheet is not just its header.
    assert book["派工报事统计"].max_row > 10
