"""Texts the handlers and the scheduled jobs both write, without aiogram, so that
`frontdoor jobs run` (which renders them into outbox rows) stays a light command."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Catalogs, Html, Translator
from storage.models import CallbackTopic, Estate, Owner, StaffRole
from storage.registers import RowError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The verified owner's main menu, two buttons a row (catalog keys).
MENU_ROWS = (
    ("menu-repair", "menu-complaint"),
    ("menu-fees", "menu-callback"),
    ("menu-requests", "menu-language"),
)


def owner_t(catalogs: Catalogs, estate: Estate, owner: Owner) -> Translator:
    """The owner's own language, else the estate's."""
    return catalogs.translator(owner.language or estate.locale)


def role_name(t: Translator, role: StaffRole) -> str:
    """ "technician" / "维修": a staff role as the cards, lists and confirmations name it."""
    return t(f"staff-role-{role}")


def local(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as "11-24 09:30" on the estate's clock."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def slot_text(t: Translator, start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """ "Tue 11-24 09:00–12:00" in the estate's time zone."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return t(
        "cb-slot",
        weekday=Html(t("cb-weekday", day=WEEKDAYS[local_start.weekday()])),
        date=local_start.strftime("%m-%d"),
        start=local_start.strftime("%H:%M"),
        end=local_end.strftime("%H:%M"),
    )


def topic_text(t: Translator, topic: CallbackTopic | None, ticket_number: int | None) -> str:
    if topic == CallbackTopic.ticket:
        return t("cb-topic-ticket", number=str(ticket_number or "?"))
    if topic == CallbackTopic.fees:
        return t("cb-topic-fees")
    return t("cb-topic-other")


def main_menu_keyboard(t: Translator) -> dict[str, Any]:
    """The main menu as Bot API `reply_markup` (handlers/keyboards.py builds it from this)."""
    return {
        "keyboard": [[{"text": t(key)} for key in row] for row in MENU_ROWS],
        "resize_keyboard": True,
        "is_persistent": True,
    }


def register_problem(t: Translator, error: RowError) -> str:
    """ "line 4: phone "12ab" is not a valid number", in the reader's language (HTML-escaped)."""
    problem = t(f"register-{error.code}", **error.args)
    return t("register-line", line=error.line, problem=Html(problem)) if error.line else problem
