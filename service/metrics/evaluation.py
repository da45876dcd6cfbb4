"""Count-based evaluation ratios of institutions over a period (national evaluation rules, with
the open choices of `definitions`): 入网比例, 正常运行设备比例, 参与共享比例, 外部共享比例 (actual
service), the declared share mode beside it, and the instruments below the value threshold on
a line of their own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.db import Database
from service.errors import NotFound
from service.metrics import sql
from service.metrics.definitions import Definitions
from service.metrics.figures import hours, ratio
from service.metrics.schemas import BelowThresholdOut, EvaluationOut, RatioOut
from service.metrics.scope import Filters, require_metrics_role
from service.metrics.sharing import Query, snapshot_fetch
from service.metrics.sql import report_sql


async def report_rows(db: Database, q: Query, defs: Definitions) -> list[Mapping[str, Any]]:
    """Figures and counts per institution, per region and in total (`sql.report_sql`)."""
    _, rows = await snapshot_fetch(
        db, lambda width: report_sql(q, width, defs.evaluated_min_value, defs.normal_ratio_base)
    )
    return rows


async def institution_counts(
    db: Database, q: Query, defs: Definitions
) -> dict[int, Mapping[str, Any]]:
    """The counts of every institution visible in `q`, by institution id."""
    rows = await report_rows(db, q, defs)
    return {int(r["institution_id"]): r for r in rows if r["level"] == 0}


def evaluation_of(
    institution_id: int, label: str, row: Mapping[str, Any] | None, q: Query, *, defs: Definitions
) -> EvaluationOut:
    c: Mapping[str, Any] = row or {}
    eligible = int(c.get("eligible", 0))

    def share(key: str, base: int = eligible) -> RatioOut:
        n = int(c.get(key, 0))
        return RatioOut(numerator=n, denominator=base, ratio=ratio(n, base))

    small_eff, small_ext = int(c.get("small_effective_s", 0)), int(c.get("small_external_s", 0))
    return EvaluationOut(
        institution_id=institution_id,
        label=label,
        instruments=int(c.get("instruments", 0)),
        eligible=eligible,
        registered_ratio=share("registered"),
        normal_ratio=share("normal", int(c.get("normal_base", 0))),
        shared_ratio=share("shared"),
        external_ratio=share("served_external"),
        declared_external_ratio=share("declared_external"),
        evaluated_min_value=float(defs.evaluated_min_value),
        normal_ratio_base=defs.normal_ratio_base,
        below_threshold=BelowThresholdOut(
            instruments=int(c.get("small", 0)),
            effective_hours=hours(small_eff),
            external_hours=hours(small_ext),
            sharing_rate=ratio(small_ext, small_eff),
        ),
        date_from=q.date_from,
        date_to=q.date_to,
    )


async def evaluate(
    db: Database, user: Principal, institution_id: int, language: str,
    *, period: tuple[date, date], defs: Definitions,
) -> EvaluationOut:  # fmt: skip
    require_metrics_role(user)
    if not user.can_read_records(institution_id):
        raise NotFound("No such institution among those you administer.")
    names = await db.fetchrow(sql.INSTITUTION_NAMES, institution_id)
    if names is None:
        raise NotFound("No such institution.")
    q = Query(
        user, period[0], period[1], "institution", filters=Filters(institution=institution_id)
    )
    counts = await institution_counts(db, q, defs)
    label = pick(language, names["name_zh"], names["name_en"])
    return evaluation_of(institution_id, label, counts.get(institution_id), q, defs=defs)
