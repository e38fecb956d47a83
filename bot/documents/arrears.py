"""`/arrears export`: one row per unit with open charges, as an XLSX workbook (openpyxl)."""

from collections.abc import Callable, Sequence
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from storage import money
from storage.payments import UnitArrears

Text = Callable[..., str]


def _headers(t: Text) -> list[str]:
    return [
        t("pay-xlsx-building"),
        t("pay-xlsx-unit"),
        t("pay-xlsx-owner"),
        t("pay-xlsx-phone"),
    ]


def arrears_workbook(found: Sequence[UnitArrears], today: date, t: Text) -> bytes:
    """Units as rows; each open charge ("item period") a column of balances, then the totals.

    Amounts are numbers in major units with the currency's decimals as the number format, so a
    spreadsheet sums them; the header row is frozen.
    """
    charge_columns = sorted(
        {(c.period, c.item) for entry in found for c in entry.open},
    )
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new Workbook always has its sheet; this keeps the type checker calm
        sheet = workbook.create_sheet()
    sheet.title = today.isoformat()
    headers = [
        *_headers(t),
        *(f"{item} {period}" for period, item in charge_columns),
        t("pay-xlsx-owed"),
        t("pay-xlsx-overdue"),
        t("pay-xlsx-days"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    currency = found[0].currency if found else "CNY"
    number_format = money.number_format(currency)
    for entry in found:
        by_column = {(c.period, c.item): c.balance for c in entry.open}
        row: list[Any] = [
            entry.unit.building,
            entry.unit.number,
            ", ".join(o.name for o in entry.owners),
            ", ".join(o.phone or "" for o in entry.owners),
            *(
                money.to_major(by_column[key], currency) if key in by_column else None
                for key in charge_columns
            ),
            money.to_major(entry.owed, currency),
            money.to_major(entry.overdue, currency),
            entry.days_overdue,
        ]
        sheet.append(row)
    money_columns = range(5, 5 + len(charge_columns) + 2)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) + 2)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
