"""One request's selection of the sharing figures (who asks, which range, which grouping,
which filters); `sql.py` turns it into statements."""

from __future__ import annotations

from datetime import date

from service.accounts.principal import Principal
from service.metrics.periods import decompose, month_pieces, year_fraction
from service.metrics.scope import Filters

#: Group key per grouping; `{p}` is the period column of the table being grouped.
KEYS = {
    "instrument": "vis.id::text",
    "institution": "vis.institution_id::text",
    "region": "vis.region_code",
    "category": "vis.cat",
    "month": "date_trunc('month', {p}::timestamp)::date",
    "year": "date_trunc('year', {p}::timestamp)::date",
}
TIME_GROUPS = ("month", "year")

#: The additive figures, in the order of `usage_daily` (and of `usage_month_run.run`).
FIGURES = (
    "effective_s",
    "external_s",
    "cross_region_s",
    "internal_s",
    "booked_s",
    "available_s",
    "sessions",
    "bookings",
    "cancellations",
    "late_cancellations",
    "no_shows",
    "unverified_external_s",
)


class Query:
    """One request's selection: who asks, which range, which grouping, which filters."""

    def __init__(
        self, user: Principal, date_from: date, date_to: date, group_by: str, *, filters: Filters,
        quota_until: date | None = None,
    ) -> None:  # fmt: skip
        """`quota_until`: days from then on earn no quota hours (they have not begun)."""
        self.user = user
        self.date_from = date_from
        self.date_to = date_to
        self.group_by = group_by
        self.filters = filters
        self.quota_to = date_to if quota_until is None else min(date_to, quota_until)
        self.time_group = group_by in TIME_GROUPS
        self.segments = decompose(date_from, date_to, allow_years=group_by != "month")
        self.pieces = month_pieces(date_from, date_to, allow_years=group_by != "month")

    def quota_fraction(self, bucket: str | None = None) -> float:
        """Years' worth of quota the range earns (of one month or year bucket)."""
        return year_fraction(self.date_from, max(self.quota_to, self.date_from), bucket)

    def key(self, period_col: str) -> str:
        return KEYS[self.group_by].format(p=period_col)
