"""Data for the metrics tests: sessions and bookings inserted with SQL, hand-computed figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from service.db import Database
from tests.factories import UserHandle, make_institution, make_instrument, make_user

BERLIN = "DE-BE"


async def ensure_berlin(db: Database) -> str:
    """A partner region in a zone with DST (the reference data has none in Europe/Berlin)."""
    await db.execute(
        """INSERT INTO region (code, name_zh, name_en, timezone)
           VALUES ($1, '柏林伙伴城市', 'Berlin Partner City', 'Europe/Berlin')
           ON CONFLICT (code) DO NOTHING""",
        BERLIN,
    )
    return BERLIN


async def region_of(db: Database, institution_id: int) -> str:
    return str(
        await db.fetchval("SELECT region_code FROM institution WHERE id = $1", institution_id)
    )


async def add_session(
    db: Database,
    instrument_id: int,
    user_institution_id: int,
    start: datetime,
    end: datetime | None,
    *,
    user_id: int | None = None,
    booking_id: int | None = None,
    service_way: str = "occupy",
    amount: Decimal = Decimal("0"),
) -> int:
    """A usage session; external/cross-region flags derived from the institutions."""
    row = await db.fetchrow(
        """SELECT n.id AS owner, n.region_code AS owner_region, u.region_code AS user_region
           FROM instrument i JOIN institution n ON n.id = i.institution_id,
                institution u WHERE i.id = $1 AND u.id = $2""",
        instrument_id,
        user_institution_id,
    )
    assert row is not None
    return int(
        await db.fetchval(
            """INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
                   user_region_code, is_external, is_cross_region, started_at, ended_at,
                   service_way, amount)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id""",
            instrument_id,
            booking_id,
            user_id,
            user_institution_id,
            row["user_region"],
            user_institution_id != row["owner"],
            row["user_region"] != row["owner_region"],
            start,
            end,
            service_way,
            amount,
        )
    )


async def add_booking(
    db: Database,
    instrument_id: int,
    user: UserHandle,
    start: datetime,
    end: datetime,
    *,
    status: str = "completed",
    kind: str = "booking",
    late: bool = False,
) -> int:
    region = await region_of(db, user.institution_id)
    return int(
        await db.fetchval(
            """INSERT INTO booking (kind, instrument_id, user_id, starts_at, ends_at, occupied_until,
                   status, booker_institution_id, booker_region_code, late_cancellation)
               VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9) RETURNING id""",
            kind,
            instrument_id,
            user.id,
            start,
            end,
            status,
            user.institution_id,
            region,
            late,
        )
    )


@dataclass
class World:
    """Two institutions (A, B) in Changchun, one (C) in Yanbian; an admin of each of A and B;
    a manager of A's first instrument; a researcher of C; a platform admin."""

    inst_a: int
    inst_b: int
    inst_c: int
    instruments_a: list[int]
    instruments_b: list[int]
    admin_a: UserHandle
    admin_b: UserHandle
    manager_a: UserHandle
    researcher_c: UserHandle
    platform: UserHandle


async def make_world(db: Database, **instrument_fields: object) -> World:
    a = await make_institution(db, region="220100")
    b = await make_institution(db, region="220100")
    c = await make_institution(db, region="222400")
    ia = [await make_instrument(db, a, **instrument_fields) for _ in range(2)]  # type: ignore[arg-type]
    ib = [await make_instrument(db, b, **instrument_fields)]  # type: ignore[arg-type]
    return World(
        a,
        b,
        c,
        ia,
        ib,
        await make_user(db, a, admin_of=[a]),
        await make_user(db, b, admin_of=[b]),
        await make_user(db, a, manages=[ia[0]]),
        await make_user(db, c),
        await make_user(db, a, platform_admin=True),
    )
