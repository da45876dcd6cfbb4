"""Maintenance blocks: rows of kind `maintenance` in the booking table, so the same exclusion
constraint keeps them apart from bookings. Placing one over bookings needs an explicit choice:
fail and list them, or cancel them and tell their users, with alternatives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability import search
from service.availability import store as availability
from service.bookings import admission, recurrence, sql, store
from service.bookings.schemas import (
    BlockIn,
    BlockOut,
    BlockPatchIn,
    BlockRepeatIn,
    BlockSeriesIn,
    BlockSeriesOut,
    DisplacedOut,
)
from service.common.i18n import pick
from service.common.time import local_to_utc
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from service.outbox.store import enqueue
from service.policies.store import load_policy


def _block_out(row: Any, displaced: list[DisplacedOut] | None = None) -> BlockOut:
    return BlockOut(
        id=row["id"],
        instrument_id=row["instrument_id"],
        start=row["starts_at"],
        end=row["ends_at"],
        reason=row["purpose"],
        status=row["status"],
        created_at=row["created_at"],
        version=row["version"],
        series_id=row["series_id"],
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
            sql.BOOKINGS_IN_THE_WAY_FOR_UPDATE,
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


_OVERLAPS_BLOCK = {
    "zh": "该时段已有维护时段或预约（含共用同一设备的仪器）。",
    "en": "The time overlaps another maintenance block or a booking (instruments sharing "
    "the resource included).",
}


async def _insert_block(
    conn: asyncpg.Connection,
    user: Principal,
    instrument_id: int,
    span: tuple[datetime, datetime],
    *,
    reason: str,
    series_id: int | None = None,
) -> Any:
    return await conn.fetchrow(
        sql.INSERT_BLOCK,
        instrument_id,
        user.user_id,
        span[0],
        span[1],
        reason,
        user.institution_id,
        user.region_code,
        series_id,
    )


async def _placed(db: Database, user: Principal, work: Any) -> Any:
    """Run `work` in a transaction; another block or booking racing in ends as a 409."""
    try:
        return await db.in_transaction(work)
    except asyncpg.ExclusionViolationError:
        raise Conflict(pick(user.language, _OVERLAPS_BLOCK["zh"], _OVERLAPS_BLOCK["en"])) from None


async def _clear(
    conn: asyncpg.Connection,
    user: Principal,
    instrument_id: int,
    spans: list[tuple[datetime, datetime]],
    *,
    on_conflict: str,
    reason: str,
    now: datetime,
) -> tuple[list[Any], list[Any]]:
    """The bookings in the way of `spans` (refused with 409 under `fail`) and, under
    `cancel`, the same bookings cancelled. Call under the instrument lock."""
    seen: dict[int, Any] = {}
    for start, end in spans:
        for row in await _in_the_way(conn, instrument_id, start, end):
            seen.setdefault(row["id"], row)
    rows = sorted(seen.values(), key=lambda r: r["starts_at"])
    if rows and on_conflict == "fail":
        raise refuse_displacing(user.language, rows, "维护时段", "block")
    return rows, [await cancel_displaced(conn, user, row, reason, now=now) for row in rows]


async def place_block(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: BlockIn,
    *,
    now: datetime,
    dry_run: bool = False,
) -> BlockOut | list[DisplacedOut]:
    """The new block; with `dry_run` only the bookings it would displace, nothing written."""
    admission.check_bounds(data.start, data.end, user.language)

    async def work(conn: asyncpg.Connection) -> BlockOut | list[DisplacedOut]:
        inst = await _managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
        if dry_run:
            return displaced_out(await _in_the_way(conn, inst.id, data.start, data.end))
        span = (data.start, data.end)
        rows, cancelled = await _clear(
            conn, user, inst.id, [span], on_conflict=data.on_conflict, reason=data.reason, now=now
        )
        block = await _insert_block(conn, user, inst.id, span, reason=data.reason)
        for new in cancelled:
            await tell_displaced(conn, new, data.reason, now)
        return _block_out(block, displaced_out(rows))

    result: BlockOut | list[DisplacedOut] = await _placed(db, user, work)
    return result


def repeat_rule(repeat: BlockRepeatIn) -> str:
    """The RRULE of a block's repetition (expanded by `recurrence.expand`, in local time)."""
    freq = {
        "daily": "FREQ=DAILY",
        "weekly": "FREQ=WEEKLY",
        "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    }[repeat.every]
    if repeat.until is not None:
        return f"{freq};UNTIL={repeat.until:%Y%m%d}T235959"
    return f"{freq};COUNT={repeat.count}"


def occurrences(data: BlockSeriesIn, tz: ZoneInfo, lang: str) -> list[tuple[datetime, datetime]]:
    """UTC spans of every occurrence. Start and end keep their local wall-clock times (and the
    number of dates between them) on each date, so a 08:00-12:00 block stays 08:00-12:00 local
    on both sides of a DST change, even when that makes it an hour longer or shorter."""
    repeat = data.repeat
    if (repeat.count is None) == (repeat.until is None):
        msg = pick(lang, "count 与 until 须且仅须给出一个。", "Give exactly one of count or until.")
        raise Unprocessable(msg, extra={"violations": [{"rule": "repeat", "message": msg}]})
    try:
        starts = recurrence.expand(repeat_rule(repeat), data.start, data.end, tz)
    except recurrence.RecurrenceError as exc:
        msg = pick(lang, f"重复规则无效：{exc}", f"The repetition is invalid: {exc}")
        raise Unprocessable(
            msg, extra={"violations": [{"rule": "repeat", "message": msg}]}
        ) from None
    first, last = data.start.astimezone(tz), data.end.astimezone(tz)
    days, wall = last.date() - first.date(), last.timetz().replace(tzinfo=None)
    out = []
    for begin, _ in starts:
        day = begin.astimezone(tz).date()
        out.append((begin, local_to_utc(day + days, wall, tz)))
    return out


async def place_block_series(
    db: Database,
    user: Principal,
    instrument_id: int,
    data: BlockSeriesIn,
    *,
    now: datetime,
    dry_run: bool = False,
) -> BlockSeriesOut | list[DisplacedOut]:
    """All occurrences or none: bookings in the way of any of them are refused together
    (`fail`) or cancelled and told (`cancel`); another block in the way refuses the series."""
    admission.check_bounds(data.start, data.end, user.language)

    async def work(conn: asyncpg.Connection) -> BlockSeriesOut | list[DisplacedOut]:
        inst = await _managed_instrument(conn, user, instrument_id)
        spans = occurrences(data, inst.zone, user.language)
        admission.check_bounds(spans[0][0], spans[-1][1], user.language)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
        if dry_run:
            found = {r["id"]: r for a, b in spans for r in await _in_the_way(conn, inst.id, a, b)}
            return displaced_out(sorted(found.values(), key=lambda r: r["starts_at"]))
        rows, cancelled = await _clear(
            conn, user, inst.id, spans, on_conflict=data.on_conflict, reason=data.reason, now=now
        )
        series_id = await conn.fetchval(
            sql.INSERT_BLOCK_SERIES,
            inst.id,
            user.user_id,
            repeat_rule(data.repeat),
        )
        placed = [
            _block_out(
                await _insert_block(
                    conn, user, inst.id, span, reason=data.reason, series_id=series_id
                )
            )
            for span in spans
        ]
        for new in cancelled:
            await tell_displaced(conn, new, data.reason, now)
        return BlockSeriesOut(series_id=series_id, blocks=placed, displaced=displaced_out(rows))

    result: BlockSeriesOut | list[DisplacedOut] = await _placed(db, user, work)
    return result


async def move_block(
    db: Database,
    user: Principal,
    instrument_id: int,
    block_id: int,
    *,
    expected: int,
    data: BlockPatchIn,
    now: datetime,
) -> BlockOut:
    """Move or resize a block under `If-Match`; bookings the new time overlaps are refused
    or cancelled (and told) as `on_conflict` says. Bookings it no longer covers stay as
    they are (they were cancelled when the block was placed)."""

    async def work(conn: asyncpg.Connection) -> BlockOut:
        inst = await _managed_instrument(conn, user, instrument_id)
        await advisory_xact_lock(conn, LOCK_INSTRUMENT, inst.id)
        row = await conn.fetchrow(
            sql.LOCK_BLOCK,
            block_id,
            inst.id,
        )
        if row is None or row["status"] != "confirmed":
            raise NotFound(f"Block {block_id} does not exist on instrument {instrument_id}.")
        if row["version"] != expected:
            raise PreconditionFailed(
                pick(
                    user.language,
                    "维护时段已被他人修改，请重新读取。",
                    "The block changed since you read it; reload it.",
                ),
                extra={"current_version": row["version"]},
            )
        start, end = data.start or row["starts_at"], data.end or row["ends_at"]
        admission.check_bounds(start, end, user.language)
        reason = data.reason or row["purpose"]
        rows, cancelled = await _clear(
            conn,
            user,
            inst.id,
            [(start, end)],
            on_conflict=data.on_conflict,
            reason=reason,
            now=now,
        )
        moved = await conn.fetchrow(
            sql.MOVE_BLOCK_TO,
            block_id,
            start,
            end,
            reason,
            now,
        )
        await store.record_event(
            conn,
            block_id,
            user.user_id,
            "block_moved",
            from_status="confirmed",
            to_status="confirmed",
            reason=reason,
            data={"from": [row["starts_at"].isoformat(), row["ends_at"].isoformat()]},
        )
        for new in cancelled:
            await tell_displaced(conn, new, reason, now)
        return _block_out(moved, displaced_out(rows))

    result: BlockOut = await _placed(db, user, work)
    return result


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
    conn: asyncpg.Connection, user: Principal, row: Any, reason: str, *, now: datetime
) -> Any:
    new = await conn.fetchrow(
        sql.CANCEL_DISPLACED,
        row["id"],
        now,
    )
    await store.record_event(
        conn,
        row["id"],
        user.user_id,
        "displaced",
        from_status=row["status"],
        to_status="cancelled",
        reason=reason,
    )
    return new


