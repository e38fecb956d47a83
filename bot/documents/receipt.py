"""The PDF receipt an owner downloads from "My fees" (fpdf2, A5, the CJK document font embedded).

Rendering takes a second or two (the Noto collection is large), so callers run it in a thread.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.documents.fonts import DocumentFont, document_font
from storage import money
from storage.payments import Receipt

# fontTools logs every subsetting step at INFO; a receipt is not worth a screenful of that.
logging.getLogger("fontTools").setLevel(logging.WARNING)

Text = Callable[..., str]
FAMILY = "doc"
REVERSED_RED = (200, 30, 30)


def _font(pdf: FPDF, font: DocumentFont) -> None:
    pdf.add_font(FAMILY, fname=str(font.regular.path), collection_font_number=font.regular.index)
    pdf.add_font(
        FAMILY, style="B", fname=str(font.bold.path), collection_font_number=font.bold.index
    )


def _local(at: datetime, time_zone: str) -> str:
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def render_receipt(
    receipt: Receipt, t: Text, locale: str, font: DocumentFont | None = None
) -> bytes:
    """The receipt as PDF bytes, its labels from `t` (the owner's language)."""
    font = font or document_font()
    fmt = lambda amount: money.format_money(amount, receipt.currency, locale)  # noqa: E731
    pdf = FPDF(format=(148, 210))  # A5 in millimetres
    pdf.set_title(f"{t('receipt-title')} {receipt.number}")
    pdf.set_author(receipt.estate_name)
    pdf.set_auto_page_break(auto=True, margin=15)
    _font(pdf, font)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(width, 10, t("receipt-title"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(width, 6, receipt.estate_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if receipt.reversed:
        pdf.set_text_color(*REVERSED_RED)
        pdf.set_font(FAMILY, "B", 14)
        pdf.cell(width, 9, t("receipt-reversed"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    facts = [
        (t("receipt-number"), receipt.number),
        (t("receipt-estate"), receipt.estate_name),
        (
            t("receipt-unit"),
            t("receipt-unit-value", building=receipt.building, unit=receipt.unit_number),
        ),
        (t("receipt-payer"), receipt.payer),
        (t("receipt-date"), _local(receipt.paid_at, receipt.time_zone)),
        (t("receipt-reference"), receipt.reference or "—"),
        (t("receipt-recorded-by"), receipt.recorded_by),
    ]
    label_width = width * 0.32
    for label, value in facts:
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(label_width, 7, label)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(width - label_width, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    columns = (
        (t("receipt-item"), 0.34, "L"),
        (t("receipt-period"), 0.2, "L"),
        (t("receipt-charge"), 0.23, "R"),
        (t("receipt-paid"), 0.23, "R"),
    )
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_fill_color(235, 235, 235)
    for title, share, align in columns:
        pdf.cell(width * share, 8, title, border=1, align=align, fill=True)
    pdf.ln()
    pdf.set_font(FAMILY, "", 10)
    for line in receipt.lines:
        item = f"{line.item} {t('receipt-line-reversed')}" if line.reversed else line.item
        values = (item, line.period, fmt(line.charge_amount), fmt(line.paid))
        for value, (_, share, align) in zip(values, columns, strict=True):
            pdf.cell(width * share, 8, value, border=1, align=align)
        pdf.ln()
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(width * 0.77, 9, t("receipt-total"), border=1, align="R")
    pdf.cell(width * 0.23, 9, fmt(receipt.total), border=1, align="R")
    pdf.ln(12)

    if receipt.reversed_at is not None:
        pdf.set_text_color(*REVERSED_RED)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(
            width,
            6,
            t(
                "receipt-reversed-note",
                date=_local(receipt.reversed_at, receipt.time_zone),
                reason=receipt.reversal_reason or "—",
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    pdf.set_font(FAMILY, "", 8)
    pdf.multi_cell(width, 5, t("receipt-footer", estate=receipt.estate_name))
    return bytes(pdf.output())
