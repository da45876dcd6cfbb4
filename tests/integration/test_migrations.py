"""The migration history builds the schema from empty, including the no-overlap constraint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.db import Database
from tests.factories import make_institution, make_instrument, make_user


async def test_exclusion_constraint_present(db: Database) -> None:
    name = await db.fetchval(
        "SELECT conname FROM pg_constraint WHERE conname = 'booking_no_overlap'"
    )
    assert name == "booking_no_overlap"


async def test_overlap_refused_adjacent_accepted(db: Database) -> None:
    inst = await make_institution(db)
    user = await make_user(db, inst)
    instrument = await make_instrument(db, inst)
    start = datetime(2030, 1, 7, 9, tzinfo=UTC)
    insert = """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until,
                    status, booker_institution_id, booker_region_code)
                VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100')"""
    await db.execute(insert, instrument, user.id, start, start + timedelta(hours=1), inst)
    await db.execute(
        insert, instrument, user.id, start + timedelta(hours=1), start + timedelta(hours=2), inst
    )
    with pytest.raises(asyncpg.ExclusionViolationError):
        await db.execute(
            insert,
            instrument,
            user.id,
            start + timedelta(minutes=30),
            start + timedelta(minutes=90),
            inst,
        )
