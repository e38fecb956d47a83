"""The monthly workbook (XLSX, openpyxl): the tables a service centre keeps by hand — work
orders (派工报事统计), complaint analysis, call-backs, satisfaction and collection — each with a
frozen header, sized columns, number and date formats and a totals row. The totals come from the
KPI functions themselves, so the sheet and /stats can never disagree.

Written in openpyxl's write-only mode: a month of 20 000 tickets streams out in seconds.
"""

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.documents.labels import item_label, label, text
from bot.i18n import Translator
from storage.call_backs import TaskAction
from storage.kpis import Rate
from storage.models import TicketKind
from storage.money import number_format, to_major
from storage.reports import MonthReport

DATE_TIME = "yyyy-mm-dd hh:mm"
HOURS = "0.0"
PERCENT = "0.0%"
COUNT = "#,##0"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F6F9F")
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="E4E7EB")
TOTAL_BORDER = Border(top=Side(style="thin", color="52606D"))
WRAP = Alignment(vertical="center", wrap_text=True)
TASK_OUTCOMES = frozenset({TaskAction.reached.value, TaskAction.not_reached.value})


def _naive(at: datetime | None) -> datetime | None:
    # Excel has no time zones: the estate's wall-clock time is what the office reads.
    return None if at is None else at.replace(tzinfo=None)


def _fraction(rate: Rate) -> float | None:
    return None if rate.pct is None else rate.hits / rate.total


def _columns(t: Translator) -> Callable[[str], str]:
    return lambda key: text(t, f"reports-col-{key}")


class Sheet:
    """One write-only sheet: header, rows, totals, with per-column formats."""

    def __init__(
        self,
        book: Workbook,
        title: str,
        columns: Sequence[tuple[str, float, str | None]],
    ) -> None:
        self.ws: WriteOnlyWorksheet = book.create_sheet(title[:31])
        self.formats = [fmt for _, _, fmt in columns]
        self.styled = [self._styled(fmt) for fmt in self.formats]
        for i, (_, width, _) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(self.ws, value=name)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = WRAP
            header.append(cell)
        self.ws.append(header)

    def row(self, values: Sequence[Any]) -> None:
        # A write-only sheet writes each row out as it is appended, so one styled cell per
        # formatted column serves every row: a new cell and style lookup for each of 20 000
        # rows × 9 formatted columns was a fifth of the workbook's time.
        cells: list[Any] = []
        for value, cell in zip(values, self.styled, strict=True):
            if cell is None or value is None or isinstance(value, str):
                cells.append(value)
            else:
                cell.value = value
                cells.append(cell)
        self.ws.append(cells)

    def _styled(self, fmt: str | None) -> Cell | None:
        if fmt is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell.number_format = fmt
        return cell

    def total(self, values: Sequence[Any], formats: Sequence[str | None] | None = None) -> None:
        cells = []
        for value, fmt in zip(values, formats or self.formats, strict=True):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.font = TOTAL_FONT
            cell.fill = TOTAL_FILL
            cell.border = TOTAL_BORDER
            if fmt is not None and not isinstance(value, str):
                cell.number_format = fmt
            cells.append(cell)
        self.ws.append(cells)


class _Labels(dict[str, str]):
    """Vocabulary labels of one kind, each looked up in the catalogs the first time it is used."""

    def __init__(self, t: Translator, prefix: str) -> None:
        super().__init__()
        self.t, self.prefix = t, prefix

    def __missing__(self, code: str) -> str:
        self[code] = found = label(self.t, self.prefix, code)
        return found


def _work_orders(book: Workbook, report: MonthReport, t: Translator) -> None:
    c = _columns(t)
    sheet = Sheet(
        book,
        text(t, "reports-sheet-work-orders"),
        [
            (c("number"), 8, COUNT),
            (c("kind"), 10, None),
            (c("category"), 18, None),
            (c("urgency"), 10, None),
            (c("status"), 12, None),
            (c("grade"), 10, None),
            (c("place"), 16, None),
            (c("assignee"), 14, None),
            (c("opened"), 17, DATE_TIME),
            (c("sla-due"), 17, DATE_TIME),
            (c("first-response"), 17, DATE_TIME),
            (c("resolved"), 17, DATE_TIME),
            (c("closed"), 17, DATE_TIME),
            (c("response-hours"), 12, HOURS),
            (c("resolution-hours"), 12, HOURS),
            (c("sla-met"), 9, None),
            (c("rating"), 8, COUNT),
        ],
    )
    yes, no = text(t, "reports-yes"), text(t, "reports-no")
    # Labels looked up once per code, not once per row.
    kinds, categories, urgencies, statuses = (
        _Labels(t, prefix) for prefix in ("ticket-kind", "category", "urgency", "status")
    )
    for w in report.work_orders:
        sheet.row(
            [
                w.number,
                kinds[w.kind],
                categories[w.category],
                urgencies[w.urgency],
                statuses[w.status],
                w.grade,
                w.place,
                w.assignee,
                _naive(w.opened),
                _naive(w.sla_due),
                _naive(w.first_response),
                _naive(w.resolved),
                _naive(w.closed),
                w.response_hours,
                w.resolution_hours,
                None if w.sla_met is None else yes if w.sla_met else no,
                w.rating,
            ]
        )
    f = report.figures
    blank = [None] * 11
    sheet.total([text(t, "reports-total"), f.opened_count(), *blank, None, None, None, None])
    sheet.total(
        [text(t, "reports-total-median"), *blank, None, f.response.median_hours,
         f.resolution.median_hours, _fraction(f.sla), None],
        [None] * 13 + [HOURS, HOURS, PERCENT, None],
    )  # fmt: skip
    sheet.total(
        [text(t, "reports-total-p90"), *blank, None, f.response.p90_hours,
         f.resolution.p90_hours, None, None],
        [None] * 13 + [HOURS, HOURS, None, None],
    )  # fmt: skip


