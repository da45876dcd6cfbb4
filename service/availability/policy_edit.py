"""Booking policies as owners edit them: per instrument, and the institution-wide default."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.catalog.instruments import managed_instrument
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Forbidden, NotFound, Unprocessable
from service.policies import store
from service.policies.rules import policy_violations
from service.policies.schemas import POLICY_FIELDS, PolicyIn, PolicyOut


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
        return PolicyOut.of(await store.load_policy(conn, instrument_id))


async def put_instrument_policy(
    db: Database, user: Principal, instrument_id: int, data: PolicyIn, *, now: datetime
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        await store.save_instrument_policy(conn, instrument_id, values)
        await store.shrink_changeovers(conn, [instrument_id], data.buffer_minutes, now)
        return PolicyOut.of(await store.load_policy(conn, instrument_id))

    return await db.in_transaction(work)


async def _administered(conn: asyncpg.Connection, user: Principal, institution_id: int) -> None:
    if not await store.institution_exists(conn, institution_id):
        raise NotFound(f"Institution {institution_id} does not exist.")
    if not user.is_admin_of(institution_id):
        raise Forbidden("Only the institution's admins may change its default policy.")


async def get_institution_policy(db: Database, user: Principal, institution_id: int) -> PolicyOut:
    async with db.connection() as conn:
        await _administered(conn, user, institution_id)
        return PolicyOut.of(await store.institution_policy(conn, institution_id))


async def put_institution_policy(
    db: Database, user: Principal, institution_id: int, data: PolicyIn, *, now: datetime
) -> PolicyOut:
    values = _checked(data)

    async def work(conn: asyncpg.Connection) -> PolicyOut:
        await _administered(conn, user, institution_id)
        # The instruments that follow this default, each locked (in id order: no deadlock).
        heirs = await store.heirs(conn, institution_id)
        for heir in heirs:
            await advisory_xact_lock(conn, LOCK_INSTRUMENT, heir)
        await store.save_institution_policy(conn, institution_id, values)
        await store.shrink_changeovers(conn, heirs, data.buffer_minutes, now)
        return PolicyOut.of(await store.institution_policy(conn, institution_id))

    return await db.in_transaction(work)
