"""Reading bookings: lists by scope, one booking, its history, the approval queue.

Visibility: the booker, the instrument's managers, its institution's admins and platform admins.
Anyone else gets 404, as if the booking did not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from service.accounts.principal import Principal
from service.bookings import sql, store
from service.bookings.schemas import ApprovalOut, BookingOut, EventOut
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import NotFound


class BookingFilter(msgspec.Struct, frozen=True):
    scope: str = "mine"
    instrument_id: int | None = None
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    #: Only completed bookings the booker has not rated yet (a rating is final, one each).
    unrated: bool = False
    #: Latest start first (histories: what happened last is what people look for).
    newest_first: bool = False


def _where(user: Principal, f: BookingFilter) -> tuple[str, list[Any]]:
    if f.scope == "managed":
        args: list[Any] = [list(user.manages), list(user.admin_of), user.is_platform_admin]
        clauses = ["b.kind = 'booking'", sql.MANAGED_BY_CALLER]
    else:
        args, clauses = [user.user_id], ["b.kind = 'booking'", "b.user_id = $1"]
    for column, op, value in (
        ("b.instrument_id", "=", f.instrument_id),
        ("b.status", "=", f.status),
        ("b.occupied_until", ">", f.start),
        ("b.starts_at", "<", f.end),
    ):
        if value is not None:
            args.append(value)
            clauses.append(f"{column} {op} ${len(args)}")
    if f.unrated:
        clauses.append(sql.UNRATED)
    return " AND ".join(clauses), args


async def list_bookings(
    db: Database, user: Principal, f: BookingFilter, page: int, *, page_size: int
) -> Page[BookingOut]:
    where, args = _where(user, f)
    n = len(args)
    rows = await db.fetch(
        sql.list_bookings(where, n, newest_first=f.newest_first),
        *args,
        page_size,
        offset(page, page_size),
    )
    total = rows[0]["total"] if rows else await db.fetchval(sql.count_bookings(where), *args)
    return Page(
        items=[store.booking_out(r) for r in rows], total=total, page=page, page_size=page_size
    )


def can_see(user: Principal, row: Any) -> bool:
    return row["user_id"] == user.user_id or user.can_manage_instrument(
        row["instrument_id"], row["instrument_institution_id"]
    )


async def get_booking(db: Database, user: Principal, booking_id: int) -> BookingOut:
    row = await db.fetchrow(
        sql.BOOKING_WITH_INSTITUTION,
        booking_id,
    )
    if row is None or not can_see(user, row):
        raise NotFound(f"Booking {booking_id} does not exist.")
    return store.booking_out(row)


async def history(db: Database, user: Principal, booking_id: int) -> list[EventOut]:
    await get_booking(db, user, booking_id)
    rows = await db.fetch(sql.HISTORY, booking_id)
    return [EventOut(**dict(r)) for r in rows]


async def approvals(db: Database, user: Principal, page: int, page_size: int) -> Page[ApprovalOut]:
    args = [list(user.manages), list(user.admin_of), user.is_platform_admin]
    rows = await db.fetch(
        sql.APPROVALS_PAGE,
        *args,
        page_size,
        offset(page, page_size),
    )
    items = [
        ApprovalOut(
            booking=store.booking_out(r),
            instrument_name_zh=r["instrument_zh"],
            instrument_name_en=r["instrument_en"],
            requester_name=r["display_name"],
            requester_email=r["email"],
            requester_phone=r["phone"],
            requester_institution_id=r["booker_institution_id"],
            requester_institution_zh=r["inst_zh"],
            requester_institution_en=r["inst_en"],
            requester_region_code=r["booker_region_code"],
            requester_region_zh=r["region_zh"],
            requester_region_en=r["region_en"],
        )
        for r in rows
    ]
    return Page(items=items, total=rows[0]["total"] if rows else 0, page=page, page_size=page_size)


async def managed_block(
    db: Database, user: Principal, booking_id: int
) -> tuple[BookingOut, list[EventOut]]:
    """A maintenance block and its history, for the instrument's managers; 404 for everyone
    else (a block is no booking of theirs)."""
    row = await db.fetchrow(sql.MAINTENANCE_BLOCK, booking_id)
    if row is None or not user.can_manage_instrument(
        row["instrument_id"], row["instrument_institution_id"]
    ):
        raise NotFound(f"Booking {booking_id} does not exist.")
    events = await db.fetch(sql.HISTORY, booking_id)
    return store.booking_out(row), [EventOut(**dict(e)) for e in events]
