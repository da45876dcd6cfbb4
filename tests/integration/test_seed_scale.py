"""Synthetic benchmark data: the asked-for counts, repeatable, and bookings that never overlap."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from service.db import Database
from service.demo.scale import booking_records, seed_scale

_BATCH = """
SELECT count(DISTINCT s.id) AS institutions, count(i.id) AS instruments
FROM institution s LEFT JOIN instrument i ON i.institution_id = s.id
WHERE s.code LIKE 'scale-%' AND s.id > $1
"""


async def test_scale_seed_counts_and_repeatability(db: Database) -> None:
    mark = await db.fetchval("SELECT coalesce(max(id), 0) FROM institution")
    booking_mark = await db.fetchval("SELECT coalesce(max(id), 0) FROM booking")
    assert await seed_scale(db, 60, 300) == 60
    assert await seed_scale(db, 30) == 30
    counts = await db.fetchrow(_BATCH, mark)
    assert counts is not None and (counts["institutions"], counts["instruments"]) == (3 + 2, 90)
    bookings = await db.fetchrow(
        """SELECT count(*) AS n, count(*) FILTER (WHERE status = 'completed') AS past,
                  count(*) FILTER (WHERE is_external) AS external,
                  bool_and(occupied_until = ends_at AND kind = 'booking') AS shape,
                  bool_and(status = 'completed' OR ends_at > now()) AS statuses
           FROM booking WHERE id > $1""",
        booking_mark,
    )
    assert bookings is not None and bookings["n"] == 300
    assert 0 < bookings["past"] < 300 and 0 < bookings["external"] < 300
    assert bookings["shape"] and bookings["statuses"]


async def test_scale_bookings_do_not_overlap(db: Database) -> None:
    booking_mark = await db.fetchval("SELECT coalesce(max(id), 0) FROM booking")
    await seed_scale(db, 5, 400)
    overlaps = await db.fetchval(
        """SELECT count(*) FROM booking a JOIN booking b
             ON a.instrument_id = b.instrument_id AND a.id < b.id
            AND tstzrange(a.starts_at, a.occupied_until) && tstzrange(b.starts_at, b.occupied_until)
           WHERE a.id > $1 AND b.id > $1""",
        booking_mark,
    )
    assert overlaps == 0


def test_booking_records_are_spread_evenly() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    instruments = [(1, 10, "220100"), (2, 11, "222400"), (3, 10, "220100")]
    users = [(100, 10, "220100"), (101, 11, "222400")]
    rows = list(booking_records(random.Random(1), now, instruments, users, total=10))
    per_instrument = [sum(1 for r in rows if r[1] == i) for i, _, _ in instruments]
    assert per_instrument == [4, 3, 3]
    for row in rows:
        assert row[3] < row[4] == row[5]
        assert row[10] == (row[8] != {1: 10, 2: 11, 3: 10}[row[1]])


async def test_scale_needs_a_positive_count(db: Database) -> None:
    with pytest.raises(ValueError, match="at least one"):
        await seed_scale(db, 0)
