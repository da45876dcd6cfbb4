"""Booking policies as owners edit them: per instrument, and the institution-wide default."""

from __future__ import annotations

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


async def get_instrument_policy(db: Database, user: Principal, instrument_id: int) -> PolicyOut:
    async with db.connection() as conn:
        await managed_instrument(conn, user, instrument_id)
        return PolicyOut.of(await load_policy(conn, instrument_id))


async def put_instrument_policy(
    db: Database, user: Principal, instrument_id: int, data: PolicyIn
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        await conn.execute(_UPSERT_INSTRUMENT, instrument_id, *values)
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
    db: Database, user: Principal, institution_id: int, data: PolicyIn
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await _administered(conn, user, institution_id)
        await conn.execute(_UPSERT_INSTITUTION, institution_id, *values)
        return PolicyOut.of(await _institution_policy(conn, institution_id))

    return await db.in_transaction(work)
