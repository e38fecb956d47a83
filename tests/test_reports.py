"""The monthly report: its figures, the dashboard picture, the workbook, the staff commands, the
scheduled job and how its documents reach the sender.

The sample November (tests/reports_fixtures.py), worked out by hand:
  requests 3 (2 repairs, 1 complaint), 2 closed
  first response 0.5 h, 5 h, 2 h → median 2 h, 90th percentile 5 h (working hours)
  resolution 3 h and 7 h → median 3 h, 90th percentile 7 h
  SLA met 2 of 3; complaints answered in 24 h 1 of 1; reopened 1 of 2 resolved
  call-backs: complaint 0 of 1, repair 1 of 1
  fees 223.75 + 237.50 billed, 223.75 paid (the other payment was reversed)
  satisfaction (mean score ÷ 5): cleanliness 5, greenery 4, security 3 → 100 %, 80 %, 60 %,
  overall 12 of 15 = 80 %; coverage 1 of 2 units
"""

import io
from datetime import UTC, datetime

import pytest
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import select

from bot import reporting
from bot.documents import dashboard, fonts
from bot.documents.dashboard import SIZE, render_dashboard
from bot.documents.workbook import render_workbook
from scheduler.jobs import all_jobs, monthly_report
from scheduler.outbox import OutboxSender
from storage import kpis, reports
from storage.kpis import Rate
from storage.models import Estate, OutboxMessage
from tests.helpers import STAFF_CHAT_ID
from tests.reports_fixtures import *  # noqa: F403
from tests.reports_fixtures import NOW, Builder, sample_november
from tests.tickets_fixtures import *  # noqa: F403
from tests.tickets_fixtures import AGENT, STRANGER


@pytest.fixture
async def november_report(session, build: Builder, estate: Estate) -> reports.MonthReport:
    await sample_november(build)
    return await reports.month_report(session, estate, kpis.month_period(estate, "2026-11"), NOW)


async def test_the_figures_of_the_sample_month(november_report: reports.MonthReport) -> None:
    f = november_report.figures
    assert (f.opened_count(), f.closed_count()) == (3, 2)
    assert f.response == kpis.Durations(3, 2.0, 5.0)
    assert f.resolution == kpis.Durations(2, 3.0, 7.0)
    assert (f.sla, f.complaint_reply, f.reopen) == (Rate(2, 3), Rate(1, 1), Rate(1, 2))
    assert (f.complaint_callback, f.repair_callback) == (Rate(0, 1), Rate(1, 1))
    assert (f.collection.billed, f.collection.paid) == (46125, 22375)
    # In the order the quarterly survey asks them.
    assert [(i.item, i.rate) for i in f.satisfaction.items] == [
        ("cleanliness", Rate(5, 5)),
        ("security", Rate(3, 5)),
        ("greenery", Rate(4, 5)),
    ]
    assert f.satisfaction.overall == Rate(12, 15)
    assert f.coverage == Rate(1, 2)
    assert [w.number for w in november_report.work_orders] == [1, 2, 3]
    assert november_report.work_orders[2].place == "Gate"


@pytest.mark.parametrize("locale", ["en", "zh"])
async def test_the_dashboard_is_a_png_of_the_expected_size(
    november_report: reports.MonthReport, catalogs, locale: str
) -> None:
    png = render_dashboard(november_report, catalogs.translator(locale))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == SIZE == (1600, 1000)


async def test_an_empty_month_still_renders(session, estate: Estate, catalogs) -> None:
    empty = await reports.month_report(session, estate, kpis.month_period(estate, "2026-11"), NOW)
    png = render_dashboard(empty, catalogs.translator("en"))
    assert Image.open(io.BytesIO(png)).size == SIZE
    book = load_workbook(io.BytesIO(render_workbook(empty, catalogs.translator("en"))))
    assert book["Work orders"].max_row == 4  # header and the three totals rows


def test_charts_use_the_document_font_and_fall_back_without_one(
    monkeypatch, caplog, tmp_path
) -> None:
    # One font lookup for PDFs and charts (bot/documents/fonts.py): with no CJK font there,
    # the charts are set in DejaVu Sans and the log names the package to install.
    monkeypatch.setattr(fonts, "WQY", ())
    monkeypatch.setattr(dashboard, "document_font", lambda: fonts.find_font((tmp_path,)))
    dashboard.font_family.cache_clear()
    try:
        assert dashboard.font_family() == "DejaVu Sans"
    finally:
        dashboard.font_family.cache_clear()
    assert "fonts-noto-cjk" in caplog.text


@pytest.mark.skipif(not fonts.document_font().cjk, reason="fonts-noto-cjk is not installed")
def test_charts_are_set_in_the_cjk_document_font() -> None:
    dashboard.font_family.cache_clear()
    assert dashboard.font_family() == fonts.document_font().family


