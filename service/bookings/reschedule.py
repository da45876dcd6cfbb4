"""Changing a booking (times, purpose, service way) under optimistic concurrency.

The caller proves which version it saw with `If-Match`; the row lock makes the second of two
concurrent edits see the first one's new version and fail with 412 instead of overwriting it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.bookings import admission, sql, store
from service.bookings.create import taken
from service.bookings.rules import BookerFacts, InstrumentFacts, Request
from service.bookings.schemas import BookingOut, BookingPatchIn
from service.bookings.transitions import authorize
from service.common.codes import RESCHEDULABLE
from service.common.i18n import pick
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired
from service.outbox.store import enqueue
from service.policies.store import load_policy


def etag(booking_id: int, version: int) -> str:
    return f'"{booking_id}-{version}"'


def parse_if_match(header: str | None, booking_id: int, lang: str) -> int:
    """The version named by `If-Match` (strong or weak form of our ETag), -1 if none matches."""
    if not header:
        raise PreconditionRequired(
            pick(
                lang,
                "修改预约需要 If-Match 请求头（取自 ETag）。",
                "Changing a booking needs an If-Match header (from its ETag).",
            )
        )
    for tag in header.split(","):
        value = tag.strip().removeprefix("W/").strip('"')
        ident, _, version = value.partition("-")
        if ident == str(booking_id) and version.isdigit():
            return int(version)
    return -1  # another booking or no version: 412 once the caller may see this one


async def reschedule(
    db: Database,
    user: Principal,
    booking_id: int,
    expected: int,
    *,
    data: BookingPatchIn,
    now: datetime,
) -> BookingOut:
    instrument_id = await db.fetchval(sql.INSTRUMENT_OF_BOOKING, booking_id)
    if instrument_id is None:
        raise NotFound(f"Booking {booking_id} does not exist.")

    target: list[datetime] = []

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
        row = await store.lock_booking(conn, booking_id)
        authorize(user, row, managers_only=False)
        if row["kind"] != "booking":
            raise NotFound(f"Booking {booking_id} does not exist.")
        if row["version"] != expected:
            raise PreconditionFailed(
                pick(
                    user.language,
                    "预约已被他人修改，请重新读取。",
                    "The booking changed since you read it; reload it.",
                ),
                extra={"current_version": row["version"]},
            )
        if row["status"] not in RESCHEDULABLE:
            raise Conflict(
                pick(
                    user.language,
                    f"状态为 {row['status']} 的预约不能修改。",
                    f"A booking in status '{row['status']}' cannot be changed.",
                )
            )
        target[:] = [data.start or row["starts_at"], data.end or row["ends_at"]]
        return await _apply(conn, user, row, data, now=now)

    try:
        return store.booking_out(await db.in_transaction(work))
    except asyncpg.ExclusionViolationError:
        raise await taken(db, user, instrument_id, target[0], end=target[1], now=now) from None


async def _apply(
    conn: asyncpg.Connection, user: Principal, row: Any, data: BookingPatchIn, *, now: datetime
) -> asyncpg.Record:
    start, end = data.start or row["starts_at"], data.end or row["ends_at"]
    admission.check_bounds(start, end, user.language)
    inst = await store.instrument_facts(conn, row["instrument_id"])
    policy = await load_policy(conn, inst.id)
    booker = await _booker_of(conn, row, inst, now)
    req = Request(start=start, end=end, service_way=data.service_way or row["service_way"])
    moved = (start, end) != (row["starts_at"], row["ends_at"])
    violations = (
        await admission.static_check(conn, policy, inst, booker, req=req, now=now)
        if moved or data.service_way
        else []
    )
    if moved:
        violations += await admission.limit_check(
            conn, policy, inst, booker, req=req, now=now, exclude=[row["id"]]
        )
    if violations:
        raise admission.refuse(violations, user.language)
    cols = admission.terms(policy, inst, booker, req, now=now)
    status = cols["status"] if moved else row["status"]
    new = await conn.fetchrow(
        sql.RESCHEDULE,
        row["id"],
        start,
        end,
        cols["occupied_until"],
        data.purpose if data.purpose is not None else row["purpose"],
        req.service_way,
        status,
        cols["approval_deadline"] if status == "pending" else None,
        cols["estimated_cost"],
        now,
    )
    assert new is not None
    changes = {
        "from": [row["starts_at"].isoformat(), row["ends_at"].isoformat()],
        "to": [start.isoformat(), end.isoformat()],
    }
    await store.record_event(
        conn,
        row["id"],
        user.user_id,
        "rescheduled",
        from_status=row["status"],
        to_status=status,
        reason="",
        data=changes,
    )
    await _notify(conn, new, changes)
    return new


async def _booker_of(
    conn: asyncpg.Connection, row: Any, inst: InstrumentFacts, now: datetime
) -> BookerFacts:
    """The rules apply to the booker, also when a manager edits the booking for them."""
    principal_row = await conn.fetchrow(
        sql.BOOKER_FACTS,
        row["user_id"],
        inst.id,
        inst.institution_id,
        row["booker_institution_id"],
        now,
    )
    assert principal_row is not None
    return BookerFacts(
        user_id=row["user_id"],
        institution_id=row["booker_institution_id"],
        institution_kind=principal_row["kind"],
        region_code=row["booker_region_code"],
        language=principal_row["language"],
        is_manager=principal_row["is_manager"],
        verified=principal_row["verified"],
    )


async def _notify(conn: asyncpg.Connection, new: Any, changes: dict[str, Any]) -> None:
    payload = store.notice_payload(changes=changes)
    await enqueue(
        conn,
        kind="booking_rescheduled",
        user_id=new["user_id"],
        booking_id=new["id"],
        dedupe_key=f"booking_rescheduled:{new['id']}:v{new['version']}",
        payload=payload,
    )
    if new["status"] == "pending":
        for manager in await store.manager_ids(conn, new["instrument_id"]):
            await enqueue(
                conn,
                kind="approval_needed",
                user_id=manager,
                booking_id=new["id"],
                dedupe_key=f"approval_needed:{new['id']}:v{new['version']}:u{manager}",
                payload=payload,
            )
