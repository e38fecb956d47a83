"""The estate calendar: working days (holidays, make-up days), working minutes, quiet hours."""

from datetime import UTC, date, datetime, time

import pytest

from storage import calendar
from storage.models import Estate


def estate(**kw) -> Estate:
    return Estate(name="E", **kw)


def test_national_day_week_is_off_and_the_make_up_saturday_is_on():
    cn = estate()
    assert not calendar.is_working_day(cn, date(2025, 10, 1))
    assert not calendar.is_working_day(cn, date(2025, 10, 8))
    # Saturday 11 October 2025 was worked instead of a National Day holiday.
    assert calendar.is_working_day(cn, date(2025, 10, 11))
    assert calendar.next_working_day(cn, date(2025, 9, 30)) == date(2025, 10, 9)
    assert calendar.add_working_days(cn, date(2025, 10, 9), 2) == date(2025, 10, 11)


def test_working_minutes_skip_nights_and_holidays():
    cn = estate(working_hours="09:00-18:00")
    start = datetime(2025, 9, 30, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    # One hour left on the 30th, then the holiday week: the rest on 9 October from 09:00.
    assert calendar.add_working_minutes(cn, start, 120) == datetime(2025, 10, 9, 2, 0, tzinfo=UTC)


def test_a_country_without_a_calendar_works_monday_to_friday():
    nowhere = estate(phone_region="XX")
    assert calendar.is_working_day(nowhere, date(2026, 12, 4))
    assert not calendar.is_working_day(nowhere, date(2026, 12, 5))


@pytest.mark.parametrize(
    ("text", "crosses"), [("09:00-18:00", False), ("21:00-08:00", True), ("22:00-06:30", True)]
)
def test_windows_parse(text, crosses):
    start, end = calendar.parse_window(text, may_cross_midnight=True)
    assert (start > end) is crosses


@pytest.mark.parametrize("text", ["", "9-", "25:00-08:00", "08:00-08:00", "morning", "1-2-3"])
def test_bad_windows_are_refused_with_a_reason(text):
    with pytest.raises(calendar.WindowError):
        calendar.parse_window(text, may_cross_midnight=True)
    with pytest.raises(calendar.WindowError):
        calendar.parse_window("18:00-09:00", may_cross_midnight=False)


def test_quiet_hours_across_midnight_wait_for_the_morning():
    cn = estate(quiet_hours="21:00-08:00")
    evening = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    assert calendar.in_quiet_hours(cn, evening)
    assert calendar.outside_quiet_hours(cn, evening) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    early = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)  # 06:00 on the 3rd in Shanghai
    assert calendar.outside_quiet_hours(cn, early) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    noon = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
    assert calendar.outside_quiet_hours(cn, noon) == noon


def test_quiet_hours_follow_daylight_saving_time():
    ny = estate(time_zone="America/New_York", phone_region="US", quiet_hours="21:00-08:00")
    # The night DST ends (1 November 2026): 08:00 local is 13:00 UTC, not 12:00.
    night = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert calendar.outside_quiet_hours(ny, night) == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert calendar.at_local(ny, date(2026, 10, 31), time(8)) == datetime(
        2026, 10, 31, 12, 0, tzinfo=UTC
    )


def test_an_unusable_stored_setting_falls_back_to_the_default():
    broken = estate(working_hours="nonsense", quiet_hours="also nonsense")
    assert calendar.working_hours(broken) == calendar.DEFAULT_WORKING_HOURS
    assert calendar.quiet_hours(broken) == calendar.DEFAULT_QUIET_HOURS