def _totals(sheet, label: str) -> list:
    for row in sheet.iter_rows(values_only=True):
        if row[0] == label:
            return list(row)
    raise AssertionError(f"no {label!r} row in {sheet.title}")


async def test_the_workbook_totals_are_the_kpi_functions(
    november_report: reports.MonthReport, catalogs
) -> None:
    book = load_workbook(io.BytesIO(render_workbook(november_report, catalogs.translator("en"))))
    assert book.sheetnames == [
        "Work orders",
        "Complaint analysis",
        "Call-backs",
        "Satisfaction",
        "Collection",
    ]
    f = november_report.figures
    orders = book["Work orders"]
    assert orders.freeze_panes == "A2"
    assert orders.column_dimensions["I"].width == 17
    # Three tickets, then the totals rows.
    assert [orders.cell(row=r, column=1).value for r in range(2, 5)] == [1, 2, 3]
    assert orders.cell(row=2, column=9).number_format == "yyyy-mm-dd hh:mm"
    assert orders.cell(row=2, column=9).value == datetime(2026, 11, 23, 9, 0)
    assert orders.cell(row=2, column=14).value == 0.5
    assert _totals(orders, "Total")[1] == f.opened_count() == 3
    median = _totals(orders, "Median")
    assert (median[13], median[14]) == (f.response.median_hours, f.resolution.median_hours)
    assert median[15] == pytest.approx(2 / 3)
    p90 = _totals(orders, "90th percentile")
    assert (p90[13], p90[14]) == (5.0, 7.0)

    complaints = book["Complaint analysis"]
    assert list(complaints.iter_rows(min_row=2, max_row=2, values_only=True))[0] == (
        "Noise / neighbours",
        "A",
        "closed",
        1,
    )
    assert _totals(complaints, "Total")[3] == f.opened_count(kpis.TicketKind.complaint) == 1

    call_backs = book["Call-backs"]
    assert call_backs.max_row == 2 + 1 + 2
    # Codes are shown as words: the complaint's task (due 14 Nov) comes first.
    assert list(call_backs.iter_rows(min_row=2, max_row=2, values_only=True))[0][1:7] == (
        "after a complaint", "The request", datetime(2026, 11, 14, 9, 0), "missed", None,
        "not reached",
    )  # fmt: skip
    assert _totals(call_backs, "Complaint call-backs in 3 days")[7] == 0
    assert _totals(call_backs, "Repair call-backs next day")[7] == 1

    satisfaction = book["Satisfaction"]
    # The items are named as the survey asked about them (the sv-item-* catalog entries).
    assert [r[:4] for r in satisfaction.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        ("Cleanliness", 1, 5, 1),
        ("Security", 1, 3, 0.6),
        ("Greenery", 1, 4, 0.8),
    ]
    overall = _totals(satisfaction, "Overall")
    assert overall[1:4] == [3, 4, pytest.approx(0.8)]
    assert satisfaction.cell(row=2, column=4).number_format == "0.0%"

    collection = book["Collection"]
    assert collection.cell(row=1, column=2).value == "Billed (CNY)"
    assert [r[:3] for r in collection.iter_rows(min_row=2, max_row=3, values_only=True)] == [
        ("1", 223.75, 223.75),
        ("2", 237.5, 0),
    ]
    total = _totals(collection, "Total")
    assert total[1:5] == [461.25, 223.75, 237.5, pytest.approx(22375 / 46125)]


async def test_the_workbook_speaks_the_estates_language(
    november_report: reports.MonthReport, catalogs
) -> None:
    book = load_workbook(io.BytesIO(render_workbook(november_report, catalogs.translator("zh"))))
    assert book.sheetnames[0] == "派工报事统计"
    assert book["收缴"].cell(row=1, column=2).value == "应收 (CNY)"


# --- staff commands ----------------------------------------------------------------------------


@pytest.fixture
async def sample(session, build: Builder, staff_members) -> None:
    await sample_november(build)


async def test_stats_shows_each_figure_against_its_target(tg, bot, clock, sample) -> None:
    clock.current = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    await tg.group(AGENT, "/stats")
    text = bot.last_text(STAFF_CHAT_ID)
    # The staff group speaks the estate's language (zh).
    assert "本月" in text and "2026-11-01 – 2026-11-30" in text
    assert "新增 3 单（报修 2，投诉 1），关闭 2 单" in text
    assert "中位数 2.0 小时，90% 在 5.0 小时内" in text
    assert "✓ 投诉24小时答复率：100%（1/1）（目标 100%）" in text
    assert "✗ 投诉三日内回访率：0%（0/1）（目标 100%）" in text
    assert "✗ 收缴率：48.5%（应收 ¥461.25，已收 ¥223.75）（目标 95%）" in text
    assert "✗ 满意度：80%（3 个评分）（目标 90%）" in text
    assert "✗ 达到 85% 的项目：1/3" in text


