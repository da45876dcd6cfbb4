"""Shared calendars: instruments that are one physical resource (one microscope booked as two
configurations) are booked on one calendar, so a booking of either blocks both.

The guarantee is the database's: `instrument.calendar_key` names the calendar, a trigger copies
it onto every booking row, and the exclusion constraint `booking_no_overlap` keys on it. Here
managers only say which instruments share; a grouping that would put overlapping active
bookings on one calendar is refused by that same constraint.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from service.accounts.principal import Principal
from service.availability import sql
from service.availability.schemas import SharedCalendarIn, SharedCalendarOut
from service.common.i18n import pick
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Conflict, Forbidden, NotFound


def regroup(current: dict[int, int], group: set[int]) -> dict[int, int | None]:
    """New `calendar_key` of each instrument in `current` (id -> its calendar now) once `group`
    shares one calendar: the group takes its smallest id, and what is left of each former
    calendar keeps sharing under its own smallest id. A calendar of one is the instrument's own
    (None)."""
    result: dict[int, int | None] = {}
    former: dict[int, set[int]] = {}
    for instrument, key in current.items():
        former.setdefault(key, set()).add(instrument)
    for members in former.values():
        rest = members - group
        for instrument in rest:
            result[instrument] = min(rest) if len(rest) > 1 else None
    for instrument in group:
        result[instrument] = min(group) if len(group) > 1 else None
    return result


def _out(instrument_id: int, current: dict[int, int]) -> SharedCalendarOut:
    key = current[instrument_id]
    others = sorted(i for i, k in current.items() if k == key and i != instrument_id)
    return SharedCalendarOut(instrument_id=instrument_id, shared_with=others)


async def _calendars(conn: asyncpg.Connection, ids: list[int], lock: bool) -> dict[int, Any]:
    """The instruments `ids` and every instrument on one of their calendars."""
    rows = await conn.fetch(sql.CALENDARS_FOR_UPDATE if lock else sql.CALENDARS, ids)
    return {r["id"]: r for r in rows}


def _check(user: Principal, ids: list[int], rows: dict[int, Any]) -> None:
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(f"Instrument {missing[0]} does not exist.")
    for i in ids:
        if not user.can_manage_instrument(i, rows[i]["institution_id"]):
            raise Forbidden(
                pick(
                    user.language,
                    "只有每台相关仪器的负责人或单位管理员可以设置共用日历。",
                    "Only managers of every instrument involved may set a shared calendar.",
                )
            )


async def get_shared_calendar(
    db: Database, user: Principal, instrument_id: int
) -> SharedCalendarOut:
    async with db.connection() as conn:
        rows = await _calendars(conn, [instrument_id], lock=False)
        _check(user, [instrument_id], rows)
        return _out(instrument_id, {i: r["key"] for i, r in rows.items()})


async def set_shared_calendar(
    db: Database, user: Principal, instrument_id: int, data: SharedCalendarIn
) -> SharedCalendarOut:
    """`instrument_id` and `data.shared_with` become one calendar (an empty list: its own
    again). Instruments leaving a calendar keep sharing what is left of it."""
    group = {instrument_id, *data.shared_with}
    ids = sorted(group)

    async def work(conn: asyncpg.Connection) -> SharedCalendarOut:
        rows = await _calendars(conn, ids, lock=True)
        _check(user, ids, rows)
        for affected in sorted(rows):  # in id order, as every writer takes them: no deadlock
            await advisory_xact_lock(conn, LOCK_INSTRUMENT, affected)
        current = {i: r["key"] for i, r in rows.items()}
        new = regroup(current, group)
        # Leavers first: they move to calendars nobody else holds, so only a real overlap
        # within the new group can trip the constraint.
        order = sorted(new, key=lambda i: (i in group, i))
        for i in order:
            await conn.execute(sql.SET_CALENDAR_KEY, i, new[i])
        return _out(instrument_id, {i: k if k is not None else i for i, k in new.items()})

    try:
        return await db.in_transaction(work)
    except asyncpg.ExclusionViolationError:
        raise Conflict(
            pick(
                user.language,
                "这些仪器已有时间重叠的有效预约，无法共用日历；请先调整或取消这些预约。",
                "Active bookings of these instruments overlap, so they cannot share a "
                "calendar; move or cancel them first.",
            )
        ) from None


class Candidate(msgspec.Struct, frozen=True):
    """An instrument the manager could put on one calendar with another, and whether it is."""

    id: int
    name_zh: str
    name_en: str
    shared: bool


async def sharing_candidates(db: Database, user: Principal, instrument_id: int) -> list[Candidate]:
    """The other instruments of the same institution `user` manages (not retired), for the
    manager's page: one physical resource belongs to one institution."""
    rows = await db.fetch(sql.SHARING_CANDIDATES, instrument_id)
    return [
        Candidate(r["id"], r["name_zh"], r["name_en"] or "", r["shared"])
        for r in rows
        if user.can_manage_instrument(r["id"], r["institution_id"])
    ]
