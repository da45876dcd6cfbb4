"""Reference data ships with the migrations: a migrated, empty database has the province's
regions, the three-level classification, disciplines, countries and funding sources."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from service.db import Database
from tests.factories import make_institution, make_instrument

REFERENCE = Path(__file__).resolve().parents[2] / "migrations" / "data"


async def test_province_regions_and_zones_come_with_the_migrations(db: Database) -> None:
    rows = await db.fetch(
        "SELECT code, timezone, partner FROM region WHERE code ~ '^22' ORDER BY code"
    )
    assert [r["code"] for r in rows] == [
        "220000", "220100", "220200", "220300", "220400",
        "220500", "220600", "220700", "220800", "222400",
    ]  # fmt: skip
    assert {r["timezone"] for r in rows} == {"Asia/Shanghai"} and not any(
        r["partner"] for r in rows
    )


def _shipped_middle_classes() -> list[str]:
    """The 中类 codes the reference migration ships (tests add classes of their own)."""
    shipped = json.loads(next(REFERENCE.glob("reference_*.json")).read_text(encoding="utf-8"))
    return [c[0] for c in shipped["classes"] if len(c[0]) == 4]


async def test_classification_has_three_levels_with_prefix_codes(db: Database) -> None:
    counts = dict(
        await db.fetch("SELECT length(code), count(*) FROM category GROUP BY 1 ORDER BY 1")
    )
    assert counts[2] >= 15 and counts[4] >= 68 and counts[6] >= 200
    orphans = await db.fetchval(
        "SELECT count(*) FROM category c WHERE length(c.code) = 6 AND NOT EXISTS "
        "(SELECT 1 FROM category p WHERE p.code = left(c.code, 4))"
    )
    assert orphans == 0
    # every national 中类 has a 小类 "其他" (…99), so any instrument maps to a 6-digit registry
    # code (other tests add classes of their own to the shared database)
    missing = await db.fetchval(
        "SELECT count(*) FROM category m WHERE m.code = ANY($1) AND NOT EXISTS "
        "(SELECT 1 FROM category s WHERE s.code = m.code || '99')",
        _shipped_middle_classes(),
    )
    assert missing == 0


async def test_a_six_digit_code_must_sit_under_its_parent(db: Database) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "INSERT INTO category (code, parent_code, name_zh, name_en) "
            "VALUES ('010288', '0101', 'x', 'x')"
        )


async def test_disciplines_countries_funding_sources(db: Database) -> None:
    assert await db.fetchval("SELECT count(*) FROM discipline") == 62
    assert await db.fetchval("SELECT name_zh FROM discipline WHERE code = '150'") == "化学"
    assert await db.fetchval("SELECT count(*) FROM country") == 249
    assert await db.fetchval("SELECT name_zh FROM country WHERE code = 'DE'") == "德国"
    assert await db.fetchval("SELECT name_zh FROM country WHERE code = 'TW'") == "中国台湾"
    codes = [r["code"] for r in await db.fetch("SELECT code FROM funding_source ORDER BY code")]
    assert codes == [chr(c) for c in range(ord("A"), ord("P") + 1)]


async def test_unknown_discipline_codes_are_refused_by_the_database(db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    await db.execute("UPDATE instrument SET subject_codes = '{150,140}' WHERE id = $1", instrument)
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("UPDATE instrument SET subject_codes = '{999}' WHERE id = $1", instrument)
