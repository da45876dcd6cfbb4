"""Synthetic data for benchmarks: many institutions, instruments and bookings, loaded with COPY.

Every call makes a fresh batch with its own institution codes, so it can run repeatedly on
the same database. Bookings are laid end to end per instrument, so they never overlap and the
exclusion constraint accepts them; those already over (~80 %) are `completed`, the rest
`confirmed`.
"""

from __future__ import annotations

import heapq
import math
import random
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from service.common.time import utcnow
from service.db import Database
from service.demo import sql
from service.demo.institutions import FOCUS, InstitutionSpec
from service.demo.plan import FEE_TIERS, make_instrument
from service.demo.reference import seed_reference
from service.demo.templates import TEMPLATES
from service.search.index import index_instruments

PER_INSTITUTION = 25
REGION_WEIGHTS = {
    "220100": 40, "220200": 12, "220300": 6, "220400": 3, "220500": 5, "220600": 3,
    "220700": 4, "220800": 3, "222400": 8, "RU-VVO": 2, "BY-MSQ": 2,
}  # fmt: skip
KINDS = ("university", "research_institute", "hospital", "enterprise")
FEES = {"internal": Decimal(200), "external_academic": Decimal(300), "enterprise": Decimal(450)}
#: Share of bookings made by the owning institution's own staff (the rest are external).
INTERNAL_SHARE = 0.7
#: Mean booking length (2.5 h) plus mean gap (10 h), and the share of bookings already over:
#: only future bookings enter the exclusion constraint's index, which dominates load time.
MEAN_STEP_HOURS = 12.5
PAST_SHARE = 0.8
#: Seconds a bulk load may take (the pool's default command timeout is meant for requests).
LOAD_TIMEOUT = 3600.0
#: Registry columns in the order of `InstrumentPlan` (after its institution), id first.
INSTRUMENT_COLUMNS = (
    "id", "institution_id", "name_zh", "name_en", "category_code", "original_value",
    "manufacturer", "model", "country", "service_start", "instrument_type", "specs", "functions",
    "subject_areas", "building", "room", "contact_name", "contact_phone", "contact_email",
    "fee_standard", "sharing_rules", "share_mode", "status",
)  # fmt: skip
BOOKING_COLUMNS = (
    "kind", "instrument_id", "user_id", "starts_at", "ends_at", "occupied_until", "status",
    "service_way", "booker_institution_id", "booker_region_code", "is_external",
    "is_cross_region", "fee_class", "fee_per_hour", "estimated_cost", "created_at", "updated_at",
)  # fmt: skip

#: (id, institution id, region code)
Owner = tuple[int, int, str]


async def allocate_ids(conn: asyncpg.Connection, table: str, count: int) -> list[int]:
    """Reserve `count` ids of `table` so that COPY can write rows that refer to each other."""
    rows = await conn.fetch(
        sql.NEXT_IDS,
        table,
        count,
    )
    return [r["id"] for r in rows]


def _specs(rng: random.Random, run: str, count: int) -> list[InstitutionSpec]:
    regions = rng.choices(tuple(REGION_WEIGHTS), weights=tuple(REGION_WEIGHTS.values()), k=count)
    return [
        InstitutionSpec(
            code=f"scale-{run}-{n:05d}",
            zh=f"合成测试单位{run}-{n}",
            en=f"Synthetic institution {run}-{n}",
            kind=rng.choice(KINDS),
            region=region,
            address="",
            size=0,
            focus=rng.choice(tuple(FOCUS)),
        )
        for n, region in enumerate(regions, start=1)
    ]


async def _institutions_and_users(
    conn: asyncpg.Connection, specs: list[InstitutionSpec], run: str
) -> tuple[list[Owner], list[Owner]]:
    """One institution per spec and one booker per institution (who cannot log in)."""
    inst_ids = await allocate_ids(conn, "institution", len(specs))
    await conn.copy_records_to_table(
        "institution",
        records=[
            (i, s.code, s.zh, s.en, s.kind, s.region) for i, s in zip(inst_ids, specs, strict=True)
        ],
        columns=("id", "code", "name_zh", "name_en", "kind", "region_code"),
    )
    user_ids = await allocate_ids(conn, "app_user", len(specs))
    await conn.copy_records_to_table(
        "app_user",
        records=[
            (u, f"bench-{run}-{n}@scale.instrument-share.org", f"测试用户{n}", i, "!")
            for n, (u, i) in enumerate(zip(user_ids, inst_ids, strict=True))
        ],
        columns=("id", "email", "display_name", "institution_id", "password_hash"),
    )
    institutions = [(i, i, s.region) for i, s in zip(inst_ids, specs, strict=True)]
    users = [(u, i, s.region) for u, i, s in zip(user_ids, inst_ids, specs, strict=True)]
    return institutions, users


