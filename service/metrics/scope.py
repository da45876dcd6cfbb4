"""Which instruments a caller's figures may include, and the filters of the metrics API.

Every metrics query starts from the `vis` set built here, so an institution admin's region or
category totals are sums over their own instruments only: other institutions' rows never leak
in through a coarser grouping.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from service.accounts.principal import Principal
from service.common.sql import Params
from service.errors import Forbidden
from service.metrics.periods import Segment


@dataclass(frozen=True, slots=True)
class Filters:
    institution: int | None = None
    region: str | None = None
    category: str | None = None
    value_min: Decimal | None = None  # original value in 万元 (10,000 yuan)
    share_mode: str | None = None
    type: str | None = None
    #: Only instruments worth less than this (万元): the ones below the evaluation threshold.
    value_below: Decimal | None = None


def require_metrics_role(user: Principal) -> None:
    """Researchers see only their own history (`/metrics/mine`)."""
    if not (user.is_platform_admin or user.admin_of or user.manages or user.evaluates):
        raise Forbidden(
            "Metrics are for platform admins, institution admins, managers and evaluators."
        )


def visible_where(user: Principal, p: Params, filters: Filters) -> str:
    """SQL condition over `instrument i` and `institution n`: visible and matching. Institution
    admins and evaluators see their institutions' instruments, managers their own."""
    require_metrics_role(user)
    parts: list[str] = []
    if not user.is_platform_admin:
        institutions = sorted(user.admin_of | user.evaluates)
        parts.append(
            f"(i.institution_id = ANY({p.add(institutions)}::bigint[])"
            f" OR i.id = ANY({p.add(sorted(user.manages))}::bigint[]))"
        )
    if filters.institution is not None:
        parts.append(f"i.institution_id = {p.add(filters.institution)}")
    if filters.region is not None:
        parts.append(f"n.region_code = {p.add(filters.region)}")
    if filters.category is not None:
        parts.append(f"i.category_code LIKE {p.add(filters.category + '%')}")
    if filters.value_min is not None:
        parts.append(f"i.original_value >= {p.add(filters.value_min)}")
    if filters.value_below is not None:
        parts.append(f"i.original_value < {p.add(filters.value_below)}")
    if filters.share_mode is not None:
        parts.append(f"i.share_mode = {p.add(filters.share_mode)}")
    if filters.type is not None:
        parts.append(f"i.instrument_type = {p.add(filters.type)}")
    return " AND ".join(parts) or "true"


def period_where(
    segments: list[Segment], p: Params, day_col: str, period_col: str
) -> tuple[str, str]:
    """Conditions selecting the day rows and the month/year rows that cover the range."""
    day_parts, period_parts = [], []
    for seg in segments:
        lo, hi = p.add(seg.lo), p.add(seg.hi)
        if seg.grain == "day":
            day_parts.append(f"({day_col} >= {lo} AND {day_col} < {hi})")
        else:
            period_parts.append(
                f"(grain = '{seg.grain}' AND {period_col} >= {lo} AND {period_col} < {hi})"
            )
    return " OR ".join(day_parts) or "false", " OR ".join(period_parts) or "false"
