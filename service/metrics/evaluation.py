"""Count-based evaluation ratios of one institution (national evaluation rules)."""

from __future__ import annotations

from service.accounts.principal import Principal
from service.common.i18n import pick
from service.db import Database
from service.errors import NotFound
from service.metrics.figures import ratio
from service.metrics.schemas import EvaluationOut, RatioOut
from service.metrics.scope import require_metrics_role

#: Original value (万元) from which an instrument is "large" and counts in the evaluation.
ELIGIBLE_VALUE = 50

# The registry record is complete when the fields the national registry requires are filled.
_COMPLETE = """(i.manufacturer <> '' AND i.model <> '' AND i.country <> '' AND i.service_start IS NOT NULL
    AND i.specs <> '' AND i.functions <> '' AND i.contact_name <> '' AND i.contact_phone <> '')"""

_SQL = f"""
SELECT n.name_zh, n.name_en,
       count(i.id) FILTER (WHERE i.retired_at IS NULL) AS instruments,
       count(i.id) FILTER (WHERE e) AS eligible,
       count(i.id) FILTER (WHERE e AND {_COMPLETE}) AS registered,
       count(i.id) FILTER (WHERE e AND i.status = 'normal') AS normal,
       count(i.id) FILTER (WHERE e AND i.share_mode <> 'none') AS shared,
       count(i.id) FILTER (WHERE e AND i.share_mode = 'external') AS external
FROM institution n
LEFT JOIN LATERAL (
    SELECT i.*, (i.retired_at IS NULL AND i.original_value >= {ELIGIBLE_VALUE}) AS e
    FROM instrument i WHERE i.institution_id = n.id
) i ON true
WHERE n.id = $1
GROUP BY n.id
"""


async def evaluate(
    db: Database, user: Principal, institution_id: int, language: str
) -> EvaluationOut:
    require_metrics_role(user)
    if not user.is_admin_of(institution_id):
        raise NotFound("No such institution among those you administer.")
    row = await db.fetchrow(_SQL, institution_id)
    if row is None:
        raise NotFound("No such institution.")
    eligible = row["eligible"]

    def share(n: int) -> RatioOut:
        return RatioOut(numerator=n, denominator=eligible, ratio=ratio(n, eligible))

    return EvaluationOut(
        institution_id=institution_id,
        label=pick(language, row["name_zh"], row["name_en"]),
        instruments=row["instruments"],
        eligible=eligible,
        registered_ratio=share(row["registered"]),
        normal_ratio=share(row["normal"]),
        shared_ratio=share(row["shared"]),
        external_ratio=share(row["external"]),
    )
