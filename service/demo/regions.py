"""The demo's partner regions outside the province (a cross-border park, a partner city).

The province's own regions are reference data shipped by the migrations; partner regions are
the programme's own choice, so a real deployment adds its partners through the admin pages or
`POST /api/v1/regions`, and the demo (and the test suite) adds these two.
"""

from __future__ import annotations

from service.db import Database
from service.demo import sql

#: (code, zh, en, IANA zone, latitude, longitude of the seat)
PARTNER_REGIONS: list[tuple[str, str, str, str, float, float]] = [
    (
        "RU-VVO",
        "符拉迪沃斯托克跨境合作园区",
        "Vladivostok Cross-border Park",
        "Asia/Vladivostok",
        43.12,
        131.89,
    ),
    ("BY-MSQ", "明斯克中白工业园伙伴城市", "Minsk Partner City", "Europe/Minsk", 53.90, 27.56),
]


async def seed_partner_regions(db: Database) -> None:
    """Idempotent: a partner region that exists (perhaps edited by an admin) is left alone."""
    await db.pool.executemany(
        sql.INSERT_PARTNER_REGION,
        PARTNER_REGIONS,
    )