async def test_stats_of_a_quiet_day_and_bad_input(tg, bot, clock, sample) -> None:
    clock.current = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    await tg.group(AGENT, "/stats day")
    text = bot.last_text(STAFF_CHAT_ID)
    assert "今日" in text and "新增 0 单" in text and "· 投诉24小时答复率：—" in text
    await tg.group(AGENT, "/stats year")
    assert bot.last_text(STAFF_CHAT_ID) == "用法：/stats [day|week|month]"
    await tg.group(STRANGER, "/stats")
    assert "staff" in bot.last_text(STAFF_CHAT_ID).lower() or "员工" in bot.last_text(
        STAFF_CHAT_ID
    )


async def test_report_sends_the_picture_and_the_workbook(tg, bot, clock, sample) -> None:
    clock.current = NOW
    await tg.group(AGENT, "/report 2026-11")
    photo, document = bot.sent(STAFF_CHAT_ID)[-2:]
    assert type(photo).__name__ == "SendPhoto" and type(document).__name__ == "SendDocument"
    assert isinstance(photo.photo, BufferedInputFile)
    assert Image.open(io.BytesIO(photo.photo.data)).size == SIZE
    assert photo.caption == "Sunny Gardens · 2026-11 服务报表"
    assert document.document.filename == "frontdoor-report-2026-11.xlsx"
    book = load_workbook(io.BytesIO(document.document.data))
    assert book.sheetnames[0] == "派工报事统计"


async def test_export_and_refusals(tg, bot, clock, sample) -> None:
    clock.current = NOW
    await tg.group(AGENT, "/export 2026-11")
    (document,) = bot.sent(STAFF_CHAT_ID)[-1:]
    assert type(document).__name__ == "SendDocument"
    await tg.group(AGENT, "/export 11/2026")
    assert bot.last_text(STAFF_CHAT_ID) == "用法：/export [YYYY-MM]，例如 /export 2026-12"
    await tg.group(AGENT, "/report 2027-01")
    assert bot.last_text(STAFF_CHAT_ID) == "2027-01 尚未开始。"


async def test_help_lists_the_report_commands(tg, bot) -> None:
    await tg.group(AGENT, "/help")
    assert "/stats [day|week|month]" in bot.last_text(STAFF_CHAT_ID)


# --- the scheduled report -------------------------------------------------------------------


async def test_the_monthly_job_queues_recipes_once(session_pool, estate: Estate, sample) -> None:
    assert monthly_report.JOB in all_jobs()
    assert dict(monthly_report.JOB.cron) == {"day": 1, "hour": 9, "minute": 0}
    first_of_december = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    async with session_pool() as session:
        result = await monthly_report.run(session, estate, first_of_december)
    assert result.enqueued == 2
    async with session_pool() as session:
        again = await monthly_report.run(session, estate, first_of_december)
        rows = list(await session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert again.enqueued == 0
    assert [(r.method, r.dedupe_key) for r in rows] == [
        ("sendPhoto", f"report:{estate.id}:2026-11:dashboard"),
        ("sendDocument", f"report:{estate.id}:2026-11:workbook"),
    ]
    recipe = rows[0].payload["photo"][reporting.DOCUMENT]
    assert recipe["month"] == "2026-11" and recipe["part"] == "dashboard"


async def test_the_sender_renders_the_recipe(
    session_pool, estate: Estate, sample, bot, clock, catalogs
) -> None:
    first_of_december = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    async with session_pool() as session:
        await monthly_report.run(session, estate, first_of_december)
    clock.current = first_of_december
    sender = OutboxSender(bot, session_pool, clock, catalogs=catalogs)
    assert await sender.send_due(first_of_december) == 2
    photo, document = bot.sent(STAFF_CHAT_ID)
    assert Image.open(io.BytesIO(photo.photo.data)).size == SIZE
    assert photo.caption == "2026-11 月度报表 · Sunny Gardens"
    assert load_workbook(io.BytesIO(document.document.data)).sheetnames[-1] == "收缴"


async def test_a_bad_recipe_is_refused(session_pool, catalogs) -> None:
    with pytest.raises(reporting.RecipeError):
        await reporting.render_recipe(session_pool, {"kind": "report"}, catalogs)
    with pytest.raises(reporting.RecipeError):
        await reporting.render_recipe(
            session_pool,
            {"kind": "report", "part": "dashboard", "estate_id": 999, "month": "2026-11",
             "as_of": NOW.isoformat()},
            catalogs,
        )  # fmt: skip
