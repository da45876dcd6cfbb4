"""`python -m service seed --demo | --scale N`: the demo data set and synthetic benchmark data.

The demo is written in one transaction under an advisory lock, so two processes seeding at
once (e.g. two `make run`) produce one demo, and a half-written demo is never visible.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

import asyncpg

from service.accounts.passwords import hash_password_async
from service.common.time import utcnow
from service.db import LOCK_JOB, Database, advisory_xact_lock
from service.demo import registry as demo_registry
from service.demo import sql
from service.demo.figures import seed_figures_demo
from service.demo.history import PROVINCE_ZONE, roll_up, seed_history
from service.demo.identity import seed_identity
from service.demo.institutions import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_USERS
from service.demo.plan import DemoPlan, InstrumentPlan, build_demo
from service.demo.reference import seed_reference
from service.demo.scale import INSTRUMENT_COLUMNS, allocate_ids, seed_scale
from service.search.index import index_instruments

__all__ = ["seed_demo", "seed_scale"]

log = logging.getLogger("service.catalog")

#: Second key of the advisory lock (namespace LOCK_JOB) that serialises demo seeding.
SEED_LOCK_KEY = 2026_0001

#: ISO weekdays and local hours per opening pattern; "always" has no rows (open 24/7).
OPENING_PATTERNS: dict[str, tuple[range, time, time]] = {
    "office": (range(1, 6), time(8, 30), time(17, 30)),
    "extended": (range(1, 7), time(8, 0), time(21, 0)),
}


async def seed_demo(db: Database) -> bool:
    """Create the demo data set; False (and nothing written) if the demo admin already exists.

    The history (bookings, usage, ratings) ends yesterday in the province's zone, so the demo
    always looks current; its metrics are rolled up once the demo has committed.
    """
    await seed_reference(db)
    plan = build_demo()
    today = utcnow().astimezone(PROVINCE_ZONE).date()
    async with db.transaction() as conn:
        await advisory_xact_lock(conn, LOCK_JOB, SEED_LOCK_KEY)
        exists = await conn.fetchval(sql.DEMO_ADMIN_EXISTS, DEMO_ADMIN_EMAIL)
        if exists:
            return False
        institutions = await _insert_institutions(conn, plan)
        instruments = await _insert_instruments(conn, plan.instruments, institutions)
        await demo_registry.fill_registry_fields(conn, instruments)
        await index_instruments(conn, instruments)
        await _insert_opening_hours(conn, plan.instruments, instruments)
        await conn.executemany(
            sql.INSERT_DEMO_POLICY,
            [(institutions[p.institution], *p[1:]) for p in plan.policies],
        )
        by_institution: dict[str, list[int]] = {}
        for row, instrument_id in zip(plan.instruments, instruments, strict=True):
            by_institution.setdefault(row.institution, []).append(instrument_id)
        await _insert_users(conn, institutions, by_institution)
        await seed_figures_demo(conn, institutions, DEMO_ADMIN_EMAIL)
        counts = await seed_history(conn, plan, institutions, instruments, today=today)
        await seed_identity(conn, institutions)
    await roll_up(db, instruments, today)
    log.info("demo history: %s", counts)
    return True


async def _insert_institutions(conn: asyncpg.Connection, plan: DemoPlan) -> dict[str, int]:
    """Institutions by code; one that already exists (same code) is reused as it is."""
    await conn.executemany(
        sql.INSERT_INSTITUTION,
        [
            (i.code, i.zh, i.en, i.kind, i.region, i.address, *plan.contacts[i.code])
            for i in plan.institutions
        ],
    )
    rows = await conn.fetch(
        sql.INSTITUTION_IDS_BY_CODE,
        [i.code for i in plan.institutions],
    )
    return {r["code"]: r["id"] for r in rows}


async def _insert_instruments(
    conn: asyncpg.Connection, rows: list[InstrumentPlan], institutions: dict[str, int]
) -> list[int]:
    ids = await allocate_ids(conn, "instrument", len(rows))
    records = [
        (new_id, institutions[r.institution], *r[1 : len(INSTRUMENT_COLUMNS) - 1])
        for new_id, r in zip(ids, rows, strict=True)
    ]
    await conn.copy_records_to_table("instrument", records=records, columns=INSTRUMENT_COLUMNS)
    return ids


async def _insert_opening_hours(
    conn: asyncpg.Connection, rows: list[InstrumentPlan], ids: list[int]
) -> None:
    records: list[tuple[int, int, time, time]] = []
    for row, instrument_id in zip(rows, ids, strict=True):
        if row.hours in OPENING_PATTERNS:
            days, opens, closes = OPENING_PATTERNS[row.hours]
            records.extend((instrument_id, day, opens, closes) for day in days)
    await conn.copy_records_to_table(
        "opening_hours", records=records, columns=("instrument_id", "weekday", "opens", "closes")
    )


async def _insert_users(
    conn: asyncpg.Connection, institutions: dict[str, int], instruments: dict[str, list[int]]
) -> None:
    """The demo logins of API.md; one argon2 hash serves them all (one password)."""
    password_hash = await hash_password_async(DEMO_PASSWORD)
    for user in DEMO_USERS:
        user_id = await conn.fetchval(
            sql.INSERT_USER,
            user.email,
            user.display_name,
            institutions[user.institution],
            user.language,
            password_hash,
            user.platform_admin,
        )
        if user_id is None:  # someone registered this address by hand: leave it alone
            continue
        if user.admin_of:
            await conn.execute(
                sql.INSERT_INSTITUTION_ADMIN,
                user_id,
                institutions[user.admin_of],
            )
        managed: list[Any] = instruments.get(user.institution, [])[: user.manages]
        await conn.executemany(
            sql.INSERT_INSTRUMENT_MANAGER,
            [(user_id, i) for i in managed],
        )
