"""Registry fields of the demo's instruments: asset numbers, source, the GB/T 2659 code of the
country of origin and GB/T 13745 codes of the subject areas, so the registry export and the
completeness check show a realistic picture (the demo keeps its 中类 classes, so those records
still lack a 小类)."""

from __future__ import annotations

import asyncpg

from service.demo import sql

#: The demo templates' subject areas and the first-level discipline each belongs to.
DISCIPLINE_OF = {
    "光学工程": "416", "免疫学": "310", "农学": "210", "化学": "150", "化工": "530",
    "医学": "320", "地球化学": "170", "地球物理学": "170", "地质学": "170", "大气科学": "170",
    "天文学": "160", "微电子学": "510", "机械工程": "460", "材料科学": "430", "核科学": "490",
    "物理学": "140", "环境科学": "610", "生态学": "180", "生物学": "180", "电子工程": "510",
    "神经科学": "180", "能源科学": "480", "航空航天": "590", "药学": "350",
    "计算机科学": "520", "通信工程": "510", "食品科学": "550",
}  # fmt: skip


async def fill_registry_fields(conn: asyncpg.Connection, instrument_ids: list[int]) -> None:
    await conn.execute(
        sql.FILL_REGISTRY_FIELDS, instrument_ids, list(DISCIPLINE_OF), list(DISCIPLINE_OF.values())
    )
