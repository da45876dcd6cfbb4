"""The monitoring-indicator report for the province: for a period, the figures per institution
and region in one table (institution rows, each region's subtotal after them, the total last),
with the column names of `MonitoringRowOut`, as JSON or CSV.

Everything comes from one query (`sql.report_sql`) over the roll-up, so region subtotals and the
total are computed, not summed from rounded rows (distinct external institutions are not
additive), and the rows agree with `/metrics/sharing` and the evaluation ratios.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from service.db import Database
from service.metrics import sql
from service.metrics.definitions import Definitions
from service.metrics.evaluation import report_rows
from service.metrics.figures import hours, ratio
from service.metrics.periods import quota_hours
from service.metrics.schemas import MonitoringLevel, MonitoringOut, MonitoringRowOut
from service.metrics.sharing import Query
from service.metrics.sql import monitoring_satisfaction_sql

LEVELS: dict[int, MonitoringLevel] = {0: "institution", 1: "region", 3: "total"}


Row = Mapping[str, Any]


def _key(r: Row) -> tuple[int, str | None, int | None]:
    return (int(r["level"]), r["region_code"], r["institution_id"])


def _order(r: Row) -> tuple[int, str, int, int]:
    """Institutions of a region, then its subtotal; the total last."""
    level = int(r["level"])
    if level == 3:
        return (1, "", 0, 0)
    return (0, r["region_code"], 1 if level == 1 else 0, int(r["institution_id"] or 0))


def _row(
    r: Row, sat: Row | None, names: dict[tuple[str, str], Row], quota: float
) -> MonitoringRowOut:
    region = names.get(("region", str(r["region_code"])), {})
    inst = names.get(("institution", str(r["institution_id"])), {})
    n = int(r["eligible"])
    eff, ext = int(r["effective_s"]), int(r["external_s"])
    return MonitoringRowOut(
        level=LEVELS[int(r["level"])],
        region_code=r["region_code"],
        region_name_zh=region.get("name_zh", ""),
        region_name_en=region.get("name_en", ""),
        institution_id=r["institution_id"],
        institution_code=inst.get("code", ""),
        institution_name_zh=inst.get("name_zh", ""),
        institution_name_en=inst.get("name_en", ""),
        instruments=int(r["instruments"]),
        evaluated_instruments=n,
        original_value_wan=round(float(r["original_value"]), 2),
        effective_hours=hours(eff),
        external_hours=hours(ext),
        cross_region_hours=hours(int(r["cross_region_s"])),
        internal_hours=hours(int(r["internal_s"])),
        unverified_hours=hours(int(r["unverified_external_s"])),
        sharing_rate=ratio(ext, eff),
        quota_hours=round(quota, 2),
        utilisation=ratio(eff / 3600, quota),
        sessions=int(r["sessions"]),
        external_institutions=int(r["ext_n"]),
        registered_ratio=ratio(int(r["registered"]), n),
        normal_ratio=ratio(int(r["normal"]), int(r["normal_base"])),
        shared_ratio=ratio(int(r["shared"]), n),
        external_sharing_ratio=ratio(int(r["served_external"]), n),
        declared_external_ratio=ratio(int(r["declared_external"]), n),
        below_threshold_instruments=int(r["small"]),
        below_threshold_effective_hours=hours(int(r["small_effective_s"])),
        below_threshold_external_hours=hours(int(r["small_external_s"])),
        bookings=int(r["bookings"]),
        no_shows=int(r["no_shows"]),
        no_show_rate=ratio(int(r["no_shows"]), int(r["bookings"])),
        satisfaction_avg=None if sat is None or sat["avg"] is None else round(sat["avg"], 2),
        satisfaction_count=0 if sat is None else int(sat["n"]),
    )


async def monitoring_report(
    db: Database, q: Query, defs: Definitions, quota: tuple[int, int]
) -> MonitoringOut:
    rows, sats = await asyncio.gather(
        report_rows(db, q, defs), db.fetch(*_unpack(monitoring_satisfaction_sql(q)))
    )
    regions = sorted({str(r["region_code"]) for r in rows if r["region_code"]})
    institutions = sorted({int(r["institution_id"]) for r in rows if r["institution_id"]})
    names = {
        (n["kind"], n["key"]): n
        for n in await db.fetch(sql.INSTITUTION_NAMES_BY_ID, regions, institutions)
    }
    by_key = {_key(s): s for s in sats}
    fraction = q.quota_fraction()
    out = [
        _row(r, by_key.get(_key(r)), names,
             quota_hours(int(r["general"]), int(r["special"]), fraction, quota[0], special_hours=quota[1]))
        for r in sorted(rows, key=_order)
    ]  # fmt: skip
    return MonitoringOut(
        rows=out,
        evaluated_min_value=float(defs.evaluated_min_value),
        date_from=q.date_from,
        date_to=q.date_to,
    )


def _unpack(built: tuple[str, list[Any]]) -> list[Any]:
    return [built[0], *built[1]]
