"""Creating bookings: one transaction per request, the exclusion constraint has the last word.

Order inside the transaction: idempotency key (so duplicates wait), facts and static rules,
the per-instrument advisory lock (so a herd queues instead of deadlocking in the GiST index),
per-user limits, insert. A lost race surfaces as 23P01 and becomes a helpful 409.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal, load_principal_by_id
from service.availability.refusal import refusal_for
from service.bookings import admission, idempotency, series, store
from service.bookings.rules import Request
from service.bookings.schemas import BookingIn, BookingOut, SeriesOut
from service.common.i18n import pick
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, Forbidden, Unprocessable

#: Told of each booking attempt once: the error it ended with (None: answered) and whether the
#: answer was a replay. The metrics subscribe (`ops.prometheus`, which sits above bookings).
ATTEMPT_OBSERVERS: list[Callable[[BaseException | None, bool], None]] = []


def _observe(error: BaseException | None, *, replayed: bool = False) -> None:
    for observer in ATTEMPT_OBSERVERS:
        observer(error, replayed)


class Created(msgspec.Struct):
    status: int
    body: Any
    #: The answer of an earlier request with the same `Idempotency-Key`.
    replayed: bool = False


async def create(
    db: Database, user: Principal, data: BookingIn, key: str | None, *, now: datetime
) -> Created:
    """Create a booking or series (or replay an earlier answer); each attempt is counted once
    by outcome by the `ATTEMPT_OBSERVERS` (the Prometheus metrics)."""
    try:
        result = await _create(db, user, data, key, now=now)
    except BaseException as exc:
        _observe(exc)
        raise
    _observe(None, replayed=result.replayed)
    return result


async def _create(
    db: Database, user: Principal, data: BookingIn, key: str | None, *, now: datetime
) -> Created:
    admission.check_bounds(data.start, data.end, user.language)
    target = await _on_behalf_of(db, user, data)
    digest = idempotency.request_digest(data) if key else b""

    async def work(conn: asyncpg.Connection) -> Created:
        if key:
            replay = await idempotency.claim(conn, user.user_id, key, digest, now=now)
            if replay is not None:
                return Created(replay[0], revive(replay[1]), replayed=True)
        if data.recurrence is not None:
            result = Created(
                201, await series.create_series(conn, user, data, now, booker_principal=target)
            )
        else:
            result = Created(201, await create_one(conn, user, data, now, booker_principal=target))
        if key:
            await idempotency.store(conn, user.user_id, key, result.status, body=result.body)
        return result

    try:
        return await db.in_transaction(work)
    except asyncpg.ExclusionViolationError:
        raise await taken(db, user, data.instrument_id, data.start, end=data.end, now=now) from None


async def create_one(
    conn: asyncpg.Connection,
    user: Principal,
    data: BookingIn,
    now: datetime,
    *,
    booker_principal: Principal | None = None,
) -> Any:
    """One booking by `user`, for `booker_principal` when a manager books on a user's behalf
    (the rules are then the user's, the answers in the manager's language)."""
    ctx = await store.context(
        conn, booker_principal or user, data.instrument_id, (data.start, data.end), now=now
    )
    inst, policy = ctx.inst, ctx.policy
    # The rules are the booker's; the messages are for whoever asks.
    booker = msgspec.structs.replace(ctx.booker, language=user.language)
    asked = admission.OnBehalf.of(user, data)
    asked.check(user, inst)
    req = Request(start=data.start, end=data.end, service_way=data.service_way)
    violations = await admission.static_check(conn, policy, inst, booker, req=req, now=now, ctx=ctx)
    if asked.may_lock(violations):
        # Refusals need no lock; limits are read under it only when the booking may go in.
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
    violations += await admission.limit_check(conn, policy, inst, booker, req=req, now=now)
    violations, overridden = asked.sift(violations)
    if violations:
        raise admission.refuse(violations, user.language)
    row = await store.insert_booking(
        conn,
        inst,
        booker,
        req,
        columns=asked.columns(admission.terms(policy, inst, booker, req, now=now)),
        purpose=data.purpose,
        booked_by=asked.booked_by,
        event_data=asked.event(overridden),
    )
    return store.booking_out(row)


async def _on_behalf_of(db: Database, user: Principal, data: BookingIn) -> Principal | None:
    """The user a manager books for (an active account), or None for one's own booking.
    Someone who manages nothing is refused before the lookup, so the answer never tells them
    which accounts exist (whether they manage this instrument is checked under its lock)."""
    if data.on_behalf_of is None:
        return None
    if not (user.is_platform_admin or user.admin_of or user.manages):
        raise Forbidden(admission.only_managers(user.language))
    target = await load_principal_by_id(db, data.on_behalf_of)
    if target is None:
        msg = pick(user.language, "找不到该用户。", "There is no such active user.")
        raise Unprocessable(msg, extra={"violations": [{"rule": "on_behalf_of", "message": msg}]})
    return target


def revive(stored: Any) -> BookingOut | SeriesOut:
    """A stored answer back into its schema, so the replay is encoded byte for byte the same."""
    if isinstance(stored, dict) and "booked" in stored:
        return msgspec.convert(stored, SeriesOut, strict=False)
    return msgspec.convert(stored, BookingOut, strict=False)


def _interval(item: Any) -> dict[str, Any]:
    return {"start": item[0].isoformat(), "end": item[1].isoformat()}


async def taken(
    db: Database,
    user: Principal,
    instrument_id: int,
    start: datetime,
    *,
    end: datetime,
    now: datetime,
) -> Conflict:
    """The 409 for a slot already taken: what is in the way (never whose) and where else to go."""
    async with db.connection() as conn:
        conflicts, slots, others = await refusal_for(
            conn, instrument_id, start, end, user_region=user.region_code, now=now
        )
    detail = pick(user.language, "所选时段已被占用。", "The requested time is already taken.")
    return Conflict(
        detail,
        extra={
            "conflicts": [_public_conflict(c) for c in conflicts],
            "alternatives": {
                "slots": [_interval(s) for s in slots],
                "instruments": msgspec.to_builtins(others),
            },
        },
    )


def _public_conflict(item: dict[str, Any]) -> dict[str, Any]:
    return {"kind": item["kind"], "start": _iso(item["start"]), "end": _iso(item["end"])}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
