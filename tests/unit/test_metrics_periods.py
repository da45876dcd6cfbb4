"""Pure calendar arithmetic of the metrics, and available hours from opening rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.availability.openings import DayException, WeeklyInterval
from service.metrics.available import AvailabilityCalculator, split_by_local_day
from service.metrics.periods import Segment, buckets, check_range, decompose, year_fraction


def test_decompose_uses_years_months_and_edge_days() -> None:
    assert decompose(date(2024, 12, 20), date(2026, 3, 3)) == [
        Segment("day", date(2024, 12, 20), date(2025, 1, 1)),
        Segment("year", date(2025, 1, 1), date(2026, 1, 1)),
        Segment("month", date(2026, 1, 1), date(2026, 3, 1)),
        Segment("day", date(2026, 3, 1), date(2026, 3, 3)),
    ]
    assert decompose(date(2025, 1, 1), date(2026, 1, 1), allow_years=False) == [
        Segment("month", date(2025, 1, 1), date(2026, 1, 1))
    ]
    assert decompose(date(2025, 3, 5), date(2025, 3, 6)) == [
        Segment("day", date(2025, 3, 5), date(2025, 3, 6))
    ]


def test_check_range() -> None:
    assert check_range(date(2025, 1, 1), date(2025, 1, 2)) is None
    assert check_range(date(2025, 1, 1), date(2025, 1, 1))
    assert check_range(date(2016, 2, 29), date(2026, 2, 28)) is None
    assert check_range(date(2016, 2, 29), date(2026, 3, 1))
    assert check_range(date(9998, 1, 1), date(9999, 1, 1)) is None
    assert check_range(date(9999, 1, 1), date(9999, 12, 31))  # would need year 10000


def test_year_fraction_and_buckets() -> None:
    assert year_fraction(date(2025, 1, 1), date(2026, 1, 1)) == pytest.approx(1)
    assert year_fraction(date(2024, 7, 1), date(2025, 7, 1)) == pytest.approx(184 / 366 + 181 / 365)
    assert year_fraction(date(2025, 2, 15), date(2025, 4, 10), "2025-02") == pytest.approx(14 / 365)
    assert buckets(date(2024, 12, 31), date(2025, 2, 1), "month") == ["2024-12", "2025-01"]
    assert buckets(date(2024, 12, 31), date(2025, 2, 1), "year") == ["2024", "2025"]


def test_split_by_local_day_on_dst_days() -> None:
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 28, 23, tzinfo=UTC)  # local midnight of 29 March
    end = datetime(2026, 3, 29, 22, tzinfo=UTC)  # local midnight of 30 March
    assert split_by_local_day([(start, end)], tz) == {date(2026, 3, 29): 23 * 3600}


def test_available_hours_follow_opening_rules() -> None:
    calc = AvailabilityCalculator(date(2025, 3, 10), date(2025, 3, 17))
    weekly = [WeeklyInterval(d, time(8), time(18)) for d in range(1, 6)]
    closed = [DayException(date(2025, 3, 12))]
    block = (datetime(2025, 3, 11, 1, tzinfo=UTC), datetime(2025, 3, 11, 3, tzinfo=UTC))
    days = calc.seconds_by_day("Asia/Shanghai", weekly, closed, [block])
    assert days == {
        date(2025, 3, 10): 36000,
        date(2025, 3, 11): 28800,
        date(2025, 3, 13): 36000,
        date(2025, 3, 14): 36000,
    }
    retired = datetime(2025, 3, 13, 4, tzinfo=UTC)  # 12:00 local
    days = calc.seconds_by_day("Asia/Shanghai", weekly, [], [], retired_at=retired)
    assert days[date(2025, 3, 13)] == 4 * 3600 and date(2025, 3, 14) not in days
