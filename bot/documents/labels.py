"""Texts for rendered documents: catalog messages as plain text (not HTML), vocabulary labels
and the number formats the dashboard and the workbook share."""

import html
from datetime import date
from typing import Any

from babel.dates import format_skeleton

from bot.i18n import MissingMessage, Translator
from storage.kpis import Rate


def text(t: Translator, key: str, **args: Any) -> str:
    """A catalog message for a picture or a spreadsheet: the HTML escaping the bot's messages
    need would show as "&amp;" there."""
    return html.unescape(t(key, **args))


def label(t: Translator, prefix: str, code: str | None) -> str:
    """`category-doors-windows` for ("category", "doors_windows"); the code itself when the
    catalogs have no label for it (a category added by hand, a new survey item)."""
    if code is None:
        return ""
    try:
        return text(t, f"{prefix}-{code.replace('_', '-')}")
    except MissingMessage:
        return code.replace("_", " ")


def item_label(t: Translator, item: str) -> str:
    """A survey item's name: the survey's own catalog entry (`sv-item-*`), the one the owner
    was asked about, so the question and the report can never name an item differently."""
    return label(t, "sv-item", item)


def percent(value: float | None, t: Translator) -> str:
    """ "96.5 %" (English) or "96.5%" (Chinese); "—" when there is nothing to count."""
    if value is None:
        return text(t, "reports-stats-none")
    number = f"{value:.1f}".removesuffix(".0")
    return f"{number}%" if t.locale == "zh" else f"{number} %"


def rate_text(rate: Rate, t: Translator) -> str:
    """ "96.5 % (193/200)", or "—" for an empty rate."""
    if rate.pct is None:
        return text(t, "reports-stats-none")
    return text(
        t, "reports-stats-of", pct=percent(rate.pct, t), hits=str(rate.hits), total=str(rate.total)
    )


def score_text(rate: Rate, answers: int, t: Translator) -> str:
    """ "88.5 % (12 answers)": a satisfaction (mean score ÷ 5) and how many answers it is of."""
    if rate.pct is None:
        return text(t, "reports-stats-none")
    return text(t, "reports-stats-score", pct=percent(rate.pct, t), answers=answers)


def hours(value: float | None, t: Translator) -> str:
    if value is None:
        return text(t, "reports-stats-none")
    return f"{value:.1f}"


def short_day(day: date, t: Translator) -> str:
    """ "Nov 2" / "11月2日"."""
    return format_skeleton("MMMd", day, locale=t.locale)
