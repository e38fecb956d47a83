"""The monthly dashboard: one PNG a manager can pin on the wall (matplotlib, Agg, no pyplot, so
it is safe off the event loop's thread and keeps no global figure state).

Layout (1600 × 1000 px): title; a strip of headline figures each against its target; requests per
week by kind and the top categories; then on-time rates, satisfaction per item against the 85 %
and 90 % lines, and the collection rate per building against 95 %.
"""

import io
from contextlib import AbstractContextManager
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from bot.documents.fonts import document_font
from bot.documents.labels import item_label, label, percent, short_day, text
from bot.i18n import Translator
from storage.kpis import Rate, top_categories
from storage.models import TicketKind
from storage.reports import MonthReport

WIDTH_IN, HEIGHT_IN, DPI = 16, 10, 100
SIZE = (WIDTH_IN * DPI, HEIGHT_IN * DPI)
BUILDINGS_SHOWN = 9
CATEGORIES_SHOWN = 7
# A rate bar this long (per cent) carries its figure inside.
INSIDE_FROM = 30

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
REPAIR = "#2f6f9f"
COMPLAINT = "#d9822b"
GOOD = "#2e8b57"
BAD = "#c0392b"
EMPTY = "#cbd2d9"
TARGET = "#52606d"


@cache
def font_family() -> str:
    """The family of the document font (bot/documents/fonts.py: Noto Sans CJK when installed,
    else DejaVu Sans with a warning), registered with matplotlib."""
    font = document_font()
    for face in {font.regular.path, font.bold.path}:
        font_manager.fontManager.addfont(str(face))
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    # matplotlib names a face by the file's own family name ("WenQuanYi Micro Hei").
    return (
        font.family
        if font.family in known
        else font_manager.get_font(str(font.regular.path)).family_name
    )


def _verdict(rate: Rate, target: float) -> str:
    met = rate.meets(target)
    return EMPTY if met is None else GOOD if met else BAD


def _frame(ax: Axes, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=14, fontweight="bold", color=INK, pad=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(colors=INK, labelsize=10)


def _no_data(ax: Axes, t: Translator) -> None:
    ax.text(
        0.5, 0.5, text(t, "reports-dash-no-data"), ha="center", va="center",
        color=MUTED, fontsize=12, transform=ax.transAxes,
    )  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])


def _tiles(fig: Figure, report: MonthReport, t: Translator) -> None:
    f = report.figures
    hours = f.response.median_hours
    tiles: list[tuple[str, str, str, str]] = [
        (text(t, "reports-kpi-opened"), str(f.opened_count()), "", INK),
        (text(t, "reports-kpi-closed"), str(f.closed_count()), "", INK),
        (
            text(t, "reports-kpi-response"),
            text(t, "reports-hours", hours=f"{hours:.1f}") if hours is not None else "—",
            "",
            INK,
        ),
    ]
    for key, rate, target in (
        ("reports-kpi-sla", f.sla, None),
        ("reports-kpi-satisfaction", f.satisfaction.overall, f.targets.satisfaction),
        ("reports-kpi-collection", f.collection.rate, f.targets.collection),
    ):
        colour = INK if target is None else _verdict(rate, target)
        if rate.pct is None:
            colour = MUTED
        note = text(t, "reports-dash-target", pct=str(target)) if target is not None else ""
        tiles.append((text(t, key), percent(rate.pct, t), note, colour))
    width = 0.94 / len(tiles)
    for i, (name, value, note, colour) in enumerate(tiles):
        x = 0.03 + i * width
        fig.patches.append(_tile_box(fig, x + 0.004, 0.765, width - 0.008, 0.105))
        fig.text(x + width / 2, 0.845, name, ha="center", va="center", fontsize=11, color=MUTED)
        fig.text(
            x + width / 2, 0.803, value, ha="center", va="center",
            fontsize=24, fontweight="bold", color=colour,
        )  # fmt: skip
        if note:
            fig.text(x + width / 2, 0.773, note, ha="center", va="center", fontsize=9, color=MUTED)


def _tile_box(fig: Figure, x: float, y: float, w: float, h: float) -> FancyBboxPatch:
    return FancyBboxPatch(
        (x, y), w, h, boxstyle="round,pad=0,rounding_size=0.008",
        transform=fig.transFigure, facecolor="#f5f7fa", edgecolor=GRID, linewidth=1,
    )  # fmt: skip


