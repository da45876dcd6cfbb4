"""Booking policies as owners edit them: per instrument, and the institution-wide default."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability.calendar import managed_instrument
from service.availability.rules import policy_violations
from service.availability.schemas import PolicyIn, PolicyOut
from service.bookings.policy import POLICY_FIELDS, Policy, load_policy, policy_from_row
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Forbidden, NotFound, Unprocessable

_COLUMNS = ", ".join(POLICY_FIELDS)
_PARAMS = ", ".join(f"${i + 2}" for i in range(len(POLICY_FIELDS)))
_UPDATES = ", ".join(f"{f} = EXCLUDED.{f}" for f in POLICY_FIELDS)


def _upsert(owner: str) -> str:
    return (
        f"INSERT INTO booking_policy ({owner}, {_COLUMNS}) VALUES ($1, {_PARAMS}) "
        f"ON CONFLICT ({owner}) DO UPDATE SET {_UPDATES}, updated_at = now()"
    )


_UPSERT_INSTRUMENT = _upsert("instrument_id")
_UPSERT_INSTITUTION = _upsert("institution_id")


def _values(data: PolicyIn) -> list[Any]:
    values = msgspec.structs.asdict(data)
    values["relaxed_windows"] = [msgspec.structs.asdict(w) for w in data.relaxed_windows]
    return [values[f] for f in POLICY_FIELDS]


def _checked(data: PolicyIn) -> list[Any]:
    problems = policy_violations(data)
    if problems:
        raise Unprocessable("The booking policy is invalid.", extra={"violations": problems})
    return _values(data)


#: The changeover a future booking holds follows the policy when the buffer is lowered: time
#: held under the old, longer buffer is freed at once. A raised buffer applies to bookings
#: made from now on; existing bookings keep the changeover they were accepted with, so
#: raising it never creates an overlap (nor silently cancels anyone). Only bookings whose
#: held time is not yet over are touched; the caller holds each instrument's lock.
_SHRINK_CHANGEOVERS = """
UPDATE booking SET occupied_until = ends_at + make_interval(mins => $2)
WHERE instrument_id = ANY($1::bigint[]) AND kind = 'booking'
  AND status IN ('held', 'pending', 'confirmed', 'in_use')
  AND occupied_until > $3 AND occupied_until > ends_at + make_interval(mins => $2)
"""


async def shrink_changeovers(
    conn: asyncpg.Connection, instrument_ids: list[int], buffer_minutes: int, now: datetime
) -> int:
    """Recompute held changeovers after a policy change; returns how many bookings changed."""
    status = await conn.execute(_SHRINK_CHANGEOVERS, instrument_ids, buffer_minutes, now)
    return int(status.rsplit(" ", 1)[-1])


async def get_instrument_policy(db: Database, user: Principal, instrument_id: int) -> PolicyOut:
    async with db.connection() as conn:
        await managed_instrument(conn, user, instrument_id)
        return PolicyOut.of(await load_policy(conn, instrument_id))


async def put_instrument_policy(
    db: Database, user: Principal, instrument_id: int, data: PolicyIn, now: datetime
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        await conn.execute(_UPSERT_INSTRUMENT, instrument_id, *values)
        await shrink_changeovers(conn, [instrument_id], data.buffer_minutes, now)
        return PolicyOut.of(await load_policy(conn, instrument_id))

    return await db.in_transaction(work)


async def _administered(conn: asyncpg.Connection, user: Principal, institution_id: int) -> None:
    exists = await conn.fetchval("SELECT true FROM institution WHERE id = $1", institution_id)
    if not exists:
        raise NotFound(f"Institution {institution_id} does not exist.")
    if not user.is_admin_of(institution_id):
        raise Forbidden("Only the institution's admins may change its default policy.")


async def _institution_policy(conn: asyncpg.Connection, institution_id: int) -> Policy:
    row = await conn.fetchrow(
        "SELECT *, 'institution' AS src FROM booking_policy WHERE institution_id = $1",
        institution_id,
    )
    return policy_from_row(row) if row else Policy()


async def get_institution_policy(db: Database, user: Principal, institution_id: int) -> PolicyOut:
    async with db.connection() as conn:
        await _administered(conn, user, institution_id)
        return PolicyOut.of(await _institution_policy(conn, institution_id))


async def put_institution_policy(
    db: Database, user: Principal, institution_id: int, data: PolicyIn, now: datetime
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await _administered(conn, user, institution_id)
        # The instruments that follow this default, each locked (in id order: no deadlock).
        heirs = [
            r["id"]
            for r in await conn.fetch(
                """SELECT n.id FROM instrument n WHERE n.institution_id = $1 AND NOT EXISTS (
                       SELECT 1 FROM booking_policy p WHERE p.instrument_id = n.id)
                   ORDER BY n.id""",
                institution_id,
            )
        ]
        for heir in heirs:
            await advisory_xact_lock(conn, LOCK_INSTRUMENT, heir)
        await conn.execute(_UPSERT_INSTITUTION, institution_id, *values)
        await shrink_changeovers(conn, heirs, data.buffer_minutes, now)
        return PolicyOut.of(await _institution_policy(conn, institution_id))

    return await db.in_transaction(work)
