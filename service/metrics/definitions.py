"""The choices the national evaluation rules leave open, with their documented defaults, and
the calendar of the reports. Pure: built from the settings, given `now` where time matters.

| setting | default | meaning |
|---|---|---|
| `EVALUATED_MIN_VALUE` | 50 (万元) | instruments worth this much or more are evaluated; smaller ones are reported on a line of their own |
| `QUOTA_IN_PROGRESS` | `elapsed` | quota hours of a period still in progress: only its days that have begun (`elapsed`), or all (`whole`) |
| `NORMAL_RATIO_BASE` | `evaluated` | denominator of 正常运行设备比例: every evaluated instrument (`evaluated`), or those not awaiting scrapping (`in_service`) |
| `REPORT_TIMEZONE` | `Asia/Shanghai` | the zone in which "today", the last complete month and year are decided |

Legal-entity groups are data, not a setting: `institution.legal_entity_id` (none by default, so
every institution is a legal entity of its own, as the national registry counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from service.metrics.periods import month_start, next_month
from service.settings import Settings

QUOTA_CHOICES = ("elapsed", "whole")
NORMAL_BASES = ("evaluated", "in_service")

#: The one reference year of the national averages the dashboard compares with, and where they
#: come from (the programme's domain definitions, after the national evaluation of open sharing
#: of large research instruments). The sharing rate of that year is external ÷ effective hours.
REFERENCE_YEAR = 2025
REFERENCE_EFFECTIVE_HOURS = 1599.0
REFERENCE_EXTERNAL_HOURS = 273.0
#: (zh, en)
REFERENCE_SOURCE = (
    "科技部、财政部 中央级高校和科研院所等单位重大科研基础设施和大型科研仪器开放共享评价考核，"
    "2025 年台均有效工作机时与对外服务机时（本平台指标口径所采用的全国参考值）",
    "national evaluation of the open sharing of large research infrastructure and instruments "
    "(Ministry of Science and Technology, Ministry of Finance), average effective and external "
    "service hours per instrument in 2025, as adopted by the programme's metric definitions",
)


@dataclass(frozen=True, slots=True)
class Definitions:
    evaluated_min_value: Decimal = Decimal(50)
    quota_in_progress: str = "elapsed"
    normal_ratio_base: str = "evaluated"
    report_timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if self.quota_in_progress not in QUOTA_CHOICES:
            raise ValueError(f"QUOTA_IN_PROGRESS must be one of {', '.join(QUOTA_CHOICES)}")
        if self.normal_ratio_base not in NORMAL_BASES:
            raise ValueError(f"NORMAL_RATIO_BASE must be one of {', '.join(NORMAL_BASES)}")
        if not (self.evaluated_min_value.is_finite() and self.evaluated_min_value >= 0):
            raise ValueError("EVALUATED_MIN_VALUE must be a value in 万元, 0 or more")
        ZoneInfo(self.report_timezone)  # raises for an unknown zone

    def today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.report_timezone)).date()

    def quota_until(self, now: datetime) -> date | None:
        """The end (exclusive) of the days that earn quota hours: tomorrow, so today counts
        from its start; None when whole periods earn their whole quota."""
        if self.quota_in_progress == "whole":
            return None
        return self.today(now) + timedelta(days=1)


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        evaluated_min_value=settings.evaluated_min_value,
        quota_in_progress=settings.quota_in_progress,
        normal_ratio_base=settings.normal_ratio_base,
        report_timezone=settings.report_timezone,
    )


def last_complete_month(today: date) -> tuple[date, date]:
    end = month_start(today)
    return month_start(end - timedelta(days=1)), end


def last_complete_year(today: date) -> tuple[date, date]:
    return date(today.year - 1, 1, 1), date(today.year, 1, 1)


def clamp_to_today(date_from: date, date_to: date, today: date) -> tuple[date, date]:
    """A range cut at the end of today (days that have not happened are not counted); a range
    wholly in the future keeps its first day only, so it stays a valid, empty-of-use range."""
    end = min(date_to, today + timedelta(days=1))
    return date_from, max(end, date_from + timedelta(days=1))


def current_month(today: date) -> tuple[date, date]:
    return month_start(today), next_month(today)
