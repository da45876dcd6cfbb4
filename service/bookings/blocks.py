"""Maintenance blocks: rows of kind `maintenance` in the booking table, so the same exclusion
constraint keeps them apart from bookings. Placing one over bookings needs an explicit choice:
fail and list them, or cancel them and tell their users, with alternatives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability import service as availability
from service.bookings import store, writes
from service.bookings.policy import load_policy
from service.bookings.schemas import BlockIn, BlockOut, DisplacedOut
from service.common.i18n import pick
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, Forbidden, NotFound
from service.notifications.outbox import enqueue

_BLOCK = "b.id, b.instrument_id, b.starts_at, b.ends_at, b.purpose, b.status, b.created_at"


def _block_out(row: Any, displaced: list[DisplacedOut] | None = None) -> BlockOut:
    return BlockOut(
        id=row["id"],
        instrument_id=row["instrument_id"],
        start=row["starts_at"],
        end=row["ends_at"],
        reason=row["purpose"],
        status=row["status"],
        created_at=row["created_at"],
        displaced=displaced or [],
    )


async def _managed_instrument(conn: asyncpg.Connection, user: Principal, instrument_id: int) -> Any:
    inst = await store.instrument_facts(conn, instrument_id)
    if not user.can_manage_instrument(inst.id, inst.institution_id):
        raise Forbidden(
            pick(
                user.language,
                "只有仪器负责人或单位管理员可以管理维护时段。",
                "Only the instrument's managers or institution admins manage its blocks.",
            )
        )
    return inst


async def _in_the_way(
    conn: asyncpg.Connection, instrument_id: int, start: datetime, end: datetime
) -> list[Any]:
    return list(
        await conn.fetch(
            f"""SELECT {store.COLUMNS} FROM booking b
            WHERE {store.SAME_CALENDAR} AND b.kind = 'booking' AND b.status IN {store.ACTIVE_SQL}
              AND tstzrange(b.starts_at, b.occupied_until, '[)') && tstzrange($2, $3, '[)')
            ORDER BY b.starts_at FOR UPDATE OF b""",
            instrument_id,
            start,
            end,
        )
    )


def displaced_out(rows: list[Any]) -> list[DisplacedOut]:
    return [
        DisplacedOut(
            id=r["id"],
            start=r["starts_at"],
            end=r["ends_at"],
            status=r["status"],
            user_id=r["user_id"],
        )
        for r in rows
    ]


async def place_block(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: BlockIn,
    now: datetime,
    dry_run: bool = False,
) -> BlockOut | list[DisplacedOut]:
    """The new block; with `dry_run` only the bookings it would displace, nothing written."""
    writes.check_bounds(data.start, data.end, user.language)

    async def work(conn: asyncpg.Connection) -> BlockOut | list[DisplacedOut]:
        inst = await _managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
        rows = await _in_the_way(conn, inst.id, data.start, data.end)
        if dry_run:
            return displaced_out(rows)
        if rows and data.on_conflict == "fail":
            raise refuse_displacing(user.language, rows, "维护时段", "block")
        cancelled = [await cancel_displaced(conn, user, row, data.reason, now) for row in rows]
        block = await conn.fetchrow(
            f"""INSERT INTO booking AS b (kind, instrument_id, user_id, starts_at, ends_at,
                    occupied_until, status, purpose, booker_institution_id, booker_region_code)
                VALUES ('maintenance', $1, $2, $3, $4, $4, 'confirmed', $5, $6, $7)
                RETURNING {_BLOCK}""",
            inst.id,
            user.user_id,
            data.start,
            data.end,
            data.reason,
            user.institution_id,
            user.region_code,
        )
        for new in cancelled:
            await tell_displaced(conn, new, data.reason, now)
        return _block_out(block, displaced_out(rows))

    try:
        return await db.in_transaction(work)
    except asyncpg.ExclusionViolationError:
        raise Conflict(
            pick(
                user.language,
                "该时段已有维护时段或预约（含共用同一设备的仪器）。",
                "The time overlaps another maintenance block or a booking (instruments sharing "
                "the resource included).",
            )
        ) from None


def refuse_displacing(lang: str, rows: list[Any], what_zh: str, what_en: str) -> Conflict:
    """The 409 of a block or closure with bookings in the way and `on_conflict=fail`."""
    return Conflict(
        pick(
            lang,
            f"{what_zh}与已有预约冲突；如需取消这些预约，请使用 on_conflict=cancel。",
            f"The {what_en} overlaps bookings; send on_conflict=cancel to cancel them.",
        ),
        extra={"displaced": msgspec.to_builtins(displaced_out(rows))},
    )


async def cancel_displaced(
    conn: asyncpg.Connection, user: Principal, row: Any, reason: str, now: datetime
) -> Any:
    new = await conn.fetchrow(
        f"""UPDATE booking b SET status = 'cancelled', version = version + 1, updated_at = $2
            WHERE id = $1 RETURNING {store.COLUMNS}""",
        row["id"],
        now,
    )
    await store.record_event(
        conn, row["id"], user.user_id, "displaced", row["status"], "cancelled", reason
    )
    return new


async def tell_displaced(
    conn: asyncpg.Connection,
    row: Any,
    reason: str,
    now: datetime,
    kind: str = "booking_displaced",
) -> None:
    """The user hears why, with the next free slots (the block or closure already counted)
    and other instruments."""
    policy = await load_policy(conn, row["instrument_id"])
    duration: timedelta = row["ends_at"] - row["starts_at"]
    slots = await availability.next_free_slots(
        conn, row["instrument_id"], duration, row["starts_at"], policy, now
    )
    others = await availability.alternative_instruments(
        conn, row["instrument_id"], row["starts_at"], row["ends_at"], row["booker_region_code"]
    )
    alternatives = {
        "slots": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in slots],
        "instruments": msgspec.to_builtins(others),
    }
    await enqueue(
        conn,
        kind=kind,
        user_id=row["user_id"],
        booking_id=row["id"],
        dedupe_key=f"{kind}:{row['id']}:v{row['version']}",
        payload=store.notice_payload(reason=reason, alternatives=alternatives),
    )


async def list_blocks(
    db: Database,
    instrument_id: int,
    start: datetime | None,
    end: datetime | None,
    include_cancelled: bool,
) -> list[BlockOut]:
    rows = await db.fetch(
        f"""SELECT {_BLOCK} FROM booking b
            WHERE b.instrument_id = $1 AND b.kind = 'maintenance'
              AND ($2::timestamptz IS NULL OR b.ends_at > $2) AND ($3::timestamptz IS NULL OR b.starts_at < $3)
              AND ($4 OR b.status = 'confirmed')
            ORDER BY b.starts_at""",
        instrument_id,
        start,
        end,
        include_cancelled,
    )
    return [_block_out(r) for r in rows]


async def remove_block(
    db: Database, user: Principal, instrument_id: int, block_id: int, now: datetime
) -> None:
    async def work(conn: asyncpg.Connection) -> None:
        inst = await _managed_instrument(conn, user, instrument_id)
        row = await conn.fetchrow(
            "SELECT id, status FROM booking WHERE id = $1 AND instrument_id = $2 AND kind = 'maintenance' FOR UPDATE",
            block_id,
            inst.id,
        )
        if row is None:
            raise NotFound(f"Block {block_id} does not exist on instrument {instrument_id}.")
        if row["status"] != "cancelled":
            await conn.execute(
                "UPDATE booking SET status = 'cancelled', version = version + 1, updated_at = $2 WHERE id = $1",
                block_id,
                now,
            )
            await store.record_event(
                conn, block_id, user.user_id, "block_removed", row["status"], "cancelled"
            )

    await db.in_transaction(work)
