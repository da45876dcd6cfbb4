"""SQL shared by the booking services: loading facts, writing bookings and their history.

Queries for the claims on an instrument's calendar use `same_calendar`, the expression of the
exclusion constraint, so they are answered from its GiST index. An instrument's calendar is
its own unless it shares one physical resource with others (`instrument.calendar_key`); the
database copies the key onto every booking row.
"""

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
from service.bookings.rules import BookerFacts, InstrumentFacts, Load
from service.bookings.schemas import BookingOut
from service.errors import NotFound
from service.policies import sql as policies_sql
from service.policies.rules import policy_from_row
from service.policies.schemas import Policy

ACTIVE = ("held", "pending", "confirmed", "in_use")
ACTIVE_SQL = "('held', 'pending', 'confirmed', 'in_use')"
#: The calendar of instrument `$1`: its own id, or the key it shares with other instruments.
CALENDAR_OF = "(SELECT coalesce(c.calendar_key, c.id) FROM instrument c WHERE c.id = $1)"


def same_calendar(alias: str = "b") -> str:
    """Rows of `booking` (as `alias`) on the calendar of instrument `$1`: those of every
    instrument sharing its resource."""
    col = f"{alias}.calendar_key" if alias else "calendar_key"
    return f"int8range({col}, {col}, '[]') && int8range({CALENDAR_OF}, {CALENDAR_OF}, '[]')"


SAME_CALENDAR = same_calendar()

COLUMNS = """b.id, b.kind, b.instrument_id, b.user_id, b.status, b.starts_at, b.ends_at,
    b.occupied_until, b.purpose, b.service_way, b.series_id, b.booker_institution_id,
    b.booker_region_code, b.is_external, b.is_cross_region, b.fee_class, b.fee_per_hour,
    b.estimated_cost, b.approval_deadline, b.late_cancellation, b.version, b.created_at,
    b.updated_at, b.booked_by"""

_INSTRUMENT = """
SELECT n.id, n.institution_id, n.status, n.share_mode, n.retired_at IS NOT NULL AS retired,
       r.code AS region_code, r.timezone
FROM instrument n JOIN institution i ON i.id = n.institution_id JOIN region r ON r.code = i.region_code
WHERE n.id = $1
"""

#: The booker's membership of their stated institution, when in force, locked FOR SHARE: a
#: revocation (which updates the row) waits for the booking's commit, and a booking that
#: starts after the revocation committed re-reads the row and finds it no longer verified.
MEMBERSHIP_FOR_SHARE = """
    SELECT true AS ok FROM membership m
    WHERE m.user_id = {user} AND m.institution_id = {institution} AND m.state = 'verified'
      AND (m.ends_at IS NULL OR m.ends_at > {now})
    FOR SHARE OF m"""

# Instrument, effective policy (the instrument's row, else its institution's) and the booker's
# institution kind in one round trip: this runs on every booking request.
_CONTEXT = f"""
SELECT n.id, n.institution_id, n.status, n.share_mode, n.retired_at IS NOT NULL AS retired,
       r.code AS region_code, r.timezone, {policies_sql.POLICY_COLUMNS},
       (SELECT kind FROM institution WHERE id = $2) AS booker_kind,
       coalesce(ms.ok, false) AS booker_verified,
       ARRAY(SELECT row(weekday, opens, closes) FROM opening_hours WHERE instrument_id = n.id) AS weekly,
       ARRAY(SELECT row(day, opens, closes) FROM calendar_exception
             WHERE instrument_id = n.id AND day BETWEEN $3 AND $4 ORDER BY id) AS exceptions
FROM instrument n JOIN institution i ON i.id = n.institution_id JOIN region r ON r.code = i.region_code
{policies_sql.effective_policy("n")}
LEFT JOIN LATERAL ({MEMBERSHIP_FOR_SHARE.format(user="$5", institution="$2", now="$6")}) ms ON true
WHERE n.id = $1
"""


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
    row = await conn.fetchrow(_INSTRUMENT, instrument_id)
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
        _CONTEXT, instrument_id, user.institution_id, first, last, user.user_id, now
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

#: The booker's bookings that count against their limits, in two index-friendly parts.
#: Active ones through the exclusion constraint's partial GiST index (this instrument's
#: calendar, then the instrument itself, as limits are per instrument): those
#: near the window, and every one ending after `now`, for the future counts. Used (completed)
#: and missed (no-show) ones near the window through `booking_user_idx` (this user, a bounded
#: range of starts). A completed booking counts up to its check-out (the rest of the slot was
#: given back); a no-show in full (nobody else could use the time).
_USER_LOAD = f"""
SELECT b.starts_at, b.ends_at, true AS active
FROM booking b
WHERE {SAME_CALENDAR} AND b.instrument_id = $1 AND b.user_id = $2 AND b.kind = 'booking'
  AND b.status IN {ACTIVE_SQL} AND b.id <> ALL($6::bigint[])
  AND (b.ends_at > $5 OR (b.starts_at < $4 AND b.ends_at > $3))
UNION ALL
SELECT b.starts_at,
       CASE WHEN b.status = 'completed' THEN greatest(b.starts_at, least(b.ends_at, coalesce(
           (SELECT s.ended_at FROM usage_session s WHERE s.booking_id = b.id), b.ends_at)))
            ELSE b.ends_at END,
       false
FROM booking b
WHERE b.user_id = $2 AND b.starts_at >= $3 - $7::interval AND b.starts_at < $4
  AND b.instrument_id = $1 AND b.kind = 'booking' AND b.status IN ('completed', 'no_show')
  AND b.ends_at > $3 AND b.id <> ALL($6::bigint[])
"""


async def user_load(
    conn: asyncpg.Connection,
    instrument_id: int,
    user_id: int,
    around: tuple[datetime, datetime],
    now: datetime,
    exclude: list[int] | None = None,
) -> Load:
    """The booker's bookings on the instrument within a fortnight of `around` (active, used
    or missed), and the count and hours of their active bookings ahead."""
    lo, hi = around[0] - timedelta(days=8), around[1] + timedelta(days=8)
    rows = await conn.fetch(
        _USER_LOAD, instrument_id, user_id, lo, hi, now, exclude or [], LONGEST_PAST
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
    from_status: str | None,
    to_status: str | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO booking_event (booking_id, actor_user_id, action, from_status, to_status,
                                      reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
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
    rows = await conn.fetch(
        """SELECT user_id FROM instrument_manager WHERE instrument_id = $1
           UNION
           SELECT a.user_id FROM institution_admin a JOIN instrument n ON n.institution_id = a.institution_id
           WHERE n.id = $1 AND NOT EXISTS (SELECT 1 FROM instrument_manager WHERE instrument_id = $1)""",
        instrument_id,
    )
    return sorted(r["user_id"] for r in rows)


async def lock_booking(conn: asyncpg.Connection, booking_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS}, n.institution_id AS instrument_institution_id "
        "FROM booking b JOIN instrument n ON n.id = b.instrument_id WHERE b.id = $1 FOR UPDATE OF b",
        booking_id,
    )
    if row is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    return row


def notice_payload(**extra: Any) -> dict[str, Any]:
    """What a notification needs beyond its booking (a reason, alternatives, the change); the
    booking itself is snapshotted by `outbox.store.enqueue` in the same statement."""
    return {key: value for key, value in extra.items() if value not in (None, "")}
