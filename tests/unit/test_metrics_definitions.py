"""The open choices of the national rules and the reports' calendar, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from service.metrics import ratings
from service.metrics.definitions import (
    Definitions,
    clamp_to_today,
    definitions,
    last_complete_month,
    last_complete_year,
)
from service.settings import Settings


def test_defaults_are_the_documented_ones() -> None:
    defs = definitions(Settings())
    assert defs == Definitions(Decimal(50), "elapsed", "evaluated", "Asia/Shanghai")


def test_unknown_choices_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="QUOTA_IN_PROGRESS"):
        Definitions(quota_in_progress="some")
    with pytest.raises(ValueError, match="NORMAL_RATIO_BASE"):
        Definitions(normal_ratio_base="all")
    with pytest.raises(ValueError, match="EVALUATED_MIN_VALUE"):
        Definitions(evaluated_min_value=Decimal("NaN"))
    with pytest.raises(KeyError):
        Definitions(report_timezone="Mars/Olympus")


def test_today_is_decided_in_the_report_zone() -> None:
    late_utc = datetime(2026, 2, 28, 17, 30, tzinfo=UTC)  # 01:30 on 1 March in Shanghai
    assert Definitions().today(late_utc) == date(2026, 3, 1)
    assert Definitions(report_timezone="UTC").today(late_utc) == date(2026, 2, 28)


def test_quota_of_a_period_in_progress() -> None:
    now = datetime(2026, 3, 10, 4, tzinfo=UTC)
    assert Definitions().quota_until(now) == date(2026, 3, 11)  # today counts
    assert Definitions(quota_in_progress="whole").quota_until(now) is None


@pytest.mark.parametrize(
    ("today", "month", "year"),
    [
        (
            date(2026, 12, 3),
            (date(2026, 11, 1), date(2026, 12, 1)),
            (date(2025, 1, 1), date(2026, 1, 1)),
        ),
        (
            date(2027, 1, 1),
            (date(2026, 12, 1), date(2027, 1, 1)),
            (date(2026, 1, 1), date(2027, 1, 1)),
        ),
        (
            date(2026, 3, 31),
            (date(2026, 2, 1), date(2026, 3, 1)),
            (date(2025, 1, 1), date(2026, 1, 1)),
        ),
    ],
)
def test_the_last_complete_month_and_year(
    today: date, month: tuple[date, date], year: tuple[date, date]
) -> None:
    assert last_complete_month(today) == month
    assert last_complete_year(today) == year


def test_days_that_have_not_happened_are_cut_off() -> None:
    today = date(2026, 12, 3)
    assert clamp_to_today(date(2026, 12, 1), date(2027, 1, 1), today) == (
        date(2026, 12, 1),
        date(2026, 12, 4),
    )
    assert clamp_to_today(date(2026, 11, 1), date(2026, 12, 1), today) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
    )
    # wholly in the future: one (empty) day, still a valid range
    assert clamp_to_today(date(2027, 2, 1), date(2027, 3, 1), today) == (
        date(2027, 2, 1),
        date(2027, 2, 2),
    )


def test_satisfaction_uses_the_registrys_five_words_exactly() -> None:
    assert list(ratings.LABELS.values()) == ["非常满意", "基本满意", "一般", "不满意", "极差"]
    assert ratings.score_of("基本满意") == 4  # it was read as 一般 (3) before
    assert ratings.score_of("一般") == 3
    assert ratings.score_of("满意") == 4  # an old client's word, read as 基本满意
    assert "满意" not in ratings.LABELS.values()