def _weekly(ax: Axes, report: MonthReport, t: Translator) -> None:
    _frame(ax, text(t, "reports-dash-weekly"))
    weeks = report.weeks
    if not any(w.repairs or w.complaints for w in weeks):
        _no_data(ax, t)
        return
    xs = range(len(weeks))
    repairs = [w.repairs for w in weeks]
    complaints = [w.complaints for w in weeks]
    ax.bar(xs, repairs, color=REPAIR, width=0.6, label=text(t, "reports-dash-repairs"))
    ax.bar(
        xs, complaints, bottom=repairs, color=COMPLAINT, width=0.6,
        label=text(t, "reports-dash-complaints"),
    )  # fmt: skip
    for x, r, c in zip(xs, repairs, complaints, strict=True):
        # An empty week (one still to come in this month) gets no "0" floating on the axis.
        if r + c:
            ax.text(x, r + c, f" {r + c}", ha="center", va="bottom", fontsize=10, color=INK)
    ax.set_xticks(list(xs), [short_day(max(w.monday, report.figures.period.first_day), t)
                             for w in weeks])  # fmt: skip
    ax.yaxis.grid(True, color=GRID)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_axisbelow(True)
    ax.margins(y=0.15)
    # Above the plot, beside the title: inside it the legend would cover a bar's total.
    ax.legend(
        frameon=False, loc="lower right", bbox_to_anchor=(1, 1.0), ncols=2, fontsize=10
    )  # fmt: skip


def _categories(ax: Axes, report: MonthReport, t: Translator) -> None:
    _frame(ax, text(t, "reports-dash-categories"))
    top = list(reversed(top_categories(report.figures.opened, CATEGORIES_SHOWN)))
    if not top:
        _no_data(ax, t)
        return
    names = [label(t, "category", c.category) for c in top]
    colours = [REPAIR if c.kind == TicketKind.repair else COMPLAINT for c in top]
    ys = range(len(top))
    ax.barh(ys, [c.count for c in top], color=colours, height=0.6)
    ax.set_yticks(list(ys), names)
    for y, c in zip(ys, top, strict=True):
        ax.text(c.count, y, f" {c.count}", va="center", fontsize=10, color=INK)
    ax.xaxis.grid(True, color=GRID)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_axisbelow(True)
    ax.margins(x=0.15)
    # Room for CATEGORIES_SHOWN bars whatever the count, from the top: two categories are two
    # bars of the usual height, not two slabs.
    ax.set_ylim(len(top) - CATEGORIES_SHOWN - 0.5, len(top) - 0.5)


def _rate_bars(
    ax: Axes,
    t: Translator,
    rows: list[tuple[str, Rate, float | None]],
    lines: tuple[float, ...],
) -> None:
    """Horizontal 0–100 % bars, green where the row's target is met, red where not, grey when
    there is nothing to count; dashed vertical lines at `lines`."""
    ys = list(range(len(rows)))[::-1]
    for y, (_, rate, target) in zip(ys, rows, strict=True):
        value = rate.pct
        colour = EMPTY if value is None else (_verdict(rate, target) if target else REPAIR)
        ax.barh(y, 100, color="#f0f2f5", height=0.62, zorder=1)
        ax.barh(y, value or 0, color=colour, height=0.62, zorder=3)
        # The figure sits inside its bar, where no target line can cross it (the lines run
        # behind the bars); a short bar has it just outside, on the empty track.
        inside = value is not None and value >= INSIDE_FROM
        ax.text(
            (value - 1.5) if inside and value is not None else (value or 0) + 1.5,
            y, percent(value, t), va="center", ha="right" if inside else "left",
            fontsize=11, fontweight="bold", zorder=4,
            color="white" if inside else INK if value is not None else MUTED,
        )  # fmt: skip
    for i, line in enumerate(sorted(lines)):
        ax.axvline(line, color=TARGET, linestyle="--", linewidth=1.2, zorder=2)
        # Two lines close together (85 and 90): the lower one's label goes to its left; a
        # single line near 100 % has its label on the left too, inside the frame.
        left = (i == 0 and len(lines) > 1) or (len(lines) == 1 and line > 85)
        ax.text(
            line + (-0.8 if left else 0.8), len(rows) - 0.45,
            text(t, "reports-dash-target", pct=f"{line:g}"),
            ha="right" if left else "left", va="bottom", fontsize=9, color=TARGET,
        )  # fmt: skip
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(ys, [name for name, _, _ in rows])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.1)
    ax.set_xticks([0, 25, 50, 75, 100], [percent(v, t) for v in (0, 25, 50, 75, 100)])


