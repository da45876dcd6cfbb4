"""Derived figures of a metrics row, by the national evaluation definitions. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from service.metrics.schemas import MetricsRowOut, ReferenceOut

#: National reference figures (see the domain definitions).
NATIONAL_EFFECTIVE_HOURS = 1599.0
NATIONAL_EXTERNAL_HOURS = 273.0
NATIONAL_HOURS_YEAR = 2025
NATIONAL_SHARING_RATE = 0.16
NATIONAL_SHARING_RATE_YEAR = 2019
NATIONAL_SHARING_RATE_10M = 0.34


@dataclass(slots=True)
class Sums:
    """Additive figures of a group, durations in seconds."""

    effective_s: int = 0
    external_s: int = 0
    cross_region_s: int = 0
    internal_s: int = 0
    booked_s: int = 0
    available_s: int = 0
    sessions: int = 0
    bookings: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    no_shows: int = 0
    unverified_external_s: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Sums:
        return cls(**{f.name: int(row[f.name] or 0) for f in fields(cls)})


def hours(seconds: float) -> float:
    return round(float(seconds) / 3600, 2)


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass(slots=True)
class Extras:
    """The non-additive figures of a group."""

    quota_hours: float = 0.0
    instruments: int = 0
    external_institutions: int = 0
    satisfaction_avg: float | None = None
    satisfaction_count: int = 0


def make_row(key: str, label: str, s: Sums, x: Extras) -> MetricsRowOut:
    """Sharing rate = external ÷ effective, where external counts only users whose
    affiliation was verified (unverified use has its own line); utilisation = effective ÷ quota hours;
    booked_vs_used = booked ÷ effective; no-show rate = no-shows ÷ bookings due to happen."""
    return MetricsRowOut(
        key=key,
        label=label,
        effective_hours=hours(s.effective_s),
        external_hours=hours(s.external_s),
        cross_region_hours=hours(s.cross_region_s),
        internal_hours=hours(s.internal_s),
        sharing_rate=ratio(s.external_s, s.effective_s),
        utilisation=ratio(s.effective_s / 3600, x.quota_hours),
        quota_hours=round(x.quota_hours, 2),
        booked_hours=hours(s.booked_s),
        booked_vs_used=ratio(s.booked_s, s.effective_s),
        no_show_rate=ratio(s.no_shows, s.bookings),
        bookings=s.bookings,
        no_shows=s.no_shows,
        cancellations=s.cancellations,
        late_cancellations=s.late_cancellations,
        external_institutions=x.external_institutions,
        instruments=x.instruments,
        available_hours=hours(s.available_s),
        sessions=s.sessions,
        satisfaction_avg=None if x.satisfaction_avg is None else round(x.satisfaction_avg, 2),
        satisfaction_count=x.satisfaction_count,
        unverified_external_hours=hours(s.unverified_external_s),
    )


def reference(totals: MetricsRowOut, years: float) -> ReferenceOut:
    """The national averages scaled to the period, beside this selection's per-instrument ones."""
    n = totals.instruments
    return ReferenceOut(
        national_effective_hours_per_instrument_year=NATIONAL_EFFECTIVE_HOURS,
        national_external_hours_per_instrument_year=NATIONAL_EXTERNAL_HOURS,
        national_hours_year=NATIONAL_HOURS_YEAR,
        national_sharing_rate=NATIONAL_SHARING_RATE,
        national_sharing_rate_year=NATIONAL_SHARING_RATE_YEAR,
        national_sharing_rate_10m_yuan_plus=NATIONAL_SHARING_RATE_10M,
        years_in_period=round(years, 4),
        national_effective_hours_per_instrument_period=round(NATIONAL_EFFECTIVE_HOURS * years, 2),
        national_external_hours_per_instrument_period=round(NATIONAL_EXTERNAL_HOURS * years, 2),
        effective_hours_per_instrument=round(totals.effective_hours / n, 2) if n else None,
        external_hours_per_instrument=round(totals.external_hours / n, 2) if n else None,
    )
