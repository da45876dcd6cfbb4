"""The data the scenarios run on: institutions in three regions, researchers with bearer
tokens, and instruments (external sharing, open around the clock) with a permissive policy,
a separate set per scenario so each one's invariants count only its own rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.db import Database
from tests.factories import UserHandle, make_institution, make_instrument, make_user

REGIONS = ("220100", "220200", "222400")
#: Reminder users are reminded this many minutes ahead; bookings for other scenarios lie
#: days ahead, so no reminder of theirs falls due during the run.
REMINDER_LEAD_MINUTES = 240


@dataclass(frozen=True, slots=True)
class World:
    owner: int
    users: list[UserHandle]
    remind_users: list[UserHandle]
    herd: list[int]
    kill: list[int]
    outage: list[int]
    remind: list[int]
    mail: list[int]


async def permissive_policy(db: Database, instrument_id: int, buffer_minutes: int = 0) -> None:
    """Anyone may book, at once, on a 30-minute grid, up to a year ahead, without approval."""
    await db.execute(
        """INSERT INTO booking_policy (instrument_id, min_minutes, max_minutes,
               granularity_minutes, min_notice_minutes, horizon_days, buffer_minutes, approval)
           VALUES ($1, 30, 480, 30, 0, 365, $2, 'none')""",
        instrument_id,
        buffer_minutes,
    )


async def _instruments(db: Database, owner: int, count: int, buffers: list[int]) -> list[int]:
    ids = []
    for index in range(count):
        instrument = await make_instrument(db, owner, share_mode="external")
        await permissive_policy(db, instrument, buffers[index % len(buffers)])
        ids.append(instrument)
    return ids


async def build_world(db: Database, users: int = 12, remind_users: int = 8) -> World:
    owner = await make_institution(db, region=REGIONS[0])
    institutions = [await make_institution(db, region=code) for code in REGIONS]
    people = [await make_user(db, institutions[i % len(institutions)]) for i in range(users)]
    reminded = [await make_user(db, institutions[i % 3]) for i in range(remind_users)]
    await db.execute(
        "UPDATE app_user SET reminder_lead_minutes = $2 WHERE id = ANY($1::bigint[])",
        [u.id for u in reminded],
        [REMINDER_LEAD_MINUTES],
    )
    return World(
        owner=owner,
        users=people,
        remind_users=reminded,
        # One herd instrument has a 30-minute buffer: buffers are occupied time too.
        herd=await _instruments(db, owner, 3, [0, 30, 0]),
        kill=await _instruments(db, owner, 3, [0]),
        outage=await _instruments(db, owner, 3, [0]),
        remind=await _instruments(db, owner, 6, [0]),
        mail=await _instruments(db, owner, 3, [0]),
    )


def day_ahead(now: datetime, days: int) -> datetime:
    """Midnight UTC `days` from now: on every 30-minute grid, whatever the instrument's zone
    (the regions used here are whole-hour offsets)."""
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=days)


def next_grid(
    now: datetime, minutes: int = 30, margin: timedelta = timedelta(minutes=3)
) -> datetime:
    """The first grid boundary at least `margin` after `now`."""
    earliest = now + margin
    base = datetime(earliest.year, earliest.month, earliest.day, earliest.hour, tzinfo=UTC)
    while base < earliest:
        base += timedelta(minutes=minutes)
    return base
