"""CSV files for people: the figures exports with a header row in the reader's language and
ratios as percentages (`labels=zh-CN` or `labels=en` on the CSV routes; the pages' export
links ask for the page's language).

Without it the files keep their stable machine column names and fractions, for programs and
for the registry; the registry's own files (service records) never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import QueryParameter

from service.common.i18n import pick
from service.metrics import csvout

#: The query parameter that asks for the people's form.
Labelled = Annotated[
    Literal["zh-CN", "en"] | None,
    QueryParameter(
        name="labels",
        description="zh-CN or en: a header row in that language and ratios as percentages "
        "(for people); absent: stable column names and fractions (for programs)",
    ),
]

#: Column titles (zh, en) of the figures exports.
TITLES: dict[str, tuple[str, str]] = {
    "key": ("代码", "Code"),
    "label": ("名称", "Name"),
    "effective_hours": ("有效工作机时", "Effective hours"),
    "external_hours": ("对外服务机时", "External service hours"),
    "cross_region_hours": ("跨地区服务机时", "Cross-region hours"),
    "internal_hours": ("内部使用机时", "Internal hours"),
    "unverified_external_hours": ("身份未验证用户机时", "Hours of unverified users"),
    "unverified_hours": ("身份未验证用户机时", "Hours of unverified users"),
    "sharing_rate": ("共享率", "Sharing rate"),
    "utilisation": ("使用率", "Utilisation"),
    "quota_hours": ("定额机时", "Quota hours"),
    "booked_hours": ("预约机时", "Booked hours"),
    "booked_vs_used": ("实际使用/预约", "Used of booked"),
    "no_show_rate": ("爽约率", "No-show rate"),
    "bookings": ("预约数", "Bookings"),
    "no_shows": ("爽约数", "No-shows"),
    "cancellations": ("取消数", "Cancellations"),
    "late_cancellations": ("迟取消数", "Late cancellations"),
    "external_institutions": ("服务的外单位数", "Outside institutions served"),
    "instruments": ("仪器数", "Instruments"),
    "available_hours": ("开放机时", "Available hours"),
    "sessions": ("使用次数", "Sessions"),
    "satisfaction_avg": ("平均满意度", "Average satisfaction"),
    "satisfaction_count": ("评价数", "Ratings"),
    "level": ("层级", "Level"),
    "region_code": ("地区代码", "Region code"),
    "region_name_zh": ("地区", "Region (Chinese)"),
    "region_name_en": ("地区（英文）", "Region"),
    "institution_id": ("单位编号", "Institution id"),
    "institution_code": ("单位代码", "Institution code"),
    "institution_name_zh": ("单位", "Institution (Chinese)"),
    "institution_name_en": ("单位（英文）", "Institution"),
    "evaluated_instruments": ("参评仪器数", "Evaluated instruments"),
    "original_value_wan": ("原值（万元）", "Original value (10k yuan)"),
    "registered_ratio": ("入网比例", "Registered ratio"),
    "normal_ratio": ("正常运行设备比例", "Normal-running ratio"),
    "shared_ratio": ("参与共享比例", "Shared ratio"),
    "external_sharing_ratio": ("外部共享比例", "External sharing ratio"),
    "declared_external_ratio": ("申报外部共享比例", "Declared external ratio"),
    "below_threshold_instruments": ("低于门槛仪器数", "Instruments below the threshold"),
    "below_threshold_effective_hours": (
        "低于门槛仪器有效机时",
        "Effective hours below the threshold",
    ),
    "below_threshold_external_hours": (
        "低于门槛仪器对外机时",
        "External hours below the threshold",
    ),
    "from_region": ("用户地区代码", "Users' region code"),
    "from_label": ("用户地区", "Users' region"),
    "to_region": ("仪器地区代码", "Instruments' region code"),
    "to_label": ("仪器地区", "Instruments' region"),
    "hours": ("机时", "Hours"),
    "answers": ("回答数", "Answers"),
    "average": ("平均分", "Average"),
    "suppressed": ("因人数过少不显示", "Withheld (too few answers)"),
    "comments": ("意见", "Comments"),
}
#: Fractions that people read as percentages.
PERCENTS = frozenset(
    {"sharing_rate", "utilisation", "booked_vs_used", "no_show_rate", "registered_ratio",
     "normal_ratio", "shared_ratio", "external_sharing_ratio", "declared_external_ratio"}
)  # fmt: skip
LEVELS = {"institution": ("单位", "Institution"), "region": ("地区小计", "Region subtotal"),
          "total": ("合计", "Total")}  # fmt: skip


def title(field: str, language: str) -> str:
    zh, en = TITLES.get(field, (field, field))
    return pick(language, zh, en)


def cell(field: str, value: Any, language: str) -> Any:
    """A value as people read it: a ratio as `17.1%`, a report level in words."""
    if value is None:
        return None
    if field in PERCENTS:
        return f"{float(value) * 100:.1f}%"
    if field == "level" and value in LEVELS:
        return pick(language, *LEVELS[value])
    return value


def table(fields: Sequence[str], rows: Sequence[Sequence[Any]], language: str) -> bytes:
    """CSV of plain rows (values in the order of `fields`) in the people's form."""
    header = [title(f, language) for f in fields]
    lines = ([cell(f, v, language) for f, v in zip(fields, row, strict=True)] for row in rows)
    return "".join(csvout.lines(header, lines)).encode("utf-8")


def structs(items: Sequence[msgspec.Struct], fields: Sequence[str], language: str | None) -> bytes:
    """CSV of structs whose encoded field names are `fields`: in the people's form when a
    language is asked for (`labels`), else the machine form with stable names and fractions."""
    if not language:
        return csvout.structs_to_csv(items, fields)
    values = [msgspec.to_builtins(item) for item in items]
    return table(fields, [[v.get(f) for f in fields] for v in values], language)
