"""Importing a manager's `.ics` file on one instrument, as the manager says the events are:
maintenance blocks (downtime: the sharing figures take them out of the available hours),
internal use (bookings of the manager's own group: the time stays available and counts as
booked), or closures (whole days the instrument is closed, like the closures the hours page adds).

Runs under the instrument's advisory lock (namespace 1, the booking engine's), so no booking
can slip in between the conflict check and the insert; the exclusion constraint
`booking_no_overlap` is still the final guard: each insert runs in its own savepoint and a
23P01 becomes a reported conflict instead of aborting the whole import.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import asyncpg

from service.accounts.principal import Principal
from service.calendars import sql
from service.calendars.ics_import import IcsError, LimitExceeded, Limits, Occurrence
from service.calendars.import_sandbox import read_upload
from service.calendars.schemas import ConflictOut, ImportedEventOut, ImportReportOut
from service.common.time import overlaps
from service.db import LOCK_INSTRUMENT, Database, advisory_xact_lock
from service.errors import Forbidden, NotFound, Unprocessable
from service.settings import Settings

#: What an imported event becomes.
ImportKind = Literal["maintenance", "internal", "closed"]
_BOOKING_KIND = {"maintenance": "maintenance", "internal": "booking"}


#: Shown translated by the pages (listed in `service.web.import_reasons`).
CLOSURE_NOT_WHOLE_DAYS = (
    "A closure covers whole days; import this event as maintenance or internal use instead."
)


def limits_for(settings: Settings) -> Limits:
    return Limits(max_seconds=settings.ics_import_max_seconds)


async def load_managed_instrument(db: Database, user: Principal, instrument_id: int) -> Any:
    row = await db.fetchrow(
        sql.MANAGED_INSTRUMENT_PLACE,
        instrument_id,
    )
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    if not user.can_manage_instrument(instrument_id, row["institution_id"]):
        raise Forbidden("Only the instrument's managers and administrators may do this.")
    return row


def _conflicts(occ: Occurrence, taken: list[ConflictOut]) -> list[ConflictOut]:
    assert occ.start is not None and occ.end is not None
    return [c for c in taken if overlaps(occ.start, occ.end, c.start, c.end)]


async def _insert(
    conn: asyncpg.Connection, user: Principal, instrument_id: int, occ: Occurrence, *, kind: str
) -> int | None:
    """The new block's (or internal booking's) id, or None when the exclusion constraint
    refused it."""
    booking_kind = _BOOKING_KIND[kind]
    try:
        async with conn.transaction():
            block_id = int(
                await conn.fetchval(
                    sql.INSERT_IMPORTED_EVENT,
                    instrument_id,
                    user.user_id,
                    occ.start,
                    occ.end,
                    occ.summary,
                    user.institution_id,
                    user.region_code,
                    booking_kind,
                )
            )
            action = "maintenance_imported" if kind == "maintenance" else "internal_use_imported"
            await conn.execute(
                sql.INSERT_IMPORT_HISTORY,
                block_id,
                user.user_id,
                occ.summary,
                {"uid": occ.uid},
                action,
            )
    except asyncpg.ExclusionViolationError:
        return None
    return block_id


def whole_days(occ: Occurrence, zone: ZoneInfo) -> bool:
    """A closure is a set of whole local days (midnight to midnight in the instrument's zone)."""
    assert occ.start is not None and occ.end is not None
    first, last = occ.start.astimezone(zone), occ.end.astimezone(zone)
    return first.time() == last.time() == first.time().min and first.date() < last.date()


async def _close_days(
    conn: asyncpg.Connection, instrument_id: int, occ: Occurrence, zone: ZoneInfo
) -> None:
    assert occ.start is not None and occ.end is not None
    first, last = occ.start.astimezone(zone).date(), occ.end.astimezone(zone).date()
    await conn.execute(sql.INSERT_IMPORTED_CLOSURE, instrument_id, first, last, occ.summary)


async def _apply(
    conn: asyncpg.Connection,
    user: Principal,
    instrument_id: int,
    occurrences: list[Occurrence],
    *,
    dry_run: bool,
    window: tuple[datetime, datetime],
    kind: ImportKind,
    zone: ZoneInfo,
) -> list[ImportedEventOut]:
    await advisory_xact_lock(conn, LOCK_INSTRUMENT, instrument_id)
    rows = await conn.fetch(sql.ACTIVE_IN_RANGE, instrument_id, window[0], window[1])
    taken = [ConflictOut(r["kind"], r["starts_at"], r["occupied_until"], r["id"]) for r in rows]
    out: list[ImportedEventOut] = []
    for occ in occurrences:
        result = ImportedEventOut(
            occ.uid, occ.summary, occ.start, occ.end, "invalid", message=occ.problem
        )
        if occ.problem is None and kind == "closed" and not whole_days(occ, zone):
            result.message = CLOSURE_NOT_WHOLE_DAYS
        elif occ.problem is None:
            result.conflicts = _conflicts(occ, taken)
            if result.conflicts:
                result.outcome = "conflict"
            elif dry_run:
                result.outcome = "would_create"
            elif kind == "closed":
                await _close_days(conn, instrument_id, occ, zone)
                result.outcome = "created"
            else:
                result.booking_id = await _insert(conn, user, instrument_id, occ, kind=kind)
                result.outcome = "created" if result.booking_id else "conflict"
            if result.outcome != "conflict":
                assert occ.start is not None and occ.end is not None
                taken.append(ConflictOut("import", occ.start, occ.end, result.booking_id))
        out.append(result)
    return out


async def import_calendar(
    db: Database,
    user: Principal,
    instrument_id: int,
    body: bytes,
    *,
    dry_run: bool,
    days: int,
    now: datetime,
    limits: Limits = Limits(),  # noqa: B008 - immutable
    kind: ImportKind = "maintenance",
) -> ImportReportOut:
    instrument = await load_managed_instrument(db, user, instrument_id)
    window = (now, now + timedelta(days=days))
    try:
        occurrences = await read_upload(body, instrument["timezone"], window, limits)
    except IcsError as exc:
        raise _refusal(exc) from exc
    span = _span(occurrences, window)

    async def work(conn: asyncpg.Connection) -> list[ImportedEventOut]:
        return await _apply(
            conn, user, instrument_id, occurrences, dry_run=dry_run, window=span, kind=kind,
            zone=ZoneInfo(instrument["timezone"]),
        )  # fmt: skip

    events = await db.in_transaction(work)
    return ImportReportOut(
        dry_run=dry_run,
        window_start=window[0],
        window_end=window[1],
        created=sum(e.outcome == "created" for e in events),
        conflicting=sum(e.outcome == "conflict" for e in events),
        invalid=sum(e.outcome == "invalid" for e in events),
        events=events,
    )


def _refusal(exc: IcsError) -> Unprocessable:
    """422 naming the broken limit (`limit`, `maximum`, rule `limit_<name>`), or the reason the
    file is unusable (rule `ics`)."""
    message = str(exc)
    if isinstance(exc, LimitExceeded):
        return Unprocessable(
            message,
            extra={
                "limit": exc.limit,
                "maximum": exc.maximum,
                "violations": [{"rule": f"limit_{exc.limit}", "message": message}],
            },
        )
    return Unprocessable(message, extra={"violations": [{"rule": "ics", "message": message}]})


def _span(
    occurrences: list[Occurrence], window: tuple[datetime, datetime]
) -> tuple[datetime, datetime]:
    """The range whose existing bookings can conflict: occurrences may overhang the window."""
    starts = [o.start for o in occurrences if o.start is not None] + [window[0]]
    ends = [o.end for o in occurrences if o.end is not None] + [window[1]]
    return min(starts), max(ends)
