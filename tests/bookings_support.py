"""Shared helpers for booking tests: a small world of institutions, users and an instrument with
its own policy, plus times on the instrument's local grid."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from tests.factories import UserHandle, make_institution, make_instrument, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NY_REGION = "TEST-NY"


@dataclass
class World:
    """An instrument at `owner`, its manager, the owner's admin and bookers of every kind."""

    owner: int
    instrument: int
    manager: UserHandle
    admin: UserHandle
    insider: UserHandle  # same institution, no role
    outsider: UserHandle  # another university, same region
    enterprise: UserHandle  # a company in another region
    zone: ZoneInfo


async def ensure_ny_region(db: Database) -> str:
    await db.execute(
        """INSERT INTO region (code, name_zh, name_en, timezone, latitude, longitude)
           VALUES ($1, '纽约测试区', 'New York test region', 'America/New_York', 40.7, -74.0)
           ON CONFLICT (code) DO NOTHING""",
        NY_REGION,
    )
    return NY_REGION


async def make_region(
    db: Database, latitude: float, longitude: float, timezone: str = "Asia/Shanghai"
) -> str:
    """A region of one's own, so orderings by region are not disturbed by other tests' data."""
    code = "T" + uuid.uuid4().hex[:8].upper()
    await db.execute(
        """INSERT INTO region (code, name_zh, name_en, timezone, latitude, longitude)
           VALUES ($1, $1, $1, $2, $3, $4)""",
        code,
        timezone,
        latitude,
        longitude,
    )
    return code


async def make_world(
    db: Database, region: str = "220100", zone: ZoneInfo = SHANGHAI, **policy: Any
) -> World:
    owner = await make_institution(db, region=region)
    instrument = await make_instrument(db, owner)
    other = await make_institution(db, region=region)
    company = await make_institution(db, region="222400", kind="enterprise")
    world = World(
        owner=owner,
        instrument=instrument,
        manager=await make_user(db, owner, manages=[instrument]),
        admin=await make_user(db, owner, admin_of=[owner]),
        insider=await make_user(db, owner),
        outsider=await make_user(db, other, language="en"),
        enterprise=await make_user(db, company),
        zone=zone,
    )
    await set_policy(db, instrument, **{"min_notice_minutes": 0, **policy})
    return world


async def set_policy(db: Database, instrument_id: int, **columns: Any) -> None:
    names = ["instrument_id", *columns]
    values = [instrument_id, *columns.values()]
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    updates = (
        ", ".join(f"{n} = EXCLUDED.{n}" for n in columns)
        or "instrument_id = EXCLUDED.instrument_id"
    )
    await db.execute(
        f"INSERT INTO booking_policy ({', '.join(names)}) VALUES ({params}) "
        f"ON CONFLICT (instrument_id) DO UPDATE SET {updates}",
        *values,
    )


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def future_day(days: int = 7, weekday: int | None = None) -> date:
    """A local date `days` ahead (moved forward to ISO `weekday` if given)."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.isoweekday()) % 7)
    return day


def body(instrument: int, start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "instrument_id": instrument,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **extra,
    }


async def book(
    client: httpx.AsyncClient,
    user: UserHandle,
    instrument: int,
    start: datetime,
    end: datetime,
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/bookings", json=body(instrument, start, end, **extra), headers=user.headers
    )


def rules_of(response: httpx.Response) -> set[str]:
    return {v["rule"] for v in response.json()["violations"]}


async def outbox(db: Database, booking_id: int) -> list[tuple[str, int]]:
    rows = await db.fetch(
        "SELECT kind, user_id FROM notification_outbox WHERE booking_id = $1 ORDER BY id",
        booking_id,
    )
    return [(r["kind"], r["user_id"]) for r in rows]


OVERLAPS = """
SELECT count(*) FROM booking a JOIN booking b
  ON a.instrument_id = b.instrument_id AND a.id < b.id
 AND tstzrange(a.starts_at, a.occupied_until, '[)') && tstzrange(b.starts_at, b.occupied_until, '[)')
WHERE a.instrument_id = $1
  AND a.status IN ('held', 'pending', 'confirmed', 'in_use')
  AND b.status IN ('held', 'pending', 'confirmed', 'in_use')
"""
