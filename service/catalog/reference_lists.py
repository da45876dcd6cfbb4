"""Read the reference tables the migrations ship: countries (GB/T 2659), disciplines
(GB/T 13745 first level) and funding sources (service records)."""

from __future__ import annotations

import msgspec

from service.catalog import sql
from service.db import Database

TABLES = ("country", "discipline", "funding_source")


class CodeOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str


async def codes(db: Database, table: str) -> list[CodeOut]:
    if table not in TABLES:
        raise ValueError(table)
    rows = await db.fetch(sql.reference_list(table))
    return [CodeOut(**dict(r)) for r in rows]