async def _instruments(
    conn: asyncpg.Connection,
    rng: random.Random,
    specs: list[InstitutionSpec],
    owners: list[Owner],
    *,
    count: int,
) -> list[Owner]:
    ids = await allocate_ids(conn, "instrument", count)
    records: list[tuple[Any, ...]] = []
    placed: list[Owner] = []
    for n, instrument_id in enumerate(ids):
        k = n % len(specs)
        template = rng.choice(TEMPLATES)
        row = make_instrument(rng, specs[k], template, None, fees=rng.choice(FEE_TIERS), serial=n)
        records.append((instrument_id, owners[k][1], *row[1 : len(INSTRUMENT_COLUMNS) - 1]))
        placed.append((instrument_id, owners[k][1], owners[k][2]))
    await conn.copy_records_to_table(
        "instrument", records=records, columns=INSTRUMENT_COLUMNS, timeout=LOAD_TIMEOUT
    )
    return placed


def _instrument_bookings(
    rng: random.Random,
    now: datetime,
    instrument: Owner,
    count: int,
    *,
    users: list[Owner],
    own: dict[int, Owner],
) -> Iterator[tuple[Any, ...]]:
    """`count` bookings of one instrument laid end to end, ~80 % of them already over."""
    instrument_id, owner, owner_region = instrument
    anchor = now.replace(minute=0, second=0, microsecond=0)
    cursor = anchor - timedelta(hours=MEAN_STEP_HOURS * PAST_SHARE * count)
    cursor += timedelta(minutes=30 * rng.randrange(48))
    for _ in range(count):
        start, end = cursor, cursor + timedelta(minutes=30 * rng.randrange(2, 9))
        cursor = end + timedelta(minutes=30 * rng.randrange(0, 41))
        internal = owner in own and rng.random() < INTERNAL_SHARE
        uid, inst, region = own[owner] if internal else rng.choice(users)
        external = inst != owner
        fee_class = "internal" if not external else rng.choice(("external_academic", "enterprise"))
        fee = FEES[fee_class]
        hours = Decimal((end - start).seconds) / 3600
        created = min(start, now) - timedelta(days=rng.randrange(1, 15))
        yield (
            "booking", instrument_id, uid, start, end, end,
            "completed" if end <= now else "confirmed",
            rng.choice(("occupy", "technical", "entrusted")), inst, region, external,
            region != owner_region, fee_class, fee, fee * hours, created, created,
        )  # fmt: skip


def booking_records(
    rng: random.Random, now: datetime, instruments: list[Owner], users: list[Owner], *, total: int
) -> Iterator[tuple[Any, ...]]:
    """`total` bookings spread evenly over `instruments`, streamed in start-time order.

    Time order halves the cost of the exclusion constraint's GiST inserts compared with
    instrument-by-instrument order (measured), and a lazy merge keeps memory flat.
    """
    own = {inst: (uid, inst, region) for uid, inst, region in users}
    per, extra = divmod(total, len(instruments))
    streams = [
        _instrument_bookings(
            rng, now, instrument, per + (1 if idx < extra else 0), users=users, own=own
        )
        for idx, instrument in enumerate(instruments)
    ]
    return heapq.merge(*streams, key=lambda row: row[3])


async def seed_scale(db: Database, instruments: int, bookings: int = 0) -> int:
    """Add `instruments` synthetic instruments (25 per new institution) and `bookings` bookings
    over them; returns the number of instruments created."""
    if instruments < 1:
        raise ValueError("seed_scale needs at least one instrument")
    await seed_reference(db)
    run = secrets.token_hex(4)
    rng = random.Random(run)  # noqa: S311 - benchmark data, not secrets
    specs = _specs(rng, run, math.ceil(instruments / PER_INSTITUTION))
    async with db.transaction() as conn:
        owners, users = await _institutions_and_users(conn, specs, run)
        placed = await _instruments(conn, rng, specs, owners, count=instruments)
        await index_instruments(conn, [p[0] for p in placed])
        await conn.executemany(
            sql.INSERT_SCALE_POLICY,
            [(o[1],) for o in owners],
        )
        if bookings > 0:
            records = booking_records(rng, utcnow(), placed, users, total=bookings)
            await conn.copy_records_to_table(
                "booking", records=records, columns=BOOKING_COLUMNS, timeout=LOAD_TIMEOUT
            )
    return instruments