def _complaints(book: Workbook, report: MonthReport, t: Translator) -> None:
    c = _columns(t)
    sheet = Sheet(
        book,
        text(t, "reports-sheet-complaints"),
        [(c("category"), 22, None), (c("grade"), 14, None), (c("status"), 14, None),
         (c("count"), 10, COUNT)],
    )  # fmt: skip
    for cell in report.complaints:
        sheet.row(
            [
                label(t, "category", cell.category),
                cell.grade or text(t, "reports-grade-none"),
                label(t, "status", cell.status),
                cell.count,
            ]
        )
    sheet.total(
        [text(t, "reports-total"), None, None, report.figures.opened_count(TicketKind.complaint)]
    )


def _call_backs(book: Workbook, report: MonthReport, t: Translator) -> None:
    c = _columns(t)
    sheet = Sheet(
        book,
        text(t, "reports-sheet-call-backs"),
        [(c("ticket"), 10, COUNT), (c("origin"), 18, None), (c("topic"), 24, None),
         (c("due"), 17, DATE_TIME), (c("status"), 12, None), (c("staff"), 14, None),
         (c("outcome"), 30, None), (c("rate"), 10, PERCENT)],
    )  # fmt: skip
    origins, statuses = _Labels(t, "reports-origin"), _Labels(t, "reports-callback")
    topics, outcomes = _Labels(t, "reports-topic"), _Labels(t, "reports-outcome")
    for row in report.call_backs:
        sheet.row(
            [
                row.ticket_number,
                origins[row.origin],
                topics[row.topic],
                _naive(row.due),
                statuses[row.status],
                row.staff,
                # A task's outcome is a code (reached, not reached); a booking's is the
                # staff member's own words, kept as written.
                outcomes[row.outcome] if row.outcome in TASK_OUTCOMES else row.outcome,
                None,
            ]
        )
    f = report.figures
    for key, rate in (
        ("reports-kpi-complaint-callback", f.complaint_callback),
        ("reports-kpi-repair-callback", f.repair_callback),
    ):
        sheet.total(
            [text(t, key), None, f"{rate.hits}/{rate.total}", None, None, None, None,
             _fraction(rate)]
        )  # fmt: skip


def _satisfaction(book: Workbook, report: MonthReport, t: Translator) -> None:
    c = _columns(t)
    sheet = Sheet(
        book,
        text(t, "reports-sheet-satisfaction"),
        [(c("item"), 22, None), (c("answers"), 10, COUNT), (c("mean"), 11, "0.00"),
         (c("satisfaction"), 14, PERCENT), (c("target"), 10, PERCENT)],
    )  # fmt: skip
    f = report.figures
    for item in f.satisfaction.items:
        sheet.row(
            [
                item_label(t, item.item),
                item.answers,
                item.mean,
                _fraction(item.rate),
                f.targets.satisfaction_item / 100,
            ]
        )
    overall = f.satisfaction.overall
    mean = overall.hits / f.satisfaction.answers if f.satisfaction.answers else None
    sheet.total(
        [text(t, "reports-dash-overall"), f.satisfaction.answers, mean, _fraction(overall),
         f.targets.satisfaction / 100]
    )  # fmt: skip


def _collection(book: Workbook, report: MonthReport, t: Translator) -> None:
    f = report.figures
    currency = f.collection.currency
    money = number_format(currency)
    c = _columns(t)
    sheet = Sheet(
        book,
        text(t, "reports-sheet-collection"),
        [(c("building"), 12, None), (f"{c('billed')} ({currency})", 16, money),
         (f"{c('paid')} ({currency})", 16, money),
         (f"{c('outstanding')} ({currency})", 16, money),
         (c("rate"), 10, PERCENT), (c("target"), 10, PERCENT)],
    )  # fmt: skip
    for b in report.buildings:
        sheet.row(
            [b.building, to_major(b.billed, currency), to_major(b.paid, currency),
             to_major(b.billed - b.paid, currency), _fraction(b.rate),
             f.targets.collection / 100]
        )  # fmt: skip
    total = f.collection
    sheet.total(
        [text(t, "reports-total"), to_major(total.billed, currency),
         to_major(total.paid, currency), to_major(total.billed - total.paid, currency),
         _fraction(total.rate), f.targets.collection / 100]
    )  # fmt: skip


def render_workbook(report: MonthReport, t: Translator) -> bytes:
    """The month's workbook as XLSX bytes, sheet names and headers in `t`'s language."""
    book = Workbook(write_only=True)
    _work_orders(book, report, t)
    _complaints(book, report, t)
    _call_backs(book, report, t)
    _satisfaction(book, report, t)
    _collection(book, report, t)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