def _on_time(ax: Axes, report: MonthReport, t: Translator) -> None:
    _frame(ax, text(t, "reports-dash-ontime"))
    f = report.figures
    rows: list[tuple[str, Rate, float | None]] = [
        (text(t, "reports-kpi-sla"), f.sla, None),
        (text(t, "reports-kpi-complaint-reply"), f.complaint_reply, f.targets.complaint_reply),
        (
            text(t, "reports-kpi-complaint-callback"),
            f.complaint_callback,
            f.targets.complaint_callback,
        ),
        (text(t, "reports-kpi-repair-callback"), f.repair_callback, None),
    ]
    _rate_bars(ax, t, rows, ())


def _satisfaction(ax: Axes, report: MonthReport, t: Translator) -> None:
    _frame(ax, text(t, "reports-dash-satisfaction"))
    f = report.figures
    if not f.satisfaction.items:
        _no_data(ax, t)
        return
    rows: list[tuple[str, Rate, float | None]] = [
        (item_label(t, i.item), i.rate, f.targets.satisfaction_item) for i in f.satisfaction.items
    ]
    rows.append((text(t, "reports-dash-overall"), f.satisfaction.overall, f.targets.satisfaction))
    _rate_bars(ax, t, rows, (f.targets.satisfaction_item, f.targets.satisfaction))


def _collection(ax: Axes, report: MonthReport, t: Translator) -> None:
    f = report.figures
    buildings = report.buildings
    if len(buildings) > BUILDINGS_SHOWN:
        # Too many to read: the ones furthest behind are the ones to chase.
        lowest = sorted(buildings, key=lambda b: b.rate.pct or 0)[:BUILDINGS_SHOWN]
        buildings = [b for b in buildings if b in lowest]
        _frame(
            ax,
            text(
                t, "reports-dash-collection-lowest",
                shown=BUILDINGS_SHOWN, total=len(report.buildings),
            ),
        )  # fmt: skip
    else:
        _frame(ax, text(t, "reports-dash-collection"))
    if not buildings:
        _no_data(ax, t)
        return
    target = f.targets.collection
    rows: list[tuple[str, Rate, float | None]] = [
        (text(t, "reports-dash-building", building=b.building or ""), b.rate, target)
        for b in buildings
    ]
    rows.append((text(t, "reports-dash-all-buildings"), f.collection.rate, target))
    _rate_bars(ax, t, rows, (target,))


def render_dashboard(report: MonthReport, t: Translator) -> bytes:
    """The month's dashboard as PNG bytes, 1600 × 1000 px, in `t`'s language."""
    family = font_family()
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    with _font(family):
        period = report.figures.period
        fig.text(
            0.03, 0.955, text(t, "reports-dash-title", estate=report.estate_name,
                              month=period.month),
            fontsize=22, fontweight="bold", color=INK, va="center",
        )  # fmt: skip
        fig.text(
            0.03, 0.915,
            text(t, "reports-dash-subtitle", at=f"{report.generated_at:%Y-%m-%d %H:%M}",
                 zone=report.time_zone),
            fontsize=11, color=MUTED, va="center",
        )  # fmt: skip
        _tiles(fig, report, t)
        top = fig.add_gridspec(
            1, 3, left=0.06, right=0.97, top=0.69, bottom=0.44, wspace=0.45,
            width_ratios=[1.35, 1, 1],
        )  # fmt: skip
        _weekly(fig.add_subplot(top[0, 0:2]), report, t)
        _categories(fig.add_subplot(top[0, 2]), report, t)
        bottom = fig.add_gridspec(
            1, 3, left=0.15, right=0.97, top=0.35, bottom=0.05, wspace=0.62
        )  # fmt: skip
        _on_time(fig.add_subplot(bottom[0, 0]), report, t)
        _satisfaction(fig.add_subplot(bottom[0, 1]), report, t)
        _collection(fig.add_subplot(bottom[0, 2]), report, t)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _font(family: str) -> AbstractContextManager[None]:
    return rc_context({"font.family": family, "axes.unicode_minus": False})
