"""Shapes of the metrics API. Hours are decimal hours (2 places); rates are fractions (0..1,
4 places), null when their denominator is zero."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

GroupBy = Literal["instrument", "institution", "region", "category", "month", "year"]
ShareMode = Literal["internal", "external", "none"]
InstrumentType = Literal["general", "special"]
CategoryCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}([0-9]{2})?$")]
RegionCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]


class MetricsRowOut(msgspec.Struct):
    key: str
    label: str
    effective_hours: float
    external_hours: float
    cross_region_hours: float
    internal_hours: float
    sharing_rate: float | None
    utilisation: float | None
    quota_hours: float
    booked_hours: float
    booked_vs_used: float | None
    no_show_rate: float | None
    bookings: int
    no_shows: int
    cancellations: int
    late_cancellations: int
    external_institutions: int
    instruments: int
    available_hours: float
    sessions: int
    satisfaction_avg: float | None
    satisfaction_count: int
    #: Hours used by accounts whose affiliation was not verified when the use was recorded:
    #: part of effective hours, but neither internal nor external in the sharing rate.
    unverified_external_hours: float = 0.0


class ReferenceOut(msgspec.Struct):
    """National reference figures beside this selection's own per-instrument ones. The
    comparison uses one year, `reference_year` (hours per instrument and their ratio,
    `reference_sharing_rate`), from `reference_source`; `national_sharing_rate*` are older
    published rates (of `national_sharing_rate_year`) kept for readers of this API. Figures
    "per period" are scaled to the days of the range that have begun (`years_in_period`)."""

    reference_year: int
    reference_source: str
    reference_sharing_rate: float
    national_effective_hours_per_instrument_year: float
    national_external_hours_per_instrument_year: float
    national_hours_year: int
    national_sharing_rate: float
    national_sharing_rate_year: int
    national_sharing_rate_10m_yuan_plus: float
    years_in_period: float
    national_effective_hours_per_instrument_period: float
    national_external_hours_per_instrument_period: float
    effective_hours_per_instrument: float | None
    external_hours_per_instrument: float | None


class SharingOut(msgspec.Struct):
    rows: list[MetricsRowOut]
    totals: MetricsRowOut
    reference: ReferenceOut
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
    group_by: str = "instrument"
    total: int = 0
    page: int = 1
    page_size: int = 50


class FlowRegionOut(msgspec.Struct):
    code: str
    label: str


class FlowOut(msgspec.Struct):
    from_region: str
    to_region: str
    hours: float


class FlowsOut(msgspec.Struct):
    regions: list[FlowRegionOut]
    matrix: list[FlowOut]
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")


class RatioOut(msgspec.Struct):
    numerator: int
    denominator: int
    ratio: float | None


class BelowThresholdOut(msgspec.Struct):
    """Instruments worth less than the evaluation threshold, reported apart from the ratios."""

    instruments: int
    effective_hours: float
    external_hours: float
    sharing_rate: float | None


class EvaluationOut(msgspec.Struct):
    """Count-based ratios of the national evaluation over the evaluated instruments of the
    period (in service during it, original value at least `evaluated_min_value` 万元).
    入网比例 `registered_ratio`: registry record complete; 正常运行设备比例 `normal_ratio`: status
    normal, over every evaluated instrument or, with `normal_ratio_base` = `in_service`, those not
    awaiting scrapping; 参与共享比例 `shared_ratio`: share mode not `none`; 外部共享比例
    `external_ratio`: instruments that served an outside legal entity in the period (actual
    service); `declared_external_ratio`: share mode `external` (declared)."""

    institution_id: int
    label: str
    instruments: int
    eligible: int
    registered_ratio: RatioOut
    normal_ratio: RatioOut
    shared_ratio: RatioOut
    external_ratio: RatioOut
    declared_external_ratio: RatioOut
    evaluated_min_value: float
    normal_ratio_base: str
    below_threshold: BelowThresholdOut
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")


class MySessionOut(msgspec.Struct):
    id: int
    instrument_id: int
    instrument_label: str
    booking_id: int | None
    started_at: datetime
    ended_at: datetime | None
    hours: float | None
    service_way: str
    samples: int
    amount: float
    rating: int | None


class MyInstrumentOut(msgspec.Struct):
    instrument_id: int
    label: str
    sessions: int
    hours: float


class MineOut(msgspec.Struct):
    sessions: list[MySessionOut]
    by_instrument: list[MyInstrumentOut]
    total_hours: float
    total: int
    page: int
    page_size: int


RatingLabel = Literal["非常满意", "满意", "一般", "基本满意", "不满意", "极差"]


class RatingIn(msgspec.Struct, forbid_unknown_fields=True):
    """`rating`: 1 (极差), 2 (不满意), 3 (一般), 4 (基本满意), 5 (非常满意), or the word itself."""

    rating: Annotated[int, msgspec.Meta(ge=1, le=5)] | RatingLabel
    comment: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class RatingOut(msgspec.Struct):
    booking_id: int
    rating: int
    label: str
    comment: str
    created_at: datetime


class ServiceRecordOut(msgspec.Struct, rename="camel"):
    """One completed usage session in the national registry's field names (`applicatUnit` is
    spelled as the registry spells it)."""

    service_time: str
    service_way: str
    service_amount: float
    applicant: str
    applicat_unit: str
    amounts: float
    instrument_name: str
    instrument_code: str
    ins_code: str
    samples: int
    service_start: datetime
    service_end: datetime
    satisfaction: str | None
    satisfaction_score: int | None
    satisfaction_comment: str | None


class ServiceRecordsOut(msgspec.Struct):
    items: list[ServiceRecordOut]
    total: int
    page: int
    page_size: int


class FreshnessOut(msgspec.Struct):
    """How stale the figures may be. `as_of`: the instant the recent days were last rolled up
    for; figures are complete up to it except for the `dirty_days` (instrument-days changed
    later, waiting to be recomputed; the oldest is `oldest_dirty_day`, marked since
    `dirty_since`). `last_rollup_at`: when any roll-up last finished."""

    as_of: datetime | None
    last_rollup_at: datetime | None
    dirty_days: int
    oldest_dirty_day: date | None
    dirty_since: datetime | None


MonitoringLevel = Literal["institution", "region", "total"]


class MonitoringRowOut(msgspec.Struct):
    """One row of the monitoring-indicator report: an institution, a region (its subtotal) or
    the total of the selection. The field names are the report's stable column names."""

    level: MonitoringLevel
    region_code: str | None
    region_name_zh: str
    region_name_en: str
    institution_id: int | None
    institution_code: str
    institution_name_zh: str
    institution_name_en: str
    instruments: int
    evaluated_instruments: int
    original_value_wan: float
    effective_hours: float
    external_hours: float
    cross_region_hours: float
    internal_hours: float
    unverified_hours: float
    sharing_rate: float | None
    quota_hours: float
    utilisation: float | None
    sessions: int
    external_institutions: int
    registered_ratio: float | None
    normal_ratio: float | None
    shared_ratio: float | None
    external_sharing_ratio: float | None
    declared_external_ratio: float | None
    below_threshold_instruments: int
    below_threshold_effective_hours: float
    below_threshold_external_hours: float
    bookings: int
    no_shows: int
    no_show_rate: float | None
    satisfaction_avg: float | None
    satisfaction_count: int


class MonitoringOut(msgspec.Struct):
    """The monitoring-indicator report of a period: institution rows grouped by region, each
    region followed by its subtotal, and the total last."""

    rows: list[MonitoringRowOut]
    evaluated_min_value: float
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