async def tell_displaced(
    conn: asyncpg.Connection,
    row: Any,
    reason: str,
    now: datetime,
    *,
    kind: str = "booking_displaced",
) -> None:
    """The user hears why, with the next free slots (the block or closure already counted)
    and other instruments."""
    policy = await load_policy(conn, row["instrument_id"])
    duration: timedelta = row["ends_at"] - row["starts_at"]
    slots = await availability.next_free_slots(
        conn, row["instrument_id"], duration, row["starts_at"], policy=policy, now=now
    )
    others = await search.alternative_instruments(
        conn,
        row["instrument_id"],
        row["starts_at"],
        row["ends_at"],
        user_region=row["booker_region_code"],
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
    *,
    include_cancelled: bool,
) -> list[BlockOut]:
    rows = await db.fetch(
        sql.BLOCKS_BETWEEN,
        instrument_id,
        start,
        end,
        include_cancelled,
    )
    return [_block_out(r) for r in rows]


async def remove_block(
    db: Database, user: Principal, instrument_id: int, block_id: int, *, now: datetime
) -> None:
    async def work(conn: asyncpg.Connection) -> None:
        inst = await _managed_instrument(conn, user, instrument_id)
        row = await conn.fetchrow(
            sql.LOCK_BLOCK_STATUS,
            block_id,
            inst.id,
        )
        if row is None:
            raise NotFound(f"Block {block_id} does not exist on instrument {instrument_id}.")
        if row["status"] != "cancelled":
            await conn.execute(
                sql.CANCEL_BOOKING_ROW,
                block_id,
                now,
            )
            await store.record_event(
                conn,
                block_id,
                user.user_id,
                "block_removed",
                from_status=row["status"],
                to_status="cancelled",
            )

    await db.in_transaction(work)
