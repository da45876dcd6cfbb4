"""Usage sessions entered by managers: what really happened, the raw material of the metrics.

A session snapshots the user's institution and region at the time of use. Use by the owning
group without a booking or a named user counts as internal use of the owning institution.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from service.accounts.membership import in_force
from service.accounts.principal import Principal
from service.bookings import store
from service.bookings.schemas import UsageIn, UsageOut
from service.bookings.transitions import close_session
from service.common.i18n import pick
from service.common.pagination import offset
from service.common.schemas import Page
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, Unprocessable

_COLUMNS = """id, instrument_id, booking_id, user_id, user_institution_id, user_region_code,
    is_external, is_cross_region, affiliation_verified, started_at, ended_at, service_way, samples,
    amount, note, recorded_by"""


def _out(row: Any) -> UsageOut:
    values = dict(row)
    values["start"], values["end"] = values.pop("started_at"), values.pop("ended_at")
    return UsageOut(**values)


def _require_manager(user: Principal, instrument_id: int, institution_id: int) -> None:
    if not user.can_manage_instrument(instrument_id, institution_id):
        raise Forbidden(
            pick(
                user.language,
                "只有仪器负责人或单位管理员可以记录和查看使用记录。",
                "Only the instrument's managers or institution admins record and read usage.",
            )
        )


async def _who(conn: asyncpg.Connection, inst: Any, data: UsageIn) -> tuple[int | None, int, str]:
    """(user, institution, region) of the session: from the booking, the user, or the owner."""
    if data.booking_id is not None:
        row = await conn.fetchrow(
            "SELECT user_id, booker_institution_id, booker_region_code FROM booking "
            "WHERE id = $1 AND instrument_id = $2 AND kind = 'booking'",
            data.booking_id,
            inst.id,
        )
        if row is None:
            raise NotFound(f"Booking {data.booking_id} does not exist on this instrument.")
        return row["user_id"], row["booker_institution_id"], row["booker_region_code"]
    if data.user_id is not None:
        row = await conn.fetchrow(
            "SELECT u.id, u.institution_id, i.region_code FROM app_user u "
            "JOIN institution i ON i.id = u.institution_id WHERE u.id = $1",
            data.user_id,
        )
        if row is None:
            raise NotFound(f"User {data.user_id} does not exist.")
        return row["id"], row["institution_id"], row["region_code"]
    return None, inst.institution_id, inst.region_code


async def record_usage(
    db: Database, user: Principal, instrument_id: int, data: UsageIn, now: datetime
) -> UsageOut:
    if data.end <= data.start or data.start > now:
        msg = pick(
            user.language,
            "使用记录的结束须晚于开始，且开始不能在未来。",
            "Usage must end after it starts and cannot start in the future.",
        )
        raise Unprocessable(msg, extra={"violations": [{"rule": "usage_times", "message": msg}]})

    async def work(conn: asyncpg.Connection) -> asyncpg.Record:
        inst = await store.instrument_facts(conn, instrument_id)
        _require_manager(user, inst.id, inst.institution_id)
        who, institution, region = await _who(conn, inst, data)
        # Use by the owning group without a named user is internal by definition; a named
        # user counts as a member only while their membership is in force.
        verified = who is None or await in_force(conn, who, institution, now)
        try:
            row = await conn.fetchrow(
                f"""INSERT INTO usage_session (instrument_id, booking_id, user_id, user_institution_id,
                        user_region_code, is_external, is_cross_region, started_at, ended_at,
                        service_way, samples, amount, note, recorded_by, affiliation_verified)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                    RETURNING {_COLUMNS}""",
                inst.id,
                data.booking_id,
                who,
                institution,
                region,
                institution != inst.institution_id or not verified,
                region != inst.region_code,
                data.start,
                data.end,
                data.service_way,
                data.samples,
                data.amount,
                data.note,
                user.user_id,
                verified,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                pick(
                    user.language,
                    "该预约已有使用记录。",
                    "This booking already has a usage session.",
                )
            ) from None
        if data.booking_id is not None:
            await _complete_booking(conn, user, data.booking_id, now)
        return row

    return _out(await db.in_transaction(work))


async def _complete_booking(
    conn: asyncpg.Connection, user: Principal, booking_id: int, now: datetime
) -> None:
    old = await conn.fetchval("SELECT status FROM booking WHERE id = $1 FOR UPDATE", booking_id)
    if old in ("confirmed", "in_use"):
        await conn.execute(
            "UPDATE booking SET status = 'completed', version = version + 1, updated_at = $2 WHERE id = $1",
            booking_id,
            now,
        )
        await close_session(conn, booking_id, now)
        await store.record_event(conn, booking_id, user.user_id, "usage_recorded", old, "completed")


async def list_usage(
    db: Database,
    user: Principal,
    instrument_id: int,
    start: datetime | None,
    end: datetime | None,
    page: int,
    page_size: int,
) -> Page[UsageOut]:
    inst = await db.fetchrow(
        "SELECT id, institution_id FROM instrument WHERE id = $1", instrument_id
    )
    if inst is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    _require_manager(user, inst["id"], inst["institution_id"])
    rows = await db.fetch(
        f"""SELECT {_COLUMNS}, count(*) OVER () AS total FROM usage_session
            WHERE instrument_id = $1 AND ($2::timestamptz IS NULL OR coalesce(ended_at, 'infinity') > $2)
              AND ($3::timestamptz IS NULL OR started_at < $3)
            ORDER BY started_at DESC, id DESC LIMIT $4 OFFSET $5""",
        instrument_id,
        start,
        end,
        page_size,
        offset(page, page_size),
    )
    total = rows[0]["total"] if rows else 0
    return Page(
        items=[_out({k: v for k, v in r.items() if k != "total"}) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
