"""Opening hours in a DST zone: wall-clock hours stay right in UTC on both transition days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from service.availability.openings import DayException, WeeklyInterval, covers, open_intervals

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = [WeeklyInterval(d, time(9), time(17)) for d in range(1, 8)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


def test_nine_to_five_across_spring_forward() -> None:
    # 2030-03-31: clocks go 02:00 CET -> 03:00 CEST.
    got = open_intervals(utc(2030, 3, 30), utc(2030, 4, 1), EVERY_DAY, [], tz=BERLIN)
    assert got == [
        (utc(2030, 3, 30, 8), utc(2030, 3, 30, 16)),
        (utc(2030, 3, 31, 7), utc(2030, 3, 31, 15)),
    ]


def test_nine_to_five_across_fall_back() -> None:
    # 2030-10-27: clocks go 03:00 CEST -> 02:00 CET.
    got = open_intervals(utc(2030, 10, 26), utc(2030, 10, 28), EVERY_DAY, [], tz=BERLIN)
    assert got == [
        (utc(2030, 10, 26, 7), utc(2030, 10, 26, 15)),
        (utc(2030, 10, 27, 8), utc(2030, 10, 27, 16)),
    ]


def test_hours_inside_the_spring_gap_move_forward() -> None:
    # 02:00–04:00 local does not fully exist on the spring-forward day: 02:00 is 03:00 CEST.
    weekly = [WeeklyInterval(7, time(2), time(4))]
    got = open_intervals(utc(2030, 3, 31), utc(2030, 4, 1), weekly, [], tz=BERLIN)
    assert got == [(utc(2030, 3, 31, 1), utc(2030, 3, 31, 2))]


def test_night_hours_on_fall_back_day_last_three_hours() -> None:
    weekly = [WeeklyInterval(7, time(0), time(4))]
    got = open_intervals(utc(2030, 10, 26, 12), utc(2030, 10, 28), weekly, [], tz=BERLIN)
    # 00:00 CEST (22:00Z) to 04:00 CET (03:00Z): five real hours.
    assert got == [(utc(2030, 10, 26, 22), utc(2030, 10, 27, 3))]


def test_closed_day_and_special_hours() -> None:
    exceptions = [
        DayException(date(2030, 6, 3), reason="holiday"),
        DayException(date(2030, 6, 4), time(13), time(15)),
    ]
    got = open_intervals(utc(2030, 6, 3), utc(2030, 6, 5), EVERY_DAY, exceptions, tz=BERLIN)
    assert got == [(utc(2030, 6, 4, 11), utc(2030, 6, 4, 13))]


def test_closure_wins_over_special_hours_on_the_same_day() -> None:
    exceptions = [
        DayException(date(2030, 6, 3), time(13), time(15)),
        DayException(date(2030, 6, 3), reason="closed"),
    ]
    assert open_intervals(utc(2030, 6, 3), utc(2030, 6, 4), EVERY_DAY, exceptions, tz=BERLIN) == []


def test_no_weekly_hours_means_open_around_the_clock_but_closures_apply() -> None:
    exceptions = [DayException(date(2030, 6, 4))]
    got = open_intervals(utc(2030, 6, 3, 5), utc(2030, 6, 5, 5), [], exceptions, tz=BERLIN)
    assert got == [
        (utc(2030, 6, 3, 5), utc(2030, 6, 3, 22)),
        (utc(2030, 6, 4, 22), utc(2030, 6, 5, 5)),
    ]


def test_midnight_close_joins_next_morning() -> None:
    weekly = [WeeklyInterval(1, time(20), time.max), WeeklyInterval(2, time(0), time(6))]
    got = open_intervals(utc(2030, 6, 3), utc(2030, 6, 5), weekly, [], tz=BERLIN)
    assert got == [(utc(2030, 6, 3, 18), utc(2030, 6, 4, 4))]
    assert covers(got, utc(2030, 6, 3, 21), utc(2030, 6, 4, 2))
    assert not covers(got, utc(2030, 6, 3, 17), utc(2030, 6, 3, 19))
