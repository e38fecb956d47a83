"""The PDF receipt: opens, holds the numbers in both languages, rasterises (pdftoppm)."""

import html
import shutil
import subprocess
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.documents.fonts import document_font
from bot.documents.receipt import render_receipt
from bot.i18n import default_catalogs
from storage.payments import Receipt, ReceiptLine

RECEIPT = Receipt(
    number="R202611-00012",
    estate_name="阳光花园",
    time_zone="Asia/Shanghai",
    building="3",
    unit_number="1201",
    unit_id=1,
    payer="王小明",
    currency="CNY",
    paid_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    reference="微信 0923",
    recorded_by="Carl",
    lines=[
        ReceiptLine(1, "物业费", "2026-10", 49250, 49250, reversed=False),
        ReceiptLine(2, "停车费", "2026-11", 30000, 10050, reversed=False),
    ],
    reversed_at=None,
    reversal_reason=None,
)
REVERSED = Receipt(
    **{
        **RECEIPT.__dict__,
        "lines": [ReceiptLine(1, "物业费", "2026-10", 49250, 49250, reversed=True)],
        "reversed_at": datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
        "reversal_reason": "记错房号",
    }
)


def render(receipt: Receipt, locale: str) -> bytes:
    t = default_catalogs().translator(locale)
    return render_receipt(receipt, lambda key, **a: html.unescape(t(key, **a)), locale)


def text_of(pdf: bytes) -> str:
    return PdfReader(BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")


@pytest.mark.skipif(not document_font().cjk, reason="fonts-noto-cjk is not installed")
def test_receipt_in_both_languages_holds_the_numbers(tmp_path: Path) -> None:
    zh, en = render(RECEIPT, "zh"), render(RECEIPT, "en")
    for words in (text_of(zh), text_of(en)):
        for expected in ("R202611-00012", "阳光花园", "王小明", "2026-11-23 10:00", "微信 0923"):
            assert expected in words
    assert "¥492.50" in text_of(zh) and "¥593.00" in text_of(zh) and "缴费收据" in text_of(zh)
    assert "CN¥100.50" in text_of(en) and "Payment receipt" in text_of(en)
    reversed_words = text_of(render(REVERSED, "zh"))
    assert "已冲正" in reversed_words and "记错房号" in reversed_words
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "zh.pdf").write_bytes(zh)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-singlefile",
            str(tmp_path / "zh.pdf"),
            str(tmp_path / "zh"),
        ],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "zh.png").stat().st_size > 1000
