"""Runs the onboarding SQL on a connection and maps rows; opens no transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from service.onboarding import sql
from service.onboarding.instrument_rows import NewInstitution, Refs


def _names(rows: list[list[str]]) -> dict[str, str]:
    """code, Chinese name and lower-case English name -> code"""
    out: dict[str, str] = {}
    for code, zh, en in rows:
        out.update({code: code, zh: code, en.lower(): code})
    return out


async def load_refs(conn: asyncpg.Connection, allowed: frozenset[int] | None, today: date) -> Refs:
    row = await conn.fetchrow(sql.REFERENCE)
    assert row is not None
    countries = row["countries"] or []
    return Refs(
        categories=frozenset(row["categories"] or []),
        countries=_names(countries),
        country_names={code: zh for code, zh, _ in countries},
        disciplines=frozenset(row["disciplines"] or []),
        regions=_names(row["regions"] or []),
        institutions=dict(row["institutions"] or {}),
        allowed=allowed,
        today=today,
    )


async def create_institutions(
    conn: asyncpg.Connection, new: list[NewInstitution]
) -> dict[str, int]:
    if new:
        await conn.execute(
            sql.INSERT_INSTITUTIONS,
            [n.code for n in new],
            [n.name_zh for n in new],
            [n.name_en for n in new],
            [n.kind for n in new],
            [n.region_code for n in new],
        )
    rows = await conn.fetch(sql.INSTITUTION_IDS, [n.code for n in new])
    return {r["code"]: r["id"] for r in rows}


async def existing_keys(
    conn: asyncpg.Connection, keys: list[tuple[int, str]]
) -> set[tuple[int, str]]:
    rows = await conn.fetch(sql.EXISTING_KEYS, [k[0] for k in keys], [k[1] for k in keys])
    return {(r["institution_id"], r["inner_id"]) for r in rows}


async def upsert_instruments(
    conn: asyncpg.Connection, records: list[tuple[Any, ...]]
) -> tuple[int, int, list[int]]:
    """(created, updated, ids of both): staged with COPY, written with one statement."""
    await conn.execute(sql.STAGE)
    await conn.copy_records_to_table("import_stage", records=records, columns=sql.COLUMNS)
    written = await conn.fetch(sql.UPSERT)
    created = sum(1 for r in written if r["created"])
    return created, len(written) - created, [r["id"] for r in written]


async def instrument_ids(
    conn: asyncpg.Connection, keys: list[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    rows = await conn.fetch(sql.INSTRUMENT_IDS, [k[0] for k in keys], [k[1] for k in keys])
    return {(r["institution_id"], r["inner_id"]): r["id"] for r in rows}


async def users_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, asyncpg.Record]:
    return {r["email"]: r for r in await conn.fetch(sql.USERS_BY_EMAIL, emails)}


async def add_managers(conn: asyncpg.Connection, pairs: list[tuple[int, int]]) -> None:
    await conn.execute(sql.ADD_MANAGERS, [p[0] for p in pairs], [p[1] for p in pairs])
