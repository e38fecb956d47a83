"""The document font: Noto Sans CJK when installed, else DejaVu Sans with a warning."""

import logging
from pathlib import Path

import pytest

from bot.documents.fonts import document_font, find_font


def test_missing_cjk_font_falls_back_to_dejavu_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.documents.fonts.WQY", ())
    with caplog.at_level(logging.WARNING, logger="frontdoor.documents"):
        font = find_font((tmp_path,))
    assert not font.cjk
    assert font.regular.path.name == "DejaVuSans.ttf" and font.regular.path.is_file()
    assert "fonts-noto-cjk" in caplog.text


def test_a_noto_collection_is_found_with_its_simplified_chinese_face(tmp_path: Path) -> None:
    (tmp_path / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    font = find_font((tmp_path,))
    assert font.cjk and font.family == "Noto Sans CJK SC"
    assert font.regular.index == 2
    # No bold file: the regular face stands in for it.
    assert font.bold == font.regular


@pytest.mark.skipif(not document_font().cjk, reason="fonts-noto-cjk is not installed")
def test_the_installed_font_has_chinese_glyphs() -> None:
    from fontTools.ttLib import TTFont

    face = document_font().regular
    cmap = TTFont(face.path, fontNumber=face.index, lazy=True).getBestCmap()
    assert all(ord(ch) in cmap for ch in "收据物业费栋室已冲正")
