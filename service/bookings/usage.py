"""Usage sessions entered by managers: what really happened, the raw material of the metrics.

A session snapshots the user's institution and region at the time of use. Use by the owning
group without a booking or a named user counts as internal use of the owning institution.

Usage that adds up:
- two sessions of one instrument never overlap (the exclusion constraint
  `usage_session_no_overlap`; an overlap is answered 409 with the taken intervals);
- a session on a booking needs a booking that happened: a cancelled, rejected, expired or still
  undecided booking is refused (409); a no-show becomes completed, because the recorded use is
  the evidence the slot was used, so the slot never counts as both used and missed. The booking
  row is locked first, so the no-show job and a late entry cannot both win;
- the session keeps the booking's user and, unless told otherwise, its service way, however late
  it is entered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.accounts.membership import in_force
from service.accounts.principal import Principal
from service.bookings import sql, store
from service.bookings.schemas import UsageIn, UsageOut
from service.common.codes import KEPT
from service.common.i18n import pick
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, Unprocessable

#: Booking states a session may be recorded on (the bookings that were due to happen); a
#: no-show turns into completed.
USABLE = frozenset(KEPT)


def usage_out(row: Any) -> UsageOut:
    values = dict(row)
    values["start"], values["end"] = values.pop("started_at"), values.pop("ended_at")
    return UsageOut(**values)


def require_manager(user: Principal, instrument_id: int, institution_id: int) -> None:
    if not user.can_manage_instrument(instrument_id, institution_id):
        raise Forbidden(
            pick(
                user.language,
                "只有仪器负责人或单位管理员可以记录和查看使用记录。",
                "Only the instrument's managers or institution admins record and read usage.",
            )
        )


def check_times(user: Principal, start: datetime, end: datetime, now: datetime) -> None:
    if end <= start or start > now:
        msg = pick(
            user.language,
            "使用记录的结束须晚于开始，且开始不能在未来。",
            "Usage must end after it starts and cannot start in the future.",
        )
        raise Unprocessable(msg, extra={"violations": [{"rule": "usage_times", "message": msg}]})


async def who(
    conn: asyncpg.Connection, inst: Any, user_id: int | None, institution_id: int | None,
    *, email: str | None = None,
) -> tuple[int | None, int, str]:  # fmt: skip
    """(user, institution, region) of a session without a booking: the named user (by id or
    e-mail address), the named institution, or else the owner itself."""
    if user_id is not None or email:
        row = await conn.fetchrow(sql.USER_BY_ID_OR_EMAIL, user_id, (email or "").strip())
        if row is None:
            raise NotFound(f"User {user_id or email} does not exist.")
        return row["id"], row["institution_id"], row["region_code"]
    if institution_id is not None:
        region = await conn.fetchval(sql.REGION_OF_INSTITUTION, institution_id)
        if region is None:
            raise NotFound(f"Institution {institution_id} does not exist.")
        return None, institution_id, region
    return None, inst.institution_id, inst.region_code


async def overlap_conflict(
    conn: asyncpg.Connection, user: Principal, instrument_id: int, span: tuple[Any, Any],
    *, session_id: int | None = None,
) -> Conflict:  # fmt: skip
    taken = await conn.fetch(sql.OVERLAPPING_SESSIONS, instrument_id, span[0], span[1], session_id)
    return Conflict(
        pick(
            user.language,
            "该时段与此仪器已有的使用记录重叠。",
            "This time overlaps usage already recorded on this instrument.",
        ),
        extra={"conflicts": [{"start": r["start"], "end": r["end"]} for r in taken]},
    )


async def _usable_booking(
    conn: asyncpg.Connection, user: Principal, instrument_id: int, booking_id: int
) -> asyncpg.Record:
    row = await conn.fetchrow(sql.LOCK_BOOKING_FOR_USAGE, booking_id, instrument_id)
    if row is None:
        raise NotFound(f"Booking {booking_id} does not exist on this instrument.")
    if row["used"]:
        raise Conflict(
            pick(user.language, "该预约已有使用记录。", "This booking already has a usage session.")
        )
    if row["status"] not in USABLE:
        raise Conflict(
            pick(
                user.language,
                f"预约状态为 {row['status']}（未发生），不能记录使用。",
                f"A booking in status '{row['status']}' did not happen; usage cannot be recorded on it.",
            ),
            extra={"booking_status": row["status"]},
        )
    return row


async def _mark_used(
    conn: asyncpg.Connection, user: Principal, booking: Any, now: datetime
) -> None:
    """A confirmed, in-use or no-show booking with recorded use is completed."""
    if booking["status"] == "completed":
        return
    await conn.execute(
        sql.COMPLETE_BOOKING,
        booking["id"],
        now,
    )
    await store.record_event(
        conn,
        booking["id"],
        user.user_id,
        "usage_recorded",
        from_status=booking["status"],
        to_status="completed",
    )


async def record_usage(
    db: Database, user: Principal, instrument_id: int, data: UsageIn, *, now: datetime
) -> UsageOut:
    check_times(user, data.start, data.end, now)

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        inst = await store.instrument_facts(conn, instrument_id)
        require_manager(user, inst.id, inst.institution_id)
        booking = None
        if data.booking_id is not None:
            booking = await _usable_booking(conn, user, inst.id, data.booking_id)
            person: tuple[int | None, int, str] = (
                booking["user_id"], booking["booker_institution_id"], booking["booker_region_code"]
            )  # fmt: skip
        else:
            person = await who(
                conn, inst, data.user_id, data.user_institution_id, email=data.user_email
            )
        user_id, institution, region = person
        # Use by the owning group without a named user is internal by definition; a named
        # user counts as a member only while their membership is in force.
        verified = user_id is None or await in_force(conn, user_id, institution, now)
        external = institution != inst.institution_id or not verified
        way = data.service_way or (booking["service_way"] if booking else "occupy")
        await conn.execute(sql.CLOSE_FINISHED_SESSIONS, inst.id, data.start)
        if booking is not None:
            await _mark_used(conn, user, booking, now)
        try:
            async with conn.transaction():  # a savepoint: the overlap is looked up after it
                return await conn.fetchrow(
                    sql.INSERT_SESSION, inst.id, data.booking_id, user_id, institution, region,
                    external, region != inst.region_code, data.start, data.end, way,
                    data.samples, data.amount, data.note, user.user_id, verified,
                )  # fmt: skip
        except asyncpg.ExclusionViolationError:
            raise await overlap_conflict(conn, user, inst.id, (data.start, data.end)) from None

    return usage_out(await db.in_transaction(work))


async def list_usage(
    db: Database,
    user: Principal,
    instrument_id: int,
    start: datetime | None,
    *,
    end: datetime | None,
    page: int,
    page_size: int,
) -> Page[UsageOut]:
    inst = await db.fetchrow(sql.INSTRUMENT_OWNER, instrument_id)
    if inst is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    if not user.can_read_records(inst["institution_id"]):
        require_manager(user, inst["id"], inst["institution_id"])
    rows = await db.fetch(
        sql.SESSIONS_PAGE,
        instrument_id,
        start,
        end,
        page_size,
        offset(page, page_size),
    )
    total = rows[0]["total"] if rows else 0
    return Page(
        items=[usage_out({k: v for k, v in r.items() if k != "total"}) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
