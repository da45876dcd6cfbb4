"""Runs the booking package's statements (`bookings.sql`) that several use cases share and
maps their rows: the facts and context a booking is checked against, the booker's load, the
history, row locks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability.openings import (
    DayException,
    Interval,
    WeeklyInterval,
    open_intervals,
)
from service.bookings import sql
from service.bookings.rules import BookerFacts, InstrumentFacts, Load, Request
from service.bookings.schemas import BookingOut
from service.errors import NotFound
from service.policies.rules import policy_from_row
from service.policies.schemas import Policy


def booking_out(row: Any) -> BookingOut:
    return BookingOut(
        id=row["id"],
        kind=row["kind"],
        instrument_id=row["instrument_id"],
        user_id=row["user_id"],
        status=row["status"],
        start=row["starts_at"],
        end=row["ends_at"],
        occupied_until=row["occupied_until"],
        purpose=row["purpose"],
        service_way=row["service_way"],
        series_id=row["series_id"],
        booker_institution_id=row["booker_institution_id"],
        booker_region_code=row["booker_region_code"],
        is_external=row["is_external"],
        is_cross_region=row["is_cross_region"],
        fee_class=row["fee_class"],
        fee_per_hour=row["fee_per_hour"],
        estimated_cost=row["estimated_cost"],
        approval_deadline=row["approval_deadline"],
        late_cancellation=row["late_cancellation"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        booked_by=row["booked_by"],
    )


def _facts(row: Any) -> InstrumentFacts:
    return InstrumentFacts(
        id=row["id"],
        institution_id=row["institution_id"],
        region_code=row["region_code"],
        zone=ZoneInfo(row["timezone"]),
        status=row["status"],
        share_mode=row["share_mode"],
        retired=row["retired"],
    )


async def instrument_facts(conn: asyncpg.Connection, instrument_id: int) -> InstrumentFacts:
    row = await conn.fetchrow(sql.INSTRUMENT_FACTS, instrument_id)
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    return _facts(row)


def booker_facts(
    user: Principal, inst: InstrumentFacts, institution_kind: str, verified: bool
) -> BookerFacts:
    return BookerFacts(
        user_id=user.user_id,
        institution_id=user.institution_id,
        institution_kind=institution_kind,
        region_code=user.region_code,
        language=user.language,
        is_manager=user.can_manage_instrument(inst.id, inst.institution_id),
        verified=verified,
    )


class Context(msgspec.Struct, frozen=True):
    inst: InstrumentFacts
    policy: Policy
    booker: BookerFacts
    weekly: list[WeeklyInterval]
    exceptions: list[DayException]

    def open_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Valid for `[start, end)` inside the window the context was loaded for."""
        return open_intervals(start, end, self.weekly, self.exceptions, tz=self.inst.zone)


async def context(
    conn: asyncpg.Connection,
    user: Principal,
    instrument_id: int,
    window: tuple[datetime, datetime],
    *,
    now: datetime,
) -> Context:
    """Everything the rules need, opening hours and the booker's membership included, in one
    round trip."""
    first = window[0].date() - timedelta(days=2)
    last = window[1].date() + timedelta(days=2)
    row = await conn.fetchrow(
        sql.CONTEXT, instrument_id, user.institution_id, first, last, user.user_id, now
    )
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    inst = _facts(row)
    return Context(
        inst=inst,
        policy=policy_from_row(row) if row["src"] else Policy(),
        booker=booker_facts(user, inst, row["booker_kind"], row["booker_verified"]),
        weekly=[WeeklyInterval(*w) for w in row["weekly"]],
        exceptions=[DayException(*e) for e in row["exceptions"]],
    )


#: How far before the window a used or missed booking may have started and still reach into it
#: (no booking is that long: a policy allows at most 7 days).
LONGEST_PAST = timedelta(days=31)


async def user_load(
    conn: asyncpg.Connection,
    instrument_id: int,
    user_id: int,
    around: tuple[datetime, datetime],
    *,
    now: datetime,
    exclude: list[int] | None = None,
) -> Load:
    """The booker's bookings on the instrument within a fortnight of `around` (active, used
    or missed), and the count and hours of their active bookings ahead."""
    lo, hi = around[0] - timedelta(days=8), around[1] + timedelta(days=8)
    rows = await conn.fetch(
        sql.USER_LOAD, instrument_id, user_id, lo, hi, now, exclude or [], LONGEST_PAST
    )
    intervals = tuple(
        (r["starts_at"], r["ends_at"])
        for r in rows
        if r["ends_at"] > lo and r["starts_at"] < hi and r["ends_at"] > r["starts_at"]
    )
    ahead = [r for r in rows if r["active"] and r["ends_at"] > now]
    return Load(
        intervals=intervals,
        future_count=sum(1 for r in ahead if r["starts_at"] > now),
        future_hours=sum(
            (r["ends_at"] - max(r["starts_at"], now)) / timedelta(hours=1) for r in ahead
        ),
    )


async def record_event(
    conn: asyncpg.Connection,
    booking_id: int,
    actor: int | None,
    action: str,
    *,
    from_status: str | None,
    to_status: str | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        sql.INSERT_EVENT,
        booking_id,
        actor,
        action,
        from_status,
        to_status,
        reason,
        data or {},
    )


async def manager_ids(conn: asyncpg.Connection, instrument_id: int) -> list[int]:
    """Who decides requests: the instrument's managers, else its institution's admins."""
    rows = await conn.fetch(sql.MANAGER_IDS, instrument_id)
    return sorted(r["user_id"] for r in rows)


async def lock_booking(conn: asyncpg.Connection, booking_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(sql.LOCK_BOOKING, booking_id)
    if row is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    return row


def notice_payload(**extra: Any) -> dict[str, Any]:
    """What a notification needs beyond its booking (a reason, alternatives, the change); the
    booking itself is snapshotted by `outbox.store.enqueue` in the same statement."""
    return {key: value for key, value in extra.items() if value not in (None, "")}


async def insert_booking(
    conn: asyncpg.Connection,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    *,
    columns: dict[str, Any],
    purpose: str,
    series_id: int | None = None,
    booked_by: int | None = None,
    event_data: dict[str, Any] | None = None,
) -> asyncpg.Record:
    """The booking, its "created" history row and its notices (as an announcement needs), in
    one statement: one round trip on the hot path. `booked_by`: the manager booking for the
    user (the history names them as the actor); `event_data` goes into that history row."""
    row = await conn.fetchrow(
        sql.INSERT_BOOKING,
        inst.id,
        booker.user_id,
        series_id,
        req.start,
        req.end,
        columns["occupied_until"],
        columns["status"],
        purpose,
        req.service_way,
        booker.institution_id,
        booker.region_code,
        columns["is_external"],
        columns["is_cross_region"],
        columns["fee_class"],
        columns["fee_per_hour"],
        columns["estimated_cost"],
        columns["approval_deadline"],
        booked_by,
        event_data or {},
    )
    assert row is not None
    return row
