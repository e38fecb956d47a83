"""Which font file renders Chinese, for PDFs (fpdf2) and charts (matplotlib).

Debian's `fonts-noto-cjk` ships Noto Sans CJK as TrueType/OpenType *collections* (.ttc) with CFF
outlines; fpdf2 (≥ 2.8) embeds those, given the face number of the collection
(`add_font(..., collection_font_number=N)`), and so does matplotlib's FreeType. Face 2 of the
Noto collection is Simplified Chinese. When no CJK font is installed the documents fall back to
DejaVu Sans, which matplotlib always ships: Latin text stays readable, Chinese glyphs are missing,
and a warning says once which package to install.
"""

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger("frontdoor.documents")

INSTALL_HINT = "install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)"

NOTO_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/local/share/fonts"),
)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: `index` is its number inside a .ttc collection (0 otherwise)."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class DocumentFont:
    """The regular and bold faces documents are set in; `cjk` says whether they render Chinese."""

    family: str
    regular: FontFace
    bold: FontFace
    cjk: bool


# (file name, face index, bold file name): the Noto collections first, then single-face files
# (older Debian releases and other distributions), then WenQuanYi.
CANDIDATES = (
    ("NotoSansCJK-Regular.ttc", 2, "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    ("NotoSansCJKsc-Regular.otf", 0, "NotoSansCJKsc-Bold.otf", "Noto Sans CJK SC"),
    ("NotoSansSC-Regular.otf", 0, "NotoSansSC-Bold.otf", "Noto Sans SC"),
)
WQY = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


def _find_cjk(dirs: tuple[Path, ...]) -> DocumentFont | None:
    for name, index, bold_name, family in CANDIDATES:
        for folder in dirs:
            regular = folder / name
            if regular.is_file():
                bold = folder / bold_name
                bold_face = FontFace(bold, index) if bold.is_file() else FontFace(regular, index)
                return DocumentFont(family, FontFace(regular, index), bold_face, cjk=True)
    for path in WQY:
        if path.is_file():
            face = FontFace(path, 0)
            return DocumentFont("WenQuanYi", face, face, cjk=True)
    return None


def _fallback() -> DocumentFont:
    from matplotlib import get_data_path

    folder = Path(get_data_path()) / "fonts" / "ttf"
    return DocumentFont(
        "DejaVu Sans",
        FontFace(folder / "DejaVuSans.ttf"),
        FontFace(folder / "DejaVuSans-Bold.ttf"),
        cjk=False,
    )


def find_font(dirs: tuple[Path, ...] = NOTO_DIRS) -> DocumentFont:
    """A CJK font from `dirs` (and the usual system places), else DejaVu Sans with a warning."""
    found = _find_cjk(dirs)
    if found is not None:
        return found
    log.warning("no CJK font found: Chinese text will not render in documents; %s", INSTALL_HINT)
    return _fallback()


@cache
def document_font() -> DocumentFont:
    """The font of every rendered document, looked up once per process."""
    return find_font()
