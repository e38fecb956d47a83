"""The estate's calendar: its time zone, working days (public holidays and make-up working days of
its country), working hours and quiet hours. Every "working day", "working minutes" and "not at
night" in Frontdoor is computed here, from the estate's settings."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage.models import Estate

if TYPE_CHECKING:
    import holidays

log = logging.getLogger("frontdoor.calendar")

DEFAULT_WORKING_HOURS = (time(9, 0), time(18, 0))
DEFAULT_QUIET_HOURS = (time(21, 0), time(8, 0))
NOON = time(12, 0)
# Ten years of days: a bound for loops over days, not a limit anyone reaches.
MAX_DAYS = 3660


class WindowError(ValueError):
    """A "HH:MM-HH:MM" setting that cannot be used; the message says why, `problem` is a code
    the bot turns into the user's language: format, empty or backwards."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def parse_window(text: str, *, may_cross_midnight: bool) -> tuple[time, time]:
    """ "09:00-18:00" → (09:00, 18:00). Working hours must open before they close; quiet hours
    may run across midnight ("21:00-08:00"). Raises WindowError with a readable reason."""
    parts = text.split("-")
    if len(parts) != 2:
        raise WindowError(f"{text!r} is not of the form HH:MM-HH:MM", "format")
    try:
        start, end = (time.fromisoformat(part.strip()) for part in parts)
    except ValueError:
        raise WindowError(f"{text!r} is not of the form HH:MM-HH:MM", "format") from None
    if start == end:
        raise WindowError(f"{text!r} starts and ends at the same time", "empty")
    if start > end and not may_cross_midnight:
        raise WindowError(f"{text!r} closes before it opens", "backwards")
    return start, end


@lru_cache(maxsize=256)
def _window(text: str, default: tuple[time, time], may_cross_midnight: bool) -> tuple[time, time]:
    # Settings are validated when they are set; a row written by hand or by an old version must
    # still not stop reminders or SLA deadlines, so it falls back to the default, loudly (once
    # per bad value: this is asked for every figure of a report).
    try:
        return parse_window(text, may_cross_midnight=may_cross_midnight)
    except WindowError as exc:
        log.warning("estate setting unusable, using the default: %s", exc)
        return default


def zone(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.time_zone)


def local(estate: Estate, at: datetime) -> datetime:
    """`at` (UTC) on the estate's wall clock."""
    return at.astimezone(zone(estate))


def at_local(estate: Estate, day: date, clock_time: time) -> datetime:
    """The UTC moment at which the estate's wall clock shows `day` `clock_time`."""
    return datetime.combine(day, clock_time, zone(estate)).astimezone(UTC)


def working_hours(estate: Estate) -> tuple[time, time]:
    return _window(estate.working_hours, DEFAULT_WORKING_HOURS, may_cross_midnight=False)


Window = tuple[time, time]


def day_halves(
    estate: Estate, lunch_from: time = NOON, lunch_until: time = NOON
) -> tuple[Window | None, Window | None]:
    """The working day's morning and afternoon on either side of a lunch break; None for a
    half the working hours leave out ("13:00-18:00" has no morning)."""
    open_at, close_at = working_hours(estate)
    morning = (open_at, min(lunch_from, close_at))
    afternoon = (max(lunch_until, open_at), close_at)
    return (
        morning if morning[0] < morning[1] else None,
        afternoon if afternoon[0] < afternoon[1] else None,
    )


def quiet_hours(estate: Estate) -> tuple[time, time]:
    return _window(estate.quiet_hours, DEFAULT_QUIET_HOURS, may_cross_midnight=True)


@cache
def _holidays(country: str) -> "holidays.HolidayBase | None":
    # Imported on first use: the package loads every country's calendar module (~0.2 s), which
    # admin commands that never ask about a working day should not pay (issue 9).
    import holidays

    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        log.warning("no holiday calendar for %s: working days are Monday to Friday", country)
        return None


def is_working_day(estate: Estate, day: date) -> bool:
    """A working day in the estate's country: public holidays are off, make-up working days
    (调休, a Saturday or Sunday worked instead) are on. Monday–Friday where no calendar exists."""
    return _is_working_day(estate.phone_region.upper(), day)


def _is_working_day(country: str, day: date) -> bool:
    calendar = _holidays(country)
    if calendar is None:
        return day.weekday() < 5
    return bool(calendar.is_working_day(day))


def add_working_days(estate: Estate, day: date, days: int) -> date:
    """The working day `days` working days after `day` (`day` itself need not be one)."""
    if days < 0:
        raise ValueError("days must not be negative")
    for _ in range(MAX_DAYS):
        if days == 0 and is_working_day(estate, day):
            return day
        day += timedelta(days=1)
        if is_working_day(estate, day):
            days -= 1
            if days == 0:
                return day
    raise ValueError("no working day within ten years")


def next_working_day(estate: Estate, day: date) -> date:
    """The first working day after `day`."""
    return add_working_days(estate, day, 1)


def add_working_minutes(estate: Estate, start: datetime, minutes: int) -> datetime:
    """`start` plus `minutes` counted only inside the working hours of working days."""
    open_at, close_at = working_hours(estate)
    tz = zone(estate)
    cursor = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    for _ in range(MAX_DAYS):
        day = cursor.date()
        if is_working_day(estate, day):
            day_open = datetime.combine(day, open_at, tz)
            day_close = datetime.combine(day, close_at, tz)
            cursor = max(cursor, day_open)
            if cursor < day_close:
                available = day_close - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(UTC)
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0), tz)
    raise ValueError("working hours never open")


def in_quiet_hours(estate: Estate, at: datetime) -> bool:
    """Whether the estate's wall clock at `at` is inside its quiet hours."""
    start, end = quiet_hours(estate)
    now = local(estate, at).time()
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_until(estate: Estate, at: datetime) -> datetime | None:
    """When the quiet hours around `at` end, or None when owners may be messaged at `at`."""
    return outside_quiet_hours(estate, at) if in_quiet_hours(estate, at) else None


def outside_quiet_hours(estate: Estate, at: datetime) -> datetime:
    """`at` itself when owners may be messaged then, else the moment the quiet hours end."""
    if not in_quiet_hours(estate, at):
        return at
    start, end = quiet_hours(estate)
    here = local(estate, at)
    day = here.date()
    if start > end and here.time() >= start:
        day += timedelta(days=1)
    return at_local(estate, day, end)


@lru_cache(maxsize=8192)
def _working_span(
    time_zone: str, country: str, open_at: time, close_at: time, day: date
) -> tuple[datetime, datetime] | None:
    # Reports ask this for the same few dozen days tens of thousands of times.
    if not _is_working_day(country, day):
        return None
    tz = ZoneInfo(time_zone)
    return datetime.combine(day, open_at, tz), datetime.combine(day, close_at, tz)


def working_minutes_between(estate: Estate, start: datetime, end: datetime) -> float:
    """Minutes between `start` and `end` that fall inside the working hours of working days
    (0 when `end` is not after `start`): how long a request waited, as the office counts it."""
    if end <= start:
        return 0.0
    open_at, close_at = working_hours(estate)
    tz = zone(estate)
    country = estate.phone_region.upper()
    total = timedelta()
    day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        if day > last_day:
            break
        span = _working_span(estate.time_zone, country, open_at, close_at, day)
        if span is not None:
            day_open, day_close = max(span[0], start), min(span[1], end)
            if day_close > day_open:
                total += day_close - day_open
        day += timedelta(days=1)
    return total.total_seconds() / 60
