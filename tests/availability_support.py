"""Shared helpers for availability tests: a DST region, instruments with calendars, and
bookings written straight into the booking table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.db import Database
from tests.factories import make_institution, make_instrument, make_user

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc, arg-type]


def far_monday(weeks_ahead: int = 3) -> datetime:
    """A Monday 00:00 UTC a few weeks from now: inside default horizons, beyond min notice."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=(7 - today.weekday()) + 7 * weeks_ahead)


async def ensure_berlin_region(db: Database) -> str:
    await db.execute(
        """INSERT INTO region (code, name_zh, name_en, timezone, latitude, longitude)
           VALUES ('TEST-BER', '柏林测试区', 'Berlin test region', 'Europe/Berlin', 52.52, 13.40)
           ON CONFLICT (code) DO NOTHING"""
    )
    return "TEST-BER"


@dataclass
class Place:
    """An institution, one manager-less booker and the region they are in."""

    institution_id: int
    region: str
    booker_id: int


async def make_place(db: Database, region: str = "220100") -> Place:
    institution = await make_institution(db, region=region)
    booker = await make_user(db, institution)
    return Place(institution, region, booker.id)


async def new_instrument(db: Database, place: Place, **fields: object) -> int:
    return await make_instrument(db, place.institution_id, **fields)  # type: ignore[arg-type]


async def set_hours(db: Database, instrument_id: int, hours: list[tuple[int, time, time]]) -> None:
    await db.execute("DELETE FROM opening_hours WHERE instrument_id = $1", instrument_id)
    for weekday, opens, closes in hours:
        await db.execute(
            "INSERT INTO opening_hours (instrument_id, weekday, opens, closes) "
            "VALUES ($1, $2, $3, $4)",
            instrument_id,
            weekday,
            opens,
            closes,
        )


def weekdays(opens: time, closes: time, days: range = range(1, 6)) -> list[tuple[int, time, time]]:
    return [(d, opens, closes) for d in days]


async def add_booking(
    db: Database,
    place: Place,
    instrument_id: int,
    start: datetime,
    end: datetime,
    *,
    kind: str = "booking",
    status: str = "confirmed",
    buffer_minutes: int = 0,
) -> int:
    return int(
        await db.fetchval(
            """INSERT INTO booking (kind, instrument_id, user_id, starts_at, ends_at,
                                    occupied_until, status, booker_institution_id,
                                    booker_region_code)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id""",
            kind,
            instrument_id,
            place.booker_id,
            start,
            end,
            end + timedelta(minutes=buffer_minutes),
            status,
            place.institution_id,
            place.region,
        )
    )


async def set_policy(db: Database, instrument_id: int, **values: object) -> None:
    columns = ", ".join(values)
    params = ", ".join(f"${i + 2}" for i in range(len(values)))
    updates = (
        ", ".join(f"{c} = EXCLUDED.{c}" for c in values) or "min_minutes = EXCLUDED.min_minutes"
    )
    await db.execute(
        f"INSERT INTO booking_policy (instrument_id{', ' if values else ''}{columns}) "
        f"VALUES ($1{', ' if values else ''}{params}) "
        f"ON CONFLICT (instrument_id) DO UPDATE SET {updates}",
        instrument_id,
        *values.values(),
    )


async def ensure_test_category(db: Database, code: str) -> str:
    """A class (`98`, or `96` for the scale tests) and sub-classes (`98xx`) only these tests use,
    so other tests' instruments never appear in the result lists."""
    for c, parent in ((code[:2], None), (code, code[:2])):
        await db.execute(
            "INSERT INTO category (code, parent_code, name_zh, name_en) "
            "VALUES ($1, $2, $1 || ' 测试', $1 || ' test') ON CONFLICT (code) DO NOTHING",
            c,
            parent,
        )
    return code
